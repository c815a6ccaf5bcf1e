// Workload, balancer, tier and database behaviours, each on the smallest run
// that shows it, with the expected value's derivation beside it.
#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "stampede/simulation.h"

namespace stampede {
namespace {

Scenario base() {
  Scenario s;
  s.app.servers = 2;
  s.app.workers = 8;
  s.app.cpu = Distribution::constant(0.001);
  s.db.connections = 8;
  s.db.query_latency = Distribution::constant(0.01);
  s.db.insert_latency = Distribution::constant(0.005);
  s.duration_s = 100;
  return s;
}

Report run(const Scenario &s) {
  Simulation sim(s);
  sim.run();
  return sim.report();
}

TEST(OpenWorkload, ArrivalsFollowTheRate) {
  // Poisson at 100/s for 100 s: 10,000 arrivals, sd 100.
  Scenario s = base();
  s.workload.rate = 100;
  const Report r = run(s);
  EXPECT_NEAR(static_cast<double>(r.arrivals), 10000.0, 400.0);
}

TEST(OpenWorkload, SubmitRatioSplitsTheMix) {
  // 10,000 requests at 20 % submits: 2,000, sd 40.
  Scenario s = base();
  s.workload.rate = 100;
  s.workload.submit_ratio = 0.2;
  const Report r = run(s);
  EXPECT_NEAR(static_cast<double>(r.submits), 0.2 * static_cast<double>(r.arrivals), 160.0);
}

TEST(ClosedWorkload, ThroughputIsUsersOverThinkPlusResponse) {
  // 10 users, constant think time 1 s, `none` with 1 ms CPU + 10 ms query and
  // no queueing (the 10 users move in lockstep, so give them 10 connections):
  // each cycle takes 1.011 s, so 10 / 1.011 = 9.89 requests/s, about 989 in
  // 100 s (less the cycles still open at the end).
  Scenario s = base();
  s.db.connections = 10;
  s.workload.kind = WorkloadKind::kClosed;
  s.workload.users = 10;
  s.workload.think_time = Distribution::constant(1.0);
  s.workload.submit_ratio = 0;
  s.strategy.name = "none";
  const Report r = run(s);
  EXPECT_NEAR(static_cast<double>(r.page_views), 10 * 100 / 1.011, 10.0);
  EXPECT_NEAR(r.page_view_latency.max, 11.0, 0.1);
}

TEST(Balancer, RoundRobinAlternatesServers) {
  // Two servers with one worker each, views 0.5 s apart that each take 1 s:
  // round robin puts consecutive views on different servers, so none waits.
  Scenario s = base();
  s.app.workers = 1;
  s.workload.rate = 0;
  s.strategy.name = "none";
  s.db.query_latency = Distribution::constant(1.0 - 0.001);
  for (int i = 0; i < 10; ++i)
    s.events.push_back({seconds_to_ns(1.0 + 0.5 * i), ScriptedEvent::Kind::kViewBurst, 1});
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 10u);
  EXPECT_NEAR(r.page_view_latency.max, 1000.0, 1.0);
}

TEST(Balancer, LeastConnectionsAvoidsTheBusyServer) {
  // Same as above but views come in pairs at once: round robin and least
  // connections both spread a pair; then a third view at the same instant
  // must wait under any policy. With least connections and two single-worker
  // servers, 2 simultaneous views never queue.
  Scenario s = base();
  s.app.workers = 1;
  s.workload.rate = 0;
  s.strategy.name = "none";
  s.balancer = BalancerPolicy::kLeastConnections;
  s.db.query_latency = Distribution::constant(0.5);
  for (int i = 0; i < 5; ++i)
    s.events.push_back({seconds_to_ns(1.0 + i), ScriptedEvent::Kind::kViewBurst, 2});
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 10u);
  EXPECT_NEAR(r.page_view_latency.max, 501.0, 1.0);
}

// Records which app server answered each request, in response order.
class ServerLog : public Observer {
public:
  void on_request(const RequestRecord &r) override { servers.push_back(r.server); }
  std::vector<std::uint32_t> servers;
};

