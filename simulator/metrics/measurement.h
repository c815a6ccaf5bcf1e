// One measurement (SPEC sections 4 and 6): what a run counts and what it
// finds, fed facts by whoever plays the run (the model in model/, the
// reality lab in reality/) and turned into the Report both print. Both
// worlds feed the same class, so lesson 14's number-for-number comparison
// compares two runs, never two copies of the bookkeeping.
//
// It owns the commit log (the truth a detector judges against), the four
// detectors, the busiest second's page queries, the latency histograms, the
// counters, the current interval's baseline and the warm-up's. What only
// the stack knows (the database's busy time, the caches' evictions) is read
// from the stack when a report is made (StackGauges).
#pragma once

#include <cstdint>
#include <optional>

#include "metrics/commit_log.h"
#include "metrics/detectors.h"
#include "metrics/histogram.h"
#include "metrics/peak_rate.h"
#include "stampede/page.h"
#include "stampede/report.h"
#include "stampede/simulation.h"
#include "stampede/time.h"

namespace stampede::internal {

/// What the stack reports of itself when a report is made: gauges, not facts.
struct StackGauges {
  /// The database's busy connection-ns up to its last change of busy count.
  double db_busy_area = 0;
  /// The busy connection-ns since that change (the connections busy now, kept
  /// apart so the sum is made in the order the report has always made it).
  double db_busy_open = 0;
  Time elapsed = 0;                 ///< The time measured: the run so far, from the warm-up's end.
  std::uint32_t db_connections = 1; ///< db.connections.
  std::uint64_t evictions = 0;      ///< The caches' evictions so far (all of them, warm-up's too).
};

class Measurement {
public:
  /// @param keys how many keys there are. @param local_caches each app
  /// server has its own cache (app.local_cache), as the lost-update detector
  /// must know.
  Measurement(std::uint32_t keys, bool local_caches)
      : log_(keys), stampede_(keys), lost_(keys, local_caches) {}

  /// The truth: which posts are committed, and when.
  const CommitLog &log() const noexcept { return log_; }

  // -------------------------------------------------------------- requests

  /// A request arrived at the stack.
  void arrival() noexcept { ++c_.arrivals; }
  /// A request was refused (a full app.backlog).
  void rejected() noexcept { ++c_.rejected; }
  /// The front cache answered a page view (hit) or passed it on (miss).
  void edge_seen(bool hit) noexcept { ++(hit ? c_.edge_hits : c_.edge_misses); }

  /// A page view was answered `latency` after it arrived, with `page`.
  /// @return what the page lacked (a stale read, counted), if anything.
  std::optional<StaleRead> view_answered(Time latency, const Page &page, std::uint32_t key,
                                         Time arrival, std::uint32_t committed_at_arrival) {
    ++c_.page_views;
    view_latency_.add(latency);
    iv_view_latency_.add(latency);
    return stale_.view_served(page, key, arrival, committed_at_arrival, log_);
  }

  /// A submit was answered `latency` after it arrived.
  void submit_answered(Time latency) {
    ++c_.submits;
    submit_latency_.add(latency);
  }
  /// Whether a submit's post is still on its key's page: only then can a
  /// strategy that edits the cached page lose it.
  bool on_page(std::uint32_t key, std::uint32_t post) const noexcept {
    return post != 0 && post + kPagePosts > log_.committed(key);
  }
  /// A submit whose post is on the page was answered, under a strategy that
  /// edits the cached page. @param cached the page in its cache then, if any.
  /// @return true if that page already lacks the post (a lost update, counted);
  /// otherwise the post is watched from now on.
  bool submit_post_answered(std::uint32_t key, std::uint32_t post, std::uint32_t server,
                            const Page *cached) {
    return lost_.submit_answered(key, post, server, log_.committed(key), cached);
  }

  // -------------------------------------------------------------- database

