// The `stampede` command line, run as users run it: the built binary in a
// temporary directory, with its stdout, stderr and exit status captured.
// Exit statuses (SPEC section 5): 0 ok, 1 expectations failed, 2 bad input.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "cli_fixture.h"
#include <nlohmann/json.hpp>

namespace {

using namespace stampede_cli_test;

// SPEC section 6, spelled here independently of the writer's table, so a typo
// in either shows up.
const std::vector<std::string> kSpecIntegerFields = {
    "seed",
    "requests.page_views",
    "requests.submits",
    "requests.rejected",
    "db.reads",
    "db.writes",
    "db.reads_by_page_views",
    "db.reads_by_submits",
    "db.max_queue",
    "db.peak_reads_per_s",
    "cache.gets",
    "cache.hits",
    "cache.misses",
    "cache.sets",
    "cache.deletes",
    "cache.evictions",
    "cache.cas_attempts",
    "cache.cas_conflicts",
    "anomalies.stale_reads",
    "anomalies.redundant_db_reads",
    "anomalies.stampedes",
    "anomalies.peak_concurrent_same_key",
    "anomalies.lost_updates",
    "engine.events",
};
const std::vector<std::string> kSpecNumberFields = {
    "duration_s",
    "db.reads_per_page_view",
    "db.reads_per_submit",
    "db.utilization",
    "cache.hit_ratio",
    "anomalies.stale_read_ratio",
    "anomalies.max_staleness_s",
    "latency_ms.page_view.mean",
    "latency_ms.page_view.p50",
    "latency_ms.page_view.p90",
    "latency_ms.page_view.p99",
    "latency_ms.page_view.max",
    "latency_ms.submit.mean",
    "latency_ms.submit.p50",
    "latency_ms.submit.p90",
    "latency_ms.submit.p99",
    "latency_ms.submit.max",
    "engine.wall_s",
    "engine.events_per_s",
};

TEST_F(Cli, VersionPrintsNameAndVersion) {
  const Result r = run({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.out.rfind("stampede ", 0), 0u) << r.out;
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(r.out[9]))) << r.out;
}

