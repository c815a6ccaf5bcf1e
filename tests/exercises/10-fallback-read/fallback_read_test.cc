// Exercise 10: the fallback read path. The student's fallback drives the
// simulated stack through builtin:migrate (2,000 pages cached on two old
// nodes, two new, empty nodes at 20 s, the old ones retired at 50 s) with
// cache.fallback off, so that reading the old tier is the strategy's own
// work. Each check is set against what clear measures there, alone and
// with the simulator's own fallback (cache.fallback=true), whose
// report the student's must match.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "graded.h"
#include "left_requests.h"
#include "stampede/student_hashing.h"
#include "strategy_runs.h"

namespace {

const char *kStudent = "student:fallback";
const char *kScenario = "builtin:migrate";

// Every run here keeps builtin:migrate's own seed, 1. Measured on seeds
// 1-20 (solutions/10-fallback-read, and clear without a fallback): the
// busiest second brings the database 40-53 page queries with the solution,
// 393-459 with clear on a cold new tier (429 on seed 1). The bound sits
// between them, with room either side.
constexpr std::uint64_t kPeakReadsBound = 150;

// The migration: a new tier at 20 s, the old one retired at 50 s.
constexpr stampede::Time kMigrateAt = 20 * stampede::kSecond;
constexpr stampede::Time kRetireAt = 50 * stampede::kSecond;

using namespace graded::left;

/// A run of the student's strategy, followed request by request
/// (left_requests.h), and call by call: what each view did after the old
/// tier answered it, and which stale pages its copies stored.
struct Traced {
  Watched w;
  std::uint64_t old_gets_out_of_turn = 0; // old-tier gets not right after a new-tier miss
  std::uint64_t old_hits = 0;             // views the old tier answered
  std::uint64_t copied_with_add = 0;      // of which the next call was an add
  std::uint64_t copied_with_set = 0;      // ... a set or a cas
  std::uint64_t read_after_old_hit = 0;   // ... a database read
  std::uint64_t fills_with_set = 0;       // views whose fill after their read was a set
  std::uint64_t stale_from_copies = 0;    // stale reads of a page a copy stored
  std::uint64_t stale_in_migration = 0;   // stale reads from 20 s to 50 s
  std::uint64_t unfinished = 0; // views answered (ctx.answer) whose worker was never let go
};

class Tracer final : public stampede::Observer {
public:
  void on_activity(const stampede::ActivityRecord &a) override {
    follower_.on_activity(a);
    const auto it = answered_.find(a.serial);
    if (it == answered_.end())
      return;
    if (a.activity == stampede::Activity::kDone)
      answered_.erase(it); // its worker is free
    else
      it->second = a.until; // -1 while a query waits for a connection
  }

  void on_request(const stampede::RequestRecord &r) override {
    follower_.on_request(r);
    answered_[r.serial] = r.response; // until its worker is let go
  }

  void on_call(const stampede::CallRecord &c) override {
    using stampede::Op;
    follower_.on_call(c);
    const Call before = last_[c.serial];
    last_[c.serial] = Call{c.op, c.hit};
    if (c.op == Op::kCacheGetOld) {
      if (before.op != Op::kCacheGet || before.hit)
        ++t_.old_gets_out_of_turn;
      t_.old_hits += c.hit;
      return;
    }
    const bool store = c.op == Op::kCacheAdd || c.op == Op::kCacheSet || c.op == Op::kCacheCas;
    if (before.op == Op::kCacheGetOld && before.hit) {
      if (c.op == Op::kCacheAdd)
        ++t_.copied_with_add;
      else if (store)
        ++t_.copied_with_set;
      else if (c.op == Op::kDbRead)
        ++t_.read_after_old_hit;
      if (store && c.status == stampede::McStatus::kStored)
        copies_.insert(c.serial);
    } else if (before.op == Op::kDbRead && c.op == Op::kCacheSet) {
      ++t_.fills_with_set;
    }
  }

  void on_anomaly(const stampede::AnomalyRecord &a) override {
    if (a.kind != stampede::AnomalyKind::kStaleRead)
      return;
    t_.stale_from_copies += copies_.count(a.cause_serial);
    t_.stale_in_migration += a.at >= kMigrateAt && a.at < kRetireAt;
  }

