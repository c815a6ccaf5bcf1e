// The front cache (edge.*, the lecture's "additional pieces": Varnish, a
// CDN): it answers page views from the page an app server last answered,
// for edge.ttl_s, and never hears of submits. Hand-built stacks, exact
// counts and times.
#include <gtest/gtest.h>

#include <vector>

#include "hand_built.h"

namespace stampede {
namespace {

/// Every finished request, in order.
struct Requests final : Observer {
  std::vector<RequestRecord> done;
  int cpu = 0; // requests that reached an app server
  void on_request(const RequestRecord &r) override { done.push_back(r); }
  void on_activity(const ActivityRecord &a) override { cpu += a.activity == Activity::kCpu; }
};

Scenario with_edge(const char *strategy, double ttl_s) {
  Scenario s = testing::hand_built(strategy, /*warm=*/true);
  s.edge.enabled = true;
  s.edge.ttl_s = ttl_s;
  s.edge.latency = Distribution::constant(0.001);
  return s;
}

TEST(Edge, AnswersFromTheLastAnsweredPageUntilItsTtlEnds) {
  // ttl 1 s. The view at 1.0 s misses the (cold) front cache and is answered
  // by the app server from memcached at 1.0005 s, which stores the page at
  // the edge. Views at 1.5 s and 1.9 s are answered by the edge in 1 ms
  // without reaching an app server; at 2.1 s the copy is 1.0995 s old: miss.
  Scenario s = with_edge("clear", 1.0);
  testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 1);
  testing::at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 3);
  testing::at(s, 1.9, ScriptedEvent::Kind::kViewBurst, 1);
  testing::at(s, 2.1, ScriptedEvent::Kind::kViewBurst, 1);
  Simulation sim(s);
  Requests seen;
  sim.set_observer(&seen);
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(r.page_views, 6u);
  EXPECT_EQ(r.edge_hits, 4u);
  EXPECT_EQ(r.edge_misses, 2u);
  EXPECT_DOUBLE_EQ(r.edge_hit_ratio, 4.0 / 6.0);
  EXPECT_EQ(seen.cpu, 2) << "only the two misses reach an app server";
  EXPECT_EQ(r.cache_gets, 2u);
  ASSERT_EQ(seen.done.size(), 6u);
  for (std::size_t i = 1; i <= 4; ++i) {
    EXPECT_EQ(seen.done[i].server, kEdgeServer);
    EXPECT_EQ(seen.done[i].response - seen.done[i].arrival, seconds_to_ns(0.001));
  }
  EXPECT_NE(seen.done[5].server, kEdgeServer);
}

TEST(Edge, NeverHearsOfSubmitsWhateverTheStrategyBehindIt) {
  // refresh keeps memcached fresh at once, but the edge stored the page at
  // 1.0005 s and serves it until 3.0005 s: the post committed at 1.22 s
  // (the submit at 1.2 s, a 20 ms insert) is missing from the views at 1.5
  // and 2.9 s, 0.28 s and 1.68 s after its commit. At 3.1 s the edge asks
  // again and gets the fresh page.
  Scenario s = with_edge("refresh", 2.0);
  testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 1);
  testing::at(s, 1.2, ScriptedEvent::Kind::kSubmitBurst, 1);
  testing::at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  testing::at(s, 2.9, ScriptedEvent::Kind::kViewBurst, 1);
  testing::at(s, 3.1, ScriptedEvent::Kind::kViewBurst, 1);
  testing::at(s, 3.2, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = testing::run(s);
  EXPECT_EQ(r.submits, 1u);
  EXPECT_EQ(r.page_views, 5u);
  EXPECT_EQ(r.edge_hits, 3u); // 1.5, 2.9, and 3.2 (the copy stored at 3.1005)
  EXPECT_EQ(r.stale_reads, 2u);
  EXPECT_NEAR(r.max_staleness_s, 2.9 - 1.22, 1e-9);
}

TEST(Edge, SubmitsPassThroughAndClosedUsersComeBack) {
  // A closed workload of 5 users thinking 0.1 s: every request ends in a
  // think and a new one, edge hits included. Submits always reach an app
  // server.
  Scenario s = with_edge("clear", 0.5);
  s.workload.kind = WorkloadKind::kClosed;
  s.workload.users = 5;
  s.workload.think_time = Distribution::constant(0.1);
  s.workload.submit_ratio = 0.1;
  const Report r = testing::run(s);
  EXPECT_GT(r.edge_hits, r.edge_misses);
  EXPECT_EQ(r.edge_hits + r.edge_misses, r.page_views) << "every view ends at the edge or past it";
  // Each user's cycle is at least the think time: about 5 users x 50 cycles.
  EXPECT_GT(r.page_views + r.submits, 200u);
  EXPECT_LE(r.page_views + r.submits, 250u);
  EXPECT_GT(r.submits, 0u);
}

TEST(Edge, OffByDefaultAndTheSameRunWithout) {
  Scenario s = testing::hand_built("clear", true);
  testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 3);
  const Report r = testing::run(s);
  EXPECT_EQ(r.edge_hits + r.edge_misses, 0u);
  EXPECT_EQ(r.page_views, 3u);
}

} // namespace
} // namespace stampede
