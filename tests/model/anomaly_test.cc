// Anomaly detectors on small hand-built runs whose right answer is known
// exactly (STYLE.md section 7): a stale read of known age, a stampede of known
// size, a lost update, a CAS conflict and its retry.
#include <gtest/gtest.h>

#include "hand_built.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

using testing::at;
using testing::hand_built;
using testing::run;

TEST(StaleRead, NaiveServesTheOldPageWithTheAgeOfTheMissingPost) {
  Scenario s = hand_built("naive", /*warm=*/true);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1); // post 1 commits at 1.02 s
  at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 1);   // hits the warm, empty page
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 1u);
  EXPECT_EQ(r.submits, 1u);
  // The page lacks post 1, committed 0.98 s before the view arrived.
  EXPECT_EQ(r.stale_reads, 1u);
  EXPECT_DOUBLE_EQ(r.max_staleness_s, 2.0 - 1.02);
  EXPECT_DOUBLE_EQ(r.stale_read_ratio, 1.0);
}

TEST(StaleRead, ClearRefillsFromTheDatabaseSoTheViewIsFresh) {
  Scenario s = hand_built("clear", true);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.stale_reads, 0u);
  // The delete made the view miss: one page query, one refill.
  EXPECT_EQ(r.cache_misses, 1u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_EQ(r.cache_deletes, 1u);
}

TEST(StaleRead, AViewArrivingBeforeTheCommitIsNotStale) {
  // The view arrives at 1.01 s, before post 1 commits at 1.02 s: a read need
  // only reflect writes that finished before it began.
  Scenario s = hand_built("naive", true);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.01, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 1u);
  EXPECT_EQ(r.stale_reads, 0u);
}

TEST(StaleRead, TheStaleSetRaceUnderClear) {
  // A view misses at 0.5 s and its query snapshots the empty page at 0.5005 s
  // (finishing at 0.6005 s). A submit at 0.51 s commits post 1 at 0.53 s and
  // deletes the key. The slow fill then sets the old page at 0.6005 s: a view
  // at 1 s hits it and lacks post 1, committed 0.47 s earlier.
  Scenario s = hand_built("clear", false);
  at(s, 0.5, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 0.51, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 2u);
  EXPECT_EQ(r.stale_reads, 1u);
  EXPECT_NEAR(r.max_staleness_s, 1.0 - 0.53, 1e-12);
}

TEST(Stampede, FiveSimultaneousMissesAreOneEpisodeOfFive) {
  // Cold cache, five views at once: all five miss and query the same page.
  Scenario s = hand_built("clear", false);
  at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 5);
  const Report r = run(s);
  EXPECT_EQ(r.cache_misses, 5u);
  EXPECT_EQ(r.db_reads_by_page_views, 5u);
  EXPECT_EQ(r.redundant_db_reads, 4u); // all but the first
  EXPECT_EQ(r.stampedes, 1u);
  EXPECT_EQ(r.peak_concurrent_same_key, 5u);
}

TEST(Stampede, SequentialMissesAreNotAStampede) {
  // The second view arrives after the first's query completed and the fill
  // landed: it hits. Then a third view after a delete misses alone.
  Scenario s = hand_built("clear", false);
  at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 1);
  at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_EQ(r.redundant_db_reads, 0u);
  EXPECT_EQ(r.stampedes, 0u);
  EXPECT_EQ(r.peak_concurrent_same_key, 1u);
}

TEST(LostUpdate, TwoConcurrentUpdatesWithoutCasLoseOne) {
  // Two submits at 1 s commit posts 1 and 2 at 1.02 s, both get the warm empty
  // page, and both set it with only their own post: the second set drops post 1.
  Scenario s = hand_built("update", true);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 2);
  const Report r = run(s);
  EXPECT_EQ(r.submits, 2u);
  EXPECT_EQ(r.lost_updates, 1u);
  EXPECT_EQ(r.db_reads, 0u); // update never reads the DB after warm-up
  EXPECT_EQ(r.cas_attempts, 0u);
}

