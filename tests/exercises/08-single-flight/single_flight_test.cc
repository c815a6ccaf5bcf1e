// Exercise 08: single flight. The student's coalesce drives the simulated
// stack through builtin:stampede's deletes and builtin:r1's load; each check
// is set against what clear and the built-in coalesce measure there.
#include <algorithm>
#include <cmath>
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

const char *kStudent = "student:coalesce";

// builtin:stampede: 4 app servers, a warm cache, 500 views/s, a 200 ms page
// query, and one submit (so one delete) every 5 s from t = 5 s to 25 s.
constexpr std::uint64_t kServers = 4;
constexpr std::uint64_t kDeletes = 5;

// The runs of the student's strategy, followed request by request
// (left_requests.h): how many were never answered, and where they were left.
using namespace graded::left;

Watched watched(const std::string &scenario, std::vector<std::string> overrides = {}) {
  return graded::left::watched(kStudent, scenario, std::move(overrides));
}

// A flight left in the air: the views that joined it after its query
// answered wait for an answer that never comes.
const char *kFlightOver = "When the leader's read answers, its flight is over: the next view to "
                          "miss on that server must lead a new one; a flight left in the air "
                          "makes every later miss wait for an answer that never comes";
const char *kFlightOverFix = "in the leader's read case: set the flight's in_flight back to "
                             "false, before answering its waiters";

/// Where to look for the requests left, by where most were left.
std::string left_hint(const Watched &w) {
  using stampede::Op;
  if (w.left.empty())
    return "";
  const Left l = most_left(w).first;
  if (!l.submit && l.op == Op::kCacheGet && !l.hit && !l.read_in_air)
    return graded::hint("these views missed while no view on their server was querying the "
                        "page, and waited all the same: they joined a flight whose query had "
                        "answered already, and a flight is answered once. " +
                            std::string(kFlightOver),
                        kFlightOverFix);
  if (!l.submit && l.op == Op::kCacheGet && !l.hit)
    return graded::hint("these views joined a flight while its query was in the air, and were "
                        "never answered: when the leader's read answers, every view waiting on "
                        "its flight must be answered, with the leader's page",
                        "in the leader's read case: for each waiter w, w->page = r.page; "
                        "ctx.respond(*w); then clear the list");
  if (!l.submit && l.op == Op::kCacheGet)
    return graded::hint("a view whose get hit has its page: answer it",
                        "if (reply.hit) return ctx.respond(r);");
  if (!l.submit && l.op == Op::kDbRead)
    return graded::hint("after the leader's read: answer the views waiting on its flight, fill "
                        "the cache with the page, and answer the leader when the fill replies",
                        "set r.step to your fill step and call ctx.cache_fill(r)");
  if (!l.submit && (l.op == Op::kCacheSet || l.op == Op::kCacheAdd))
    return graded::hint("the fill is the leader's last operation: once it replies, the leader "
                        "must be answered",
                        "when the fill replies: return ctx.respond(r);");
  if (l.submit && l.op == Op::kDbInsert)
    return graded::hint("once its insert commits, the submit deletes the cached page, as clear "
                        "does",
                        "after the insert's reply: set r.step to your delete's step and call "
                        "ctx.cache_delete(r)");
  if (l.submit && l.op == Op::kCacheDelete)
    return graded::hint("the delete is the submit's last operation: once it replies, the submit "
                        "must be answered",
                        "when the delete replies: return ctx.respond(r);");
  return graded::left::any_left_hint(l);
}

// A strategy whose views keep missing never filled the cache: that, not the
// flights, is then the likely bug behind too many queries or slow answers.
std::string unless_no_fill(const stampede::Report &r, const std::string &hint) {
  if (r.cache_hit_ratio >= 0.9)
    return hint;
  return graded::hint("views keep missing (hit ratio " + std::to_string(r.cache_hit_ratio) +
                          "): does the leader put the page it read in the cache?",
                      "after the leader's read (and its waiters): set r.step to your fill step "
                      "and call ctx.cache_fill(r)");
}