  Traced result(const stampede::Simulation &sim) {
    const stampede::Time end = sim.overloaded_at().value_or(sim.end());
    for (const auto &[serial, until] : answered_)
      t_.unfinished += until >= 0 && end - until > kLeftFor;
    t_.w = follower_.result(sim);
    return std::move(t_);
  }

private:
  struct Call {
    stampede::Op op = stampede::Op::kNone;
    bool hit = false;
  };
  Follower follower_;
  std::unordered_map<std::uint64_t, Call> last_; // each request's last call, by serial
  std::unordered_set<std::uint64_t> copies_;     // requests whose copy was stored
  // Requests answered whose worker is still held: when their last activity ends.
  std::unordered_map<std::uint64_t, stampede::Time> answered_;
  Traced t_;
};

/// The student's strategy on builtin:migrate without cache.fallback, and
/// with a delete hold-off of `holdoff_s`; each run once, shared by the tests.
const Traced &mine(int holdoff_s) {
  static std::map<int, Traced> runs;
  if (const auto it = runs.find(holdoff_s); it != runs.end())
    return it->second;
  Tracer tracer;
  const graded::left::StudentRun run = graded::left::run_student(
      kStudent, kScenario,
      {"cache.fallback=false", "cache.delete_holdoff_s=" + std::to_string(holdoff_s)}, tracer);
  Traced t = tracer.result(*run.sim);
  t.w.fault = run.fault;
  return runs.emplace(holdoff_s, std::move(t)).first->second;
}

/// The built-in clear on builtin:migrate, with the simulator's own fallback
/// or not, and a hold-off; each run once.
const stampede::Report &clear(bool fallback, int holdoff_s) {
  static std::map<std::pair<bool, int>, stampede::Report> runs;
  const std::pair key{fallback, holdoff_s};
  if (const auto it = runs.find(key); it != runs.end())
    return it->second;
  return runs
      .emplace(key, graded::run(kScenario, "clear",
                                {std::string("cache.fallback=") + (fallback ? "true" : "false"),
                                 "cache.delete_holdoff_s=" + std::to_string(holdoff_s)}))
      .first->second;
}

const char *kAskTheOldTier = "during a migration the new tier starts empty, and the old tier still "
                             "holds the pages: a view that misses the new tier asks the old one "
                             "before it reads the database";
const char *kAskTheOldTierFix = "after the new tier's get misses (!reply.hit): set r.step to your "
                                "old-tier step and call ctx.cache_get_old(r)";
const char *kCopy = "the new tier holds only what is put into it: a page the old tier answered "
                    "goes into the new tier too, so that the next view of it hits there (and "
                    "nothing is lost when the old tier is retired at 50 s)";
const char *kCopyFix = "on the old tier's hit: ctx.answer(r); set r.step to your copy's step; "
                       "ctx.cache_add(r); and ctx.finish(r) when the add replies";

/// The requests never answered, or answered and never finished: "" when none.
std::string left_over(const Traced &t) {
  const std::string left = never_answered(t.w);
  if (t.unfinished == 0 || !t.w.left.empty())
    return left;
  return counted(t.unfinished) + " page views were answered (ctx.answer) but never finished: " +
         "their workers stayed busy to the end" + (left.empty() ? "" : " (" + left + ")");
}

/// Where to look for the requests left, by where most were left.
std::string left_hint(const Traced &t) {
  using stampede::Op;
  const Watched &w = t.w;
  if (w.left.empty() && t.unfinished > 0)
    return graded::hint("a view answered with ctx.answer(r) keeps its worker until "
                        "ctx.finish(r) lets it go: the copy's add is the last operation of a view "
                        "the old tier answered",
                        "when the copy's add replies: return ctx.finish(r);");
  if (w.left.empty())
    return "";
  const Left l = most_left(w).first;
  if (!l.submit && l.op == Op::kCacheGet && l.hit)
    return graded::hint("a view whose get hit the new tier has its page: answer it",
                        "if (reply.hit) return ctx.respond(r);");
  if (!l.submit && l.op == Op::kCacheGet)
    return graded::hint(kAskTheOldTier, kAskTheOldTierFix);
  if (!l.submit && l.op == Op::kCacheGetOld && l.hit)
    return graded::hint("a view the old tier answered has its page: answer it, then copy the "
                        "page into the new tier",
                        kCopyFix);
  if (!l.submit && l.op == Op::kCacheGetOld)
    return graded::hint("a view that missed both tiers has no page yet: the database has it",
                        "after the old tier's miss: set r.step to your read step and call "
                        "ctx.db_read(r)");
  if (!l.submit && l.op == Op::kDbRead)
    return graded::hint("after its database read, the view fills the new tier with the page (an "
                        "add), then is answered",
                        "after the read's reply: set r.step to your fill step and call "
                        "ctx.cache_add(r)");
  if (!l.submit && (l.op == Op::kCacheAdd || l.op == Op::kCacheSet))
    return graded::hint("an add is a view's last operation: once it replies, a view answered "
                        "already (the copy) is finished, and one not yet answered (the fill) is "
                        "answered",
                        "when the copy's add replies: return ctx.finish(r); when the fill's "
                        "add replies: return ctx.respond(r);");
  if (l.submit && l.op == Op::kDbInsert)
    return graded::hint("once its insert commits, the submit deletes the cached page, as clear "
                        "does (the simulator sends the delete to both tiers)",
                        "after the insert's reply: set r.step to your delete's step and call "
                        "ctx.cache_delete(r)");
  if (l.submit && l.op == Op::kCacheDelete)
    return graded::hint("the delete is the submit's last operation: once it replies, the submit "
                        "must be answered",
                        "when the delete replies: return ctx.respond(r);");
  return graded::left::any_left_hint(l);
}

TEST(FallbackRead, AMissAsksTheOldTier) {
  POINTS(2);
  const Traced &t = mine(0);
  const stampede::Report &r = t.w.r;
  const bool left = !left_over(t).empty();
  EXPECT_PRED_FORMAT1(holds, left_over(t)) << left_hint(t) << graded::explains_others();
  const bool never_got = r.cache_gets == 0;
  EXPECT_GE(r.cache_gets, r.page_views)
      << "every page view should start with a get from the new tier"
      << graded::hint("view() starts each page view: its first operation asks the new tier",
                      "in view(): set r.step to your get's step and call ctx.cache_get(r)")
      << (never_got ? graded::explains_others() : "");
  EXPECT_LE(r.cache_gets, graded::views_arrived(r))
      << "a page view should get the page from the new tier once";
  const bool never_old = r.fallback_gets == 0;
  EXPECT_GT(r.fallback_gets, 0u)
      << "from 20 s to 50 s, a view that misses the new tier should ask the old tier"
      << unless(left || never_got, graded::hint(kAskTheOldTier, kAskTheOldTierFix))
      << (never_old && !left && !never_got ? graded::explains_others() : "");
  EXPECT_EQ(t.old_gets_out_of_turn, 0u)
      << "the old tier should be asked only right after the new tier missed"
      << graded::hint("a view whose get hit the new tier is answered at once; the old tier is "
                      "asked once, after the new tier's miss, and never before it");
  EXPECT_LE(r.fallback_gets, r.cache_gets - r.cache_hits)
      << "the old tier should be asked at most once per miss of the new tier";
  EXPECT_GT(r.fallback_hits, 0u)
      << "the old tier is warm when the migration starts: it should answer some views"
      << unless(never_old, graded::hint("a hit in the old tier is reply.hit after "
                                        "ctx.cache_get_old(r), with the page in r.page"));
}

TEST(FallbackRead, AnOldHitIsServedAndCopied) {
  POINTS(3);
  const Traced &t = mine(0);
  const stampede::Report &r = t.w.r;
  EXPECT_PRED_FORMAT1(holds, left_over(t)) << left_hint(t) << graded::explains_others();
  const std::uint64_t old_hits = t.old_hits;
  const std::uint64_t copies = t.copied_with_add + t.copied_with_set;
  ASSERT_GT(old_hits, 0u) << "no view was answered by the old tier"
                          << graded::hint(kAskTheOldTier, kAskTheOldTierFix)
                          << graded::explains_others();
  const std::uint64_t database_reads = t.read_after_old_hit;
  EXPECT_EQ(database_reads, 0u)
      << "of the " << counted(old_hits)
      << " views the old tier answered, none should read the database: they have their page"
      << graded::hint("the old tier's hit puts the page in r.page: answer it from there", kCopyFix);
  EXPECT_EQ(copies, old_hits) << "every page the old tier answered should be copied into the new "
                                 "tier"
                              << graded::hint(kCopy, kCopyFix);
  const std::uint64_t copies_with_set = t.copied_with_set;
  EXPECT_EQ(copies_with_set, 0u)
      << "a copy into the new tier should be an add, not a set"
      << graded::hint("a set overwrites whatever the new tier holds, a newer page or a delete's "
                      "hold-off; an add stores only where the key is absent",
                      "copy with ctx.cache_add(r), not ctx.cache_set(r)");
  // Copied, a page is asked of the old tier about once: clear under the
  // simulator's own fallback asks as often.
  const stampede::Report &builtin = clear(true, 0);
  EXPECT_LE(r.fallback_hits, builtin.fallback_hits + builtin.fallback_hits / 10)
      << "once copied, a page should be found in the new tier: the old tier should answer about "
         "as many views as it does for the simulator's own fallback ("
      << counted(builtin.fallback_hits) << ")";
}

TEST(FallbackRead, NoHerdWhenTheNewTierTakesOver) {
  POINTS(3);
  const Traced &t = mine(0);
  const stampede::Report &r = t.w.r;
  const stampede::Report &cold = clear(false, 0);
  const bool left = !left_over(t).empty();
  EXPECT_PRED_FORMAT1(holds, left_over(t)) << left_hint(t) << graded::explains_others();
  ASSERT_GT(t.w.views_started, 0u);
  std::string hint;
  if (r.fallback_gets == 0)
    hint = graded::hint(kAskTheOldTier, kAskTheOldTierFix);
  else if (t.read_after_old_hit > 0)
    hint = graded::hint("a view the old tier answered has its page: it should not read the "
                        "database as well",
                        kCopyFix);
  else if (t.copied_with_add + t.copied_with_set < t.old_hits)
    hint = graded::hint(kCopy, kCopyFix);
  // The grader shows what was measured on a passed test too.
  ::testing::Test::RecordProperty("measured",
                                  "busiest second: " + std::to_string(r.db_peak_reads_per_s) +
                                      " page queries (clear on a cold new tier: " +
                                      std::to_string(cold.db_peak_reads_per_s) + ")");
  EXPECT_LT(r.db_peak_reads_per_s, kPeakReadsBound)
      << "the busiest second should bring the database far fewer page queries than a cold new "
         "tier does (clear without a fallback: "
      << cold.db_peak_reads_per_s
      << "; clear with the simulator's own fallback: " << clear(true, 0).db_peak_reads_per_s
      << "; at most " << kPeakReadsBound << " expected)" << unless(left, hint);
  // Seeds 1-20: 1,568-1,788 page queries with the solution, 3,437-3,627
  // with clear on a cold new tier.
  EXPECT_LT(r.db_reads_by_page_views, cold.db_reads_by_page_views * 3 / 4)
      << "over the whole run, the database should answer far fewer page queries than with a "
         "cold new tier (clear without a fallback: "
      << counted(cold.db_reads_by_page_views) << "; at most three quarters of that expected)"
      << unless(left, hint);
}

TEST(FallbackRead, AHoldOffKeepsStalePagesOut) {
  POINTS(2);
  // cache.delete_holdoff_s=2: a delete leaves the key held off for 2 s, so
  // an add that comes after it is refused (a set is not).
  const Traced &t = mine(2);
  const stampede::Report &r = t.w.r;
  EXPECT_PRED_FORMAT1(holds, left_over(t)) << left_hint(t) << graded::explains_others();
  ASSERT_GT(t.w.submits_started, 0u) << "builtin:migrate has submits";
  const std::uint64_t old_hits = t.old_hits;
  ASSERT_GT(old_hits, 0u) << "with a hold-off too, the old tier should answer views that miss "
                             "the new tier"
                          << graded::hint(kAskTheOldTier, kAskTheOldTierFix)
                          << graded::explains_others();
  const bool never_inserted = r.db_writes == 0;
  EXPECT_GE(r.db_writes, r.submits)
      << "each submit should insert its post"
      << graded::hint("submit() starts each submit: its first operation inserts the post",
                      "in submit(): set r.step to your insert's step and call ctx.db_insert(r)")
      << (never_inserted ? graded::explains_others() : "");
  EXPECT_LE(r.db_writes, t.w.submits_started) << "each submit should insert its post once";
  EXPECT_GE(r.cache_deletes, r.submits)
      << "as in clear, each submit should delete the cached page once its post is in"
      << unless(never_inserted,
                graded::hint("once its insert commits, the submit deletes the page (the "
                             "simulator sends the delete to both tiers)",
                             "after the insert's reply: set r.step to your delete's step and "
                             "call ctx.cache_delete(r)"));
  EXPECT_LE(r.cache_deletes, r.db_writes) << "each submit should delete the page once";
  EXPECT_EQ(r.db_reads_by_submits, 0u)
      << "a submit should not read the page: the next view that misses does";
  std::string hint;
  if (t.copied_with_set > 0)
    hint = graded::hint("a copy stored with set overwrites the hold-off a delete left, and puts "
                        "back the page the delete removed",
                        "copy with ctx.cache_add(r), not ctx.cache_set(r)");
  else if (t.fills_with_set > 0)
    hint = graded::hint("a fill stored with set overwrites the hold-off a delete left: a page "
                        "read before the delete goes back into the cache",
                        "after the database read, fill with ctx.cache_add(r), not "
                        "ctx.cache_set(r)");
  EXPECT_EQ(r.stale_reads, 0u)
      << "with a 2 s hold-off, no view should be served a page older than a submit that "
         "committed before it ("
      << counted(t.stale_in_migration) << " of the " << counted(r.stale_reads)
      << " stale reads came during the migration, " << counted(t.stale_from_copies)
      << " from your copies of the old tier's pages; clear with the simulator's own fallback: "
      << clear(true, 2).stale_reads << ")" << unless(r.cache_deletes < r.submits, hint);
}

TEST(FallbackRead, ShowsTheCopyRace) {
  POINTS(2);
  // No hold-off: a view reads the old tier's page just before a submit's
  // delete reaches the old tier, and adds it to the new tier just after the
  // delete left the new tier. The copy puts the old page back.
  const Traced &t = mine(0);
  const stampede::Report &r = t.w.r;
  const stampede::Report &builtin = clear(true, 0);
  EXPECT_PRED_FORMAT1(holds, left_over(t)) << left_hint(t) << graded::explains_others();
  ::testing::Test::RecordProperty("measured", counted(r.stale_reads) + " stale reads, " +
                                                  counted(t.stale_from_copies) +
                                                  " of them of pages your copies stored");
  EXPECT_GT(t.stale_from_copies, 0u)
      << "without a hold-off, some copies from the old tier should outlive a submit's delete "
         "and be served stale, as the simulator's own fallback's are"
      << unless(t.old_hits == 0, graded::hint(kCopy, kCopyFix))
      << unless(t.old_hits > 0, graded::hint(kAskTheOldTier, kAskTheOldTierFix));
  const auto off_by = static_cast<std::uint64_t>(std::llabs(
      static_cast<long long>(r.stale_reads) - static_cast<long long>(builtin.stale_reads)));
  EXPECT_LE(off_by, builtin.stale_reads / 20)
      << "your stale reads without a hold-off should be those of clear with the simulator's "
         "own fallback ("
      << counted(builtin.stale_reads) << ", within 5 %)";
}

TEST(FallbackRead, BehavesExactlyLikeTheSimulatorsFallback) {
  POINTS(2);
  for (const int holdoff_s : {0, 2}) {
    const Traced &t = mine(holdoff_s);
    const std::string where =
        "on " + std::string(kScenario) + (holdoff_s > 0 ? " with a 2 s hold-off" : "");
    const std::string left = left_over(t);
    EXPECT_PRED_FORMAT1(holds, left.empty() ? left : where + ", " + left)
        << left_hint(t) << graded::explains_others();
    // The two runs differ in cache.fallback alone (the student's is off),
    // which the report's figures do not show.
    EXPECT_EQ(
        graded::differences(graded::comparable(t.w.r), graded::comparable(clear(true, holdoff_s))),
        "")
        << where
        << ", the same seed should give the report of clear with cache.fallback=true (the "
           "simulator's own fallback)"
        << unless(!left.empty(),
                  graded::hint("if the other tests pass: answer a view the old tier answered "
                               "when its page arrives, before the copy (the copy is the "
                               "server's to wait for, not the user's); fill and copy with add"));
  }
}

} // namespace
