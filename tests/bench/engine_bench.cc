// Micro-benchmarks of the engine's parts. Performance claims come from here
// and from `stampede bench`, never from timed unit tests.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "metrics/histogram.h"
#include "stampede/distribution.h"
#include "stampede/event_queue.h"
#include "stampede/memcached_node.h"
#include "stampede/rng.h"
#include "stampede/scenario_io.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

// Hold-model benchmark: pop the earliest event and push one a random time
// later, with `pending` events in the queue (ns-3's and OMNeT++'s benchmark).
void BM_EventQueueHold(benchmark::State &state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  EventQueue q(pending + 1);
  Rng r(1);
  for (std::size_t i = 0; i < pending; ++i)
    q.push(static_cast<Time>(r.below(1'000'000)), 0, 0);
  for (auto _ : state) {
    const Event e = q.pop();
    q.push(e.time + static_cast<Time>(r.below(1'000'000)), e.kind(), e.target());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventQueueHold)->Arg(40)->RangeMultiplier(10)->Range(1000, 10'000'000);

void BM_RngNext(benchmark::State &state) {
  Rng r(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(r.next());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RngNext);

void BM_Distribution(benchmark::State &state, Distribution d) {
  Rng r(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(d.sample(r));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Distribution, constant, Distribution::constant(0.002));
BENCHMARK_CAPTURE(BM_Distribution, exponential, Distribution::exponential(0.1));
BENCHMARK_CAPTURE(BM_Distribution, uniform, Distribution::uniform(0.05, 0.15));
BENCHMARK_CAPTURE(BM_Distribution, normal, Distribution::normal(0.1, 0.02));
BENCHMARK_CAPTURE(BM_Distribution, lognormal, Distribution::lognormal(0.1, 0.5));
BENCHMARK_CAPTURE(BM_Distribution, empirical,
                  Distribution::empirical({{0.01, 1}, {0.02, 2}, {0.05, 3}, {0.1, 4}}));

// get/set/cas on a node filled to `fill` percent of its memory.
void BM_NodeOps(benchmark::State &state) {
  const auto fill_pct = state.range(0);
  McConfig config;
  config.memory_limit_bytes = 64u << 20;
  config.lru = LruModel::kSegmented;
  MemcachedNode node(config);
  const std::string value(2000, 'x');
  // ~2.1 KB items: 64 MiB holds about 31,000; fill the given share.
  const int keys = static_cast<int>(31000 * fill_pct / 100) + 1;
  char key[32];
  for (int k = 0; k < keys; ++k) {
    const int n = std::snprintf(key, sizeof key, "key:%d", k);
    node.store(StoreMode::kSet, std::string_view(key, n), 0, 0, value, 0, kEpochUnixS);
  }
  Rng r(1);
  std::uint64_t i = 0;
  for (auto _ : state) {
    const int n = std::snprintf(key, sizeof key, "key:%d", static_cast<int>(r.below(keys)));
    const std::string_view k(key, static_cast<std::size_t>(n));
    McItemView item;
    switch (i++ % 3) {
    case 0:
      benchmark::DoNotOptimize(node.get(k, kEpochUnixS, &item));
      break;
    case 1:
      benchmark::DoNotOptimize(node.store(StoreMode::kSet, k, 0, 0, value, 0, kEpochUnixS));
      break;
    default:
      node.get(k, kEpochUnixS, &item);
      benchmark::DoNotOptimize(node.store(StoreMode::kCas, k, 0, 0, value, item.cas, kEpochUnixS));
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NodeOps)->Arg(10)->Arg(50)->Arg(100)->Arg(200);

void BM_LatencyHistogram(benchmark::State &state) {
  internal::LogHistogram<8> h;
  Rng r(1);
  for (auto _ : state)
    h.add(static_cast<Time>(r.below(10'000'000'000ULL)));
  benchmark::DoNotOptimize(h.percentile(0.99));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LatencyHistogram);

// The whole model with every detector on: R1 for 10 simulated seconds.
void BM_R1TenSeconds(benchmark::State &state) {
  const auto s = load_scenario("builtin:r1", {"duration_s=10"});
  std::uint64_t events = 0, arrivals = 0;
  for (auto _ : state) {
    Simulation sim(*s.value);
    sim.run();
    events += sim.events();
    arrivals += sim.report().arrivals;
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(arrivals), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_R1TenSeconds)->Unit(benchmark::kMillisecond);

void BM_ReportWriter(benchmark::State &state) {
  const auto s = load_scenario("builtin:r1", {"duration_s=5"});
  Simulation sim(*s.value);
  sim.run();
  const Report r = sim.report();
  for (auto _ : state)
    benchmark::DoNotOptimize(report_to_json(r).dump(2));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReportWriter);

} // namespace
} // namespace stampede
