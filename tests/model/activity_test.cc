// The activity records an observer gets for what is in flight (the GUI's
// diagram draws requests by them): one view under naive on a cold cache, by
// hand. Derivation: the view arrives at 1 s; no CPU time; the get misses
// after the 0.5 ms round trip; the page query runs at once (16 free
// connections) for 100 ms; the fill's set takes another 0.5 ms; then the
// worker is free. Every record begins where the previous one ended.
#include <gtest/gtest.h>

#include <vector>

#include "hand_built.h"

namespace stampede {
namespace {

struct Activities final : Observer {
  std::vector<ActivityRecord> seen;
  void on_activity(const ActivityRecord &a) override { seen.push_back(a); }
};

TEST(Activity, AMissIsCpuGetQuerySetDone) {
  Scenario s = testing::hand_built("naive", /*warm=*/false);
  testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 1);
  Simulation sim(s);
  Activities obs;
  sim.set_observer(&obs);
  sim.run();
  const Time t0 = kSecond;
  const Time rtt = seconds_to_ns(0.0005), query = seconds_to_ns(0.1);
  ASSERT_EQ(obs.seen.size(), 5u);
  const std::vector<Activity> kinds = {Activity::kCpu, Activity::kCacheCall, Activity::kDbRunning,
                                       Activity::kCacheCall, Activity::kDone};
  const std::vector<Op> ops = {Op::kNone, Op::kCacheGet, Op::kDbRead, Op::kCacheSet, Op::kNone};
  const std::vector<Time> from = {t0, t0, t0 + rtt, t0 + rtt + query, t0 + 2 * rtt + query};
  const std::vector<Time> until = {t0, t0 + rtt, t0 + rtt + query, t0 + 2 * rtt + query,
                                   t0 + 2 * rtt + query};
  for (std::size_t i = 0; i < obs.seen.size(); ++i) {
    const ActivityRecord &a = obs.seen[i];
    EXPECT_EQ(a.activity, kinds[i]) << i;
    EXPECT_EQ(a.op, ops[i]) << i;
    EXPECT_EQ(a.from, from[i]) << i;
    EXPECT_EQ(a.until, until[i]) << i;
    EXPECT_EQ(a.serial, obs.seen[0].serial) << i;
    EXPECT_EQ(a.arrival, t0) << i;
    EXPECT_FALSE(a.submit);
  }
  EXPECT_EQ(obs.seen[1].node, 0);
}

TEST(Activity, AQueryThatWaitsIsQueuedThenRunning) {
  // One connection, two simultaneous submits: the second insert waits 20 ms
  // for the first (until unknown while queued), then runs 20 ms.
  Scenario s = testing::hand_built("none", /*warm=*/false);
  s.db.connections = 1;
  testing::at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 2);
  Simulation sim(s);
  Activities obs;
  sim.set_observer(&obs);
  sim.run();
  std::vector<ActivityRecord> db;
  for (const ActivityRecord &a : obs.seen)
    if (a.activity == Activity::kDbQueued || a.activity == Activity::kDbRunning)
      db.push_back(a);
  ASSERT_EQ(db.size(), 3u);
  const Time t0 = kSecond, insert = seconds_to_ns(0.02);
  EXPECT_EQ(db[0].activity, Activity::kDbRunning);
  EXPECT_EQ(db[1].activity, Activity::kDbQueued);
  EXPECT_EQ(db[1].from, t0);
  EXPECT_EQ(db[1].until, -1);
  EXPECT_EQ(db[2].activity, Activity::kDbRunning);
  EXPECT_EQ(db[2].serial, db[1].serial);
  EXPECT_EQ(db[2].from, t0 + insert);
  EXPECT_EQ(db[2].until, t0 + 2 * insert);
  EXPECT_EQ(db[2].op, Op::kDbInsert);
}

} // namespace
} // namespace stampede
