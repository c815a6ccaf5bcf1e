// Exercise 03: update with gets/cas. The student's strategy drives the
// simulated stack through bursts of simultaneous submits.
#include "graded.h"
#include "strategy_runs.h"

namespace {

const char *kStudent = "student:update_cas";

TEST(UpdateCas, PageViewsReadThroughTheCache) {
  POINTS(2);
  const auto r = graded::run("builtin:frontpage", kStudent,
                             {"workload.submit_ratio=0", "events=[]", "strategy.warm=false"});
  // Views still on their way at the end have sent their get, not their answer.
  EXPECT_GE(r.cache_gets, r.page_views) << "every page view should start with a cache get"
                                        << graded::hint("does view() call ctx.cache_get(r)?");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once";
  EXPECT_GE(r.db_reads_by_page_views, 1u)
      << "a page view that misses should read the page from the database"
      << graded::hint("after a get that missed (!reply.hit), call ctx.db_read(r)");
  EXPECT_GT(r.cache_hit_ratio, 0.99)
      << "after the first fill, page views should hit the cache"
      << graded::hint("after the database read of a view that missed, does it put the page in "
                      "the cache (ctx.cache_add(r) or ctx.cache_fill(r)) before responding?");
}

TEST(UpdateCas, SubmitsNeverReadTheDatabase) {
  POINTS(2);
  const auto r = graded::run("builtin:lost-updates", kStudent);
  ASSERT_GT(r.submits, 0u) << "the scenario has submits";
  EXPECT_EQ(r.db_writes, r.submits) << "each submit should insert its post once";
  EXPECT_EQ(r.db_reads_by_submits, 0u)
      << "update edits the cached page: a submit should never read the database";
  EXPECT_GE(r.cas_attempts, r.submits) << "each submit should write the page with cas";
}

TEST(UpdateCas, NoUpdateIsLost) {
  POINTS(3);
  const auto r = graded::run("builtin:lost-updates", kStudent);
  EXPECT_GT(r.cas_conflicts, 0u)
      << "simultaneous submits should collide: cas answers EXISTS to all but the first";
  EXPECT_EQ(r.cas_retries, r.cas_conflicts)
      << "every conflict should be retried"
      << graded::hint("when cas answers EXISTS, start again with ctx.cache_get(r) (a gets)");
  EXPECT_EQ(r.lost_updates, 0u)
      << "with gets/cas and a retry, no submit's post may be lost"
      << graded::hint("write the page with ctx.cache_cas(r) and the unique your gets returned "
                      "(r.cas), not with a plain set");
}

TEST(UpdateCas, RetriesAddThePostToTheFreshPage) {
  POINTS(2);
  // A retry that reused the page built before the conflict would write back
  // a page missing the winner's post: views would then serve it, stale.
  const auto r = graded::run("builtin:lost-updates", kStudent);
  EXPECT_GT(r.cas_conflicts, 0u) << "simultaneous submits should collide";
  EXPECT_LT(r.max_staleness_s, 0.05)
      << "after each burst the cached page should hold every post within a round trip"
      << graded::hint("on a retry, add the post to the page the new gets returned, not to the "
                      "page you built before the conflict (the lecture's loop reuses it)");
}

TEST(UpdateCas, BehavesExactlyLikeTheBuiltInUpdateWithCas) {
  POINTS(2);
  for (const char *scenario : {"builtin:lost-updates", "builtin:frontpage"}) {
    const auto mine = graded::comparable(graded::run(scenario, kStudent));
    const auto lecture = graded::comparable(graded::run(scenario, "update+cas"));
    EXPECT_EQ(graded::differences(mine, lecture), "")
        << "on " << scenario << ", the same seed should give update+cas's report";
  }
}

} // namespace
