// What caused an anomaly, as the observer is told (AnomalyRecord's post,
// cause and snapshot): the facts the window's "follow one request" puts in
// words. The same hand-built runs as anomaly_test.cc, with the derivations.
#include <gtest/gtest.h>

#include <vector>

#include "hand_built.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace {

using testing::at;
using testing::hand_built;

struct Seen final : Observer {
  std::vector<AnomalyRecord> anomalies;
  std::vector<ActivityRecord> cpu; // each request's first activity: its serial and arrival
  void on_anomaly(const AnomalyRecord &a) override { anomalies.push_back(a); }
  void on_activity(const ActivityRecord &a) override {
    if (a.activity == Activity::kCpu)
      cpu.push_back(a);
  }
};

Seen watch(const Scenario &s) {
  Simulation sim(s);
  Seen seen;
  sim.set_observer(&seen);
  sim.run();
  return seen;
}

TEST(AnomalyCause, NaiveServesTheWarmUpsPage) {
  // Post 1 commits at 1.02 s; the view at 2 s gets the page the warm-up
  // stored (no request stored it, no query built it).
  Scenario s = hand_built("naive", /*warm=*/true);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Seen seen = watch(s);
  ASSERT_EQ(seen.anomalies.size(), 1u);
  const AnomalyRecord &a = seen.anomalies[0];
  EXPECT_EQ(a.kind, AnomalyKind::kStaleRead);
  EXPECT_EQ(a.post, 1u);
  EXPECT_EQ(a.post_committed_at, seconds_to_ns(1.02));
  EXPECT_EQ(a.cause_serial, kNoSerial);
  EXPECT_EQ(a.cause_at, -1);
  EXPECT_EQ(a.snapshot_at, -1);
}

TEST(AnomalyCause, TheStaleSetNamesTheFillThatStoredTheOldPage) {
  // The view at 0.5 s misses; its query snapshots the empty page at 0.5005 s
  // and its fill sets it at 0.6005 s, after the submit of 0.51 s committed
  // post 1 (0.53 s) and deleted the key. The view at 1 s hits that page: the
  // cause is the first view's set at 0.6005 s, from its 0.5005 s snapshot.
  Scenario s = hand_built("clear", /*warm=*/false);
  at(s, 0.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 0.51, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Seen seen = watch(s);
  ASSERT_EQ(seen.anomalies.size(), 1u);
  ASSERT_EQ(seen.cpu.size(), 3u);
  const AnomalyRecord &a = seen.anomalies[0];
  EXPECT_EQ(a.kind, AnomalyKind::kStaleRead);
  EXPECT_EQ(a.serial, seen.cpu[2].serial);
  EXPECT_EQ(a.post, 1u);
  EXPECT_EQ(a.post_committed_at, seconds_to_ns(0.53));
  EXPECT_EQ(a.cause_serial, seen.cpu[0].serial);
  EXPECT_EQ(a.cause_at, seconds_to_ns(0.6005));
  EXPECT_EQ(a.snapshot_at, seconds_to_ns(0.5005));
}

TEST(AnomalyCause, EveryLostUpdateAndCasConflictNamesItsWrite) {
  // builtin:lost-updates: concurrent submits under update (lost updates) and
  // update+cas (conflicts). Each names a post that committed before the
  // anomaly, and a write issued before it by another request.
  for (const char *strategy : {"update", "update+cas"}) {
    const auto loaded = load_scenario("builtin:lost-updates", {"duration_s=20"});
    ASSERT_TRUE(loaded) << loaded.error;
    Scenario s = *loaded.value;
    s.strategy = with_strategy(s.strategy, strategy);
    const Seen seen = watch(s);
    int checked = 0;
    for (const AnomalyRecord &a : seen.anomalies) {
      if (a.kind == AnomalyKind::kLostUpdate) {
        EXPECT_NE(a.post, 0u);
        EXPECT_GE(a.post_committed_at, 0);
        EXPECT_LE(a.post_committed_at, a.at);
      } else if (a.kind != AnomalyKind::kCasConflict) {
        continue;
      }
      EXPECT_NE(a.cause_serial, kNoSerial) << strategy;
      EXPECT_GE(a.cause_at, 0);
      EXPECT_LE(a.cause_at, a.at);
      if (a.kind == AnomalyKind::kCasConflict) {
        EXPECT_NE(a.cause_serial, a.serial) << "a conflict is another request's write";
      }
      ++checked;
    }
    EXPECT_GT(checked, 0) << strategy << ": no lost update or CAS conflict to check";
  }
}

} // namespace
} // namespace stampede