TEST(SingleFlight, PageViewsReadThroughTheCache) {
  POINTS(2);
  // A cold cache and no submits: the first views miss and fill it; then views hit.
  const Watched w =
      watched("builtin:frontpage", {"workload.submit_ratio=0", "events=[]", "strategy.warm=false"});
  const stampede::Report &r = w.r;
  const bool left = !w.left.empty();
  const bool never_got = r.cache_gets == 0;
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  EXPECT_GE(r.cache_gets, r.page_views)
      << "every page view should start with a cache get"
      << graded::hint("view() starts each page view: its first operation asks the cache",
                      "in view(): set r.step to your get's step and call ctx.cache_get(r)")
      << (never_got ? graded::explains_others() : "");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once";
  const bool never_read = r.db_reads_by_page_views == 0;
  EXPECT_GE(r.db_reads_by_page_views, 1u)
      << "a page view that misses should read the page from the database (or wait for the "
         "read its server already sent)"
      << unless(left || never_got,
                graded::hint("the first view to miss on a server, with no flight in the "
                             "air, leads one: it asks the database for the page",
                             "on a miss with no flight in the air: mark it in the air, "
                             "set r.step to your read step and call ctx.db_read(r)"))
      << (never_read && !left && !never_got ? graded::explains_others() : "");
  EXPECT_GT(r.cache_hit_ratio, 0.99)
      << "after the first fill, page views should hit the cache"
      << unless(left || never_read || never_got,
                graded::hint("once the leader's read answers, does it put the page in the "
                             "cache before it is answered? If not, the next view misses too",
                             "after the leader's read: set r.step to your fill step and call "
                             "ctx.cache_fill(r); respond when the fill replies"));
}

TEST(SingleFlight, SubmitsInsertOnceAndDelete) {
  POINTS(2);
  const Watched w = watched("builtin:frontpage");
  const stampede::Report &r = w.r;
  const std::uint64_t submits_started = w.submits_started;
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  ASSERT_GT(submits_started, 0u) << "the front page scenario has submits";
  // A submit answered has inserted and deleted; one still on its way at the
  // end may have inserted (db.writes) but not been answered (requests.submits).
  const bool never_inserted = r.db_writes == 0;
  EXPECT_GE(r.db_writes, r.submits)
      << "each submit should insert its post"
      << graded::hint("submit() starts each submit: its first operation inserts the post",
                      "in submit(): set r.step to your insert's step and call ctx.db_insert(r)")
      << (never_inserted ? graded::explains_others() : "");
  EXPECT_LE(r.db_writes, submits_started) << "each submit should insert its post once";
  EXPECT_GE(r.cache_deletes, r.submits)
      << "as in clear, each submit should delete the cached page once its post is in"
      << unless(
             never_inserted,
             graded::hint("once its insert commits, the submit deletes the cached page, as clear "
                          "does, and is answered when the delete replies",
                          "after the insert's reply: set r.step to your delete's step and call "
                          "ctx.cache_delete(r)"));
  EXPECT_LE(r.cache_deletes, r.db_writes) << "each submit should delete the page once";
  EXPECT_EQ(r.db_reads_by_submits, 0u)
      << "a submit should not read the page: the next view that misses does";
}

TEST(SingleFlight, OneQueryPerAppServerAfterEachDelete) {
  POINTS(3);
  const Watched w = watched("builtin:stampede");
  const stampede::Report &mine = w.r;
  const auto clear = graded::run("builtin:stampede", "clear");
  const bool left = !w.left.empty();
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  EXPECT_GE(mine.db_reads_by_page_views, kDeletes)
      << "after each of the " << kDeletes
      << " deletes, the first view to miss should query the database afresh"
      << unless(left || mine.db_reads_by_page_views == 0,
                graded::hint(kFlightOver, kFlightOverFix));
  EXPECT_LE(mine.db_reads_by_page_views, kServers * kDeletes)
      << "a delete should cost at most one query per app server (" << kServers << " servers, "
      << kDeletes << " deletes; clear sends " << clear.db_reads_by_page_views << ")"
      << unless_no_fill(mine,
                        graded::hint("a view that misses while its server's flight for the "
                                     "page is in the air should wait for that flight, not query "
                                     "the database itself",
                                     "on a miss with the flight in the air: "
                                     "flight.waiters.push_back(&r); return; (no operation)"));
  EXPECT_LE(mine.peak_concurrent_same_key, kServers)
      << "at most one query per app server should be in flight at once (clear: "
      << clear.peak_concurrent_same_key << ")";
  EXPECT_GT(mine.peak_concurrent_same_key, 1u)
      << "each app server should run its own flight: a view on one server cannot wait for a "
         "query another server sent"
      << unless(left || mine.peak_concurrent_same_key == 0,
                graded::hint("app servers share no memory, so each server needs its own "
                             "flight for a page: one flight for all of them makes the "
                             "other servers' views wait for a query they could not see",
                             "key flights_ by {r.server, r.key}, not by r.key alone"));
  EXPECT_LT(mine.redundant_db_reads * 10, clear.redundant_db_reads)
      << "single flight should cut clear's redundant reads (" << clear.redundant_db_reads
      << ") at least tenfold";
}