TEST(LostUpdate, CasTurnsTheLossIntoAConflictAndARetry) {
  Scenario s = hand_built("update", true);
  s.strategy.cas = true;
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 2);
  at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.strategy, "update+cas");
  EXPECT_EQ(r.lost_updates, 0u);
  // Both gets saw the same unique; the second cas failed with EXISTS, read
  // again, and stored a page with both posts.
  EXPECT_EQ(r.cas_conflicts, 1u);
  EXPECT_EQ(r.cas_attempts, 3u);
  EXPECT_EQ(r.cas_retries, 1u);
  EXPECT_EQ(r.stale_reads, 0u); // the view at 2 s sees posts 1 and 2
}

TEST(LostUpdate, RefreshReadsOncePerSubmitAndLosesNothingWhenSerial) {
  Scenario s = hand_built("refresh", true);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 2.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 3.0, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.db_reads_by_submits, 2u);
  EXPECT_DOUBLE_EQ(r.db_reads_per_submit, 1.0);
  EXPECT_EQ(r.lost_updates, 0u);
  EXPECT_EQ(r.stale_reads, 0u);
  EXPECT_EQ(r.cache_misses, 0u);
}

TEST(NoCache, EveryViewQueriesAndNoneIsStale) {
  Scenario s = hand_built("none", false);
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  at(s, 1.5, ScriptedEvent::Kind::kViewBurst, 3);
  const Report r = run(s);
  EXPECT_EQ(r.db_reads_by_page_views, 3u);
  EXPECT_DOUBLE_EQ(r.db_reads_per_page_view, 1.0);
  EXPECT_EQ(r.cache_gets, 0u);
  EXPECT_EQ(r.stale_reads, 0u);
}

TEST(LocalCache, ClearOnOneServerLeavesTheOtherServersCopyStale) {
  // Two servers with their own dictionaries, round robin: the warm-up fills
  // both; the submit (server 0) clears only server 0's copy; of two later
  // views, the one on server 1 serves the old page.
  Scenario s = hand_built("clear", true);
  s.app.servers = 2;
  s.app.local_cache = true;
  at(s, 1.0, ScriptedEvent::Kind::kSubmitBurst, 1); // arrival 0 -> server 0
  at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 2);   // arrivals 1, 2 -> servers 1, 0
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 2u);
  EXPECT_EQ(r.stale_reads, 1u);
  EXPECT_DOUBLE_EQ(r.max_staleness_s, 2.0 - 1.02);
}

TEST(Latency, IsResponseMinusArrivalIncludingTheQueue) {
  // One worker; two views at once on a cold cache under `none`: the first
  // takes 100 ms, the second waits for the worker, then 100 ms.
  Scenario s = hand_built("none", false);
  s.app.workers = 1;
  at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 2);
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 2u);
  EXPECT_NEAR(r.page_view_latency.max, 200.0, 0.5);
  EXPECT_NEAR(r.page_view_latency.mean, 150.0, 0.5);
}

TEST(Database, MaxQueueCountsOnlyWaitingQueries) {
  // Two connections, five simultaneous views under `none`: 2 in service, 3 wait.
  Scenario s = hand_built("none", false);
  s.db.connections = 2;
  at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 5);
  const Report r = run(s);
  EXPECT_EQ(r.db_max_queue, 3u);
  EXPECT_EQ(r.db_reads, 5u);
  // 5 queries x 0.1 s over 2 connections x 5 s.
  EXPECT_NEAR(r.db_utilization, 0.5 / 10.0, 1e-9);
}

TEST(Counting, OnlyWhatCompletesBeforeTheEndCounts) {
  // A view at 4.95 s under `none` is still querying at 5 s: its read and its
  // response are not counted.
  Scenario s = hand_built("none", false);
  at(s, 4.95, ScriptedEvent::Kind::kViewBurst, 1);
  const Report r = run(s);
  EXPECT_EQ(r.page_views, 0u);
  EXPECT_EQ(r.db_reads, 0u);
  EXPECT_EQ(r.arrivals, 1u);
}

} // namespace
} // namespace stampede
