// Exercise 08: single flight. The student's coalesce drives the simulated
// stack through builtin:stampede's deletes and builtin:r1's load; each check
// is set against what clear and the built-in coalesce measure there.
#include <cmath>
#include <string>

#include "graded.h"
#include "strategy_runs.h"

namespace {

const char *kStudent = "student:coalesce";

// builtin:stampede: 4 app servers, a warm cache, 500 views/s, a 200 ms page
// query, and one submit (so one delete) every 5 s from t = 5 s to 25 s.
constexpr std::uint64_t kServers = 4;
constexpr std::uint64_t kDeletes = 5;

// A strategy whose views keep missing never filled the cache: that, not the
// flights, is then the likely bug behind too many queries or slow answers.
std::string unless_no_fill(const stampede::Report &r, const std::string &hint) {
  return graded::hint(r.cache_hit_ratio < 0.9
                          ? "views keep missing (hit ratio " + std::to_string(r.cache_hit_ratio) +
                                "): after the leader's read, fill the cache (ctx.cache_fill(r))"
                          : hint);
}

TEST(SingleFlight, PageViewsReadThroughTheCache) {
  POINTS(2);
  // A cold cache and no submits: the first views miss and fill it; then views hit.
  const auto r = graded::run("builtin:frontpage", kStudent,
                             {"workload.submit_ratio=0", "events=[]", "strategy.warm=false"});
  EXPECT_GE(r.cache_gets, r.page_views) << "every page view should start with a cache get"
                                        << graded::hint("does view() call ctx.cache_get(r)?");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the cache once";
  EXPECT_GE(r.db_reads_by_page_views, 1u)
      << "a page view that misses should read the page from the database (or wait for the "
         "read its server already sent)"
      << graded::hint("after a get that missed (!reply.hit), the first view to miss calls "
                      "ctx.db_read(r)");
  EXPECT_GT(r.cache_hit_ratio, 0.99)
      << "after the first fill, page views should hit the cache"
      << graded::hint("once the leader's read answers, does it put the page in the cache "
                      "(ctx.cache_fill(r)) before responding?");
}

TEST(SingleFlight, SubmitsInsertOnceAndDelete) {
  POINTS(2);
  const auto r = graded::run("builtin:frontpage", kStudent);
  ASSERT_GT(r.submits, 0u) << "the front page scenario has submits";
  // A submit answered has inserted and deleted; one still deleting at the
  // end has inserted (db.writes) but not answered (requests.submits).
  EXPECT_GE(r.db_writes, r.submits) << "each submit should insert its post"
                                    << graded::hint("does submit() call ctx.db_insert(r)?");
  EXPECT_LE(r.db_writes, r.submits + 1) << "each submit should insert its post once";
  EXPECT_GE(r.cache_deletes, r.submits)
      << "as in clear, each submit should delete the cached page once its post is in"
      << graded::hint("after the insert's reply, call ctx.cache_delete(r), then respond");
  EXPECT_LE(r.cache_deletes, r.db_writes) << "each submit should delete the page once";
  EXPECT_EQ(r.db_reads_by_submits, 0u)
      << "a submit should not read the page: the next view that misses does";
}

TEST(SingleFlight, OneQueryPerAppServerAfterEachDelete) {
  POINTS(3);
  const auto mine = graded::run("builtin:stampede", kStudent);
  const auto clear = graded::run("builtin:stampede", "clear");
  EXPECT_GE(mine.db_reads_by_page_views, kDeletes)
      << "after each of the " << kDeletes
      << " deletes, the first view to miss should query the database afresh"
      << graded::hint("when the leader's read answers, mark its flight as over; a flight "
                      "left in the air makes every later miss wait for an answer that never "
                      "comes");
  EXPECT_LE(mine.db_reads_by_page_views, kServers * kDeletes)
      << "a delete should cost at most one query per app server (" << kServers << " servers, "
      << kDeletes << " deletes; clear sends " << clear.db_reads_by_page_views << ")"
      << unless_no_fill(mine, "a view that misses while its server's flight for the key is in "
                              "the air should join it (remember &r, issue no operation), not "
                              "db_read");
  EXPECT_LE(mine.peak_concurrent_same_key, kServers)
      << "at most one query per app server should be in flight at once (clear: "
      << clear.peak_concurrent_same_key << ")";
  EXPECT_GT(mine.peak_concurrent_same_key, 1u)
      << "each app server should run its own flight: a view on one server cannot wait for a "
         "query another server sent"
      << graded::hint("app servers share no memory: key your flights by (r.server, r.key), "
                      "not by r.key alone");
  EXPECT_LT(mine.redundant_db_reads * 10, clear.redundant_db_reads)
      << "single flight should cut clear's redundant reads (" << clear.redundant_db_reads
      << ") at least tenfold";
}

TEST(SingleFlight, EveryWaiterGetsThePage) {
  POINTS(3);
  const auto mine = graded::run("builtin:stampede", kStudent);
  const auto clear = graded::run("builtin:stampede", "clear");
  ASSERT_GT(mine.arrivals, 0u);
  // clear answers every view that arrives but the last few in flight at the end.
  EXPECT_GE(mine.page_views, clear.page_views - clear.page_views / 100)
      << "every view that waited for a flight should be answered (clear answers "
      << clear.page_views << " of " << graded::views_arrived(clear) << " views)"
      << graded::hint("when the leader's read answers, respond to every view waiting on its "
                      "flight (ctx.respond(*w) for each), then clear the list");
  EXPECT_LE(mine.page_views, graded::views_arrived(mine)) << "a view should be answered once";
  EXPECT_GE(mine.page_view_latency.max, 200.0)
      << "a view that missed should be answered with the page, once its server's query for it "
         "returns (builtin:stampede's query takes 200 ms), not before"
      << graded::hint("a view that joins a flight issues no operation and waits; the leader "
                      "answers it when its read returns");
  EXPECT_EQ(mine.stale_reads, clear.stale_reads)
      << "a view that waited should get the leader's page: the newest there is (clear's stale "
         "reads here: "
      << clear.stale_reads << ")"
      << unless_no_fill(mine, "set each waiter's page to the leader's (w->page = r.page) "
                              "before ctx.respond(*w): a waiter's own r.page is empty");
  // Many pages: a waiter must get the page of its own key.
  const auto keys = graded::run("builtin:many-keys", kStudent);
  const auto builtin = graded::run("builtin:many-keys", "coalesce");
  EXPECT_LE(keys.stale_reads, builtin.stale_reads + builtin.stale_reads / 10)
      << "on builtin:many-keys (many pages), a view that waited should get its own page (the "
         "built-in coalesce serves "
      << builtin.stale_reads << " stale pages there)"
      << graded::hint("a flight is for one page: key flights by (r.server, r.key), not by "
                      "server alone");
}

TEST(SingleFlight, ShowsItsOwnRace) {
  POINTS(2);
  // builtin:r1: 2,000 requests/s, a submit about every 0.1 s, a 100 ms query.
  const auto mine = graded::run("builtin:r1", kStudent);
  const auto clear = graded::run("builtin:r1", "clear");
  const auto builtin = graded::run("builtin:r1", "coalesce");
  EXPECT_GE(mine.page_views, builtin.page_views - builtin.page_views / 100)
      << "on builtin:r1, every view should be answered (the built-in coalesce answers "
      << builtin.page_views << ")"
      << unless_no_fill(mine, "when the leader's read answers, respond to every view waiting "
                              "on its flight");
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

TEST(SingleFlight, BehavesExactlyLikeTheBuiltInCoalesce) {
  POINTS(2);
  for (const char *scenario :
       {"builtin:stampede", "builtin:r1", "builtin:frontpage", "builtin:many-keys"}) {
    const auto mine = graded::comparable(graded::run(scenario, kStudent));
    const auto builtin = graded::comparable(graded::run(scenario, "coalesce"));
    EXPECT_EQ(graded::differences(mine, builtin), "")
        << "on " << scenario << ", the same seed should give the built-in coalesce's report"
        << graded::hint("if the other tests pass: answer the waiters oldest first, when the "
                        "leader's read returns and before its fill; the leader responds when "
                        "its fill replies");
  }
}

} // namespace
