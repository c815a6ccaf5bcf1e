// `early` (SPEC section 3, beyond the lecture): probabilistic early
// recomputation on top of naive with a TTL.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hand_built.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

Report run(const char *scenario, std::vector<std::string> overrides) {
  auto s = load_scenario(scenario, overrides);
  EXPECT_TRUE(s) << s.error;
  Simulation sim(*s.value);
  sim.run();
  return sim.report();
}

std::string without_label(const Report &r) {
  auto j = report_to_json(r);
  j.erase("strategy");
  j.erase("engine");
  return j.dump();
}

TEST(Early, WithoutATtlItIsNaive) {
  // Pages that never expire are never recomputed early.
  const Report early = run("builtin:frontpage", {"strategy.name=early"});
  const Report naive = run("builtin:frontpage", {"strategy.name=naive"});
  EXPECT_EQ(early.strategy, "early");
  EXPECT_EQ(without_label(early), without_label(naive));
}

TEST(Early, RecomputingBeforeExpiryKeepsViewsOffTheDatabase) {
  // builtin:frontpage with a 2 s TTL. naive: every expiry, the views that
  // miss all query the database. early: a view that hits shortly before the
  // expiry refreshes the page, so nearly every view hits.
  const Report naive = run("builtin:frontpage", {"strategy.name=naive", "strategy.ttl_s=2"});
  const Report early = run("builtin:frontpage", {"strategy.name=early", "strategy.ttl_s=2"});
  EXPECT_LT(naive.cache_hit_ratio, 0.98);
  EXPECT_GT(early.cache_hit_ratio, 0.995);
  EXPECT_LT(early.db_reads_by_page_views * 3, naive.db_reads_by_page_views * 2);
  EXPECT_LT(early.redundant_db_reads * 2, naive.redundant_db_reads);
  // Submits still only insert: the TTL bounds staleness as under naive.
  EXPECT_LT(early.max_staleness_s, 2.0);
  EXPECT_EQ(early.db_reads_by_submits, 0u);
}

TEST(Early, FarFromExpiryAViewNeverRecomputes) {
  // One server, a warm cache with a 2 s TTL: the page expires at 2 s. A view
  // at 2.5 s misses and refills it (one query of 100 ms: now delta is known),
  // so it expires at 4 s. Views at 2.7 s are 1.3 s (13 deltas) from expiry:
  // each recomputes with probability e^-13, so none does.
  Scenario s = testing::hand_built("early", /*warm=*/true);
  s.strategy.ttl_s = 2;
  s.duration_s = 3;
  s.events.push_back(ScriptedEvent{seconds_to_ns(2.5), ScriptedEvent::Kind::kViewBurst, 1});
  s.events.push_back(ScriptedEvent{seconds_to_ns(2.7), ScriptedEvent::Kind::kViewBurst, 50});
  Simulation sim(s);
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(r.page_views, 51u);
  EXPECT_EQ(r.cache_misses, 1u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
}

} // namespace
} // namespace stampede