TEST_F(Cli, EveryCommandHasHelp) {
  for (const std::string cmd :
       {"run", "compare", "validate", "scenarios", "schema", "test", "bench", "lesson"}) {
    const Result r = run({cmd, "--help"});
    EXPECT_EQ(r.code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find("stampede " + cmd), std::string::npos) << cmd << ":\n" << r.out;
  }
  const Result top = run({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.out.find("compare"), std::string::npos) << top.out;
}

TEST_F(Cli, RunReportToStdoutHasEverySpecField) {
  const Result r = run({"run", "builtin:r1", "--duration", "2", "--report", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["scenario"].is_string());
  EXPECT_EQ(j["strategy"], "clear");
  for (const std::string &f : kSpecIntegerFields) {
    const nlohmann::json *v = at_path(j, f);
    ASSERT_NE(v, nullptr) << f;
    EXPECT_TRUE(v->is_number_integer()) << f << " = " << v->dump();
  }
  for (const std::string &f : kSpecNumberFields) {
    const nlohmann::json *v = at_path(j, f);
    ASSERT_NE(v, nullptr) << f;
    EXPECT_TRUE(v->is_number()) << f << " = " << v->dump();
  }
  EXPECT_TRUE(j["expectations"].is_array());
  EXPECT_EQ(j["duration_s"], 2.0);
  EXPECT_GT(j["requests"]["page_views"].get<int>(), 0);
}

TEST_F(Cli, RunReportToFileIsPrettyJsonInReportOrder) {
  const Result r = run({"run", "builtin:r1", "--duration", "1", "--report", "r.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const std::string text = slurp(path("r.json"));
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.rfind("{\n  \"scenario\": ", 0), 0u) << text.substr(0, 40);
  // Report order (SPEC section 6), not alphabetical.
  EXPECT_LT(text.find("\"requests\""), text.find("\"db\""));
  EXPECT_LT(text.find("\"db\""), text.find("\"cache\""));
  EXPECT_LT(text.find("\"cache\""), text.find("\"anomalies\""));
  EXPECT_LT(text.find("\"latency_ms\""), text.find("\"engine\""));
  EXPECT_TRUE(nlohmann::json::parse(text).is_object());
}

TEST_F(Cli, RunWithoutReportPrintsASummary) {
  const Result r = run({"run", "builtin:r1", "--duration", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char *word : {"page views", "per submit", "hit ratio", "stale reads", "max staleness",
                           "redundant DB reads", "lost updates", "CAS conflicts", "p99"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word << " in:\n" << r.out;
  }
}

std::string without_wall_clock(const std::string &report) {
  std::string kept;
  for (const std::string &line : lines_of(report)) {
    if (line.find("\"wall_s\"") == std::string::npos &&
        line.find("\"events_per_s\"") == std::string::npos) {
      kept += line + "\n";
    }
  }
  return kept;
}

// builtin:frontpage runs its full 60 s in these tests (a fraction of a second
// of wall time): its scripted bursts at 20 s and 40 s forbid a shorter
// --duration.
TEST_F(Cli, TwoProcessesWriteByteIdenticalReports) {
  const std::vector<std::string> args = {"run", "builtin:frontpage", "--seed",
                                         "7",   "--report",          "-"};
  const Result a = run(args);
  const Result b = run(args);
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(without_wall_clock(a.out), without_wall_clock(b.out));
  // ... and the seed matters.
  const Result c = run({"run", "builtin:frontpage", "--seed", "8", "--report", "-"});
  EXPECT_NE(without_wall_clock(a.out), without_wall_clock(c.out));
}

TEST_F(Cli, SetOverridesApplyInOrderAndFlagsWin) {
  spit(path("s.json"), small_scenario());
  const Result r = run({"run", "s.json", "--set", "duration_s=3", "--set", "seed=5", "--seed", "9",
                        "--strategy", "update+cas", "--report", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["duration_s"], 3.0);
  EXPECT_EQ(j["seed"], 9);
  EXPECT_EQ(j["strategy"], "update+cas");
}

struct BadInputCase {
  const char *name;
  std::vector<std::string> args;
  std::vector<std::string> message; // each must appear on stderr
};

class CliBadInput : public Cli, public ::testing::WithParamInterface<BadInputCase> {};

TEST_P(CliBadInput, ExitsTwoNamingWhatIsWrong) {
  const BadInputCase &c = GetParam();
  const Result r = run(c.args);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  for (const std::string &m : c.message) {
    EXPECT_NE(r.err.find(m), std::string::npos) << "expected \"" << m << "\" in:\n" << r.err;
  }
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Flags, CliBadInput,
    ::testing::Values(
        BadInputCase{"UnknownCommand", {"bogus"}, {"bogus"}},
        BadInputCase{"SeedNotANumber", {"run", "builtin:r1", "--seed", "abc"}, {"--seed", "abc"}},
        BadInputCase{"NegativeSeed", {"run", "builtin:r1", "--seed", "-1"}, {"--seed", "-1"}},
        BadInputCase{"NegativeDuration", {"run", "builtin:r1", "--duration", "-1"}, {"--duration"}},
        BadInputCase{"SetWithoutEquals",
                     {"run", "builtin:r1", "--set", "db.connections"},
                     {"--set", "PATH=VALUE"}},
        BadInputCase{
            "UnknownSetPath", {"run", "builtin:r1", "--set", "db.nonsense=3"}, {"db.nonsense"}},
        BadInputCase{
            "BadSetValue", {"run", "builtin:r1", "--set", "db.connections=-2"}, {"db.connections"}},
        BadInputCase{"MissingFile", {"run", "missing.json"}, {"missing.json"}},
        BadInputCase{"UnknownBuiltin", {"run", "builtin:nope"}, {"builtin:nope"}},
        BadInputCase{"UnknownStrategy",
                     {"run", "builtin:r1", "--strategy", "bogus"},
                     {"--strategy", "bogus"}},
        BadInputCase{"UnknownCompareStrategy",
                     {"compare", "builtin:r1", "--strategies", "clear,bogus"},
                     {"--strategies", "bogus"}},
        BadInputCase{"UnknownFlag", {"run", "builtin:r1", "--frobnicate"}, {"--frobnicate"}},
        BadInputCase{"MissingScenario", {"run"}, {"SCENARIO"}},
        BadInputCase{"UnwritableReport",
                     {"run", "builtin:r1", "--duration", "1", "--report", "no/such/dir/r.json"},
                     {"no/such/dir/r.json"}},
        BadInputCase{"UnwritableTrace",
                     {"run", "builtin:r1", "--duration", "1", "--trace", "no/such/dir/t.json"},
                     {"no/such/dir/t.json"}},
        BadInputCase{"ValidateMissingFile", {"validate", "nowhere.json"}, {"nowhere.json"}},
        BadInputCase{"TestMissingPath", {"test", "no-such-dir"}, {"no-such-dir"}}),
    [](const ::testing::TestParamInfo<BadInputCase> &info) { return info.param.name; });

TEST_F(Cli, BadScenarioFileNamesFileAndField) {
  spit(path("bad.json"), R"({"format": 1, "workload": {"rate": "fast"}})");
  const Result r = run({"run", "bad.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("workload.rate"), std::string::npos) << r.err;
}

TEST_F(Cli, FailedExpectationExitsOneAndIsReported) {
  spit(path("fail.json"), small_scenario(R"(, "expect": ["requests.page_views < 0"])"));
  const Result r = run({"run", "fail.json", "--report", "r.json"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("requests.page_views < 0"), std::string::npos) << r.err;
  const nlohmann::json j = nlohmann::json::parse(slurp(path("r.json")));
  ASSERT_EQ(j["expectations"].size(), 1u);
  EXPECT_EQ(j["expectations"][0]["expr"], "requests.page_views < 0");
  EXPECT_EQ(j["expectations"][0]["ok"], false);
  EXPECT_EQ(j["expectations"][0]["actual"], j["requests"]["page_views"]);
}

TEST_F(Cli, HeldExpectationExitsZero) {
  spit(path("ok.json"),
       small_scenario(R"(, "expect": ["requests.page_views > 0 and db.reads >= 0"])"));
  const Result r = run({"run", "ok.json", "--report", "-"});
  EXPECT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["expectations"][0]["ok"], true);
}

TEST_F(Cli, TimeseriesHasHeaderAndOneRowPerSecond) {
  const Result r =
      run({"run", "builtin:r1", "--duration", "3", "--timeseries", "ts.csv", "--report", "r.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> rows = lines_of(slurp(path("ts.csv")));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            "time_s,arrivals,page_views,submits,db_reads,db_writes,db_queue,db_queue_max,"
            "db_utilization,hit_ratio,view_p50_ms,view_p99_ms,stale_reads,redundant_db_reads,"
            "cas_conflicts,lost_updates,evictions,app_backlog");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].substr(0, rows[i].find(',')), std::to_string(i)) << rows[i];
    EXPECT_EQ(std::count(rows[i].begin(), rows[i].end(), ','), 17) << rows[i];
  }
  // The rows add up to the report's page views (views answered in [0, 3 s)).
  const nlohmann::json j = nlohmann::json::parse(slurp(path("r.json")));
  long views = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::istringstream cells(rows[i]);
    std::string cell;
    for (int c = 0; c <= 2; ++c) {
      std::getline(cells, cell, ',');
    }
    views += std::stol(cell);
  }
  EXPECT_EQ(views, j["requests"]["page_views"].get<long>());
}

TEST_F(Cli, IntervalSetsTheTimeseriesRows) {
  const Result r = run({"run", "builtin:r1", "--duration", "1", "--interval", "0.25",
                        "--timeseries", "ts.csv", "--report", "r.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> rows = lines_of(slurp(path("ts.csv")));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1].substr(0, 5), "0.25,");
}

/// A trace time (microseconds, three decimals) in whole nanoseconds.
long long ns(const nlohmann::json &us) { return std::llround(us.get<double>() * 1000); }

TEST_F(Cli, TraceIsValidJsonWithNestedSpans) {
  const Result r = run({"run", "builtin:lost-updates", "--trace", "t.json", "--report", "r.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(slurp(path("t.json")));
  const nlohmann::json &events = j["traceEvents"];
  ASSERT_TRUE(events.is_array());
  // Requests: each view's span, by serial, to check its calls lie inside it.
  struct Span {
    long long ts, end; // ns
    int tid;
  };
  std::map<long, Span> requests;
  std::size_t views = 0, calls = 0;
  for (const nlohmann::json &e : events) {
    if (e["ph"] == "X" && (e["name"] == "view" || e["name"] == "submit")) {
      views += e["name"] == "view" ? 1 : 0;
      requests[e["args"]["serial"].get<long>()] = {ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]),
                                                   e["tid"].get<int>()};
    }
  }
  const nlohmann::json report = nlohmann::json::parse(slurp(path("r.json")));
  EXPECT_EQ(views, report["requests"]["page_views"].get<std::size_t>());
  for (const nlohmann::json &e : events) {
    if (e["ph"] != "X" || (e["cat"] != "cache" && e["cat"] != "db")) {
      continue;
    }
    const auto it = requests.find(e["args"]["serial"].get<long>());
    if (it == requests.end()) {
      continue; // a request the run ended before answering
    }
    ++calls;
    EXPECT_EQ(e["tid"].get<int>(), it->second.tid) << e.dump();
    EXPECT_GE(ns(e["ts"]), it->second.ts) << e.dump();
    EXPECT_LE(ns(e["ts"]) + ns(e["dur"]), it->second.end) << e.dump();
  }
  EXPECT_GT(calls, 0u);
}

TEST_F(Cli, TraceBytesAreDeterministic) {
  const std::vector<std::string> a = {
      "run", "builtin:lost-updates", "--trace", "a.json", "--report", "r.json"};
  std::vector<std::string> b = a;
  b[3] = "b.json";
  ASSERT_EQ(run(a).code, 0);
  ASSERT_EQ(run(b).code, 0);
  EXPECT_EQ(slurp(path("a.json")), slurp(path("b.json")));
}

TEST_F(Cli, CompareTablePrintsARowPerLectureStrategy) {
  const Result r = run({"compare", "builtin:frontpage", "--table"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  std::vector<std::string> firsts;
  bool header = false;
  for (const std::string &line : lines) {
    header = header || line.rfind("strategy", 0) == 0;
    firsts.push_back(line.substr(0, line.find(' ')));
  }
  EXPECT_TRUE(header) << r.out;
  for (const std::string s : {"none", "naive", "clear", "refresh", "update", "update+cas"}) {
    EXPECT_EQ(std::count(firsts.begin(), firsts.end(), s), 1) << s << " in:\n" << r.out;
  }
  for (const char *column :
       {"DB reads per view", "DB reads per submit", "stale reads", "max staleness, s",
        "redundant DB reads", "lost updates", "CAS conflicts", "hit ratio", "view p99, ms"}) {
    EXPECT_NE(r.out.find(column), std::string::npos) << column;
  }
}

TEST_F(Cli, CompareReportIsAnArrayInStrategyOrder) {
  const Result r =
      run({"compare", "builtin:frontpage", "--strategies", "naive, refresh", "--report", "c.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, ""); // stdout is not a terminal, --report given, no --table
  const nlohmann::json j = nlohmann::json::parse(slurp(path("c.json")));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["strategy"], "naive");
  EXPECT_EQ(j[1]["strategy"], "refresh");
  EXPECT_EQ(j[0]["seed"], j[1]["seed"]);
}

TEST_F(Cli, CompareReportOnStdoutKeepsTheTableOffIt) {
  const Result r = run({"compare", "builtin:lost-updates", "--strategies", "update,update+cas",
                        "--report", "-", "--table"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 2u);
  EXPECT_NE(r.err.find("update+cas"), std::string::npos) << r.err;
}

TEST_F(Cli, LessonListShowAndRun) {
  fs::create_directories(path("lessons/02-stale"));
  spit(path("lessons/02-stale/lesson.md"), "# Stale pages\n");
  spit(path("lessons/02-stale/base.json"), small_scenario());
  spit(path("lessons/02-stale/steps.json"), R"({"id": "02-stale", "title": "Stale pages",
    "steps": [{"title": "views", "scenario": "base.json", "expect": ["requests.page_views > 0"]}]})");
  const Result list = run({"lesson", "--lessons", "lessons", "list"});
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out, "02-stale  Stale pages\n");
  const Result show = run({"lesson", "--lessons", "lessons", "show", "2"});
  EXPECT_EQ(show.code, 0) << show.err;
  EXPECT_EQ(show.out, "# Stale pages\n");
  const Result ran = run({"lesson", "--lessons", "lessons", "run", "stale"});
  EXPECT_EQ(ran.code, 0) << ran.out << ran.err;
  EXPECT_EQ(ran.out, "ok   02-stale step 1: views (seed 3)\n"
                     "ok   02-stale text: lessons/02-stale/lesson.md (0 figures, each a claim, a "
                     "given, a reference or seed-labelled)\n2 passed, 0 failed\n");
  const Result missing = run({"lesson", "--lessons", "lessons", "run", "9"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("\"9\""), std::string::npos) << missing.err;
}

// Issue 22: a figure in a lesson's text is a checked claim, a given, a
// reference, or in a sentence naming its seeds; anything else fails the
// lesson, naming the line. Claims print what they measured.
TEST_F(Cli, LessonFiguresAreClaimsGivensOrSeedLabelled) {
  fs::create_directories(path("lessons/03-figures"));
  spit(path("lessons/03-figures/base.json"), small_scenario());
  const std::string text = "# Figures\n\nTwo app servers, as lesson 2 and steps 1 to 3 say.\n\n"
                           "## Step 1 — views\n\nBefore: guess.\n\n### After the run\n\n"
                           "The run serves more than 10 views. On seed 3 it served 1,234.\n"
                           "`--set db.connections=32` is code.\n";
  const auto steps = [&](const std::string &claims, const std::string &extra = "") {
    spit(path("lessons/03-figures/lesson.md"), text + extra);
    spit(path("lessons/03-figures/steps.json"),
         R"({"id": "03-figures", "title": "Figures", "part": "Caching",
             "aliases": ["07-old-figures"], "givens": ["Two app servers"],
             "steps": [{"title": "views", "scenario": "base.json",
                        "expect": ["requests.page_views > 0"], "claims": )" +
             claims + "}]}");
  };
  steps(R"([{"text": "serves more than 10 views", "expect": ["requests.page_views > 10"]}])");
  Result r = run({"lesson", "--lessons", "lessons", "run", "3"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("claim \"serves more than 10 views\" holds (seed 3; requests.page_views > "
                       "10: "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("ok   03-figures text: lessons/03-figures/lesson.md (7 figures"),
            std::string::npos)
      << r.out;

  // A figure nobody checks.
  steps(R"([{"text": "serves more than 10 views", "expect": ["requests.page_views > 10"]}])",
        "About 42 stale reads a minute.\n");
  r = run({"lesson", "--lessons", "lessons", "run", "3"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED 03-figures text: lessons/03-figures/lesson.md: 1 problem:\n"
                       "       lessons/03-figures/lesson.md:13: \"42\" in \"About 42 stale reads "
                       "a minute.\" is neither a claim"),
            std::string::npos)
      << r.out;
  // ... in words too.
  steps(R"([{"text": "serves more than 10 views", "expect": ["requests.page_views > 10"]}])",
        "About a hundred views slip through.\n");
  r = run({"lesson", "--lessons", "lessons", "run", "3"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(":13: \"hundred\" in \"About a hundred views"), std::string::npos) << r.out;

  // A claim that does not hold, and one whose phrase is not in the text.
  steps(R"([{"text": "serves more than 10 views", "expect": ["requests.page_views > 1e9"]},
            {"text": "serves a million views", "expect": ["requests.page_views > 0"]}])");
  r = run({"lesson", "--lessons", "lessons", "run", "3"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED 03-figures step 1: views: claim \"serves more than 10 views\" does "
                       "not hold: requests.page_views > 1e9: "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("steps[0].claims[1] \"serves a million views\" is not in the text"),
            std::string::npos)
      << r.out;

  // A claim on named seeds runs exactly those, and only without --seed.
  steps(R"([{"text": "serves more than 10 views", "expect": ["requests.page_views > 10"]},
            {"text": "On seed 3 it served 1,234", "seeds": [3, 3],
             "expect": ["requests.page_views > 0"]}])");
  r = run({"lesson", "--lessons", "lessons", "run", "3"});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("claim \"On seed 3 it served 1,234\" holds (seed 3;"), std::string::npos)
      << r.out;
  r = run({"lesson", "--lessons", "lessons", "run", "3", "--seed", "9"});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("claim \"On seed 3 it served 1,234\" (seed 3): checked without --seed"),
            std::string::npos)
      << r.out;

  // The former id still finds the lesson; the list says the lecture's part;
  // `show` keeps what a step shows until --answers.
  EXPECT_EQ(run({"lesson", "--lessons", "lessons", "run", "07-old-figures"}).code, 0);
  const Result list = run({"lesson", "--lessons", "lessons", "list"});
  EXPECT_EQ(list.out, "03-figures  Figures\n            lecture: Caching\n") << list.out;
  const Result show = run({"lesson", "--lessons", "lessons", "show", "3"});
  EXPECT_EQ(show.out.find("served 1,234"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("Before: guess."), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("--answers"), std::string::npos) << show.out;
  const Result answers = run({"lesson", "--lessons", "lessons", "show", "3", "--answers"});
  EXPECT_EQ(answers.out, text) << answers.out;
}

// A step's question (SPEC section 10) is proved by the run: the answer's
// `when` holds and no other choice's does; a number within its tolerance.
TEST_F(Cli, LessonQuestionsAreProvedByTheirRun) {
  const std::string yes_no = R"("choices": [{"text": "no", "when": "requests.submits == 0"},
                                            {"text": "yes", "when": "requests.submits > 0"}])";
  auto lesson = [&](const std::string &name, const std::string &question) {
    fs::create_directories(path("lessons/" + name));
    spit(path("lessons/" + name + "/base.json"), small_scenario());
    spit(path("lessons/" + name + "/steps.json"),
         R"({"steps": [{"title": "asks", "scenario": "base.json", "question": )" + question +
             "}]}");
  };
  lesson("01-right", R"({"text": "Any submits?", )" + yes_no + R"(, "answer": "yes"})");
  lesson("02-number", R"({"text": "Lost?", "metric": "anomalies.lost_updates", "answer": 0,
                          "tolerance": 0})");
  lesson("03-wrong", R"({"text": "Any submits?", )" + yes_no + R"(, "answer": "no"})");
  lesson("04-overlap", R"({"text": "Any views?", "choices": [
           {"text": "some", "when": "requests.page_views > 0"},
           {"text": "many", "when": "requests.page_views > 10"}], "answer": "many"})");
  lesson("05-far", R"({"text": "Views?", "metric": "requests.page_views", "answer": 1,
                       "tolerance": 0.5})");
  for (const char *ok : {"01", "02"}) {
    const Result r = run({"lesson", "--lessons", "lessons", "run", ok});
    EXPECT_EQ(r.code, 0) << ok << ": " << r.out << r.err;
  }
  const Result wrong = run({"lesson", "--lessons", "lessons", "run", "03"});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.out.find("question \"Any submits?\": the run says \"yes\" (requests.submits > "
                           "0: requests.submits = "),
            std::string::npos)
      << wrong.out;
  EXPECT_NE(wrong.out.find("not the answer \"no\" (seed 3)"), std::string::npos) << wrong.out;
  const Result overlap = run({"lesson", "--lessons", "lessons", "run", "04"});
  EXPECT_EQ(overlap.code, 1);
  EXPECT_NE(overlap.out.find("the answer holds but so does \"some\": the choices must not overlap"),
            std::string::npos)
      << overlap.out;
  const Result far = run({"lesson", "--lessons", "lessons", "run", "05"});
  EXPECT_EQ(far.code, 1);
  EXPECT_NE(far.out.find("measured requests.page_views = "), std::string::npos) << far.out;
  EXPECT_NE(far.out.find("the intended answer is 1 (+- 0.5)"), std::string::npos) << far.out;
  // `stampede test` checks questions as `lesson run` does.
  const Result test = run({"test", "lessons"});
  EXPECT_EQ(test.code, 1);
  EXPECT_NE(test.out.find("2 passed, 3 failed"), std::string::npos) << test.out;
}

TEST_F(Cli, LessonQuestionsThatCannotBeAskedSayWhy) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"text": "Q", "choices": [{"text": "a", "when": "db.reads > 0"},
           {"text": "b", "when": "db.reads == 0"}], "answer": "c"})",
       "steps[0].question.answer: \"c\" is not one of the choices"},
      {R"({"text": "Q", "metric": "db.nope", "answer": 1, "tolerance": 0})",
       "steps[0].question.metric: \"db.nope\" is not a numeric report field"},
      {R"({"text": "Q", "metric": "db.reads", "answer": 1})",
       "steps[0].question.tolerance: expected a number >= 0"},
      {R"({"text": "Q", "choices": [{"text": "a", "when": "db.reads > 0"}], "answer": "a"})",
       "steps[0].question.choices: expected an array of at least two"},
      {R"({"text": "Q", "choices": [{"text": "a", "when": "db.reads >"},
           {"text": "b", "when": "db.reads == 0"}], "answer": "a"})",
       "steps[0].question.choices[0].when: "},
      {R"({"text": "Q", "choices": [], "metric": "db.reads", "answer": 1})",
       "steps[0].question: expected either \"choices\" (pick one) or \"metric\""},
      {R"({"text": "Q", "metric": "db.reads", "answer": 1, "tolerance": 0, "hint": 2})",
       "steps[0].question.hint: unknown field"},
      {R"("why?")", "steps[0].question: expected an object"},
  };
  fs::create_directories(path("lessons/01-bad"));
  spit(path("lessons/01-bad/base.json"), small_scenario());
  for (const auto &[question, message] : bad) {
    spit(path("lessons/01-bad/steps.json"),
         R"({"steps": [{"scenario": "base.json", "question": )" + question + "}]}");
    const Result r = run({"lesson", "--lessons", "lessons", "run", "01"});
    EXPECT_EQ(r.code, 1) << question;
    EXPECT_NE(r.out.find("lessons/01-bad/steps.json: " + message), std::string::npos)
        << question << "\n"
        << r.out << r.err;
  }
}

