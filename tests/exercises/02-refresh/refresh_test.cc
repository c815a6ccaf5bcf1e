// Exercise 02: refresh. The student's strategy drives the simulated stack;
// each check is a claim the lecture makes about refreshing the cache.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graded.h"
#include "left_requests.h"
#include "stampede/student_hashing.h"
#include "strategy_runs.h"

namespace {

const char *kStudent = "student:refresh";

// The runs of the student's strategy, followed request by request
// (left_requests.h): how many were never answered, and where they were left.
using namespace graded::left;

Watched watched(const std::string &scenario, std::vector<std::string> overrides = {}) {
  return graded::left::watched(kStudent, scenario, std::move(overrides));
}

/// Where to look for the requests left, by where most were left.
std::string left_hint(const Watched &w) {
  using stampede::Op;
  if (w.left.empty())
    return "";
  const Left l = most_left(w).first;
  if (l.submit && l.op == Op::kDbInsert)
    return graded::hint("once its insert commits, the submit re-reads the page from the database",
                        "after the insert's reply: set r.step to your re-read's step and call "
                        "ctx.db_read(r)");
  if (l.submit && l.op == Op::kDbRead)
    return graded::hint("after its re-read, the submit overwrites the cached page with the page "
                        "it read",
                        "after the re-read's reply: set r.step to your set's step and call "
                        "ctx.cache_set(r)");
  if (l.submit && l.op == Op::kCacheSet)
    return graded::hint("the set that overwrites the page is the submit's last operation: once "
                        "it replies, the submit is done and must be answered",
                        "when the set replies: return ctx.respond(r);");
  if (!l.submit && l.op == Op::kCacheGet && l.hit)
    return graded::hint("a view whose get hit has its page: answer it",
                        "if (reply.hit) return ctx.respond(r);");
  if (!l.submit && l.op == Op::kCacheGet)
    return graded::hint("a view whose get missed has no page yet: the database has it",
                        "if (!reply.hit): set r.step to your read step and call ctx.db_read(r)");
  if (!l.submit && l.op == Op::kDbRead)
    return graded::hint("after its database read, the view fills the cache with the page, then "
                        "is answered",
                        "after the read's reply: set r.step to your fill step and call "
                        "ctx.cache_fill(r)");
  if (!l.submit && (l.op == Op::kCacheSet || l.op == Op::kCacheAdd))
    return graded::hint("the fill is the view's last operation: once it replies, the view has "
                        "its page and must be answered",
                        "when the fill replies: return ctx.respond(r);");
  return graded::left::any_left_hint(l);
}

TEST(Refresh, PageViewsReadThroughTheCache) {
  POINTS(2);
  // A cold cache and no submits: the first views miss and fill it; then views hit.
  const Watched w =
      watched("builtin:frontpage", {"workload.submit_ratio=0", "events=[]", "strategy.warm=false"});
  const stampede::Report &r = w.r;
  const bool left = !w.left.empty();
  const bool never_got = r.cache_gets == 0;
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  // Views still on their way when the run ends have sent their get but not
  // their response, so the gets lie between the answered and the arrived.
  EXPECT_GE(r.cache_gets, r.page_views)
      << "every page view should start with a cache get"
      << graded::hint("view() starts each page view: its first operation asks the cache",
                      "in view(): set r.step to your get's step and call ctx.cache_get(r)")
      << (never_got ? graded::explains_others() : "");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once"
      << graded::hint("after a miss, the view goes to the database, not back to the cache",
                      "on !reply.hit: ctx.db_read(r), not another ctx.cache_get(r)");
  const bool never_read = r.db_reads_by_page_views == 0;
  EXPECT_GE(r.db_reads_by_page_views, 1u)
      << "a page view that misses should read the page from the database"
      << unless(left || never_got,
                graded::hint("after a get that missed, the view has no page: the "
                             "database has it",
                             "if (!reply.hit): set r.step to your read step and call "
                             "ctx.db_read(r)"))
      << (never_read && !left && !never_got ? graded::explains_others() : "");
  EXPECT_GT(r.cache_hit_ratio, 0.99)
      << "after the first fill, page views should hit the cache"
      << unless(left || never_read || never_got,
                graded::hint("a view that missed read the page from the database; does it put "
                             "that page in the cache before it is answered? If not, the next "
                             "view misses too",
                             "after the read's reply: set r.step to your fill step and call "
                             "ctx.cache_fill(r); respond when the fill replies"));
}

TEST(Refresh, EachSubmitReadsTheDatabaseOnce) {
  POINTS(2);
  const Watched w = watched("builtin:frontpage");
  const stampede::Report &r = w.r;
  const std::uint64_t submits_started = w.submits_started;
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  ASSERT_GT(submits_started, 0u) << "the front page scenario has submits";
  // A submit answered has inserted and re-read; one still on its way at the
  // end may have done either.
  const bool never_inserted = r.db_writes == 0;
  EXPECT_GE(r.db_writes, r.submits)
      << "each submit should insert its post"
      << graded::hint("submit() starts each submit: its first operation inserts the post",
                      "in submit(): set r.step to your insert's step and call ctx.db_insert(r)")
      << (never_inserted ? graded::explains_others() : "");
  EXPECT_LE(r.db_writes, submits_started) << "each submit should insert its post once";
  EXPECT_GE(r.db_reads_by_submits, r.submits)
      << "refresh re-reads the page once per submit (the table's '1' per submit)"
      << unless(never_inserted,
                graded::hint("once its insert commits, the submit re-runs the page query, so "
                             "that the page it stores holds the new post",
                             "after the insert's reply: set r.step to your re-read's step and "
                             "call ctx.db_read(r)"));
  EXPECT_LE(r.db_reads_by_submits, submits_started)
      << "refresh re-reads the page once per submit (the table's '1' per submit)";
}

TEST(Refresh, SimpleUsersNeverTouchTheDatabase) {
  POINTS(2);
  // A warm cache: the page is there before the first request.
  const Watched w = watched("builtin:frontpage", {"strategy.warm=true"});
  const stampede::Report &r = w.r;
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  ASSERT_GT(w.views_started, 0u);
  EXPECT_GE(r.cache_gets, r.page_views)
      << "every page view should start with a cache get"
      << graded::hint("view() starts each page view: its first operation asks the cache",
                      "in view(): set r.step to your get's step and call ctx.cache_get(r)");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once";
  EXPECT_EQ(r.db_reads_by_page_views, 0u)
      << "with a warm cache and refresh, page views should never read the database"
      << graded::hint(r.cache_hit_ratio < 1
                          ? "views missed a cache that holds the page: does a submit ever "
                            "remove the page, or a view fail to put it back?"
                          : "a view whose get hit has its page: it is answered at once");
  EXPECT_EQ(r.cache_hit_ratio, 1.0) << "every page view should hit the cache";
}

TEST(Refresh, NoStampedeAndOnlyBriefStaleness) {
  POINTS(2);
  const Watched w = watched("builtin:stampede");
  const stampede::Report &r = w.r;
  const bool left = !w.left.empty();
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  EXPECT_GT(r.cache_hit_ratio, 0.99) << "page views should be served from the cache";
  EXPECT_EQ(r.stampedes, 0u)
      << "the cache is never cleared, so views never pile onto the DB"
      << graded::hint("a submit should overwrite the cached page, never remove it: a page that "
                      "is gone sends every view after it to the database",
                      "after the re-read: ctx.cache_set(r), not ctx.cache_delete(r)");
  EXPECT_EQ(r.redundant_db_reads, 0u) << "no page query should run twice at once";
  EXPECT_LT(r.max_staleness_s, 0.5)
      << "a page is stale only while the submit's re-read is on its way"
      << unless(left || r.db_reads_by_submits > 0,
                graded::hint("no submit re-read the page: the page a submit stores must come "
                             "from a query run after its insert, or it lacks the new post",
                             "after the insert's reply: ctx.db_read(r), then ctx.cache_set(r)"));
}

TEST(Refresh, BehavesExactlyLikeTheLecturesRefresh) {
  POINTS(2);
  for (const char *scenario : {"builtin:frontpage", "builtin:stampede", "builtin:lost-updates"}) {
    const Watched w = watched(scenario);
    const std::string left = never_answered(w);
    EXPECT_PRED_FORMAT1(holds, left.empty() ? left : "on " + std::string(scenario) + ", " + left)
        << left_hint(w) << graded::explains_others();
    const auto mine = graded::comparable(w.r);
    const auto lecture = graded::comparable(graded::run(scenario, "refresh"));
    EXPECT_EQ(graded::differences(mine, lecture), "")
        << "on " << scenario << ", the same seed should give the built-in refresh's report";
  }
}

} // namespace
