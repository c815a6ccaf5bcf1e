// `stampede reality` as users run it: the real run's report beside the
// prediction, and what the lab refuses, said as bad input.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../cli/cli_fixture.h"

namespace {

using namespace stampede_cli_test;

TEST_F(Cli, RealityWritesTheRealReportAndThePrediction) {
  const Result r = run({"reality",     "builtin:frontpage",
                        "--strategy",  "none",
                        "--duration",  "3",
                        "--seeds",     "3",
                        "--set",       "workload.rate=50",
                        "--set",       "app.servers=1",
                        "--set",       "app.workers=8",
                        "--set",       "db.connections=4",
                        "--set",       "events=[]",
                        "--calibrate", path("cal.json").string(),
                        "--report",    "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  // --calibrate: the scenario as measured is written, said so on stderr,
  // and predicts beside the scenario as written.
  const nlohmann::json cal = nlohmann::json::parse(slurp(path("cal.json")));
  EXPECT_EQ(cal["name"], "frontpage-calibrated");
  EXPECT_TRUE(cal["db"]["query_latency"].contains("empirical")) << cal["db"].dump();
  EXPECT_NE(r.err.find("connection hold per page query"), std::string::npos) << r.err;
  ASSERT_TRUE(j.contains("predicted_as_written"));
  EXPECT_EQ(j["predicted_as_written"]["replications"], 3);
  EXPECT_GT(j["predicted"]["mean"]["latency_ms"]["page_view"]["mean"].get<double>(),
            j["predicted_as_written"]["mean"]["latency_ms"]["page_view"]["mean"].get<double>())
      << "a real query holds its connection longer than its 50 ms sleep";
  EXPECT_EQ(j["real"]["strategy"], "none");
  EXPECT_GT(j["real"]["requests"]["page_views"].get<int>(), 80); // ~147 expected
  EXPECT_EQ(j["real"]["anomalies"]["stale_reads"], 0);
  EXPECT_EQ(j["predicted"]["replications"], 3);
  EXPECT_EQ(j["predicted"]["seeds"], nlohmann::json::array({1, 2, 3}));
  EXPECT_NEAR(j["predicted"]["mean"]["db"]["reads_per_page_view"].get<double>(), 1.0, 0.02);
}

TEST_F(Cli, RealityPlaysAStudentsStrategyOnTheRealStack) {
  // The example library's cache_aside is naive written again: on the real
  // stack every view after the first finds the page in memcached.
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_EXAMPLE_STUDENT_LIB}};
  const Result r =
      run({"reality", "builtin:frontpage", "--strategy", "student:cache_aside", "--duration", "3",
           "--seeds", "2", "--set", "workload.rate=50", "--set", "events=[]", "--report", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["real"]["strategy"], "student:cache_aside");
  EXPECT_GT(j["real"]["cache"]["gets"].get<int>(), 80); // ~147 views expected
  EXPECT_GT(j["real"]["cache"]["hit_ratio"].get<double>(), 0.95);
  EXPECT_EQ(j["real"]["db"]["reads_by_submits"], 0);
  EXPECT_EQ(j["predicted"]["strategy"], "student:cache_aside");
}

TEST_F(Cli, RealityRefusesWhatTheLabCannotPlay) {
  const Result fast = run({"reality", "builtin:r1"});
  EXPECT_EQ(fast.code, 2) << fast.err;
  EXPECT_NE(fast.err.find("builtin:r1: workload.rate: the lab plays at most 400"),
            std::string::npos)
      << fast.err;
  const Result events =
      run({"reality", "builtin:frontpage", "--set", "events=[{\"at\": 1, \"crash_node\": 0}]"});
  EXPECT_EQ(events.code, 2);
  EXPECT_NE(events.err.find("events: the lab plays bursts of submits or views"), std::string::npos)
      << events.err;
  const Result strategy = run({"reality", "builtin:frontpage", "--strategy", "nope"});
  EXPECT_EQ(strategy.code, 2);
  EXPECT_NE(strategy.err.find("--strategy: unknown strategy \"nope\""), std::string::npos);
}

} // namespace
