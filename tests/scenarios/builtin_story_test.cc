// Each built-in scenario isolates one phenomenon; these tests hold it to it.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

Report run(const std::string &spec, const std::vector<std::string> &overrides = {}) {
  const auto s = load_scenario(spec, overrides);
  EXPECT_TRUE(s) << s.error;
  Simulation sim(*s.value);
  sim.run();
  return sim.report();
}

TEST(BuiltinStampede, EverySubmitSetsOffOneStampedeOfAboutAHundredReads) {
  // Five scripted submits; each delete leaves the 200 ms query window open to
  // 500 views/s: about 100 views miss and query at once.
  const Report r = run("builtin:stampede");
  EXPECT_EQ(r.submits, 5u);
  EXPECT_EQ(r.stampedes, 5u);
  EXPECT_GT(r.redundant_db_reads, 5u * 70);
  EXPECT_GT(r.peak_concurrent_same_key, 70u);
  // refresh on the same load: no stampede at all.
  const Report refresh = run("builtin:stampede", {"strategy.name=refresh"});
  EXPECT_EQ(refresh.stampedes, 0u);
  EXPECT_EQ(refresh.redundant_db_reads, 0u);
}

TEST(BuiltinLostUpdates, UpdateLosesSevenOfEachBurstOfEightAndCasLosesNone) {
  // Eight simultaneous submits read the same page and each writes back only its
  // own post: of the eight posts, one survives.
  const Report update = run("builtin:lost-updates");
  EXPECT_EQ(update.submits, 32u);
  EXPECT_EQ(update.lost_updates, 4u * 7);
  const Report cas = run("builtin:lost-updates", {"strategy.name=update+cas"});
  EXPECT_EQ(cas.lost_updates, 0u);
  EXPECT_GT(cas.cas_conflicts, 0u);
  EXPECT_LT(cas.max_staleness_s, 0.01);
}

TEST(BuiltinRefreshRace, RefreshLosesUpdatesOnlyWhenQueryTimesVary) {
  // The same bursts as lost-updates. With every query 50 ms, re-reads finish
  // in the order they began and refresh loses nothing; with exponential query
  // times an older re-read can set last, and posts go missing until the next
  // burst. update+cas and clear lose none.
  EXPECT_EQ(run("builtin:lost-updates", {"strategy.name=refresh"}).lost_updates, 0u);
  const Report refresh = run("builtin:refresh-race");
  EXPECT_EQ(refresh.strategy, "refresh");
  EXPECT_EQ(refresh.submits, 72u);
  EXPECT_GT(refresh.lost_updates, 10u);
  EXPECT_GT(refresh.max_staleness_s, 1.0);
  const Report cas = run("builtin:refresh-race", {"strategy.name=update+cas"});
  EXPECT_EQ(cas.lost_updates, 0u);
  EXPECT_GT(cas.cas_conflicts, 0u);
  EXPECT_EQ(run("builtin:refresh-race", {"strategy.name=clear"}).lost_updates, 0u);
}

TEST(BuiltinLocalCaches, ClearOnOneServerLeavesTheOthersStale) {
  // Four dictionaries; a submit clears one of them. Roughly three views in
  // four after a submit come from a server whose copy is old.
  const Report local = run("builtin:local-caches");
  EXPECT_GT(local.stale_read_ratio, 0.5);
  EXPECT_GT(local.max_staleness_s, 2.0);
  // The same stack sharing one memcached: staleness is brief.
  const Report shared = run("builtin:local-caches", {"app.local_cache=false"});
  EXPECT_LT(shared.stale_read_ratio * 10, local.stale_read_ratio);
}

TEST(BuiltinManyKeys, SmallNodesEvictAndACrashCostsHits) {
  const Report r = run("builtin:many-keys");
  EXPECT_GT(r.cache_evictions, 1000u);
  EXPECT_GT(r.cache_hit_ratio, 0.3);
  EXPECT_LT(r.cache_hit_ratio, 0.95);
}

TEST(BuiltinMigrate, AFallbackTakesTheHerdAwayAndAHoldOffTheStaleAdds) {
  // The new tier starts cold: its first second brings the database a herd.
  const Report cold = run("builtin:migrate");
  // FallbackClient((new, old)): the old tier answers the new tier's misses.
  const Report fallback = run("builtin:migrate", {"cache.fallback=true"});
  EXPECT_GT(cold.db_peak_reads_per_s, 5 * fallback.db_peak_reads_per_s);
  EXPECT_EQ(cold.fallback_gets, 0u);
  EXPECT_GT(fallback.fallback_hits, 1000u);
  // Adds that outlive a delete (a fill's, or a copy from the old tier) leave
  // stale pages; a two-second hold-off makes them fail.
  const Report holdoff =
      run("builtin:migrate", {"cache.fallback=true", "cache.delete_holdoff_s=2"});
  EXPECT_GT(fallback.stale_reads, 100u);
  EXPECT_EQ(holdoff.stale_reads, 0u);
}

} // namespace
} // namespace stampede
