// Replications on the command line (SPEC section 11): --seeds, --seed-list
// and --warmup on run, compare and test; the replicated report; the table's
// `mean +- half-width`; expectations over seeds.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace {

using namespace stampede_cli_test;

TEST_F(Cli, RunSeedsWritesAReplicatedReport) {
  const Result r = run({"run", "builtin:frontpage", "--duration", "5", "--strategy", "clear",
                        "--seeds", "4", "--warmup", "1", "--report", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["strategy"], "clear");
  EXPECT_EQ(j["replications"], 4);
  EXPECT_EQ(j["seeds"], nlohmann::json::array({1, 2, 3, 4}));
  EXPECT_EQ(j["warmup_s"], 1);
  ASSERT_EQ(j["runs"].size(), 4u);
  // The mean is the runs' mean, and the interval is around it.
  double sum = 0;
  for (const auto &run : j["runs"]) {
    sum += run["anomalies"]["stale_reads"].get<double>();
  }
  EXPECT_DOUBLE_EQ(j["mean"]["anomalies"]["stale_reads"].get<double>(), sum / 4);
  EXPECT_LE(j["ci95_low"]["db"]["reads"].get<double>(), j["mean"]["db"]["reads"].get<double>());
  EXPECT_GE(j["ci95_high"]["db"]["reads"].get<double>(), j["mean"]["db"]["reads"].get<double>());
  EXPECT_TRUE(j.contains("run_scenario"));

  // Each run is the run of its seed alone (with the same warm-up).
  const Result one = run({"run", "builtin:frontpage", "--duration", "5", "--strategy", "clear",
                          "--seed", "3", "--warmup", "1", "--report", "-"});
  ASSERT_EQ(one.code, 0) << one.err;
  const nlohmann::json single = nlohmann::json::parse(one.out);
  EXPECT_EQ(single["warmup_s"], 1);
  EXPECT_EQ(single["requests"], j["runs"][2]["requests"]);
  EXPECT_EQ(single["anomalies"], j["runs"][2]["anomalies"]);
}

TEST_F(Cli, SeedsCountFromTheSeedFlagAndSeedListNamesThem) {
  const Result from = run({"run", "builtin:frontpage", "--duration", "2", "--seed", "7", "--seeds",
                           "3", "--report", "-"});
  ASSERT_EQ(from.code, 0) << from.err;
  EXPECT_EQ(nlohmann::json::parse(from.out)["seeds"], nlohmann::json::array({7, 8, 9}));
  const Result list = run(
      {"run", "builtin:frontpage", "--duration", "2", "--seed-list", "5, 2,11", "--report", "-"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out)["seeds"], nlohmann::json::array({5, 2, 11}));
}

TEST_F(Cli, RunSeedsPrintsMeanPlusMinusHalfWidth) {
  const Result r =
      run({"run", "builtin:frontpage", "--duration", "5", "--strategy", "clear", "--seeds", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("seeds 1..5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mean +- 95 % interval over 5 independent runs"), std::string::npos);
  EXPECT_NE(r.out.find(" +- "), std::string::npos) << r.out;
}

TEST_F(Cli, CompareSeedsPrintsIntervalsInEveryVaryingCell) {
  const Result r = run({"compare", "builtin:frontpage", "--duration", "5", "--strategies",
                        "none,clear", "--seeds", "3", "--table"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 5u) << r.out;
  EXPECT_NE(lines[0].find("seeds 1..3"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("over 3 independent runs"), std::string::npos) << lines[1];
  // clear's row: DB reads per view vary from seed to seed.
  const std::string clear = lines.back();
  EXPECT_EQ(clear.rfind("clear", 0), 0u) << clear;
  EXPECT_NE(clear.find(" +- "), std::string::npos) << clear;
  // none's reads per view are 1 in every run: a value alone.
  const std::string none = lines[lines.size() - 2];
  EXPECT_NE(none.find(" 1.000 "), std::string::npos) << none;

  const Result json = run({"compare", "builtin:frontpage", "--duration", "3", "--strategies",
                           "none,clear", "--seeds", "2", "--report", "-"});
  ASSERT_EQ(json.code, 0) << json.err;
  const nlohmann::json all = nlohmann::json::parse(json.out);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1]["strategy"], "clear");
  EXPECT_EQ(all[1]["replications"], 2);
}

TEST_F(Cli, ExpectationsOverSeedsDecideTheExitStatus) {
  spit(path("s.json"), small_scenario(R"(, "expect": ["ci95(requests.page_views) > 50",
                                                    "mean(requests.page_views) < 200"])"));
  const Result ok = run({"run", "s.json", "--seeds", "5"});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("expect ok"), std::string::npos) << ok.out;

  // One run has no interval: the ci95 claim cannot hold, and says why.
  const Result one = run({"run", "s.json"});
  EXPECT_EQ(one.code, 1) << one.out << one.err;
  EXPECT_NE(one.err.find("two or more seeds"), std::string::npos) << one.err;

  // A plain expectation must hold in every run; the failing seed is named.
  spit(path("t.json"), small_scenario(R"(, "expect": ["requests.page_views == 95"])"));
  const Result each = run({"run", "t.json", "--seeds", "3", "--seed", "3"});
  EXPECT_EQ(each.code, 1) << each.out << each.err;
  EXPECT_NE(each.err.find("in the run of seed"), std::string::npos) << each.err;
}

TEST_F(Cli, TestRunsEveryCaseOverTheSeeds) {
  fs::create_directories(path("cases"));
  spit(path("cases/s.json"), small_scenario(R"(, "expect": ["ci95(requests.page_views) > 50"])"));
  const Result plain = run({"test", "cases"});
  EXPECT_EQ(plain.code, 1) << plain.out;
  const Result seeds = run({"test", "cases", "--seeds", "4"});
  EXPECT_EQ(seeds.code, 0) << seeds.out << seeds.err;
  EXPECT_NE(seeds.out.find("ok   cases/s.json (seeds 3..6)"), std::string::npos) << seeds.out;
}

TEST_F(Cli, ALessonStepRunsItsOwnSeeds) {
  fs::create_directories(path("lessons/01-spread"));
  spit(path("lessons/01-spread/s.json"), small_scenario());
  spit(path("lessons/01-spread/steps.json"),
       R"({"id": "01-spread", "title": "Spread", "steps": [
            {"title": "over seeds", "scenario": "s.json", "seeds": 6,
             "expect": ["ci95(requests.page_views) > 50", "mean(requests.page_views) < 200"]}]})");
  spit(path("lessons/01-spread/lesson.md"), "# Spread\n\n## Step 1\n\ntext\n");
  const Result r = run({"lesson", "--lessons", "lessons", "run", "01"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("(seeds 3..8)"), std::string::npos) << r.out;

  spit(path("lessons/01-spread/steps.json"),
       R"({"id": "01-spread", "steps": [{"scenario": "s.json", "seeds": 0}]})");
  const Result bad = run({"lesson", "--lessons", "lessons", "run", "01"});
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.out.find("steps[0].seeds: expected a number of runs from 1 to 100"),
            std::string::npos)
      << bad.out;
}