// `lesson run --interactive` asks each question before its step runs, reads
// the answer from stdin (asking again until it is one), and shows the
// measured answer beside the prediction; the input ending is no hang.
TEST_F(Cli, LessonRunInteractiveAsksThenShowsTheMeasuredAnswer) {
  fs::create_directories(path("lessons/01-ask"));
  spit(path("lessons/01-ask/base.json"), small_scenario());
  spit(path("lessons/01-ask/lesson.md"), "# Ask\n\nIntro.\n\n## Step 1\n\nSubmits.\n\n"
                                         "### After the run\n\nYes, five in a hundred.\n\n"
                                         "## Step 2\n\nLosses.\n");
  spit(path("lessons/01-ask/steps.json"), R"({"steps": [
    {"title": "one", "scenario": "base.json", "question": {"text": "Any submits?",
      "choices": [{"text": "no", "when": "requests.submits == 0"},
                  {"text": "yes", "when": "requests.submits > 0"}],
      "answer": "yes", "why": "the workload submits 5 %"}},
    {"title": "two", "scenario": "base.json", "question": {"text": "How many lost?",
      "metric": "anomalies.lost_updates", "answer": 0, "tolerance": 0}}]})");
  spit(path("answers"), "9\nyes\nlots\n3\n");
  const Result r = run({"lesson", "--lessons", "lessons", "run", "01", "--interactive"}, "",
                       path("answers").string());
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  // What the step says after the run comes after the answer, never before
  // the question.
  EXPECT_LT(r.out.find("Submits."), r.out.find("Any submits?")) << r.out;
  EXPECT_GT(r.out.find("### After the run\n\nYes, five in a hundred."),
            r.out.find("the answer: yes"))
      << r.out;
  EXPECT_NE(r.out.find("(this step's checks all hold)"), std::string::npos) << r.out;
  for (const char *said :
       {"Intro.", "Submits.", "Any submits?\n  1. no\n  2. yes\n",
        "expected a choice's number, 1 to 2, not \"9\"", "you said: yes  (right)",
        "measured: yes (requests.submits = ", "why: the workload submits 5 %", "Losses.",
        "expected a number, not \"lots\"", "measured: anomalies.lost_updates = 0",
        "you said: 3  (not quite)", "the answer: 0\n",
        "2 of 2 steps as the lesson says; your predictions: 1 of 2 right"})
    EXPECT_NE(r.out.find(said), std::string::npos) << said << "\n" << r.out;
  const Result eof = run({"lesson", "--lessons", "lessons", "run", "01", "-i"});
  EXPECT_EQ(eof.code, 0) << eof.out << eof.err;
  EXPECT_NE(eof.out.find("(no answer: the input ended; the step runs anyway)"), std::string::npos)
      << eof.out;
  EXPECT_NE(eof.out.find("your predictions: 0 of 2 right"), std::string::npos) << eof.out;
  const Result both = run({"lesson", "--lessons", "lessons", "run", "01", "-i", "--junit", "x"});
  EXPECT_EQ(both.code, 2);
}