TEST(SingleFlight, EveryWaiterGetsThePage) {
  POINTS(3);
  const Watched w = watched("builtin:stampede");
  const stampede::Report &mine = w.r;
  const auto clear = graded::run("builtin:stampede", "clear");
  ASSERT_GT(mine.arrivals, 0u);
  // Every view that waited for a flight should be answered: those never
  // answered, counted and placed.
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  EXPECT_LE(mine.page_views, graded::views_arrived(mine)) << "a view should be answered once";
  EXPECT_GE(mine.page_view_latency.max, 200.0)
      << "a view that missed should be answered with the page, once its server's query for it "
         "returns (builtin:stampede's query takes 200 ms), not before"
      << graded::hint("a view that joins a flight issues no operation and is not answered: it "
                      "waits, and the leader answers it when its read returns",
                      "on a miss with the flight in the air: flight.waiters.push_back(&r); "
                      "return; (no ctx call at all)");
  const bool own_page = mine.stale_reads == clear.stale_reads;
  EXPECT_EQ(mine.stale_reads, clear.stale_reads)
      << "a view that waited should get the leader's page: the newest there is (clear's stale "
         "reads here: "
      << clear.stale_reads << ")"
      << unless_no_fill(mine, graded::hint("a waiter issued no read, so its own page is empty: "
                                           "before it is answered, it must be given the page the "
                                           "leader read",
                                           "w->page = r.page; before ctx.respond(*w)"));
  if (!w.left.empty())
    return; // the views left explain the rest
  // Many pages: a waiter must get the page of its own key.
  const Watched many = watched("builtin:many-keys");
  const stampede::Report &keys = many.r;
  const auto builtin = graded::run("builtin:many-keys", "coalesce");
  EXPECT_PRED_FORMAT1(holds,
                      many.left.empty() ? "" : "on builtin:many-keys, " + never_answered(many))
      << left_hint(many) << graded::explains_others();
  EXPECT_LE(keys.stale_reads, builtin.stale_reads + builtin.stale_reads / 10)
      << "on builtin:many-keys (many pages), a view that waited should get its own page (the "
         "built-in coalesce serves "
      << builtin.stale_reads << " stale pages there)"
      << unless(!own_page, // one page: the waiters' page itself is wrong, explained above
                graded::hint("a flight is for one page: views of other pages that join it get "
                             "a page that is not theirs",
                             "key flights_ by {r.server, r.key}, not by server alone"));
}

