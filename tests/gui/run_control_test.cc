// The GUI worker's Qt-free core: slices, pacing, controls and snapshots.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stampede/scenario_io.h"
#include "worker/run_control.h"

namespace stampede::gui {
namespace {

Scenario load(std::string_view spec, std::vector<std::string> overrides = {}) {
  auto s = load_scenario(spec, overrides);
  EXPECT_TRUE(s) << s.error;
  return *s.value;
}

// The report without its wall-clock fields (engine.wall_s, events_per_s).
std::string deterministic(const Report &r) {
  auto j = report_to_json(r);
  j.erase("engine");
  return j.dump();
}

// Runs to the end as fast as it goes, in slices, gathering every snapshot.
std::vector<Snapshot> run_to_end(RunControl &rc) {
  std::vector<Snapshot> out;
  rc.set_speed(0);
  rc.play();
  for (int guard = 0; rc.running() && guard < 100000; ++guard) {
    rc.advance(0.016, 0.002);
    out.push_back(rc.take_snapshot());
  }
  out.push_back(rc.take_snapshot());
  return out;
}

TEST(RunControl, StartsPausedAtZero) {
  RunControl rc(load("builtin:frontpage"));
  rc.advance(1.0, 0.01);
  const Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.now, 0);
  EXPECT_EQ(s.events, 0u);
  EXPECT_FALSE(s.running);
  EXPECT_FALSE(s.finished);
}

TEST(RunControl, SlicedRunGivesTheSameReportAsOneRun) {
  // Pausing, slicing and snapshots must not change what is simulated.
  const Scenario sc = load("builtin:frontpage", {"duration_s=20"});
  Simulation whole(sc);
  whole.run();
  RunControl rc(sc);
  rc.set_speed(1);
  rc.play();
  int slices = 0;
  while (rc.running()) {
    rc.advance(0.05, 10); // 50 ms of simulated time per slice, a snapshot after each
    rc.take_snapshot();
    ++slices;
  }
  EXPECT_EQ(slices, 400);
  const Snapshot last = rc.take_snapshot();
  ASSERT_TRUE(last.finished);
  EXPECT_EQ(deterministic(last.totals), deterministic(whole.report()));
}

TEST(RunControl, AtASetSpeedTheClockFollowsWallTime) {
  RunControl rc(load("builtin:frontpage"));
  rc.set_speed(2); // 2 simulated seconds per wall second
  rc.play();
  rc.advance(0.25, 1.0);
  EXPECT_EQ(rc.now(), seconds_to_ns(0.5));
  rc.advance(0.5, 1.0);
  EXPECT_EQ(rc.now(), seconds_to_ns(1.5));
  rc.pause();
  rc.advance(10, 1.0);
  EXPECT_EQ(rc.now(), seconds_to_ns(1.5));
}

TEST(RunControl, ASliceStopsAtItsWallBudget) {
  // R1 for an hour cannot run in 5 ms of wall time: the slice returns with
  // the clock part-way, and the next slice goes on from there.
  RunControl rc(load("builtin:r1", {"duration_s=3600"}));
  rc.set_speed(0);
  rc.play();
  const auto t0 = std::chrono::steady_clock::now();
  rc.advance(0.016, 0.005);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GT(rc.now(), 0);
  EXPECT_LT(rc.now(), seconds_to_ns(3600));
  EXPECT_TRUE(rc.running());
  std::printf("a 5 ms slice took %.2f ms and simulated %.3f s of R1\n", took * 1e3,
              ns_to_seconds(rc.now()));
  EXPECT_LT(took, 0.5); // generous: the slice is chunked to ~1 ms of work
}

TEST(RunControl, StepProcessesOneEventAndPauses) {
  RunControl rc(load("builtin:frontpage"));
  rc.play();
  rc.step();
  Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.events, 1u);
  EXPECT_FALSE(s.running);
  EXPECT_GT(s.now, 0);
  rc.step();
  EXPECT_EQ(rc.take_snapshot().events, 2u);
}

TEST(RunControl, PauseAtStopsExactlyThere) {
  RunControl rc(load("builtin:frontpage"));
  rc.pause_at(seconds_to_ns(12.5));
  auto snaps = run_to_end(rc);
  EXPECT_EQ(snaps.back().now, seconds_to_ns(12.5));
  EXPECT_FALSE(snaps.back().running);
  EXPECT_FALSE(snaps.back().finished);
  snaps = run_to_end(rc); // play again: on to the end
  EXPECT_TRUE(snaps.back().finished);
}

