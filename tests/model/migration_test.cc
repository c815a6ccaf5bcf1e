// A migration to a new memcached tier (migrate_cache, retire_old_cache,
// cache.fallback, cache.delete_holdoff_s), as the course's pymemcache
// tutorial warms a cold cache with FallbackClient and Facebook warms a cold
// cluster (Nishtala et al., NSDI 2013, section 4.3), on hand-built stacks
// (hand_built.h: page queries 100 ms, inserts 20 ms, cache round trip 0.5 ms).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "hand_built.h"
#include "stampede/memcached_node.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

using testing::at;
using testing::hand_built;
using testing::run;

struct Seen final : Observer {
  std::vector<AnomalyRecord> anomalies;
  std::vector<CallRecord> calls;
  void on_anomaly(const AnomalyRecord &a) override { anomalies.push_back(a); }
  void on_call(const CallRecord &c) override { calls.push_back(c); }
};

// One key cached (warm) on the old tier; at 1 s a new, empty tier of one
// node takes over.
Scenario migrating(bool fallback, double holdoff_s = 0) {
  Scenario s = hand_built("clear", /*warm=*/true);
  s.cache.fallback = fallback;
  s.cache.delete_holdoff_s = holdoff_s;
  at(s, 1.0, ScriptedEvent::Kind::kMigrateCache, 1);
  return s;
}

TEST(Migration, WithoutAFallbackTheNewTierStartsCold) {
  // The view at 1.5 s misses the empty new tier and reads the database; its
  // fill goes to the new tier, where the view at 1.7 s finds it.
  Scenario s = migrating(false);
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.7, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_EQ(r.cache_hits, 1u);
  EXPECT_EQ(r.fallback_gets, 0u);
}

TEST(Migration, AFallbackReadsTheOldTierAndCopiesItsHitIntoTheNew) {
  // 1.5 s: a miss in the new tier, then a hit in the old (two round trips,
  // 1 ms), copied into the new tier with add; 1.7 s: a hit in the new tier.
  Scenario s = migrating(true);
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.7, ScriptedEvent::Kind::kViewBurst, 1);
  Seen seen;
  Simulation sim(s);
  sim.set_observer(&seen);
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(r.db_reads, 0u);
  EXPECT_EQ(r.cache_gets, 2u); // the new tier's
  EXPECT_EQ(r.cache_hits, 1u);
  EXPECT_EQ(r.fallback_gets, 1u);
  EXPECT_EQ(r.fallback_hits, 1u);
  EXPECT_EQ(r.cache_sets, 1u); // the copy
  EXPECT_NEAR(r.page_view_latency.max, 1.0, 1e-6);
  // The calls, in order: the new tier's miss, the old tier's hit (a node
  // past the new tier's), the copy's add, then the second view's hit.
  ASSERT_EQ(seen.calls.size(), 4u);
  EXPECT_EQ(seen.calls[0].op, Op::kCacheGet);
  EXPECT_FALSE(seen.calls[0].hit);
  EXPECT_EQ(seen.calls[1].op, Op::kCacheGetOld);
  EXPECT_TRUE(seen.calls[1].hit);
  EXPECT_EQ(seen.calls[1].node, 1);
  EXPECT_EQ(seen.calls[2].op, Op::kCacheAdd);
  EXPECT_EQ(seen.calls[2].status, McStatus::kStored);
  EXPECT_EQ(seen.calls[3].op, Op::kCacheGet);
  EXPECT_TRUE(seen.calls[3].hit);
}

TEST(Migration, ARetiredOldTierIsNoLongerRead) {
  Scenario s = migrating(true);
  at(s, 1.2, ScriptedEvent::Kind::kRetireOldCache, 0);
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.fallback_gets, 0u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
}

TEST(Migration, TheStateShowsBothTiersWhileTheyCoexist) {
  Scenario s = migrating(true);
  at(s, 3.0, ScriptedEvent::Kind::kRetireOldCache, 0);
  Simulation sim(s);
  sim.run_until(seconds_to_ns(2.0));
  StackState st = sim.state();
  EXPECT_EQ(st.cache_items.size(), 1u);
  ASSERT_EQ(st.old_cache_items.size(), 1u);
  EXPECT_EQ(st.old_cache_items[0], 1u); // the warm page
  EXPECT_EQ(st.cache_items[0], 0u);
  sim.run();
  EXPECT_TRUE(sim.state().old_cache_items.empty());
  // Live, as the window's buttons do.
  Simulation live(hand_built("clear", true));
  EXPECT_FALSE(live.retire_old_cache());
  EXPECT_TRUE(live.migrate_cache(2));
  EXPECT_FALSE(live.migrate_cache(2)); // one at a time
  EXPECT_EQ(live.state().cache_items.size(), 2u);
  EXPECT_TRUE(live.retire_old_cache());
}

