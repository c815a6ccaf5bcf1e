// `coalesce` (SPEC section 3, beyond the lecture): one page query per key per
// app server; the views that miss meanwhile wait for its answer. Small
// hand-built runs whose outcome is known exactly (STYLE.md section 7).
#include <gtest/gtest.h>

#include "hand_built.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

using testing::at;
using testing::run;

// hand_built.h's stack with a warm cache.
Scenario hand_built(const char *strategy) { return testing::hand_built(strategy, /*warm=*/true); }

TEST(Coalesce, TenMissesMakeOneQuery) {
  // A submit at 1 s commits post 1 at 1.02 s and deletes the page at
  // 1.0205 s. Ten views at 1.1 s all miss at 1.1005 s. Under clear each
  // queries the database; under coalesce the first does and nine wait.
  for (const char *strategy : {"clear", "coalesce"}) {
    Scenario s = hand_built(strategy);
    at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
    at(s, 1.1, ScriptedEvent::Kind::kViewBurst, 10);
    const Report r = run(s);
    const bool coalesce = std::string(strategy) == "coalesce";
    EXPECT_EQ(r.page_views, 10u) << strategy;
    EXPECT_EQ(r.cache_misses, 10u) << strategy;
    EXPECT_EQ(r.db_reads_by_page_views, coalesce ? 1u : 10u) << strategy;
    EXPECT_EQ(r.redundant_db_reads, coalesce ? 0u : 9u) << strategy;
    EXPECT_EQ(r.stampedes, coalesce ? 0u : 1u) << strategy;
    // The one query started after post 1 committed: every view is fresh.
    EXPECT_EQ(r.stale_reads, 0u) << strategy;
    // The waiters are answered when the query is (1.2005 s), not later.
    EXPECT_NEAR(r.page_view_latency.max, 100.5, 0.5) << strategy;
  }
}

TEST(Coalesce, JoiningAQueryThatBeganBeforeACommitServesAStalePage) {
  // View A misses at 1.1005 s; its query snapshots the page with post 1 and
  // answers at 1.2005 s. Submit 2 arrives at 1.15 s, commits post 2 at
  // 1.17 s, deletes at 1.1705 s. View B arrives at 1.18 s, misses, and joins
  // A's query: it gets a page without post 2, committed 0.01 s before B
  // arrived. (Under clear, B's own query would have seen post 2.)
  Scenario s = hand_built("coalesce");
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.1, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.15, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.18, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 2u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_EQ(r.stale_reads, 1u);
  EXPECT_DOUBLE_EQ(r.max_staleness_s, 0.01); // 1.18 s - 1.17 s, in whole ns
}

TEST(Coalesce, OneQueryPerAppServer) {
  // builtin:stampede has 4 app servers: each stampede can cost at most one
  // query per server, so at most 3 redundant reads per episode (clear: 483
  // redundant reads in 5 episodes).
  auto s = load_scenario("builtin:stampede", {"strategy.name=coalesce"});
  ASSERT_TRUE(s) << s.error;
  const Report r = run(*s.value);
  EXPECT_GT(r.stampedes, 0u);
  EXPECT_LE(r.redundant_db_reads, 3 * r.stampedes);
  EXPECT_LE(r.peak_concurrent_same_key, 4u);
  EXPECT_EQ(r.stale_reads, 0u);
}

} // namespace
} // namespace stampede
