// RunControl's live app servers (issue 12, item 3): Add app server joins one
// to the balancer's pool, Remove app server takes the newest out, the last
// one stays; each says what it did in the next snapshot. And its live
// memcached tiers: Migrate to a new tier and Retire old tier, and a
// migration's old tier as the snapshots and a followed request show it.
#include <gtest/gtest.h>

#include <algorithm>

#include "../model/hand_built.h"
#include "worker/run_control.h"

namespace stampede::gui {
namespace {

TEST(RunControlServers, AddAndRemoveSayWhatTheyDid) {
  RunControl rc(stampede::testing::hand_built("clear", /*warm=*/true, /*servers=*/2));
  rc.add_server();
  Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.stack.busy_workers.size(), 3u);
  EXPECT_EQ(s.stack.app_in_pool, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(s.message, "app server 2 joined the balancer's pool");

  rc.remove_server();
  s = rc.take_snapshot();
  EXPECT_EQ(s.stack.app_in_pool, (std::vector<bool>{true, true, false}));
  EXPECT_NE(s.message.find("app server 2 left the balancer's pool"), std::string::npos);
  rc.remove_server();
  rc.take_snapshot();
  rc.remove_server(); // server 0 is the last in the pool
  s = rc.take_snapshot();
  EXPECT_EQ(s.stack.app_in_pool, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(s.message, "Remove app server: the last app server in the pool stays");
}

// Step names the event it ran (issue 12, item 2): the clock's own events
// (an interval's end) say so; a request's say what happened to it.
TEST(RunControlStep, SaysWhatRan) {
  Scenario s = stampede::testing::hand_built("clear", /*warm=*/true);
  stampede::testing::at(s, 0.5, ScriptedEvent::Kind::kViewBurst, 1);
  RunControl rc(s);
  rc.step();
  EXPECT_EQ(rc.take_snapshot().message.rfind("Step: an event at 0.0", 0), 0u);
  std::string said;
  for (int i = 0; i < 1000 && said.rfind("Step: req #", 0) != 0; ++i) {
    rc.step();
    said = rc.take_snapshot().message;
  }
  EXPECT_EQ(said, "Step: req #0: page view arrives at 0.5000 s; CPU on app 0 (0.0 ms) at 0.5000 s");
  // Following it, each Step runs to its next event.
  rc.follow(0);
  rc.step();
  EXPECT_EQ(rc.take_snapshot().message, "Step: req #0: cache get to memcached 0 at 0.5000 s");
  rc.step();
  const Snapshot after = rc.take_snapshot();
  EXPECT_EQ(after.message, "Step: req #0: cache get -> hit at 0.5005 s; answered after 0.5 ms at "
                           "0.5005 s; lets go of its worker at 0.5005 s");
  EXPECT_EQ(after.followed, 0u);
  EXPECT_TRUE(after.timeline_done);
  EXPECT_EQ(after.timeline.size(), 5u);
}

TEST(RunControlTiers, MigrateAndRetireReachTheModelAndSayWhatTheyDid) {
  // One warm page on one node: the migration's new tier of 2 nodes is
  // empty, the old tier (the one node) keeps the page until it is retired.
  RunControl rc(stampede::testing::hand_built("clear", /*warm=*/true));
  rc.retire_old_cache();
  Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.message, "Retire old tier: no migration is under way");
  rc.migrate_cache(2);
  s = rc.take_snapshot();
  EXPECT_EQ(s.stack.cache_items, (std::vector<std::uint64_t>{0, 0}));
  EXPECT_EQ(s.stack.old_cache_items, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(s.message, "a new, empty tier of 2 memcached nodes took over; the old tier (1 "
                       "memcached node) gets deletes but no gets (cache.fallback is off) until "
                       "Retire old tier");
  rc.migrate_cache(2); // one at a time
  s = rc.take_snapshot();
  EXPECT_EQ(s.message, "Migrate: a migration is already under way; Retire old tier ends it");
  EXPECT_EQ(s.stack.cache_items.size(), 2u);
  rc.retire_old_cache();
  s = rc.take_snapshot();
  EXPECT_TRUE(s.stack.old_cache_items.empty());
  EXPECT_EQ(s.stack.cache_items.size(), 2u);
  EXPECT_EQ(s.message, "the old tier's 1 memcached node is retired: the new tier serves alone");
}

TEST(RunControlTiers, TheServersOwnCachesHaveNoTierToMigrate) {
  Scenario sc = stampede::testing::hand_built("clear", /*warm=*/true);
  sc.app.local_cache = true;
  RunControl rc(sc);
  rc.migrate_cache(1);
  const Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.message,
            "Migrate: the app servers cache locally, there is no memcached tier to migrate");
  EXPECT_TRUE(s.stack.old_cache_items.empty());
}

/// The migration's race (follow_test.cc, copy_race): view 1, arrived at
/// 2.0197 s, misses the new tier (one node), reads the old tier's page at
/// 2.0202-2.0207 s and copies it into the new tier. Serials: the submit at
/// 2.0 s is 0, view 1 is 1.
Scenario copy_race() {
  Scenario s = stampede::testing::hand_built("clear", /*warm=*/true);
  s.cache.fallback = true;
  stampede::testing::at(s, 1.0, ScriptedEvent::Kind::kMigrateCache, 1);
  stampede::testing::at(s, 2.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  stampede::testing::at(s, 2.0197, ScriptedEvent::Kind::kViewBurst, 1);
  stampede::testing::at(s, 2.5, ScriptedEvent::Kind::kViewBurst, 1);
  return s;
}

// Runs as fast as it goes until paused at `t`.
Snapshot run_to(RunControl &rc, double t_s) {
  rc.pause_at(seconds_to_ns(t_s));
  rc.set_speed(0);
  rc.play();
  for (int guard = 0; rc.running() && guard < 100000; ++guard)
    rc.advance(0.016, 0.002);
  return rc.take_snapshot();
}

TEST(RunControlTiers, AnOldTiersGetIsInFlightToItsNodeWithItsOutcome) {
  // At 2.0204 s view 1's get to the old tier is on its way: node 1 (the
  // new tier's one node is 0), a hit, shaded so on its way back.
  RunControl rc(copy_race());
  const Snapshot s = run_to(rc, 2.0204);
  ASSERT_EQ(s.now, seconds_to_ns(2.0204));
  ASSERT_EQ(s.stack.cache_items.size(), 1u);
  ASSERT_EQ(s.stack.old_cache_items.size(), 1u);
  const auto call = std::find_if(s.in_flight.begin(), s.in_flight.end(),
                                 [](const InFlight &f) { return f.serial == 1; });
  ASSERT_NE(call, s.in_flight.end());
  EXPECT_EQ(call->activity, Activity::kCacheCall);
  EXPECT_EQ(call->op, Op::kCacheGetOld);
  EXPECT_EQ(call->node, 1);
  EXPECT_EQ(call->from, seconds_to_ns(2.0202));
  EXPECT_EQ(call->until, seconds_to_ns(2.0207));
  EXPECT_EQ(call->shade, Shade::kHit);
}

TEST(RunControlTiers, AFollowedRequestNamesTheOldTiersNode) {
  // Followed live from before it arrives: its calls name the tier they go
  // to, as the tiers stand when each is made.
  RunControl rc(copy_race());
  run_to(rc, 2.0);
  rc.follow(1);
  run_to(rc, 3.0);
  const Snapshot s = rc.take_snapshot();
  ASSERT_EQ(s.followed, 1u);
  std::vector<std::string> words;
  for (const TimelineEntry &e : s.timeline)
    words.push_back(e.what);
  const std::vector<std::string> want = {
      "page view arrives",
      "CPU on app 0 (0.0 ms)",
      "cache get to memcached 0 -> miss",
      "cache get old to old memcached 0 -> hit",
      "copies the old tier's page to memcached 0 with cache add -> STORED",
      "answered after 1.0 ms",
      "lets go of its worker"};
  EXPECT_EQ(words, want);
}

} // namespace
} // namespace stampede::gui
