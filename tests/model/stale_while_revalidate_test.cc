// `stale_while_revalidate` (SPEC section 3, beyond the lecture), and the
// answer-then-finish contract it relies on.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hand_built.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

// hand_built.h's stack, cold, with pages fresh for 1 s.
Scenario hand_built() {
  Scenario s = testing::hand_built("stale_while_revalidate", /*warm=*/false);
  s.strategy.ttl_s = 1;
  return s;
}

using testing::at;

TEST(StaleWhileRevalidate, StaleViewsAreAnsweredAtOnceAndOneRefreshes) {
  // 0.1 s: a cold miss reads the page (query issued at 0.1005 s, answered at
  // 0.2005 s + the fill's round trip). 1.0 s: a submit commits post 1 at
  // 1.02 s. 1.5 s: ten views find the page stale (its query issued at
  // 0.1005 s, fresh until 1.1005 s): all ten
  // are answered after one round trip, with the old page (stale: post 1 is
  // missing), and one of them re-reads it. 1.8 s: a view hits the fresh
  // page, with post 1.
  Scenario s = hand_built();
  at(s, 0.1, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 10);
  at(s, 1.8, ScriptedEvent::Kind::kViewBurst, 1);
  Simulation sim(s);
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(r.page_views, 12u);
  EXPECT_EQ(r.cache_misses, 1u);
  EXPECT_EQ(r.db_reads_by_page_views, 2u); // the cold read and one refresh
  EXPECT_EQ(r.redundant_db_reads, 0u);
  EXPECT_EQ(r.stale_reads, 10u);
  EXPECT_DOUBLE_EQ(r.max_staleness_s, 1.5 - 1.02);
  // Nobody but the cold miss waits for the database.
  EXPECT_NEAR(r.page_view_latency.p90, 0.5, 0.01); // one round trip (histogram bucket)
}

TEST(StaleWhileRevalidate, APageIsServedAtMostTtlPlusOneQueryAfterItsSnapshot) {
  // 0.081 s: a submit's insert commits post 1 at 0.101 s. 0.1 s: a cold miss
  // issues its query at 0.1005 s, whose snapshot (taken then: no queue)
  // lacks post 1; the page is fresh until 0.1005 + 1 = 1.1005 s. Then a view
  // every 10 ms from 1.005 s: the view at 1.105 s finds it stale at 1.1055 s
  // and re-reads it (snapshot 1.1055 s, with post 1), stored at 1.2055 s.
  // The last view served the old page is the one at 1.205 s (its get goes
  // out at 1.205 s): staleness 1.205 - 0.101 = 1.104 s, which is ttl_s (1 s)
  // + one query (0.1 s) + the 5 ms until the first view after the expiry,
  // less the 0.5 ms between the snapshot and the commit. Counting the page's
  // age from the end of its query instead would keep it fresh until 1.2005 s
  // and reach 1.204 s: ttl_s plus two queries.
  Scenario s = hand_built();
  at(s, 0.081, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 0.1, ScriptedEvent::Kind::kViewBurst, 1);
  for (int k = 0; k < 50; ++k)
    at(s, (1005 + 10 * k) / 1000.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = testing::run(s);
  EXPECT_EQ(r.page_views, 51u);
  EXPECT_EQ(r.db_reads_by_page_views, 2u); // the cold read and one re-read
  // Stale: the views at 1.005 ... 1.205 s (21); the cold view at 0.1 s
  // arrived before post 1 committed, so it owes the user nothing.
  EXPECT_EQ(r.stale_reads, 21u);
  EXPECT_NEAR(r.max_staleness_s, 1.104, 1e-9);
}

TEST(StaleWhileRevalidate, WithoutATtlItIsNaive) {
  auto report = [](const char *strategy) {
    auto s = load_scenario("builtin:frontpage", {std::string("strategy.name=") + strategy});
    EXPECT_TRUE(s) << s.error;
    Simulation sim(*s.value);
    sim.run();
    auto j = report_to_json(sim.report());
    j.erase("strategy");
    j.erase("engine");
    return j.dump();
  };
  EXPECT_EQ(report("stale_while_revalidate"), report("naive"));
}

TEST(StaleWhileRevalidate, NoViewWaitsForAnExpiry) {
  // The front page with pages fresh for 2 s: naive with that TTL makes every
  // view after an expiry wait for the database; here none does.
  auto run = [](const char *strategy) {
    auto s = load_scenario("builtin:frontpage",
                           {std::string("strategy.name=") + strategy, "strategy.ttl_s=2"});
    EXPECT_TRUE(s) << s.error;
    Simulation sim(*s.value);
    sim.run();
    return sim.report();
  };
  const Report naive = run("naive");
  const Report swr = run("stale_while_revalidate");
  EXPECT_GT(naive.page_view_latency.p99, 50);
  EXPECT_LT(swr.page_view_latency.p99, 5);
  EXPECT_EQ(swr.redundant_db_reads, 0u);
  EXPECT_EQ(swr.cache_hit_ratio, 1.0);
  // ttl_s (2 s) + one query (0.05 s) + the wait for the first view after an
  // expiry (views arrive 200 a second) + a cache round trip.
  EXPECT_LT(swr.max_staleness_s, 2.1);
}

} // namespace
} // namespace stampede