TEST(Balancer, RandomSpreadsLoadAcrossServers) {
  Scenario s = base();
  s.workload.rate = 200;
  s.balancer = BalancerPolicy::kRandom;
  s.duration_s = 10;
  Simulation sim(s);
  ServerLog log;
  sim.set_observer(&log);
  sim.run_until(seconds_to_ns(5));
  const StackState st = sim.state();
  ASSERT_EQ(st.busy_workers.size(), 2u);
  sim.run();
  EXPECT_GT(sim.report().page_views, 1500u);
  // About 2,000 requests, each server with probability 1/2: server 0's share
  // has sd sqrt(2000 / 4) = 22; allow 5 sd. Consecutive requests must not
  // simply alternate (that would be round robin): count repeats.
  const auto n = static_cast<double>(log.servers.size());
  const auto on_zero = static_cast<double>(std::count(log.servers.begin(), log.servers.end(), 0u));
  EXPECT_NEAR(on_zero, n / 2, 5 * std::sqrt(n / 4));
  std::size_t repeats = 0;
  for (std::size_t i = 1; i < log.servers.size(); ++i)
    repeats += log.servers[i] == log.servers[i - 1];
  EXPECT_GT(repeats, log.servers.size() / 4);
}

TEST(Balancer, LeastConnectionsPicksTheIdleServerWhereRoundRobinWouldNot) {
  // Two servers, one worker each, views of 0.5 s. A at 1.0 s goes to server 0;
  // B at 1.7 s finds both idle: least connections takes the lowest index (0),
  // round robin the next in turn (1). C at 1.75 s, while B is busy: least
  // connections sends it to the idle server 1, round robin back to server 0,
  // where it waits. Responses come in arrival order here.
  Scenario s = base();
  s.app.workers = 1;
  s.workload.rate = 0;
  s.strategy.name = "none";
  s.app.cpu = Distribution::constant(0);
  s.db.query_latency = Distribution::constant(0.5);
  for (const double t : {1.0, 1.7, 1.75})
    s.events.push_back({seconds_to_ns(t), ScriptedEvent::Kind::kViewBurst, 1});
  for (const auto policy : {BalancerPolicy::kLeastConnections, BalancerPolicy::kRoundRobin}) {
    s.balancer = policy;
    Simulation sim(s);
    ServerLog log;
    sim.set_observer(&log);
    sim.run();
    const std::vector<std::uint32_t> want = policy == BalancerPolicy::kLeastConnections
                                                ? std::vector<std::uint32_t>{0, 0, 1}
                                                : std::vector<std::uint32_t>{0, 1, 0};
    EXPECT_EQ(log.servers, want);
  }
}

TEST(Database, LoadFactorSlowsQueriesWhenConnectionsAreBusy) {
  // Two views at once under `none` with 2 connections and load_factor 1: the
  // first query starts alone (x1), the second with one other busy (x1.5).
  Scenario s = base();
  s.workload.rate = 0;
  s.strategy.name = "none";
  s.db.connections = 2;
  s.db.load_factor = 1.0;
  s.db.query_latency = Distribution::constant(0.1);
  s.app.cpu = Distribution::constant(0);
  s.events.push_back({seconds_to_ns(1.0), ScriptedEvent::Kind::kViewBurst, 2});
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 2u);
  EXPECT_NEAR(r.page_view_latency.max, 150.0, 0.01);
  EXPECT_NEAR(r.page_view_latency.mean, 125.0, 0.01);
}

TEST(Ttl, BoundsNaivesStalenessByTheTtl) {
  // naive with a 2 s TTL: a stale page lives at most 2 s (plus memcached's
  // one-second clock and one query), far less than without a TTL.
  Scenario s = base();
  s.workload.rate = 100;
  s.workload.submit_ratio = 0.01;
  s.strategy.name = "naive";
  s.strategy.ttl_s = 2;
  const Report with_ttl = run(s);
  s.strategy.ttl_s = 0;
  const Report without = run(s);
  EXPECT_LT(with_ttl.max_staleness_s, 3.1);
  EXPECT_GT(without.max_staleness_s, 5.0);
  EXPECT_GT(with_ttl.db_reads_by_page_views, 40u); // about one refill per 2 s
}

TEST(CacheTier, ManyKeysOnSmallNodesEvict) {
  // 5,000 keys of ~2 KiB on one 1 MiB node (about 450 items) cannot all fit.
  Scenario s = base();
  s.workload.rate = 500;
  s.workload.keys = 5000;
  s.workload.zipf_alpha = 0.8;
  s.cache.memory_bytes = 1 << 20;
  s.duration_s = 20;
  const Report r = run(s);
  EXPECT_GT(r.cache_evictions, 1000u);
  EXPECT_GT(r.cache_hit_ratio, 0.1);
  EXPECT_LT(r.cache_hit_ratio, 0.9);
}

