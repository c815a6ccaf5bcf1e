// A node that fails, and one that is busy (cache.timeout_s, gutter_nodes,
// gutter_ttl_s, node_capacity): Facebook's gutter pool (Nishtala et al., NSDI
// 2013, section 3.3) against rehashing, on hand-built stacks (hand_built.h:
// page queries 100 ms, cache round trip 0.5 ms).
#include <gtest/gtest.h>

#include "hand_built.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

using testing::at;
using testing::hand_built;
using testing::run;

Scenario one_failing_node(double timeout_s, std::uint32_t gutter) {
  Scenario s = hand_built("clear", /*warm=*/true);
  s.cache.nodes = 1;
  s.cache.timeout_s = timeout_s;
  s.cache.gutter_nodes = gutter;
  at(s, 1.0, ScriptedEvent::Kind::kCrashNode, 0);
  return s;
}

TEST(Failover, WithoutATimeoutACrashedNodesKeysMoveAtOnce) {
  // The lecture's model: clients know at once (no node left: no cache).
  Scenario s = one_failing_node(0, 0);
  at(s, 1.01, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.cache_timeouts, 0u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_NEAR(r.page_view_latency.max, 101, 1e-6); // a miss, the query, a fill with no node
}

TEST(Failover, ClientsTimeOutOnADeadNodeUntilTheyNotice) {
  // Crash at 1.0 s, timeout 0.1 s: a view at 1.01 s waits 0.1 s for nothing,
  // reads the database (1.11-1.21 s), and its fill finds no node (noticed at
  // 1.1 s, the only node gone). A view at 1.5 s is told at once.
  Scenario s = one_failing_node(0.1, 0);
  at(s, 1.01, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.cache_timeouts, 1u);
  EXPECT_EQ(r.db_reads_by_page_views, 2u);
  EXPECT_NEAR(r.page_view_latency.max, 200.5, 1e-6); // the timeout, the query, the fill
}

TEST(Failover, TheGutterServesAFailedNodesKeysAndIsNeverInvalidated) {
  // Crash at 1.0 s, noticed at 1.1 s. The view at 1.2 s misses in the
  // (empty) gutter node, reads, and fills it for gutter_ttl_s (2 s). The view
  // at 1.5 s hits there. A submit at 2.0 s commits post 1 at 2.02 s; its
  // delete is not sent to the gutter, so the view at 2.5 s is served the old
  // page (stale). The entry was stored in second 1 for 2 whole seconds
  // (memcached's clock): it is gone from 3.0 s, the view at 3.5 s misses and
  // reads the fresh page, and the view at 3.7 s hits it.
  Scenario s = one_failing_node(0.1, 1);
  s.cache.gutter_ttl_s = 2;
  at(s, 1.2, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 2.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 2.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 3.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 3.7, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.cache_timeouts, 0u);
  EXPECT_EQ(r.gutter_gets, 5u);
  EXPECT_EQ(r.gutter_hits, 3u); // 1.5 s, 2.5 s and 3.7 s
  EXPECT_EQ(r.db_reads_by_page_views, 2u);
  EXPECT_EQ(r.stale_reads, 1u);
  EXPECT_NEAR(r.max_staleness_s, 2.5 - 2.02, 1e-9);
}

TEST(Failover, ABusyNodesQueueTimesOutPastTheLimit) {
  // 100 operations a second (10 ms each), a 55 ms timeout: of 20 gets that
  // arrive at once, the first 5 are served 10, 20, ... 50 ms later; the other
  // 15 would wait longer, and the clients give up on them at 55 ms. Those 15
  // read the database and fill at once, 100 ms later: 5 fills are served,
  // 10 time out.
  Scenario s = hand_built("clear", /*warm=*/true);
  s.app.workers = 32; // all 20 at once
  s.cache.node_capacity = 100;
  s.cache.timeout_s = 0.055;
  at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 20);
  const Report r = run(s);
  EXPECT_EQ(r.cache_timeouts, 15u + 10u);
  EXPECT_EQ(r.cache_hits, 5u);
  EXPECT_EQ(r.db_reads_by_page_views, 15u);
  EXPECT_GT(r.page_view_latency.p50, 155.0); // a timed-out view: 55 ms, its query, its fill
}

} // namespace
} // namespace stampede
