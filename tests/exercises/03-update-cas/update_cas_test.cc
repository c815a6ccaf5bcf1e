// Exercise 03: update with gets/cas. The student's strategy drives the
// simulated stack through bursts of simultaneous submits.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "explore_runs.h"
#include "graded.h"
#include "left_requests.h"
#include "stampede/student_hashing.h"
#include "strategy_runs.h"

namespace {

const char *kStudent = "student:update_cas";

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
  if (l.submit && l.op == Op::kCacheCas && l.status == stampede::McStatus::kExists)
    return graded::hint("when cas answers EXISTS, another submit wrote the page first: this "
                        "submit must go round again, from reading the page anew, not stop",
                        "on kExists, set r.step back to your get's step and call "
                        "ctx.cache_get(r); its reply is the fresh page (and r.cas its unique)");
  if (l.submit && l.op == Op::kCacheCas)
    return graded::hint("a cas that stored ends the submit: it must then be answered",
                        "after a cas that is not kExists: return ctx.respond(r);");
  if (l.submit && l.op == Op::kCacheGet && !l.hit)
    return graded::hint("a submit whose get misses has no cached page to update: it is done, "
                        "and must be answered (the next view fills the cache)",
                        "if (!reply.hit) return ctx.respond(r);");
  if (l.submit && l.op == Op::kCacheGet)
    return graded::hint("after its get hit, the submit adds its post to the page and writes it "
                        "back with cas",
                        "r.page.add(r.post); set r.step to your cas step; ctx.cache_cas(r);");
  if (l.submit && l.op == Op::kDbInsert)
    return graded::hint("once its insert commits, the submit goes on to the cached page",
                        "after the insert's reply: set r.step to your get's step and call "
                        "ctx.cache_get(r)");
  if (!l.submit && l.op == Op::kCacheGet && l.hit)
    return graded::hint("a view whose get hit has its page: answer it",
                        "if (reply.hit) return ctx.respond(r);");
  if (!l.submit && l.op == Op::kCacheGet)
    return graded::hint("a view whose get missed has no page yet: the database has it",
                        "if (!reply.hit): set r.step to your read step and call ctx.db_read(r)");
  if (!l.submit && l.op == Op::kDbRead)
    return graded::hint("after its database read, the view stores the page in the cache, then "
                        "is answered",
                        "after the read's reply: set r.step to your fill step and call "
                        "ctx.cache_add(r); respond when the add replies");
  return graded::left::any_left_hint(l);
}

TEST(UpdateCas, PageViewsReadThroughTheCache) {
  POINTS(2);
  const Watched w =
      watched("builtin:frontpage", {"workload.submit_ratio=0", "events=[]", "strategy.warm=false"});
  const stampede::Report &r = w.r;
  const bool left = !w.left.empty();
  const bool never_got = r.cache_gets == 0;
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  // Views still on their way at the end have sent their get, not their answer.
  EXPECT_GE(r.cache_gets, r.page_views)
      << "every page view should start with a cache get"
      << graded::hint("view() starts each page view: its first operation asks the cache",
                      "in view(): set r.step to your get's step and call ctx.cache_get(r)")
      << (never_got ? graded::explains_others() : "");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once"
      << graded::hint("after a miss, the view goes to the database, not back to the cache");
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
                             "ctx.cache_add(r) (or ctx.cache_fill(r)); respond when it replies"));
}

TEST(UpdateCas, SubmitsNeverReadTheDatabase) {
  POINTS(2);
  const Watched w = watched("builtin:lost-updates");
  const stampede::Report &r = w.r;
  const std::uint64_t submits_started = w.submits_started;
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  ASSERT_GT(submits_started, 0u) << "the scenario has submits";
  // A submit answered has inserted; one still on its way at the end may have.
  const bool never_inserted = r.db_writes == 0;
  EXPECT_GE(r.db_writes, r.submits)
      << "each submit should insert its post"
      << graded::hint("submit() starts each submit: its first operation inserts the post",
                      "in submit(): set r.step to your insert's step and call ctx.db_insert(r)")
      << (never_inserted ? graded::explains_others() : "");
  EXPECT_LE(r.db_writes, submits_started) << "each submit should insert its post once";
  EXPECT_EQ(r.db_reads_by_submits, 0u)
      << "update edits the cached page: a submit should never read the database"
      << graded::hint("after the insert, the submit takes the page from the cache, not from "
                      "the database",
                      "after the insert's reply: ctx.cache_get(r), not ctx.db_read(r)");
  EXPECT_GE(r.cas_attempts, r.submits)
      << "each submit should write the page with cas"
      << unless(
             never_inserted,
             graded::hint("a plain store of the page cannot tell whether another submit wrote it "
                          "since this one read it; cas can",
                          "write the page with ctx.cache_cas(r): r.cas holds the unique your get "
                          "returned"));
}

