// Exercise 02: refresh. The student's strategy drives the simulated stack;
// each check is a claim the lecture makes about refreshing the cache.
#include "graded.h"
#include "strategy_runs.h"

namespace {

const char *kStudent = "student:refresh";

TEST(Refresh, PageViewsReadThroughTheCache) {
  POINTS(2);
  // A cold cache and no submits: the first views miss and fill it; then views hit.
  const auto r = graded::run("builtin:frontpage", kStudent,
                             {"workload.submit_ratio=0", "events=[]", "strategy.warm=false"});
  EXPECT_EQ(r.cache_gets, r.page_views) << "every page view should start with a cache get";
  EXPECT_GE(r.db_reads_by_page_views, 1u)
      << "a page view that misses should read the page from the database";
  EXPECT_GT(r.cache_hit_ratio, 0.99) << "after the first fill, page views should hit the cache";
}

TEST(Refresh, EachSubmitReadsTheDatabaseOnce) {
  POINTS(2);
  const auto r = graded::run("builtin:frontpage", kStudent);
  ASSERT_GT(r.submits, 0u) << "the front page scenario has submits";
  EXPECT_EQ(r.db_reads_by_submits, r.submits)
      << "refresh re-reads the page once per submit (the table's '1' per submit)";
  EXPECT_EQ(r.db_writes, r.submits) << "each submit should insert its post once";
}

TEST(Refresh, SimpleUsersNeverTouchTheDatabase) {
  POINTS(2);
  // A warm cache: the page is there before the first request.
  const auto r = graded::run("builtin:frontpage", kStudent, {"strategy.warm=true"});
  ASSERT_GT(r.page_views, 0u);
  EXPECT_EQ(r.cache_gets, r.page_views) << "every page view should start with a cache get";
  EXPECT_EQ(r.db_reads_by_page_views, 0u)
      << "with a warm cache and refresh, page views should never read the database";
  EXPECT_EQ(r.cache_hit_ratio, 1.0) << "every page view should hit the cache";
}

TEST(Refresh, NoStampedeAndOnlyBriefStaleness) {
  POINTS(2);
  const auto r = graded::run("builtin:stampede", kStudent);
  EXPECT_GT(r.cache_hit_ratio, 0.99) << "page views should be served from the cache";
  EXPECT_EQ(r.stampedes, 0u) << "the cache is never cleared, so views never pile onto the DB";
  EXPECT_EQ(r.redundant_db_reads, 0u) << "no page query should run twice at once";
  EXPECT_LT(r.max_staleness_s, 0.5)
      << "a page is stale only while the submit's re-read is on its way";
}

TEST(Refresh, BehavesExactlyLikeTheLecturesRefresh) {
  POINTS(2);
  for (const char *scenario : {"builtin:frontpage", "builtin:stampede", "builtin:lost-updates"}) {
    const auto mine = graded::comparable(graded::run(scenario, kStudent));
    const auto lecture = graded::comparable(graded::run(scenario, "refresh"));
    EXPECT_EQ(mine.dump(), lecture.dump())
        << "on " << scenario << ", the same seed should give the built-in refresh's report";
  }
}

} // namespace