  /// A page query was issued at `at`, by a page view or by a submit.
  /// @param counted whether `at` falls within the measured run (the lab's
  ///        queries may be issued after its end). @return whether a stampede
  ///        began with it.
  bool query_issued(std::uint32_t key, bool by_view, Time at, bool counted = true) noexcept {
    if (counted)
      peak_reads_.add(at);
    return by_view && stampede_.query_issued(key).stampede_began;
  }
  /// A page query completed. @param counted whether within the measured run.
  void query_completed(std::uint32_t key, bool by_view, bool counted = true) noexcept {
    if (by_view)
      stampede_.query_completed(key);
    if (!counted)
      return;
    ++c_.db_reads;
    ++(by_view ? c_.db_reads_by_page_views : c_.db_reads_by_submits);
  }
  /// An insert for `key` committed at `at`. @return the post's number.
  std::uint32_t insert_committed(std::uint32_t key, Time at) { return log_.commit(key, at); }
  /// An insert's statement completed (counted in db.writes).
  void insert_completed() noexcept { ++c_.db_writes; }
  /// The database's queue (waiting only) was seen `length` long.
  void db_queue_seen(std::uint64_t length) noexcept {
    if (length > c_.db_max_queue)
      c_.db_max_queue = length;
  }

  // ----------------------------------------------------------------- cache

  /// A get (or a lease get) was answered: a hit or a miss.
  void cache_get(bool hit) noexcept {
    ++c_.cache_gets;
    ++(hit ? c_.cache_hits : c_.cache_misses);
  }
  /// A get went to the gutter pool (counted in cache_get too).
  void gutter_get(bool hit) noexcept {
    ++c_.gutter_gets;
    c_.gutter_hits += hit;
  }
  /// A get went to the old tier of a migration (its get of the new tier is
  /// counted in cache_get, with whether the old tier answered).
  void fallback_get(bool hit) noexcept {
    ++c_.fallback_gets;
    c_.fallback_hits += hit;
  }
  /// A set, add, cas or lease fill was sent.
  void cache_set() noexcept { ++c_.cache_sets; }
  /// A cas was sent (counted in cache_set too). @param retry not the request's first.
  void cas_sent(bool retry) noexcept {
    ++c_.cas_attempts;
    c_.cas_retries += retry;
  }
  /// A cas was answered EXISTS.
  void cas_refused() noexcept { cas_.cas_refused(); }
  /// A lease fill was refused (a delete since voided its token).
  void lease_refused() noexcept { ++c_.lease_refusals; }
  /// A delete (or an invalidating delete) was sent.
  void cache_delete() noexcept { ++c_.cache_deletes; }
  /// A call was never answered: the client gave up (counted as its kind too).
  void cache_timeout() noexcept { ++c_.cache_timeouts; }
  /// A page was written to `server`'s cache (any server's, without local
  /// caches) for `key`: `lost(post)` is called for each watched post it
  /// drops (a lost update, counted).
  template <class Lost>
  void cache_written(std::uint32_t key, std::uint32_t server, const Page &page, Lost &&lost) {
    lost_.cache_written(key, server, page, log_.committed(key), lost);
  }

  // ------------------------------------------------------------ intervals

  /// Fills an interval's counted fields (arrivals .. lost_updates, the view
  /// latency's median and p99) with their growth since the last interval
  /// closed, and starts the next one.
  void close_interval(IntervalRecord &iv);

  /// The warm-up ends now: what is reported counts from here. @param
  /// db_queue the database's queue now (the largest seen restarts there).
  void end_warmup(std::uint64_t db_queue, const StackGauges &stack);

  /// @return the report's measured fields (counts, anomalies, ratios,
  /// latencies, utilisation, evictions); the caller names the run (scenario,
  /// strategy, seed, duration) and its engine fields.
  Report report(const StackGauges &stack) const;

private:
  CommitLog log_;
  StaleReadDetector stale_;
  StampedeDetector stampede_;
  LostUpdateDetector lost_;
  CasConflictDetector cas_;
  PeakRate peak_reads_; // page queries issued, per second (db.peak_reads_per_s)
  Report c_;            // the counts, cumulative from the run's start
  LatencyHistogram view_latency_, submit_latency_;

  // The cumulative counts an interval's growth is taken from.
  struct IntervalCounts {
    std::uint64_t arrivals, page_views, submits, db_reads, db_writes, cache_gets, cache_hits,
        stale_reads, redundant_db_reads, cas_conflicts, lost_updates;
  };
  IntervalCounts counts() const noexcept;
  IntervalCounts iv_counts_{};
  LogHistogram<4> iv_view_latency_;

  // What the warm-up left: the cumulative counts at its end, subtracted in
  // report(); the maxima and latencies restart there.
  struct Warmup {
    Report counts;
    std::uint64_t stale_reads = 0, redundant_db_reads = 0, stampedes = 0, lost_updates = 0,
                  cas_conflicts = 0, evictions = 0;
    double db_busy_area = 0;
  };
  Warmup warm_;
};

} // namespace stampede::internal
