// stampede explore's speed (SPEC section 12): each built-in race explored
// completely, schedules and steps per second. A benchmark, not a timed test:
// `./dev bench` also prints each race's time and peak memory.
#include <benchmark/benchmark.h>

#include <string>

#include "stampede/explore.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace {

using namespace stampede;

void BM_ExploreRace(benchmark::State &state, const std::string &race) {
  const auto s = load_scenario("builtin:" + race);
  std::uint64_t schedules = 0, steps = 0;
  for (auto _ : state) {
    const ExploreResult r = explore(*s.value, StrategyRegistry::global());
    schedules += r.explored + r.cut_depth;
    steps += r.steps;
  }
  state.counters["schedules/s"] =
      benchmark::Counter(static_cast<double>(schedules), benchmark::Counter::kIsRate);
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

// Registered by name: one line per race in the output.
const bool registered = [] {
  for (const char *race : {"race-clear", "race-update", "race-update-cas", "race-refresh",
                           "race-coalesce", "race-lease", "race-early", "race-swr"})
    benchmark::RegisterBenchmark((std::string("BM_Explore/") + race).c_str(), BM_ExploreRace,
                                 std::string(race))
        ->Unit(benchmark::kMillisecond);
  return true;
}();

} // namespace