TEST_F(Cli, ValidateAcceptsAGoodFile) {
  spit(path("ok.json"), small_scenario());
  const Result r = run({"validate", "ok.json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("ok.json: ok"), std::string::npos) << r.out;
}

TEST_F(Cli, ScenariosListsTheBuiltins) {
  const Result r = run({"scenarios"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("builtin:frontpage"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("builtin:r1"), std::string::npos) << r.out;
}

TEST_F(Cli, SchemaIsJson) {
  const Result r = run({"schema"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out).is_object());
}

// --- stampede test ---------------------------------------------------------

/// A minimal XML check: tags balance and nest, attributes are quoted.
bool balanced_xml(const std::string &x, std::string &why) {
  std::vector<std::string> open;
  for (std::size_t i = x.find('<'); i != std::string::npos; i = x.find('<', i + 1)) {
    const std::size_t end = x.find('>', i);
    if (end == std::string::npos) {
      why = "unterminated tag";
      return false;
    }
    const std::string tag = x.substr(i + 1, end - i - 1);
    if (tag[0] == '?') {
      continue;
    }
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) {
      why = "odd quotes in <" + tag + ">";
      return false;
    }
    const std::string name =
        tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" />", 1) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name) {
        why = "unbalanced </" + name + ">";
        return false;
      }
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
  }
  why = open.empty() ? "" : "unclosed <" + open.back() + ">";
  return open.empty();
}

TEST_F(Cli, TestCommandPassingAndFailingFiles) {
  fs::create_directories(path("cases/sub"));
  spit(path("cases/pass.json"), small_scenario(R"(, "expect": ["requests.page_views > 0"])"));
  spit(path("cases/sub/fail.json"), small_scenario(R"(, "expect": ["requests.page_views < 0"])"));
  spit(path("cases/sub/no-expect.json"), small_scenario()); // not a test: no expect
  spit(path("cases/golden.json"), R"({"scenario": "x", "expectations": []})");

  const Result r = run({"test", "cases", "--junit", "j.xml"});
  EXPECT_EQ(r.code, 1) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "ok   cases/pass.json (seed 3)");
  EXPECT_EQ(lines[1].rfind("FAILED cases/sub/fail.json: requests.page_views < 0 (actual ", 0), 0u)
      << lines[1];
  EXPECT_NE(lines[1].find(", seed 3)"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2], "1 passed, 1 failed");

  const std::string xml = slurp(path("j.xml"));
  std::string why;
  EXPECT_TRUE(balanced_xml(xml, why)) << why << "\n" << xml;
  EXPECT_EQ(xml.rfind("<?xml", 0), 0u);
  EXPECT_NE(xml.find("tests=\"2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos) << xml;
  std::size_t testcases = 0, failures = 0;
  for (std::size_t i = xml.find("<testcase "); i != std::string::npos;
       i = xml.find("<testcase ", i + 1)) {
    ++testcases;
  }
  for (std::size_t i = xml.find("<failure "); i != std::string::npos;
       i = xml.find("<failure ", i + 1)) {
    ++failures;
  }
  EXPECT_EQ(testcases, 2u);
  EXPECT_EQ(failures, 1u);
  EXPECT_NE(xml.find("requests.page_views &lt; 0"), std::string::npos) << xml;
}

TEST_F(Cli, TestCommandAllPassingExitsZero) {
  spit(path("pass.json"), small_scenario(R"(, "expect": ["requests.page_views > 0"])"));
  const Result r = run({"test", "pass.json"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 passed, 0 failed"), std::string::npos) << r.out;
}

TEST_F(Cli, TestCommandSkipsAnEntryItCannotReadAndGoesOn) {
  // Issue 24, item 4: a symlink to itself in the folder stopped the whole
  // run: "internal error: filesystem error", exit 3.
  fs::create_directories(path("cases"));
  spit(path("cases/pass.json"), small_scenario(R"(, "expect": ["requests.page_views > 0"])"));
  fs::create_symlink("loop.json", path("cases/loop.json"));
  const Result r = run({"test", "cases"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 passed, 0 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("skipped cases/loop.json: Too many levels of symbolic links"),
            std::string::npos)
      << r.err;
}

TEST_F(Cli, TestCommandRunsEachLessonStepAsACase) {
  fs::create_directories(path("lessons/99-demo"));
  spit(path("lessons/99-demo/base.json"), small_scenario());
  spit(path("lessons/99-demo/steps.json"), R"({"id": "99-demo", "title": "Demo", "steps": [
    {"title": "views happen", "scenario": "base.json", "strategy": "naive",
     "set": {"duration_s": 2}, "point_at": "the chart", "expect": ["requests.page_views > 10"]},
    {"title": "too many", "scenario": "builtin:r1", "set": {"duration_s": 1},
     "expect": ["requests.page_views > 1000000"]}]})");
  const Result r = run({"test", "lessons"});
  EXPECT_EQ(r.code, 1) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "ok   99-demo step 1: views happen (seed 3)");
  EXPECT_EQ(lines[1].rfind("FAILED 99-demo step 2: too many: requests.page_views > 1000000", 0), 0u)
      << lines[1];
  EXPECT_EQ(lines[2], "1 passed, 1 failed");
}

TEST_F(Cli, TestCommandReportsABrokenScenarioAsAFailure) {
  spit(path("broken.json"), R"({"format": 1, "workload": {"rate": -5}, "expect": []})");
  const Result r = run({"test", "broken.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("FAILED broken.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("workload.rate"), std::string::npos) << r.out;
}

TEST_F(Cli, BenchReportsSpeedAndPairsWithABaseline) {
  spit(path("baseline.sh"), "#!/bin/sh\necho \"{\\\"requests_per_wall_s\\\": 1000, "
                            "\\\"args\\\": \\\"$1 $2 $3\\\"}\"\n");
  fs::permissions(path("baseline.sh"), fs::perms::owner_all);
  const Result r = run({"bench", "--events", "20000", "--limit", "./baseline.sh"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char *word : {"events/s", "requests per wall-second", "peak RSS", "ratio"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word << " in:\n" << r.out;
  }
}

/// Sets STAMPEDE_STUDENT_LIB for the runs in its scope.
class StudentLib {
public:
  explicit StudentLib(const std::string &path) { setenv("STAMPEDE_STUDENT_LIB", path.c_str(), 1); }
  ~StudentLib() { unsetenv("STAMPEDE_STUDENT_LIB"); }
  StudentLib(const StudentLib &) = delete;
  StudentLib &operator=(const StudentLib &) = delete;
};

nlohmann::json without_engine(const std::string &report) {
  auto j = nlohmann::json::parse(report);
  j.erase("engine");
  j.erase("strategy");
  j["run_scenario"]["strategy"].erase("name"); // the scenario ran under another name
  return j;
}

TEST_F(Cli, StudentStrategyRunsLikeTheBuiltInItCopies) {
  // The example student library's cache_aside is naive written again: the
  // same scenario and seed must give naive's report, under the student's name.
  const StudentLib lib(STAMPEDE_EXAMPLE_STUDENT_LIB);
  const Result student =
      run({"run", "builtin:frontpage", "--strategy", "student:cache_aside", "--report", "-"});
  ASSERT_EQ(student.code, 0) << student.err;
  const Result naive = run({"run", "builtin:frontpage", "--strategy", "naive", "--report", "-"});
  ASSERT_EQ(naive.code, 0) << naive.err;
  EXPECT_EQ(nlohmann::json::parse(student.out)["strategy"], "student:cache_aside");
  EXPECT_EQ(without_engine(student.out), without_engine(naive.out));
  EXPECT_GT(nlohmann::json::parse(student.out)["anomalies"]["stale_reads"].get<int>(), 0);
}

TEST_F(Cli, StudentStrategyWithoutALibrarySaysWhereItLooked) {
  const StudentLib lib("/nonexistent/libstampede_student.so");
  const Result r = run({"run", "builtin:frontpage", "--strategy", "student:cache_aside"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--strategy: unknown strategy \"student:cache_aside\""), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(no student library at /nonexistent/libstampede_student.so)"),
            std::string::npos)
      << r.err;
}

TEST_F(Cli, StudentLibraryMayNotShadowABuiltIn) {
  const StudentLib lib(STAMPEDE_MISNAMED_STUDENT_LIB);
  // naive is still the built-in: the library's "naive" was refused.
  const Result ok = run({"run", "builtin:frontpage", "--strategy", "naive", "--report", "-"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  const Result r = run({"run", "builtin:frontpage", "--strategy", "student:naive"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("registered \"naive\"; expected names of the form student:NAME"),
            std::string::npos)
      << r.err;
}

TEST_F(Cli, StudentLibraryThatIsNotALibraryIsReported) {
  spit(path("libstampede_student.so"), "not an ELF file");
  const StudentLib lib(path("libstampede_student.so").string());
  const Result r = run({"run", "builtin:frontpage", "--strategy", "student:x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("the student library did not load"), std::string::npos) << r.err;
}

// --- Hostile input and load (issue 15, items 6 to 11) -----------------------

/// A scenario file with `n` copies of one event.
std::string with_events(const std::string &event, int n, const std::string &extra = "") {
  std::string events;
  for (int i = 0; i < n; ++i) {
    events += (i ? "," : "") + event;
  }
  return R"({"workload": {"rate": 10}, "duration_s": 10, "events": [)" + events + "]" + extra + "}";
}

TEST_F(Cli, MemcachedRefusesAnItemLimitAboveHalfItsMemory) {
  // Issue 24, item 6: `--max-item-size 1g --memory 64` started, and with a
  // 4 MiB memory an 8 MB item was stored; memcached 1.6.18 refuses to start:
  // "Cannot set item size limit higher than 1/2 of memory max."
  const Result big =
      run({"memcached", "--max-item-size", "1073741824", "--memory", "64", "--stdio"});
  EXPECT_EQ(big.code, 2) << big.out << big.err;
  EXPECT_NE(big.err.find("--max-item-size: expected at most half of --memory (33554432 bytes "
                         "with --memory 64), got 1073741824"),
            std::string::npos)
      << big.err;
  const Result small = run({"memcached", "--max-item-size", "8388608", "--memory", "4", "--stdio"});
  EXPECT_EQ(small.code, 2) << small.err;
  // Half exactly is allowed, as memcached allows it.
  const Result half = run({"memcached", "--max-item-size", "2097152", "--memory", "4", "--stdio"});
  EXPECT_EQ(half.code, 0) << half.err;
}

/// Runs `stampede ARGS` with stdout and stderr to /dev/null. @return its peak
/// resident memory in KiB (-1 if it did not exit 0).
long peak_kib(const std::vector<std::string> &args) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    std::vector<char *> argv{const_cast<char *>(STAMPEDE_BIN)};
    for (const std::string &a : args)
      argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    execv(STAMPEDE_BIN, argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return usage.ru_maxrss;
}

TEST_F(Cli, ASweepsMemoryDoesNotGrowWithItsGrid) {
  // Issue 24, item 1: a sweep kept every run's report (about 10 KB a row)
  // until its end: 20,000 values x 5 strategies x 2 seeds took 1.04 GB.
  // Rows are now written as each block of them ends. 4,000 rows against
  // 250: before, 43.3 MB against 7.2; now the same to within a block.
  const auto values = [](int n) {
    std::string v = "workload.rate=";
    for (int i = 1; i <= n; ++i)
      v += (i > 1 ? "," : "") + std::to_string(i);
    return v;
  };
  const std::string csv = path("sweep.csv").string();
  const long small = peak_kib({"sweep", "builtin:frontpage", "--vary", values(250), "--duration",
                               "0.01", "--jobs", "2", "--csv", csv});
  const long big = peak_kib({"sweep", "builtin:frontpage", "--vary", values(4000), "--duration",
                             "0.01", "--jobs", "2", "--csv", csv});
  ASSERT_GT(small, 0);
  ASSERT_GT(big, 0);
  EXPECT_LT(big - small, 4 * 1024)
      << "peak " << small << " KiB for 250 rows, " << big << " KiB for 4,000";
  // Every row is there, in order.
  const std::string text = slurp(path("sweep.csv"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4001);
  EXPECT_NE(text.find("\n4000,clear,1,"), std::string::npos);
}

TEST_F(Cli, ASweepPastAMillionRunsIsRefusedBeforeItStarts) {
  // Issue 24, item 1: a 5,000 x 5,000 grid ended in "internal error:
  // std::bad_alloc", exit 3, no CSV; --emit-jobs grew 897 MB in 10 s
  // toward a 10^9-line jobs file.
  std::string many;
  for (int i = 1; i <= 5000; ++i)
    many += (i > 1 ? "," : "") + std::to_string(i);
  for (const bool jobs : {false, true}) {
    std::vector<std::string> args = {"sweep",  "builtin:frontpage",
                                     "--vary", "workload.rate=" + many,
                                     "--vary", "db.connections=" + many};
    if (jobs) {
      args.push_back("--emit-jobs");
      args.push_back(path("jobs").string());
    }
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("sweep: expected at most 1000000 runs (values x strategies x seeds), "
                         "got 5000 x 5000 x 1 strategies x 1 seeds"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(path("jobs/jobs.txt")));
  }
}

TEST_F(Cli, AHugeSetPathIsNotEchoedWhole) {
  // Issue 24, item 8: a 100 KB --set path came back twice in its error.
  const std::string path(100000, 'a');
  const Result r = run({"run", "builtin:frontpage", "--set", path + "=1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--set " + std::string(200, 'a') + "... (100002 bytes): unknown field " +
                       std::string(200, 'a') + "... (100000 bytes), expected one of"),
            std::string::npos)
      << r.err.substr(0, 1000);
  EXPECT_LT(r.err.size(), 2000u);
}

TEST_F(Cli, AnEventPastTheLongestRunIsRefused) {
  // Issue 24, item 3: an event at 9.3e9 s validated `ok`, overflowed the
  // nanosecond clock (UBSan, fuzz_scenario) and its report said
  // "at": -9223372036.854776, which could not be read back.
  spit(path("late.json"), with_events(R"({"at": 9.3e9, "view_burst": 1})", 1));
  for (const char *command : {"validate", "run"}) {
    const Result r = run({command, "late.json"});
    EXPECT_EQ(r.code, 2) << command << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("late.json: events[0].at: expected a number <= 1000000, got 9300000000"),
              std::string::npos)
        << r.err;
  }
  // The longest run's last second is still a time an event may name.
  spit(path("last.json"), with_events(R"({"at": 1e6, "view_burst": 1})", 1));
  EXPECT_EQ(run({"validate", "last.json"}).code, 0);
}

TEST_F(Cli, RunShowsAScenarioNamesControlCharactersEscaped) {
  // Issue 24, item 5: `run` printed a name's ESC, BEL, CR and NUL raw, so a
  // scenario file could recolour or clear the terminal; a huge name was a
  // huge line.
  spit(path("ctrl.json"),
       R"({"name": "red\u001b[31m\u0007\r\u0000", "workload": {"rate": 10}, "duration_s": 1,
           "expect": ["requests.page_views < 0"]})");
  const Result r = run({"run", "ctrl.json"});
  EXPECT_EQ(r.code, 1) << r.err; // the expectation fails: its line names the scenario too
  for (const std::string *text : {&r.out, &r.err}) {
    for (const char c : {'\x1b', '\x07', '\r', '\0'})
      EXPECT_EQ(text->find(c), std::string::npos) << "raw control character in:\n" << *text;
  }
  EXPECT_NE(r.out.find(R"("red\u001b[31m\u0007\r\u0000" (ctrl.json), strategy)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find(R"(FAILED "red\u001b[31m\u0007\r\u0000": requests.page_views < 0)"),
            std::string::npos)
      << r.err;
  spit(path("long.json"), R"({"name": ")" + std::string(4000, 'n') +
                              R"(", "workload": {"rate": 10}, "duration_s": 1})");
  const Result l = run({"run", "long.json"});
  EXPECT_EQ(l.code, 0) << l.err;
  EXPECT_NE(l.out.find(std::string(200, 'n') + "... (4000 bytes in all) (long.json)"),
            std::string::npos);
  EXPECT_LT(l.out.size(), 2000u);
}

TEST_F(Cli, ANameTooLongForAReportToReadBackIsRefused) {
  // Issue 24, item 9: a scenario with a 60 MB name ran and wrote a 120 MB
  // report (the name twice), which it then refused to read back (over the
  // 64 MiB input limit). A name or description is a line: at most 4096 bytes.
  spit(path("huge.json"), R"({"name": ")" + std::string(5000, 'n') +
                              R"(", "workload": {"rate": 10}, "duration_s": 1})");
  for (const char *command : {"validate", "run"}) {
    const Result r = run({command, "huge.json"});
    EXPECT_EQ(r.code, 2) << command;
    EXPECT_NE(r.err.find("huge.json: name: expected a string of at most 4096 bytes (got 5000)"),
              std::string::npos)
        << r.err.substr(0, 300);
  }
  const Result set =
      run({"run", "builtin:frontpage", "--set", "description=" + std::string(5000, 'd')});
  EXPECT_EQ(set.code, 2);
  EXPECT_NE(set.err.find("description: expected a string of at most 4096 bytes"), std::string::npos)
      << set.err.substr(0, 300);
}

TEST_F(Cli, BurstsBeyondWhatCanRunAreRefusedNamingTheField) {
  // Was: validate ok, then run: "internal error: std::bad_alloc" at 2.1 GB, exit 3.
  spit(path("views.json"), with_events(R"({"at": 1, "view_burst": 1000000})", 100000));
  for (const char *command : {"validate", "run"}) {
    const Result r = run({command, "views.json"});
    EXPECT_EQ(r.code, 2) << command << ": " << r.err;
    EXPECT_NE(r.err.find("views.json: events[10].view_burst: expected at most 10000000 burst "
                         "requests in all"),
              std::string::npos)
        << r.err;
  }
}

TEST_F(Cli, AnOverloadedStackStopsTheRunAndSaysWhatToChange) {
  // Was: rate 1e7 grew 110 MB/s until the machine ran out.
  const Result r =
      run({"run", "builtin:frontpage", "--set", "workload.rate=1e7", "--duration", "600"});
  EXPECT_EQ(r.code, 2) << r.err;
  for (const char *word : {"builtin:frontpage: the stack is overloaded: more than 16777216 "
                           "requests were waiting for an app worker at t = ",
                           "(of 600 s)", "workload.rate", "app.servers", "app.backlog"}) {
    EXPECT_NE(r.err.find(word), std::string::npos) << word << " in:\n" << r.err;
  }
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

TEST_F(Cli, TestCommandGivesAnOverloadedCaseExitTwo) {
  spit(path("over.json"), R"({"workload": {"rate": 10000000}, "duration_s": 600,
                             "expect": ["requests.page_views > 0"]})");
  const Result r = run({"test", "over.json", "--junit", "j.xml"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("ERROR over.json: over.json: the stack is overloaded"), std::string::npos)
      << r.out;
  EXPECT_NE(slurp(path("j.xml")).find("<error message=\"over.json: the stack is overloaded"),
            std::string::npos);
}

TEST_F(Cli, BacklogRefusesRequestsAndTheReportCountsThem) {
  const Result r = run({"run", "builtin:frontpage", "--set", "workload.rate=100000", "--set",
                        "app.backlog=100", "--duration", "5", "--report", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["requests"]["rejected"].get<std::uint64_t>(), 0u);
  // Every arrival is answered, refused, or still in the stack at the end.
  EXPECT_LE(j["requests"]["rejected"].get<std::uint64_t>() +
                j["requests"]["page_views"].get<std::uint64_t>() +
                j["requests"]["submits"].get<std::uint64_t>(),
            j["engine"]["arrivals"].get<std::uint64_t>())
      << r.out;
}

TEST_F(Cli, ClosedWorkloadThatTakesNoTimeIsRefused) {
  // Was: validate ok, then run spun at t = 0 forever.
  spit(path("zero.json"), R"({"workload": {"kind": "closed", "users": 10, "think_time": 0},
    "app": {"cpu": 0}, "cache": {"rtt": 0}, "db": {"query_latency": 0, "insert_latency": 0}})");
  const Result r = run({"validate", "zero.json"});
  EXPECT_EQ(r.code, 2) << r.out;
  for (const char *word : {"zero.json: workload.think_time: expected a think time above 0",
                           "app.cpu 0", "cache.rtt 0", "db.query_latency 0"}) {
    EXPECT_NE(r.err.find(word), std::string::npos) << word << " in:\n" << r.err;
  }
}

TEST_F(Cli, NodeEventsAreBoundedAndCheap) {
  // Was: 1,000 additions took 15.9 s and passed cache.nodes' limit of 1024.
  spit(path("many.json"), with_events(R"({"at": 1, "add_node": true})", 1024));
  const Result refused = run({"validate", "many.json"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("many.json: events[1023].add_node: expected at most 1024 memcached "
                             "nodes in all"),
            std::string::npos)
      << refused.err;
  spit(path("most.json"), with_events(R"({"at": 1, "add_node": true})", 1023));
  const Result ran = run({"run", "most.json", "--report", "-"});
  EXPECT_EQ(ran.code, 0) << ran.err;
}

TEST_F(Cli, IntervalIsBounded) {
  // Was: --interval 1e-9 wrote 150 MB/s; --interval 1e308 "internal error".
  const Result tiny =
      run({"run", "builtin:frontpage", "--interval", "1e-9", "--timeseries", "ts.csv"});
  EXPECT_EQ(tiny.code, 2);
  EXPECT_NE(tiny.err.find("--interval: expected at most 1000000 intervals in the run"),
            std::string::npos)
      << tiny.err;
  EXPECT_FALSE(fs::exists(path("ts.csv")));
  const Result huge =
      run({"run", "builtin:frontpage", "--interval", "1e308", "--timeseries", "ts.csv"});
  EXPECT_EQ(huge.code, 2);
  EXPECT_NE(huge.err.find("--interval: expected at most 1000000 seconds"), std::string::npos)
      << huge.err;
  EXPECT_EQ(huge.err.find("internal error"), std::string::npos) << huge.err;
}

TEST_F(Cli, TestCommandStopsReadingAnEndlessDevice) {
  // Was: read 4.2 GB, then "internal error: std::bad_alloc", exit 3.
  const Result r = run({"test", "/dev/zero"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.out.find("ERROR /dev/zero: /dev/zero: cannot read file: larger than 64 MiB"),
            std::string::npos)
      << r.out;
}

TEST_F(Cli, AFailedWriteToStdoutIsExitTwo) {
  // Was: exit 0 with the output lost.
  const std::vector<std::vector<std::string>> commands = {
      {"run", "builtin:frontpage", "--duration", "1", "--report", "-"},
      {"run", "builtin:frontpage", "--duration", "1"},
      {"compare", "builtin:frontpage", "--duration", "1", "--table"},
      {"schema"},
      {"scenarios"},
      {"validate", "builtin:frontpage"},
  };
  for (const auto &args : commands) {
    const Result r = run(args, "/dev/full");
    EXPECT_EQ(r.code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("stdout: write failed"), std::string::npos) << args[0] << ": " << r.err;
  }
}

TEST_F(Cli, NumberBeyondADoubleNamesItsField) {
  spit(path("big.json"), R"({"workload":{"rate":1e400}})");
  const Result r = run({"validate", "big.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "big.json: workload.rate: expected a finite number, got 1e400\n");
}

TEST_F(Cli, TestCommandNamesTheLineAndColumnOfBadJson) {
  // Was: "expected JSON, got text that does not parse", with no position.
  spit(path("empty.json"), "");
  spit(path("nan.json"), R"({"workload": {"rate": NaN}, "expect": []})");
  const Result r = run({"test", "empty.json", "nan.json"});
  EXPECT_EQ(r.code, 1) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "FAILED empty.json: empty.json: expected a JSON object, got an empty file");
  EXPECT_EQ(lines[1],
            "FAILED nan.json: nan.json: line 1, column 23: expected a JSON value, got 'N'");
}

TEST_F(Cli, TestCommandGivesAnUnreadableFileExitTwoAndAJUnitError) {
  // Was: exit 1 and a JUnit <failure>. /proc/self/mem opens but cannot be
  // read from its start, even for root.
  const Result r = run({"test", "/proc/self/mem", "--junit", "j.xml"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("ERROR /proc/self/mem: /proc/self/mem: cannot read file: "),
            std::string::npos)
      << r.out;
  const std::string xml = slurp(path("j.xml"));
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error message=\"/proc/self/mem: cannot read file: "), std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
}

TEST_F(Cli, TestCommandSaysANamedFileWithoutExpectIsSkipped) {
  // Was: passed over in silence, "0 passed, 0 failed".
  spit(path("plain.json"), small_scenario());
  const Result r = run({"test", "plain.json", "--junit", "j.xml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "skipped plain.json: no \"expect\" list, so nothing to check (expected a "
                   "scenario file with expect, or a lesson's steps.json)\n"
                   "0 passed, 0 failed, 1 skipped\n");
  EXPECT_NE(slurp(path("j.xml")).find("<skipped message="), std::string::npos);
}

TEST_F(Cli, LessonsAreReadWithTheSameBound) {
  // Was: read whole, however large. A sparse 65 MiB steps.json costs no disk.
  fs::create_directories(path("lessons/01-endless"));
  spit(path("lessons/01-endless/steps.json"), "");
  fs::resize_file(path("lessons/01-endless/steps.json"), 65u << 20);
  const Result test = run({"test", "lessons"});
  EXPECT_EQ(test.code, 2) << test.err;
  EXPECT_NE(test.out.find("ERROR lessons/01-endless/steps.json: lessons/01-endless/steps.json: "
                          "cannot read file: larger than 64 MiB"),
            std::string::npos)
      << test.out;
  const Result list = run({"lesson", "--lessons", "lessons", "list"});
  EXPECT_EQ(list.code, 2);
  EXPECT_EQ(list.out, "01-endless  \n");
  EXPECT_NE(list.err.find("larger than 64 MiB"), std::string::npos) << list.err;
}

TEST_F(Cli, LessonsFolderThatDoesNotExistIsAnError) {
  // Was: printed nothing and exited 0.
  const Result r = run({"lesson", "--lessons", "/nonexistent", "list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "/nonexistent: cannot read the lessons folder: No such file or directory "
                   "(--lessons)\n");
  fs::create_directories(path("empty"));
  const Result empty = run({"lesson", "--lessons", "empty", "list"});
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("empty: no lessons"), std::string::npos) << empty.err;
}

// SPEC 6: a report carries the scenario it ran, with every override, the
// seed and the strategy applied, and running the report runs it again, byte
// for byte (wall-clock fields aside).

TEST_F(Cli, AReportRunsAgainByteForByte) {
  const Result first =
      run({"run", "builtin:frontpage", "--strategy", "naive", "--seed", "7", "--duration", "20",
           "--set", "db.connections=3", "--report", "first.json"});
  ASSERT_EQ(first.code, 0) << first.err;
  const auto j = nlohmann::json::parse(slurp(path("first.json")));
  EXPECT_EQ(j["run_scenario"]["seed"], 7);
  EXPECT_EQ(j["run_scenario"]["db"]["connections"], 3);
  EXPECT_EQ(j["run_scenario"]["strategy"]["name"], "naive");
  EXPECT_EQ(j["run_scenario"]["duration_s"], 20.0);
  const Result again = run({"run", "first.json", "--report", "again.json"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(without_wall_clock(slurp(path("again.json"))),
            without_wall_clock(slurp(path("first.json"))));
}

TEST_F(Cli, ACompareReportRunsItsFirstRunsScenario) {
  const Result c = run({"compare", "builtin:stampede", "--strategies", "clear,refresh",
                        "--duration", "5", "--report", "both.json"});
  ASSERT_EQ(c.code, 0) << c.err;
  const auto both = nlohmann::json::parse(slurp(path("both.json")));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1]["run_scenario"]["strategy"]["name"], "refresh");
  const Result r = run({"run", "both.json", "--report", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto one = nlohmann::json::parse(r.out);
  EXPECT_EQ(one["strategy"], "clear");
  EXPECT_EQ(one["db"]["reads"], both[0]["db"]["reads"]);
}

TEST_F(Cli, AReportWhoseScenarioIsBrokenNamesTheField) {
  spit(path("bad.json"), R"({"scenario": "x", "run_scenario": {"workload": {"rate": -5}}})");
  const Result r = run({"run", "bad.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad.json: run_scenario: workload.rate"), std::string::npos) << r.err;
  spit(path("notobject.json"), R"({"run_scenario": 3})");
  const Result n = run({"run", "notobject.json"});
  EXPECT_EQ(n.code, 2);
  EXPECT_NE(n.err.find("notobject.json: run_scenario: expected the scenario the report ran"),
            std::string::npos)
      << n.err;
}

// A lesson's claims must hold whatever the seed: `lesson run` and `test`
// take --seed and run every step with it.
TEST_F(Cli, LessonRunAndTestTakeASeed) {
  const Result lesson = run({"lesson", "run", "1", "--seed", "17"});
  EXPECT_EQ(lesson.code, 0) << lesson.out << lesson.err;
  EXPECT_NE(lesson.out.find("(seed 17)"), std::string::npos) << lesson.out;
  EXPECT_EQ(lesson.out.find("(seed 1)"), std::string::npos) << lesson.out;
  spit(path("s.json"), small_scenario(R"(, "expect": ["seed == 5"])"));
  const Result five = run({"test", "s.json", "--seed", "5"});
  EXPECT_EQ(five.code, 0) << five.out << five.err;
  const Result three = run({"test", "s.json"}); // the file's own seed is 3
  EXPECT_EQ(three.code, 1) << three.out << three.err;
  EXPECT_NE(run({"test", "s.json", "--seed", "x"}).err.find("--seed"), std::string::npos);
}

} // namespace
