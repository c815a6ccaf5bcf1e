// What keeps a run inside its means (issue 15): app.backlog refuses requests
// beyond a per-server queue, an overloaded stack stops the run instead of
// eating the machine, a burst is one event however large, and node events
// re-place only the keys that move. Each on the smallest run that shows it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "model/cache_tier.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

// One server with one worker that spends 1 s of CPU per request, `none`
// reading a 1 ms database: a request takes 1.001 s and the rest wait.
Scenario one_slow_worker() {
  Scenario s;
  s.workload.rate = 0; // only what the test sends
  s.workload.submit_ratio = 0;
  s.app.servers = 1;
  s.app.workers = 1;
  s.app.cpu = Distribution::constant(1.0);
  s.db.query_latency = Distribution::constant(0.001);
  s.strategy.name = "none";
  s.duration_s = 10;
  return s;
}

ScriptedEvent views_at(double at_s, std::uint32_t n) {
  ScriptedEvent e;
  e.at = seconds_to_ns(at_s);
  e.kind = ScriptedEvent::Kind::kViewBurst;
  e.value = n;
  return e;
}

Report run(const Scenario &s) {
  Simulation sim(s);
  sim.run();
  return sim.report();
}

TEST(Backlog, RefusesArrivalsBeyondTheQueueLimit) {
  // 10 views at t = 0: one takes the worker, 2 wait (backlog 2), 7 are
  // refused. The three are answered at 1.001, 2.002 and 3.003 s.
  Scenario s = one_slow_worker();
  s.app.backlog = 2;
  s.events = {views_at(0, 10)};
  const Report r = run(s);
  EXPECT_EQ(r.arrivals, 10u);
  EXPECT_EQ(r.rejected, 7u);
  EXPECT_EQ(r.page_views, 3u);
}

TEST(Backlog, UnlimitedByDefault) {
  // The same 10 views all queue: 9 answered by 10 s (the 9th at 9.009 s).
  Scenario s = one_slow_worker();
  s.events = {views_at(0, 10)};
  const Report r = run(s);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.page_views, 9u);
}

TEST(Backlog, ARefusedClosedUserThinksAndComesBack) {
  // 3 users, think 10 s, backlog 1: at t = 10, A takes the worker, B waits,
  // C is refused and returns at 20. A (done 11.001) returns at 21.001, B
  // (done 12.002) at 22.002; by then the worker is free or the queue empty,
  // so nobody else is refused. Arrivals by 25 s: 3 + C + A + B = 6.
  Scenario s = one_slow_worker();
  s.workload.kind = WorkloadKind::kClosed;
  s.workload.users = 3;
  s.workload.think_time = Distribution::constant(10);
  s.app.backlog = 1;
  s.duration_s = 25;
  const Report r = run(s);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.arrivals, 6u);
}

TEST(Overload, StopsTheRunWhenTooManyRequestsWait) {
  // 17 bursts of a million views at t = 1 on one worker: the first takes the
  // worker, and the run stops at the request that makes the waiting ones
  // exceed kMaxQueuedRequests, at t = 1 s, long before the end.
  Scenario s = one_slow_worker();
  for (int i = 0; i < 17; ++i)
    s.events.push_back(views_at(1, 1000000));
  Simulation sim(s);
  sim.run();
  ASSERT_TRUE(sim.overloaded_at().has_value());
  EXPECT_EQ(*sim.overloaded_at(), kSecond);
  EXPECT_TRUE(sim.finished());
  EXPECT_EQ(sim.report().arrivals, 1 + kMaxQueuedRequests + 1);
}

TEST(Overload, ARunBelowTheBoundIsNotOverloaded) {
  Scenario s = one_slow_worker();
  s.events = {views_at(1, 1000000)};
  Simulation sim(s);
  sim.run();
  EXPECT_FALSE(sim.overloaded_at().has_value());
  EXPECT_EQ(sim.report().arrivals, 1000000u);
}

TEST(Burst, EachRequestCountsAsOneEvent) {
  // 5 views at t = 1 under `none`, 8 workers and connections: each is an
  // arrival, a CPU end and a DB end (15 events), plus the scripted event and
  // the interval ending at 1 s (the one at 2 s is the end): 17, as when each
  // request of a burst was its own event.
  Scenario s;
  s.workload.rate = 0;
  s.app.servers = 1;
  s.db.connections = 8;
  s.strategy.name = "none";
  s.duration_s = 2;
  s.events = {views_at(1, 5)};
  const Report r = run(s);
  EXPECT_EQ(r.arrivals, 5u);
  EXPECT_EQ(r.page_views, 5u);
  EXPECT_EQ(r.events, 17u);
}