struct ReplicationFlagCase {
  std::vector<std::string> args;
  std::string needle;
};

class CliReplicationFlags : public Cli,
                            public ::testing::WithParamInterface<ReplicationFlagCase> {};

TEST_P(CliReplicationFlags, ExitTwoNamingTheFlag) {
  const Result r = run(GetParam().args);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(GetParam().needle), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Bad, CliReplicationFlags,
    ::testing::Values(
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seeds", "0"},
                            "--seeds: expected a number of runs from 1 to 10000, got 0"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seeds", "-3"},
                            "expected a non-negative integer"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seeds", "20000"},
                            "--seeds: expected a number of runs from 1 to 10000"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seed-list", "1,x"},
                            "--seed-list: expected comma-separated non-negative integers"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seed-list", "4,4"},
                            "seed 4 is listed twice"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seed-list", ","},
                            "--seed-list: expected a comma-separated list with no empty item"},
        // Issue 24, item 8: these ran as if the flag were absent.
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seed-list", ""},
                            "--seed-list: expected a comma-separated list with no empty item, "
                            "got \"\""},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seed-list", "1,,2"},
                            "--seed-list: expected a comma-separated list with no empty item, "
                            "got \"1,,2\""},
        ReplicationFlagCase{{"test", "--seed-list", "1, ,2"},
                            "--seed-list: expected a comma-separated list with no empty item"},
        ReplicationFlagCase{{"compare", "builtin:frontpage", "--strategies", ""},
                            "--strategies: expected a comma-separated list with no empty item"},
        ReplicationFlagCase{{"sweep", "builtin:frontpage", "--vary", "db.connections=1,2",
                             "--strategies", "clear,"},
                            "--strategies: expected a comma-separated list with no empty item"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--report", ""},
                            "--report: expected a file name (or - for stdout), got \"\""},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--timeseries", ""},
                            "--timeseries: expected a file name"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seeds", "2", "--seed-list", "1,2"},
                            "excludes"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seed", "2", "--seed-list", "1,2"},
                            "excludes"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--warmup", "-1"},
                            "expected a number of seconds >= 0"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--duration", "5", "--warmup", "5"},
                            "--warmup: expected seconds from 0 to below the run's duration_s (5)"},
        ReplicationFlagCase{{"compare", "builtin:frontpage", "--duration", "5", "--warmup", "9"},
                            "--warmup: expected seconds from 0 to below"},
        ReplicationFlagCase{{"run", "builtin:frontpage", "--seeds", "2", "--timeseries", "x.csv"},
                            "--timeseries: writes the intervals of one run"},
        ReplicationFlagCase{{"test", "--seeds", "x"}, "expected a non-negative integer"}));

} // namespace
