// Same scenario and seed: identical reports, in one process (here) and across
// two processes (tests/cli). A different seed must change the run.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

std::string run_json(const std::string &spec, std::vector<std::string> overrides) {
  const auto s = load_scenario(spec, overrides);
  EXPECT_TRUE(s) << s.error;
  Simulation sim(*s.value);
  sim.run();
  nlohmann::json j = report_to_json(sim.report());
  j["engine"].erase("wall_s");
  j["engine"].erase("events_per_s");
  return j.dump();
}

class Determinism : public ::testing::TestWithParam<const char *> {};

TEST_P(Determinism, SameSeedSameReport) {
  const std::string spec = std::string("builtin:") + GetParam();
  const std::vector<std::string> shorter = {"duration_s=10"};
  EXPECT_EQ(run_json(spec, shorter), run_json(spec, shorter));
}

TEST_P(Determinism, AnotherSeedAnotherRun) {
  const std::string spec = std::string("builtin:") + GetParam();
  EXPECT_NE(run_json(spec, {"duration_s=10", "seed=1"}),
            run_json(spec, {"duration_s=10", "seed=2"}));
}

INSTANTIATE_TEST_SUITE_P(Builtins, Determinism,
                         ::testing::Values("frontpage", "r1", "stampede", "lost-updates",
                                           "refresh-race", "local-caches", "many-keys"),
                         [](const auto &info) {
                           std::string n = info.param;
                           for (char &c : n)
                             if (c == '-')
                               c = '_';
                           return n;
                         });

} // namespace
} // namespace stampede