// No submit wrote with cas: nothing could collide (and every later check follows).
std::string never_cas(const stampede::Report &r) {
  return r.cas_attempts > 0
             ? ""
             : graded::hint("no submit wrote the page with cas, so no write could be refused: "
                            "each submit's write must be a cas, with the unique its get returned",
                            "ctx.cache_cas(r), not ctx.cache_set(r): r.cas holds the unique") +
                   graded::explains_others();
}

bool every_conflict_retried(const stampede::Report &r) {
  return r.cas_conflicts > 0 && r.cas_retries == r.cas_conflicts;
}

// Every conflict was retried, yet posts went missing: the retry's page.
std::string retry_page(const stampede::Report &r) {
  const std::string yet = r.lost_updates > 0 ? std::to_string(r.lost_updates) + " posts were lost"
                                             : "the cached page lacked posts for a while";
  return graded::hint("every conflict was retried, yet " + yet +
                          ": a retry must add its post to the page its new get returned, not to "
                          "the page built before the conflict (the lecture's loop reuses it), "
                          "nor leave its post out",
                      "when the retry's get replies, r.page is the fresh page: r.page.add(r.post) "
                      "on it, then ctx.cache_cas(r)");
}

TEST(UpdateCas, NoUpdateIsLost) {
  POINTS(3);
  const Watched w = watched("builtin:lost-updates");
  const stampede::Report &r = w.r;
  const bool left = !w.left.empty();
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  EXPECT_GT(r.cas_conflicts, 0u)
      << "simultaneous submits should collide: cas answers EXISTS to all but the first"
      << never_cas(r);
  EXPECT_EQ(r.cas_retries, r.cas_conflicts)
      << "every conflict should be retried"
      << unless(left, graded::hint("when cas answers EXISTS, another submit wrote the page "
                                   "first: go round again, from reading the page anew",
                                   "on kExists, set r.step back to your get's step and call "
                                   "ctx.cache_get(r)"));
  EXPECT_EQ(r.lost_updates, 0u) << "with gets/cas and a retry, no submit's post may be lost"
                                << unless(r.cas_attempts == 0 || !every_conflict_retried(r),
                                          retry_page(r));
}

TEST(UpdateCas, NoOrderOfTwoSubmitsLosesAPost) {
  POINTS(3);
  // builtin:race-update-cas: two submits on a warm page, every order of
  // their steps (stampede explore): the seeds of the timed checks show some.
  const graded::Explored e = graded::explored("builtin:race-update-cas", kStudent);
  ASSERT_TRUE(e.fault.empty()) << "over every order of two submits: " << e.fault;
  const stampede::ExploreResult &r = *e.result;
  EXPECT_TRUE(r.complete()) << "every order of two submits should end within "
                            << stampede::ExploreOptions{}.depth << " steps";
  const stampede::ExploreFinding &lost = r.finding("lost_updates");
  EXPECT_EQ(lost.schedules, 0u)
      << "over every order of two submits, no post may be lost, but one was "
      << graded::among(lost, r) << "; the shortest order is below" << graded::story(lost)
      << graded::hint("look at the step that loses it: a write based on a page read before "
                      "the other submit's write must be refused, and the submit must read "
                      "again",
                      "write with ctx.cache_cas(r) after a get (r.cas holds the unique), and on "
                      "kExists go back to the get");
  const stampede::ExploreFinding &conflicts = r.finding("cas_conflicts");
  EXPECT_GT(conflicts.schedules, 0u)
      << "when both submits read the page before either writes it, the second write should "
         "be refused (cas answers EXISTS): in no order was one";
}

TEST(UpdateCas, RetriesAddThePostToTheFreshPage) {
  POINTS(2);
  // A retry that reused the page built before the conflict would write back
  // a page missing the winner's post: views would then serve it, stale.
  const Watched w = watched("builtin:lost-updates");
  const stampede::Report &r = w.r;
  const bool left = !w.left.empty();
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  EXPECT_GT(r.cas_conflicts, 0u) << "simultaneous submits should collide" << never_cas(r);
  EXPECT_LT(r.max_staleness_s, 0.05)
      << "after each burst the cached page should hold every post within a round trip"
      << unless(left || !every_conflict_retried(r), retry_page(r));
}

TEST(UpdateCas, BehavesExactlyLikeTheBuiltInUpdateWithCas) {
  POINTS(2);
  for (const char *scenario : {"builtin:lost-updates", "builtin:frontpage"}) {
    const Watched w = watched(scenario);
    const std::string left = never_answered(w);
    EXPECT_PRED_FORMAT1(holds, left.empty() ? left : "on " + std::string(scenario) + ", " + left)
        << left_hint(w) << graded::explains_others();
    const auto mine = graded::comparable(w.r);
    const auto lecture = graded::comparable(graded::run(scenario, "update+cas"));
    EXPECT_EQ(graded::differences(mine, lecture), "")
        << "on " << scenario << ", the same seed should give update+cas's report";
  }
}

} // namespace