TEST(SingleFlight, ShowsItsOwnRace) {
  POINTS(2);
  // builtin:r1: 2,000 requests/s, a submit about every 0.1 s, a 100 ms query.
  const Watched w = watched("builtin:r1");
  const stampede::Report &mine = w.r;
  const auto clear = graded::run("builtin:r1", "clear");
  const auto builtin = graded::run("builtin:r1", "coalesce");
  EXPECT_PRED_FORMAT1(holds, never_answered(w)) << left_hint(w) << graded::explains_others();
  // Views still waiting at the end (for the database, or for a worker): the
  // built-in leaves a few in flight.
  const std::uint64_t unanswered = graded::views_arrived(mine) - mine.page_views;
  const std::uint64_t builtin_unanswered = graded::views_arrived(builtin) - builtin.page_views;
  EXPECT_PRED_FORMAT1(holds,
                      unanswered <= builtin_unanswered + builtin.page_views / 100
                          ? ""
                          : "on builtin:r1, every view should be answered: " + counted(unanswered) +
                                " of " + counted(graded::views_arrived(mine)) +
                                " page views were still waiting at the end (the "
                                "built-in coalesce: " +
                                counted(builtin_unanswered) + ")")
      << unless(!w.left.empty(),
                unless_no_fill(mine, graded::hint("views wait for the database: does every miss "
                                                  "on a server whose flight is in the air join "
                                                  "it?")));
  EXPECT_GT(mine.stale_reads, 10 * clear.stale_reads)
      << "on builtin:r1 coalesce serves far more stale pages than clear (clear: "
      << clear.stale_reads << ", the built-in coalesce: " << builtin.stale_reads
      << "): a view that joins a flight whose query started before the latest submit "
         "committed gets the page without that post, and the fill puts it back in the cache";
  const long long stale_reads_off_by = std::llabs(static_cast<long long>(mine.stale_reads) -
                                                  static_cast<long long>(builtin.stale_reads));
  const long long five_percent = static_cast<long long>(builtin.stale_reads / 20);
  EXPECT_LE(stale_reads_off_by, five_percent)
      << "your stale reads on builtin:r1 should be those of the built-in coalesce ("
      << builtin.stale_reads << ", within 5 %)";
  EXPECT_LT(mine.max_staleness_s, 2 * builtin.max_staleness_s)
      << "each stale page should be about one query old at most (the built-in's oldest: "
      << builtin.max_staleness_s << " s)";
}

TEST(SingleFlight, NoOrderSendsTwoQueriesFromOneServer) {
  POINTS(3);
  // builtin:race-coalesce: on one app server a view, a submit, a view;
  // every order of their steps (stampede explore).
  const graded::Explored e = graded::explored("builtin:race-coalesce", kStudent);
  ASSERT_TRUE(e.fault.empty()) << "over every order of a view, a submit and a view: " << e.fault;
  const stampede::ExploreResult &r = *e.result;
  EXPECT_TRUE(r.complete()) << "every order should end within " << stampede::ExploreOptions{}.depth
                            << " steps";
  const stampede::ExploreFinding &twice = r.finding("stampedes");
  EXPECT_EQ(twice.schedules, 0u)
      << "in no order should one server query the page twice at once, but it did "
      << graded::among(twice, r) << "; the shortest order is below" << graded::story(twice)
      << graded::hint("look at the second query's step: was the first view's flight marked "
                      "in the air before its query was sent, and was it cleared only when "
                      "the answer came?",
                      "set flight.in_flight = true when the leader calls ctx.db_read(r), and "
                      "false when its read replies");
  const stampede::ExploreFinding &shared = r.finding("stale_sets");
  EXPECT_GT(shared.schedules, 0u)
      << "single flight has its own race: in some order the second view joins a query that "
         "started before the submit committed, and the fill puts the old page back; in no "
         "order did it (does the leader fill the cache?)";
}

TEST(SingleFlight, BehavesExactlyLikeTheBuiltInCoalesce) {
  POINTS(2);
  for (const char *scenario :
       {"builtin:stampede", "builtin:r1", "builtin:frontpage", "builtin:many-keys"}) {
    const Watched w = watched(scenario);
    const std::string left = never_answered(w);
    EXPECT_PRED_FORMAT1(holds, left.empty() ? left : "on " + std::string(scenario) + ", " + left)
        << left_hint(w) << graded::explains_others();
    const auto mine = graded::comparable(w.r);
    const auto builtin = graded::comparable(graded::run(scenario, "coalesce"));
    EXPECT_EQ(graded::differences(mine, builtin), "")
        << "on " << scenario << ", the same seed should give the built-in coalesce's report"
        << unless(!left.empty(),
                  graded::hint("if the other tests pass: answer the waiters oldest first, when "
                               "the leader's read returns and before its fill; the leader is "
                               "answered when its fill replies"));
  }
}

} // namespace
