// `stampede explore` from the command line (SPEC sections 5 and 12): its
// exit codes as `stampede test`'s, bad input named, the report, the trace,
// the schedule file, and `stampede test` checking explore's expectations.
#include "../cli/cli_fixture.h"

namespace {

using namespace stampede_cli_test;

class Explore : public Cli {};

TEST_F(Explore, PrintsTheStoryAndExitsZeroWhenItsExpectationsHold) {
  const Result r = run({"explore", "builtin:race-clear"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("stale set: in 1 of 6 schedules; the shortest shows it in 8 steps:"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  6. submit #2: insert commits post 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no lost update in any of 6 schedules (complete to depth 8)"),
            std::string::npos)
      << r.out;
}

TEST_F(Explore, ExitsOneWhenAnExpectationFails) {
  // Under lease there is no stale set: race-clear's own expectation fails.
  const Result r = run({"explore", "builtin:race-clear", "--strategy", "lease"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("FAILED race-clear: explore.stale_sets > 0 (actual 0, every schedule)"),
            std::string::npos)
      << r.err;
}

TEST_F(Explore, BadInputIsNamedAndExitsTwo) {
  Result r = run({"explore", "builtin:race-clear", "--set", "workload.rate=5"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("builtin:race-clear: workload.rate: stampede explore runs only the "
                       "scripted requests"),
            std::string::npos)
      << r.err;
  r = run({"explore", "builtin:race-clear", "--strategy", "nosuch"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--strategy: unknown strategy \"nosuch\""), std::string::npos) << r.err;
  r = run({"explore", "builtin:race-clear", "--depth", "0"});
  EXPECT_EQ(r.code, 2) << r.err;
  r = run({"explore", "builtin:race-clear", "--preemptions", "-1"});
  EXPECT_EQ(r.code, 2) << r.err;
  r = run({"explore", "builtin:frontpage"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("workload.rate"), std::string::npos) << r.err;
  spit(path("mixed.json"), R"({"format": 1, "workload": {"kind": "open", "rate": 0},
    "events": [{"at": 0, "view_burst": 1}],
    "expect": ["explore.stale_sets == 0 and anomalies.stale_reads == 0"]})");
  r = run({"explore", path("mixed.json").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected explore's fields (explore.*) alone in a clause"),
            std::string::npos)
      << r.err;
  spit(path("typo.json"), R"({"format": 1, "workload": {"kind": "open", "rate": 0},
    "events": [{"at": 0, "view_burst": 1}], "expect": ["explore.stale_set == 0"]})");
  r = run({"explore", path("typo.json").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected one of explore's fields, got \"explore.stale_set\" (close: "
                       "explore.stale_sets"),
            std::string::npos)
      << r.err;
}

TEST_F(Explore, BoundsThatCutTheSearchAreSaid) {
  const Result r = run({"explore", "builtin:race-coalesce", "--preemptions", "1"});
  EXPECT_EQ(r.code, 1) << r.err; // its expectation: explore.complete == 1
  EXPECT_NE(r.out.find("NOT complete: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" not tried for --preemptions 1"), std::string::npos) << r.out;
}

TEST_F(Explore, WritesTheReportTheTraceAndTheScheduleFile) {
  const Result r = run({"explore", "builtin:race-update", "--report", "r.json", "--trace", "t.json",
                        "--schedule-out", "s.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto report = nlohmann::json::parse(slurp(path("r.json")));
  EXPECT_EQ(report["explore"]["schedules"], 35);
  EXPECT_EQ(report["explore"]["complete"], true);
  EXPECT_EQ(report["explore"]["lost_updates_shortest"], 8);
  EXPECT_EQ(report["shortest"]["lost_updates"]["order"].size(), 8u);
  EXPECT_EQ(report["shortest"]["lost_updates"]["story"][7],
            "submit #2: set page (post 2) -> stored; answers: lost update (post 1 is missing "
            "from the cached page)");
  const auto trace = nlohmann::json::parse(slurp(path("t.json")));
  int calls = 0;
  for (const auto &e : trace["traceEvents"])
    calls += e.value("cat", "") == "cache" ? 1 : 0;
  EXPECT_EQ(calls, 4); // two gets, two sets
  const auto schedule = nlohmann::json::parse(slurp(path("s.json")));
  EXPECT_EQ(schedule["format"], 1);
  EXPECT_EQ(schedule["scenario"]["name"], "race-update");
  ASSERT_EQ(schedule["schedules"].size(), 2u); // the stale set and the lost update
  EXPECT_EQ(schedule["schedules"][1]["anomaly"], "lost_updates");
}

TEST_F(Explore, StampedeTestChecksExploresExpectations) {
  spit(path("race.json"), R"({"format": 1, "name": "mine",
    "workload": {"kind": "open", "rate": 0},
    "app": {"servers": 1, "workers": 4}, "strategy": {"name": "clear"},
    "events": [{"at": 0, "view_burst": 1}, {"at": 0.001, "submit_burst": 1}],
    "expect": ["explore.stale_sets == 0", "requests.page_views == 1"]})");
  const Result r = run({"test", path("race.json").string()});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("explore.stale_sets == 0 (actual 1, every schedule)"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("requests.page_views == 1 (actual"), std::string::npos) << r.out;
}

TEST_F(Explore, ALessonClaimNamingExploresFieldsIsChecked) {
  fs::create_directories(path("99-x"));
  spit(path("99-x/steps.json"), R"({"id": "99-x", "title": "x", "part": "x", "steps": [
    {"title": "clear", "scenario": "builtin:race-clear", "strategy": "clear",
     "expect": ["explore.complete == 1"],
     "claims": [{"text": "seven orders", "expect": ["explore.schedules == 7"]},
                {"text": "six orders", "expect": ["explore.schedules == 6"]}]}]})");
  const Result r = run({"test", path("99-x/steps.json").string()});
  EXPECT_NE(r.out.find("claim \"seven orders\" does not hold: explore.schedules == 7: 6 (does "
                       "not hold)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("claim \"six orders\" holds"), std::string::npos) << r.out;
}

} // namespace