TEST(CacheTier, ACrashEmptiesANodeAndItsKeysMiss) {
  // One node, warm, no submits: every get hits until the node crashes at 5 s;
  // then no node is up and every view misses and queries the DB.
  Scenario s = base();
  s.workload.rate = 100;
  s.workload.submit_ratio = 0;
  s.strategy.warm = true;
  s.duration_s = 10;
  s.events.push_back({seconds_to_ns(5), ScriptedEvent::Kind::kCrashNode, 0});
  const Report r = run(s);
  EXPECT_NEAR(r.cache_hit_ratio, 0.5, 0.05);
  EXPECT_NEAR(r.db_reads_per_page_view, 0.5, 0.05);
}

TEST(CacheTier, AnAddedNodeServesAfterACrash) {
  // Crash at 2 s, a new empty node at 4 s: after one miss the page is cached
  // again and views hit.
  Scenario s = base();
  s.workload.rate = 100;
  s.workload.submit_ratio = 0;
  s.strategy.warm = true;
  s.duration_s = 10;
  s.events.push_back({seconds_to_ns(2), ScriptedEvent::Kind::kCrashNode, 0});
  s.events.push_back({seconds_to_ns(4), ScriptedEvent::Kind::kAddNode, 0});
  Simulation sim(s);
  sim.run();
  const Report r = sim.report();
  // Views between 2 s and 4 s (about 200) miss; afterwards nearly all hit.
  EXPECT_NEAR(static_cast<double>(r.cache_misses), 200.0, 40.0);
  const StackState st = sim.state();
  ASSERT_EQ(st.cache_up.size(), 2u);
  EXPECT_FALSE(st.cache_up[0]);
  EXPECT_TRUE(st.cache_up[1]);
  EXPECT_EQ(st.cache_items[1], 1u);
}

TEST(Live, SwitchingStrategyMidRunChangesWhatNewRequestsDo) {
  // naive for 5 s, then clear: staleness stops lasting once clear deletes.
  Scenario s = base();
  s.workload.rate = 100;
  s.workload.submit_ratio = 0.05;
  s.strategy.name = "naive";
  s.strategy.warm = true;
  s.duration_s = 10;
  Simulation sim(s);
  sim.run_until(seconds_to_ns(5));
  const std::uint64_t deletes_before = sim.report().cache_deletes;
  sim.switch_strategy(StrategyConfig{"clear", 0, false, false});
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(deletes_before, 0u);
  EXPECT_GT(r.cache_deletes, 10u);
  EXPECT_EQ(r.strategy, "clear");
  EXPECT_THROW(sim.switch_strategy(StrategyConfig{"bogus", 0, false, false}),
               std::invalid_argument);
}

TEST(Stepping, StepProcessesOneEventAtATimeAndStopsAtTheEnd) {
  Scenario s = base();
  s.workload.rate = 10;
  s.duration_s = 1;
  Simulation sim(s);
  std::uint64_t steps = 0;
  Time last = 0;
  while (sim.step()) {
    ++steps;
    ASSERT_GE(sim.now(), last);
    last = sim.now();
  }
  EXPECT_TRUE(sim.finished());
  EXPECT_EQ(sim.events(), steps);
  EXPECT_LT(sim.now(), sim.end());
  // Stepping and running give the same run.
  Simulation whole(s);
  whole.run();
  EXPECT_EQ(whole.events(), steps);
  EXPECT_EQ(whole.report().page_views, sim.report().page_views);
}

class IntervalCounter : public Observer {
public:
  void on_interval(const IntervalRecord &i) override {
    ++intervals;
    views += i.page_views;
    last_end = i.end;
  }
  int intervals = 0;
  std::uint64_t views = 0;
  Time last_end = 0;
};

TEST(Observer, IntervalsCoverTheRunAndAddUpToTheReport) {
  Scenario s = base();
  s.workload.rate = 100;
  s.duration_s = 10;
  Simulation sim(s);
  IntervalCounter counter;
  sim.set_observer(&counter);
  sim.set_interval(seconds_to_ns(0.5));
  sim.run();
  EXPECT_EQ(counter.intervals, 20); // 10 s in 0.5 s intervals, the last closed at the end
  EXPECT_EQ(counter.last_end, seconds_to_ns(10));
  EXPECT_EQ(counter.views, sim.report().page_views);
}

} // namespace
} // namespace stampede
