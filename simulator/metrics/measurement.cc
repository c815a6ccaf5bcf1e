// One measurement's intervals, warm-up and report: the counts the facts
// built, less the warm-up's, with the ratios and summaries SPEC section 6
// derives from them.
#include "metrics/measurement.h"

namespace stampede::internal {

namespace {

/// The report's counters that facts add to as the run goes: after a
/// warm-up, each is reported as its growth since the warm-up's end.
constexpr std::uint64_t Report::*kCounters[] = {
    &Report::page_views,
    &Report::submits,
    &Report::rejected,
    &Report::edge_hits,
    &Report::edge_misses,
    &Report::db_reads,
    &Report::db_writes,
    &Report::db_reads_by_page_views,
    &Report::db_reads_by_submits,
    &Report::cache_gets,
    &Report::cache_hits,
    &Report::cache_misses,
    &Report::cache_sets,
    &Report::cache_deletes,
    &Report::cas_attempts,
    &Report::cas_retries,
    &Report::lease_refusals,
    &Report::cache_timeouts,
    &Report::gutter_gets,
    &Report::gutter_hits,
    &Report::fallback_gets,
    &Report::fallback_hits,
    &Report::arrivals,
};

double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0;
}

} // namespace

Measurement::IntervalCounts Measurement::counts() const noexcept {
  return {c_.arrivals,           c_.page_views, c_.submits,    c_.db_reads,
          c_.db_writes,          c_.cache_gets, c_.cache_hits, stale_.count(),
          stampede_.redundant(), cas_.count(),  lost_.count()};
}

void Measurement::close_interval(IntervalRecord &iv) {
  const IntervalCounts now = counts();
  iv.arrivals = now.arrivals - iv_counts_.arrivals;
  iv.page_views = now.page_views - iv_counts_.page_views;
  iv.submits = now.submits - iv_counts_.submits;
  iv.db_reads = now.db_reads - iv_counts_.db_reads;
  iv.db_writes = now.db_writes - iv_counts_.db_writes;
  iv.cache_gets = now.cache_gets - iv_counts_.cache_gets;
  iv.cache_hits = now.cache_hits - iv_counts_.cache_hits;
  iv.stale_reads = now.stale_reads - iv_counts_.stale_reads;
  iv.redundant_db_reads = now.redundant_db_reads - iv_counts_.redundant_db_reads;
  iv.cas_conflicts = now.cas_conflicts - iv_counts_.cas_conflicts;
  iv.lost_updates = now.lost_updates - iv_counts_.lost_updates;
  iv.view_p50_ms = iv_view_latency_.percentile(0.5) / 1e6;
  iv.view_p99_ms = iv_view_latency_.percentile(0.99) / 1e6;
  iv_view_latency_.clear();
  iv_counts_ = now;
}

void Measurement::end_warmup(std::uint64_t db_queue, const StackGauges &stack) {
  warm_.counts = c_;
  warm_.stale_reads = stale_.count();
  warm_.redundant_db_reads = stampede_.redundant();
  warm_.stampedes = stampede_.stampedes();
  warm_.lost_updates = lost_.count();
  warm_.cas_conflicts = cas_.count();
  warm_.evictions = stack.evictions;
  warm_.db_busy_area = stack.db_busy_area;
  c_.db_max_queue = db_queue;
  stale_.start_window();
  stampede_.start_window();
  peak_reads_.clear();
  view_latency_.clear();
  submit_latency_.clear();
}

Report Measurement::report(const StackGauges &stack) const {
  Report r = c_;
  for (const auto counter : kCounters)
    r.*counter -= warm_.counts.*counter;
  // What the detectors found.
  r.stale_reads = stale_.count() - warm_.stale_reads;
  r.max_staleness_s = ns_to_seconds(stale_.max_age());
  r.redundant_db_reads = stampede_.redundant() - warm_.redundant_db_reads;
  r.stampedes = stampede_.stampedes() - warm_.stampedes;
  r.peak_concurrent_same_key = stampede_.peak();
  r.db_peak_reads_per_s = peak_reads_.peak();
  r.lost_updates = lost_.count() - warm_.lost_updates;
  r.cas_conflicts = cas_.count() - warm_.cas_conflicts;
  r.db_reads_per_page_view = ratio(r.db_reads_by_page_views, r.page_views);
  r.db_reads_per_submit = ratio(r.db_reads_by_submits, r.submits);
  // Utilisation over the time measured.
  const double area = stack.db_busy_area - warm_.db_busy_area + stack.db_busy_open;
  r.db_utilization =
      stack.elapsed > 0
          ? area / (static_cast<double>(stack.elapsed) * static_cast<double>(stack.db_connections))
          : 0;
  r.cache_hit_ratio = ratio(r.cache_hits, r.cache_gets);
  r.edge_hit_ratio = ratio(r.edge_hits, r.edge_hits + r.edge_misses);
  r.cache_evictions = stack.evictions - warm_.evictions;
  r.stale_read_ratio = ratio(r.stale_reads, r.page_views);
  r.page_view_latency = latency_summary(view_latency_);
  r.submit_latency = latency_summary(submit_latency_);
  return r;
}

} // namespace stampede::internal
