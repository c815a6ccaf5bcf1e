// `stampede reality` as users run it: the real run's report beside the
// prediction, and what the lab refuses, said as bad input.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../cli/cli_fixture.h"

namespace {

using namespace stampede_cli_test;

TEST_F(Cli, RealityWritesTheRealReportAndThePrediction) {
  const Result r = run({"reality",    "builtin:frontpage",
                        "--strategy", "none",
                        "--duration", "3",
                        "--seeds",    "3",
                        "--set",      "workload.rate=50",
                        "--set",      "app.servers=1",
                        "--set",      "app.workers=8",
                        "--set",      "db.connections=4",
                        "--set",      "events=[]",
                        "--report",   "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["real"]["strategy"], "none");
  EXPECT_GT(j["real"]["requests"]["page_views"].get<int>(), 80); // ~147 expected
  EXPECT_EQ(j["real"]["anomalies"]["stale_reads"], 0);
  EXPECT_EQ(j["predicted"]["replications"], 3);
  EXPECT_EQ(j["predicted"]["seeds"], nlohmann::json::array({1, 2, 3}));
  EXPECT_NEAR(j["predicted"]["mean"]["db"]["reads_per_page_view"].get<double>(), 1.0, 0.02);
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