TEST(RunControl, IntervalsArriveOnceEach) {
  RunControl rc(load("builtin:frontpage"));
  const Time interval = RunControl::interval_for(60);
  EXPECT_EQ(interval, seconds_to_ns(0.5)); // 60 s / 240 = 0.25 -> 0.5 on the 1-2-5 steps
  std::size_t intervals = 0;
  Time last_end = 0;
  for (const Snapshot &s : run_to_end(rc))
    for (const IntervalRecord &i : s.intervals) {
      EXPECT_EQ(i.start, last_end);
      last_end = i.end;
      ++intervals;
    }
  EXPECT_EQ(intervals, 120u);
  EXPECT_EQ(last_end, seconds_to_ns(60));
}

TEST(RunControl, AnomaliesAreListedUpToACapAndMarkedPerInterval) {
  // naive: nearly every view after the first submit is stale.
  RunControl rc(load("builtin:frontpage", {"strategy.name=naive"}));
  rc.set_speed(0);
  rc.play();
  rc.advance(0.016, 10); // the whole minute in one slice
  const Snapshot s = rc.take_snapshot();
  ASSERT_TRUE(s.finished);
  EXPECT_EQ(s.anomalies.size(), Snapshot::kMaxAnomalies);
  EXPECT_EQ(s.anomalies.size() + s.anomalies_dropped, s.totals.stale_reads);
  // One marker per interval with a stale read: never more than the intervals.
  EXPECT_GT(s.markers.size(), 100u);
  EXPECT_LE(s.markers.size(), 120u);
  // The stale views' own records travel with them.
  ASSERT_FALSE(s.anomaly_requests.empty());
  EXPECT_TRUE(s.anomaly_requests.front().stale);
  EXPECT_EQ(s.anomaly_requests.front().serial, s.anomalies.front().serial);
}

TEST(RunControl, StampedeRequestsAreFoundWhenTheyFinish) {
  RunControl rc(load("builtin:stampede", {"strategy.name=clear"}));
  const auto snaps = run_to_end(rc);
  std::vector<std::uint64_t> stampede_serials, finished;
  for (const Snapshot &s : snaps) {
    for (const AnomalyRecord &a : s.anomalies)
      if (a.kind == AnomalyKind::kStampede)
        stampede_serials.push_back(a.serial);
    for (const RequestRecord &r : s.anomaly_requests)
      finished.push_back(r.serial);
  }
  ASSERT_FALSE(stampede_serials.empty());
  for (std::uint64_t serial : stampede_serials)
    EXPECT_NE(std::find(finished.begin(), finished.end(), serial), finished.end()) << serial;
}

TEST(RunControl, SwitchingStrategyKeepsTheClockAndRestartKeepsTheChoice) {
  RunControl rc(load("builtin:frontpage"));
  rc.pause_at(seconds_to_ns(10));
  run_to_end(rc);
  const std::uint64_t generation = rc.take_snapshot().generation;
  rc.switch_strategy("update+cas");
  Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.stack.strategy, "update+cas");
  EXPECT_EQ(s.now, seconds_to_ns(10));
  EXPECT_EQ(s.generation, generation);
  EXPECT_EQ(s.message, "strategy: update+cas");
  rc.restart(7);
  s = rc.take_snapshot();
  EXPECT_EQ(s.now, 0);
  EXPECT_NE(s.generation, generation);
  EXPECT_EQ(s.stack.strategy, "update+cas");
  EXPECT_EQ(s.totals.seed, 7u);
}

TEST(RunControl, AnUnknownStrategyIsAMessageNotACrash) {
  RunControl rc(load("builtin:frontpage"));
  rc.switch_strategy("no-such-strategy");
  const Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.stack.strategy, "clear");
  EXPECT_NE(s.message.find("no-such-strategy"), std::string::npos) << s.message;
}

TEST(RunControl, BurstsAndNodesReachTheModel) {
  RunControl rc(load("builtin:frontpage"));
  rc.pause_at(seconds_to_ns(1));
  run_to_end(rc);
  const std::uint64_t submits = rc.take_snapshot().totals.submits;
  rc.submit_burst(50);
  rc.crash_node(0);
  rc.add_node();
  rc.pause_at(seconds_to_ns(2));
  const Snapshot s = run_to_end(rc).back();
  EXPECT_GE(s.totals.submits, submits + 50);
  ASSERT_EQ(s.stack.cache_up.size(), 2u);
  EXPECT_FALSE(s.stack.cache_up[0]);
  EXPECT_TRUE(s.stack.cache_up[1]);
}

TEST(RunControl, IntervalForPicksOneTwoFiveSteps) {
  EXPECT_EQ(RunControl::interval_for(60), seconds_to_ns(0.5));
  EXPECT_EQ(RunControl::interval_for(120), seconds_to_ns(0.5));
  EXPECT_EQ(RunControl::interval_for(1200), seconds_to_ns(5));
  EXPECT_EQ(RunControl::interval_for(3600), seconds_to_ns(20));
  EXPECT_EQ(RunControl::interval_for(1), seconds_to_ns(0.01));
}

} // namespace
} // namespace stampede::gui