TEST(Nodes, LiveAdditionsStopAtTheLimit) {
  // The parser bounds scripted additions; the GUI's button goes through here.
  Scenario s;
  s.cache.nodes = kMaxCacheNodes - 1;
  s.cache.memory_bytes = 1 << 20;
  s.duration_s = 1;
  Simulation sim(s);
  EXPECT_TRUE(sim.add_node());
  EXPECT_FALSE(sim.add_node());
  EXPECT_EQ(sim.state().cache_up.size(), kMaxCacheNodes);
}

// ---------------------------------------------------------------------------
// Key placement after node events, against a placement computed from scratch.

// Ketama as SPEC section 2 and cache_tier.h describe it, written again:
// 160 points per live node named "node-N-P", a key on the first point at or
// after its hash, wrapping.
std::vector<std::int32_t> expected_placement(const std::vector<bool> &up, std::uint32_t keys,
                                             Hashing hashing) {
  std::vector<std::uint32_t> live;
  for (std::uint32_t n = 0; n < up.size(); ++n)
    if (up[n])
      live.push_back(n);
  std::vector<std::int32_t> out(keys, -1);
  if (live.empty())
    return out;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ring;
  for (std::uint32_t n : live)
    for (int p = 0; p < internal::CacheTier::kPointsPerNode; ++p) {
      char name[48];
      const int len = std::snprintf(name, sizeof name, "node-%u-%d", n, p);
      ring.emplace_back(static_cast<std::uint32_t>(
                            stable_hash(std::string_view(name, static_cast<std::size_t>(len)))),
                        n);
    }
  std::sort(ring.begin(), ring.end());
  for (std::uint32_t k = 0; k < keys; ++k) {
    char buf[24];
    const std::uint64_t h = stable_hash(internal::cache_key(k, buf));
    if (hashing == Hashing::kModulo) {
      out[k] = static_cast<std::int32_t>(live[h % live.size()]);
      continue;
    }
    auto it = std::lower_bound(ring.begin(), ring.end(),
                               std::make_pair(static_cast<std::uint32_t>(h), std::uint32_t{0}));
    if (it == ring.end())
      it = ring.begin();
    out[k] = static_cast<std::int32_t>(it->second);
  }
  return out;
}

class Placement : public ::testing::TestWithParam<Hashing> {};

TEST_P(Placement, NodeEventsPlaceEveryKeyAsAFreshRingWould) {
  // 300 node events drawn from a fixed seed: crashes of random nodes (down
  // ones too, which do nothing), additions, down to no node up and back.
  constexpr std::uint32_t kKeys = 3000;
  CacheConfig config;
  config.nodes = 3;
  config.memory_bytes = 1 << 20;
  config.hashing = GetParam();
  internal::CacheTier tier(config, kKeys);
  std::vector<bool> up(3, true);
  Rng rng = Rng::stream(7, "placement-test");
  for (int step = 0; step < 300; ++step) {
    if (rng.uniform01() < 0.45 || up.size() < 2) {
      tier.add();
      up.push_back(true);
    } else {
      const auto n = static_cast<std::uint32_t>(rng.uniform01() * static_cast<double>(up.size()));
      tier.crash(n);
      up[n] = false;
    }
    // Every few steps, crash all: placement with no node, then from nothing.
    if (step % 97 == 96)
      for (std::uint32_t n = 0; n < up.size(); ++n) {
        tier.crash(n);
        up[n] = false;
      }
    const std::vector<std::int32_t> want = expected_placement(up, kKeys, config.hashing);
    for (std::uint32_t k = 0; k < kKeys; ++k)
      ASSERT_EQ(tier.node_of(k), want[k]) << "key " << k << " after step " << step;
  }
}

INSTANTIATE_TEST_SUITE_P(BothHashings, Placement,
                         ::testing::Values(Hashing::kConsistent, Hashing::kModulo),
                         [](const ::testing::TestParamInfo<Hashing> &info) {
                           return info.param == Hashing::kConsistent ? "consistent" : "modulo";
                         });

} // namespace
} // namespace stampede