TEST(Migration, ADeleteReachesBothTiersOneRoundTripApart) {
  // The submit at 1.5 s commits at 1.52 s and deletes: the new tier's call,
  // then the old tier's; the view at 1.6 s misses both and reads the
  // database (not the old page).
  Scenario s = migrating(true);
  at(s, 1.5, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.6, ScriptedEvent::Kind::kViewBurst, 1);
  Seen seen;
  Simulation sim(s);
  sim.set_observer(&seen);
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(r.cache_deletes, 1u);
  EXPECT_EQ(r.fallback_gets, 1u);
  EXPECT_EQ(r.fallback_hits, 0u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_EQ(r.stale_reads, 0u);
  std::vector<CallRecord> deletes;
  for (const CallRecord &c : seen.calls)
    if (c.op == Op::kCacheDelete)
      deletes.push_back(c);
  ASSERT_EQ(deletes.size(), 2u);
  EXPECT_EQ(deletes[0].node, 0); // the new tier's node
  EXPECT_EQ(deletes[1].node, 1); // the old tier's, numbered after it
  EXPECT_EQ(deletes[1].issue - deletes[0].issue, seconds_to_ns(0.0005));
}

// The race the paper names: the submit at 2.0 s commits post 1 at 2.02 s and
// deletes it from the new tier then, from the old at 2.0205 s. The view that
// arrived at 2.0197 s missed the new tier, read the old page at 2.0202 s
// (before the old tier's delete) and adds it to the new tier at 2.0207 s
// (after the new tier's): the view at 2.5 s is served that copy.
Scenario copy_race(double holdoff_s) {
  Scenario s = migrating(true, holdoff_s);
  at(s, 2.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 2.0197, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 2.5, ScriptedEvent::Kind::kViewBurst, 1);
  return s;
}

TEST(Migration, ACopyFromTheOldTierCanOutliveADelete) {
  Seen seen;
  Simulation sim(copy_race(0));
  sim.set_observer(&seen);
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(r.stale_reads, 1u);
  EXPECT_EQ(r.db_reads_by_page_views, 0u);
  ASSERT_EQ(seen.anomalies.size(), 1u);
  const AnomalyRecord &a = seen.anomalies[0];
  EXPECT_EQ(a.kind, AnomalyKind::kStaleRead);
  EXPECT_EQ(a.serial, 2u);
  EXPECT_TRUE(a.from_old_tier);
  EXPECT_EQ(a.cause_serial, 1u); // the view whose fallback copied it
  EXPECT_EQ(a.cause_at, seconds_to_ns(2.0207));
  EXPECT_EQ(a.outlived_delete, 0u); // the submit
  EXPECT_EQ(a.outlived_delete_at, seconds_to_ns(2.02));
}

TEST(Migration, TheDeletesHoldOffMakesTheCopysAddFail) {
  // md KEY I T2 where the key was (the old tier), an empty placeholder for
  // 2 s where it was not (the new tier): the copy's add is refused, and the
  // view at 2.5 s misses both and reads the database.
  Seen seen;
  Simulation sim(copy_race(2));
  sim.set_observer(&seen);
  sim.run();
  const Report r = sim.report();
  EXPECT_EQ(r.stale_reads, 0u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  bool refused = false;
  for (const CallRecord &c : seen.calls)
    refused |= c.op == Op::kCacheAdd && c.status == McStatus::kNotStored;
  EXPECT_TRUE(refused);
}

TEST(Migration, ALeaseHolderFallsBackAndFillsWithItsToken) {
  // lease: the view at 1.5 s wins the new tier's miss, finds the page in the
  // old tier and copies it with a cas against its token; 1.7 s hits it.
  Scenario s = migrating(true);
  s.strategy.name = "lease";
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.7, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.db_reads, 0u);
  EXPECT_EQ(r.fallback_hits, 1u);
  EXPECT_EQ(r.cache_hits, 1u);
  EXPECT_EQ(r.lease_refusals, 0u);
}

TEST(Migration, ALeaseTokenClosesTheCopysRaceWithoutAHoldOff) {
  // The copy race of copy_race(), under lease: the submit's invalidation
  // (md I) reaches the new tier's placeholder between the old tier's read
  // and the copy, so the copy's cas is refused and nothing stale stays.
  Scenario s = copy_race(0);
  s.strategy.name = "lease";
  Seen seen;
  Simulation sim(s);
  sim.set_observer(&seen);
  sim.run();
  EXPECT_EQ(sim.report().stale_reads, 0u);
  bool refused = false;
  for (const CallRecord &c : seen.calls)
    refused |= c.op == Op::kCacheLeaseSet && c.status != McStatus::kStored;
  EXPECT_TRUE(refused);
}

TEST(Migration, ASetOverwritesTheHoldOff) {
  // The hold-off refuses add, not set: clear's fill after the view's own
  // query (1.6-1.7 s) is stored, and the view at 1.8 s hits it.
  Scenario s = migrating(true, 2);
  at(s, 1.5, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.6, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 1.8, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_EQ(r.cache_hits, 1u);
  EXPECT_EQ(r.stale_reads, 0u);
}

// A strategy that reads the old tier itself (no cache.fallback), and what it heard.
struct ByHand final : Strategy {
  static inline int hits = 0;
  static inline std::vector<Op> ops;
  void view(Context &ctx, Request &r) override {
    r.step = 1;
    ctx.cache_get_old(r);
  }
  void submit(Context &ctx, Request &r) override { ctx.respond(r); }
  void resume(Context &ctx, Request &r, const Reply &reply) override {
    hits += reply.hit;
    ops.push_back(reply.op);
    ctx.respond(r);
  }
};

TEST(Migration, GetOldReadsTheOldTierForAStrategyThatFallsBackByHand) {
  // With no migration under way the call is a miss.
  StrategyRegistry registry;
  registry.add(
      "by_hand",
      [](const StrategyConfig &) -> std::unique_ptr<Strategy> {
        return std::make_unique<ByHand>();
      },
      "reads the old tier");
  Scenario s = migrating(false);
  s.strategy.name = "by_hand";
  at(s, 0.5, ScriptedEvent::Kind::kViewBurst, 1); // before the migration: no old tier
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 1);
  ByHand::hits = 0;
  ByHand::ops.clear();
  Simulation sim(s, registry);
  sim.run();
  EXPECT_EQ(ByHand::hits, 1);
  EXPECT_EQ(ByHand::ops, (std::vector<Op>{Op::kCacheGetOld, Op::kCacheGetOld}));
  EXPECT_EQ(sim.report().fallback_gets, 1u);
}

TEST(Migration, TheNodeHoldsADeletedKeyOffAsMemcachedDoes) {
  // memcached 1.6.18: after `md k I T2` a get still returns the item (the
  // clients read with mg and take its X flag for a miss), an add is
  // NOT_STORED, and 2 s later the key is gone.
  MemcachedNode node{McConfig{}};
  const std::int64_t t = kEpochUnixS;
  ASSERT_EQ(node.store(StoreMode::kSet, "k", 0, 0, "v1", 0, t), McStatus::kStored);
  EXPECT_EQ(node.meta_delete("k", false, 0, true, true, t + 2, t), McStatus::kDeleted);
  McItemView item;
  ASSERT_TRUE(node.get("k", t, &item));
  EXPECT_TRUE(item.stale);
  EXPECT_EQ(node.store(StoreMode::kAdd, "k", 0, 0, "v2", 0, t + 1), McStatus::kNotStored);
  EXPECT_FALSE(node.get("k", t + 3, &item));
  EXPECT_EQ(node.store(StoreMode::kAdd, "k", 0, 0, "v3", 0, t + 3), McStatus::kStored);
  // A key that is absent is not found, and nothing is kept.
  EXPECT_EQ(node.meta_delete("absent", false, 0, true, true, t + 2, t), McStatus::kNotFound);
  EXPECT_EQ(node.store(StoreMode::kAdd, "absent", 0, 0, "v", 0, t), McStatus::kStored);
}

} // namespace
} // namespace stampede
