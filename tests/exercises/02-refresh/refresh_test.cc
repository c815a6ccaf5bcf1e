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
  // Views still on their way when the run ends have sent their get but not
  // their response, so the gets lie between the answered and the arrived.
  EXPECT_GE(r.cache_gets, r.page_views) << "every page view should start with a cache get"
                                        << graded::hint("does view() call ctx.cache_get(r)?");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once"
      << graded::hint("after a miss, read the database instead of getting again");
  EXPECT_GE(r.db_reads_by_page_views, 1u)
      << "a page view that misses should read the page from the database"
      << graded::hint("after a get that missed (!reply.hit), call ctx.db_read(r)");
  EXPECT_GT(r.cache_hit_ratio, 0.99)
      << "after the first fill, page views should hit the cache"
      << graded::hint("after the database read of a view that missed, does it put the page in "
                      "the cache (ctx.cache_fill(r)) before responding?");
}

TEST(Refresh, EachSubmitReadsTheDatabaseOnce) {
  POINTS(2);
  const auto r = graded::run("builtin:frontpage", kStudent);
  ASSERT_GT(r.submits, 0u) << "the front page scenario has submits";
  EXPECT_EQ(r.db_reads_by_submits, r.submits)
      << "refresh re-reads the page once per submit (the table's '1' per submit)"
      << graded::hint("once the insert is done, the submit should ctx.db_read(r) the page");
  EXPECT_EQ(r.db_writes, r.submits) << "each submit should insert its post once"
                                    << graded::hint("does submit() call ctx.db_insert(r)?");
}

TEST(Refresh, SimpleUsersNeverTouchTheDatabase) {
  POINTS(2);
  // A warm cache: the page is there before the first request.
  const auto r = graded::run("builtin:frontpage", kStudent, {"strategy.warm=true"});
  ASSERT_GT(r.page_views, 0u);
  EXPECT_GE(r.cache_gets, r.page_views) << "every page view should start with a cache get"
                                        << graded::hint("does view() call ctx.cache_get(r)?");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once";
  EXPECT_EQ(r.db_reads_by_page_views, 0u)
      << "with a warm cache and refresh, page views should never read the database";
  EXPECT_EQ(r.cache_hit_ratio, 1.0) << "every page view should hit the cache";
}

TEST(Refresh, NoStampedeAndOnlyBriefStaleness) {
  POINTS(2);
  const auto r = graded::run("builtin:stampede", kStudent);
  EXPECT_GT(r.cache_hit_ratio, 0.99) << "page views should be served from the cache";
  EXPECT_EQ(r.stampedes, 0u)
      << "the cache is never cleared, so views never pile onto the DB"
      << graded::hint("a submit should overwrite the page (ctx.cache_set(r)), never delete it");
  EXPECT_EQ(r.redundant_db_reads, 0u) << "no page query should run twice at once";
  EXPECT_LT(r.max_staleness_s, 0.5)
      << "a page is stale only while the submit's re-read is on its way";
}

TEST(Refresh, BehavesExactlyLikeTheLecturesRefresh) {
  POINTS(2);
  for (const char *scenario : {"builtin:frontpage", "builtin:stampede", "builtin:lost-updates"}) {
    const auto mine = graded::comparable(graded::run(scenario, kStudent));
    const auto lecture = graded::comparable(graded::run(scenario, "refresh"));
    EXPECT_EQ(graded::differences(mine, lecture), "")
        << "on " << scenario << ", the same seed should give the built-in refresh's report";
  }
}

} // namespace
