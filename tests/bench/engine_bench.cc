// Micro-benchmarks of the engine's parts. Performance claims come from here
// and from `stampede bench`, never from timed unit tests.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "metrics/histogram.h"
#include "stampede/distribution.h"
#include "stampede/event_queue.h"
#include "stampede/memcached_node.h"
#include "stampede/report_json.h"
#include "stampede/rng.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"
#include "stampede/student_loader.h"

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

// An observer that keeps what a GUI would: every request and call in a
// fixed ring, anomalies counted, intervals kept for the charts.
struct RecordingObserver : Observer {
  std::vector<RequestRecord> requests = std::vector<RequestRecord>(4096);
  std::vector<CallRecord> calls = std::vector<CallRecord>(4096);
  std::size_t next_request = 0, next_call = 0;
  std::uint64_t anomalies = 0, intervals = 0;
  void on_request(const RequestRecord &r) override { requests[next_request++ & 4095] = r; }
  void on_call(const CallRecord &c) override { calls[next_call++ & 4095] = c; }
  void on_anomaly(const AnomalyRecord &) override { ++anomalies; }
  void on_interval(const IntervalRecord &) override { ++intervals; }
};

// The anomaly detectors at work: each run is a scenario where one of them
// fires often (stale reads under naive, stampede episodes under clear, lost
// updates under update, CAS conflicts under update+cas), observed.
void BM_Detectors(benchmark::State &state, const char *scenario, const char *strategy) {
  const auto s = load_scenario(scenario, {std::string("strategy.name=") + strategy});
  std::uint64_t arrivals = 0, anomalies = 0;
  for (auto _ : state) {
    Simulation sim(*s.value);
    RecordingObserver observer;
    sim.set_observer(&observer);
    sim.run();
    arrivals += sim.report().arrivals;
    anomalies += observer.anomalies;
  }
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(arrivals), benchmark::Counter::kIsRate);
  state.counters["anomalies/s"] =
      benchmark::Counter(static_cast<double>(anomalies), benchmark::Counter::kIsRate);
}
// What running a strategy apart costs (SPEC section 10): the front page
// under the built-in clear, then under the same clear written as a student
// would and run in its sandboxed host, every callback a round trip. Paired:
// the two run alternately in one binary. The student library is the test
// suite's example one.
void BM_FrontpageClear(benchmark::State &state, const char *strategy) {
  static const bool loaded = [] {
    return load_student_library(STAMPEDE_EXAMPLE_STUDENT_LIB, StrategyRegistry::global(),
                                HashingRegistry::global())
        .loaded;
  }();
  if (!loaded) {
    state.SkipWithError("the example student library did not load");
    return;
  }
  const auto s = load_scenario("builtin:frontpage", {std::string("strategy.name=") + strategy});
  std::uint64_t arrivals = 0;
  for (auto _ : state) {
    Simulation sim(*s.value);
    sim.run();
    arrivals += sim.report().arrivals;
  }
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(arrivals), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_FrontpageClear, builtin, "clear")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FrontpageClear, student_host, "student:clear")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_CAPTURE(BM_Detectors, stale_reads, "builtin:frontpage", "naive")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Detectors, stampedes, "builtin:stampede", "clear")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Detectors, lost_updates, "builtin:lost-updates", "update")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Detectors, cas_conflicts, "builtin:lost-updates", "update+cas")
    ->Unit(benchmark::kMillisecond);

// What the GUI asks of the engine: builtin:frontpage observed, in slices of
// 50 ms of simulated time with a snapshot of the stack after each (a frame).
// "x realtime" is simulated seconds per wall second; the target is >= 1000.
void BM_FrontpageFrames(benchmark::State &state) {
  const auto s = load_scenario("builtin:frontpage");
  double simulated = 0;
  std::uint64_t frames = 0;
  for (auto _ : state) {
    Simulation sim(*s.value);
    RecordingObserver observer;
    sim.set_observer(&observer);
    while (!sim.finished()) {
      sim.run_until(sim.now() + kSecond / 20);
      benchmark::DoNotOptimize(sim.state());
      ++frames;
    }
    simulated += ns_to_seconds(sim.end());
  }
  state.counters["x realtime"] = benchmark::Counter(simulated, benchmark::Counter::kIsRate);
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FrontpageFrames)->Unit(benchmark::kMillisecond);

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
