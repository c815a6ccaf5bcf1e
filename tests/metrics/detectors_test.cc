// The anomaly detectors fed facts by hand (metrics/detectors.h): no events,
// no requests, no strategies; each fact as the model would report it.
#include <gtest/gtest.h>

#include <vector>

#include "metrics/commit_log.h"
#include "metrics/detectors.h"

namespace stampede::internal {
namespace {

Time at(double s) { return seconds_to_ns(s); }

TEST(CommitLog, NumbersPostsAndRemembersWhenEachCommitted) {
  CommitLog log(2);
  EXPECT_EQ(log.committed(0), 0u);
  EXPECT_EQ(log.commit(0, at(1)), 1u);
  EXPECT_EQ(log.commit(0, at(2)), 2u);
  EXPECT_EQ(log.commit(1, at(3)), 1u);
  EXPECT_EQ(log.committed(0), 2u);
  EXPECT_EQ(log.commit_time(0, 1), at(1));
  EXPECT_EQ(log.commit_time(0, 2), at(2));
  EXPECT_EQ(log.commit_time(1, 1), at(3));
  EXPECT_EQ(log.committed_before(0, at(1.5)), 1u);
  EXPECT_EQ(log.committed_before(0, at(2)), 1u) << "committed at t is not before t";
  EXPECT_EQ(log.committed_before(0, at(9)), 2u);
}

TEST(CommitLog, KeepsTheNewestHistoryAsItGrows) {
  // Past kHistory commits the oldest times give way; each kept post keeps
  // its own time through every growth of its block.
  CommitLog log(1);
  for (int p = 1; p <= 200; ++p)
    log.commit(0, at(p));
  for (std::uint32_t p = 200 - CommitLog::kHistory + 1; p <= 200; ++p)
    EXPECT_EQ(log.commit_time(0, p), at(p)) << p;
  EXPECT_EQ(log.commit_time(0, 3), at(200 - CommitLog::kHistory + 1)) << "the oldest kept";
}

TEST(StaleReadDetector, AViewLackingACommittedPostIsStaleByThatPostsAge) {
  CommitLog log(1);
  log.commit(0, at(1)); // post 1
  log.commit(0, at(2)); // post 2
  StaleReadDetector d;
  // The page after post 1, served to a view that arrived at 2.5 s: post 2
  // (committed at 2 s) is missing, 0.5 s old.
  const auto found = d.view_served(Page::newest(1), 0, at(2.5), 2, log);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->post, 2u);
  EXPECT_EQ(found->age, at(0.5));
  // The full page is fresh; so is the old page for a view that arrived
  // before post 2 committed.
  EXPECT_FALSE(d.view_served(Page::newest(2), 0, at(2.5), 2, log));
  EXPECT_FALSE(d.view_served(Page::newest(1), 0, at(1.5), 1, log));
  EXPECT_EQ(d.count(), 1u);
  EXPECT_EQ(d.max_age(), at(0.5));
}

TEST(StaleReadDetector, APostPushedOffThePageIsNotMissed) {
  // 12 posts: the page shows the newest 10 (3..12). A page lacking post 1
  // and 2 is fresh; one lacking post 12 is stale by post 12's age.
  CommitLog log(1);
  for (int p = 1; p <= 12; ++p)
    log.commit(0, at(p));
  StaleReadDetector d;
  EXPECT_FALSE(d.view_served(Page::newest(12), 0, at(13), 12, log));
  const auto found = d.view_served(Page::newest(11), 0, at(13), 12, log);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->post, 12u);
  EXPECT_EQ(found->age, at(1));
}

TEST(StampedeDetector, RedundantQueriesMakeOneEpisodeUntilNoneIsInFlight) {
  StampedeDetector d(2);
  EXPECT_FALSE(d.query_issued(0).redundant);
  const auto second = d.query_issued(0);
  EXPECT_TRUE(second.redundant);
  EXPECT_TRUE(second.stampede_began);
  const auto third = d.query_issued(0);
  EXPECT_TRUE(third.redundant);
  EXPECT_FALSE(third.stampede_began) << "the same episode";
  EXPECT_FALSE(d.query_issued(1).redundant) << "another key";
  d.query_completed(0);
  d.query_completed(0);
  EXPECT_TRUE(d.query_issued(0).redundant) << "one still in flight: still the episode";
  d.query_completed(0);
  d.query_completed(0); // none in flight: the episode ends
  d.query_issued(0);
  EXPECT_TRUE(d.query_issued(0).stampede_began) << "a new episode";
  EXPECT_EQ(d.redundant(), 4u);
  EXPECT_EQ(d.stampedes(), 2u);
  EXPECT_EQ(d.peak(), 3u);
}

TEST(LostUpdateDetector, AWriteLackingAWatchedPostLosesItOnce) {
  LostUpdateDetector d(1, /*local=*/false);
  // Post 3's submit answered with it in the cached page: watched.
  Page with3 = Page::newest(3);
  EXPECT_FALSE(d.submit_answered(0, 3, /*server=*/0, /*committed=*/3, &with3));
  // A later write of the page after post 2 loses post 3, once.
  std::vector<std::uint32_t> lost;
  d.cache_written(0, 1, Page::newest(2), 3, [&](std::uint32_t p) { lost.push_back(p); });
  d.cache_written(0, 1, Page::newest(2), 3, [&](std::uint32_t p) { lost.push_back(p); });
  EXPECT_EQ(lost, std::vector<std::uint32_t>{3});
  // A submit whose cached page already lacks its post is lost at once.
  Page without4 = Page::newest(3);
  EXPECT_TRUE(d.submit_answered(0, 4, 0, 4, &without4));
  EXPECT_EQ(d.count(), 2u);
}

TEST(LostUpdateDetector, WithLocalCachesOnlyTheSubmittersOwnCacheCanLoseIt) {
  LostUpdateDetector d(1, /*local=*/true);
  Page with1 = Page::newest(1);
  d.submit_answered(0, 1, /*server=*/2, 1, &with1);
  int lost = 0;
  d.cache_written(0, /*server=*/0, Page::newest(0), 1, [&](std::uint32_t) { ++lost; });
  EXPECT_EQ(lost, 0) << "another server's dictionary: divergence, not a loss";
  d.cache_written(0, /*server=*/2, Page::newest(0), 1, [&](std::uint32_t) { ++lost; });
  EXPECT_EQ(lost, 1);
}

TEST(LostUpdateDetector, APostOffThePageIsNoLongerWatched) {
  LostUpdateDetector d(1, false);
  Page with1 = Page::newest(1);
  d.submit_answered(0, 1, 0, 1, &with1);
  // Ten more posts later post 1 is off the page: leaving it out loses nothing.
  int lost = 0;
  d.cache_written(0, 0, Page::newest(11), 11, [&](std::uint32_t) { ++lost; });
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(d.count(), 0u);
}

TEST(CasConflictDetector, CountsRefusedCas) {
  CasConflictDetector d;
  d.cas_refused();
  d.cas_refused();
  EXPECT_EQ(d.count(), 2u);
}

} // namespace
} // namespace stampede::internal
