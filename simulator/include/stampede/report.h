/// @file report.h
/// What a run measured: the fields of SPEC section 6, as plain values.
/// io/report_json writes it; field names there come from one table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stampede {

/// Latency summary of one kind of request, in milliseconds.
struct LatencySummary {
  double mean = 0; ///< Mean.
  double p50 = 0;  ///< Median.
  double p90 = 0;  ///< 90th percentile.
  double p99 = 0;  ///< 99th percentile.
  double max = 0;  ///< Largest.
};

/// The outcome of one expect clause.
struct ExpectationResult {
  std::string expr;  ///< As written.
  bool ok = false;   ///< Whether every term held.
  double actual = 0; ///< The measured value of the first failing term (or the first term).
};

/// A run's report (SPEC section 6).
struct Report {
  std::string scenario;   ///< Scenario name.
  std::string strategy;   ///< Strategy name, e.g. `update+cas`.
  std::uint64_t seed = 0; ///< Seed.
  double duration_s = 0;  ///< Simulated seconds.

  std::uint64_t page_views = 0; ///< requests.page_views: responses sent.
  std::uint64_t submits = 0;    ///< requests.submits.
  std::uint64_t rejected = 0;   ///< requests.rejected: refused by a full app.backlog.

  std::uint64_t edge_hits = 0;   ///< edge.hits: page views the front cache answered.
  std::uint64_t edge_misses = 0; ///< edge.misses: page views it passed on to the balancer.
  double edge_hit_ratio = 0;     ///< edge.hit_ratio = hits / (hits + misses).

  std::uint64_t db_reads = 0;               ///< db.reads completed.
  std::uint64_t db_writes = 0;              ///< db.writes completed.
  std::uint64_t db_reads_by_page_views = 0; ///< db.reads_by_page_views.
  std::uint64_t db_reads_by_submits = 0;    ///< db.reads_by_submits.
  double db_reads_per_page_view = 0;        ///< db.reads_per_page_view.
  double db_reads_per_submit = 0;           ///< db.reads_per_submit.
  std::uint64_t db_max_queue = 0;           ///< db.max_queue (waiting only).
  std::uint64_t db_peak_reads_per_s = 0;    ///< db.peak_reads_per_s: most page queries issued
                                            ///< in one second (buckets from the run's start).
  double db_utilization = 0;                ///< db.utilization: busy connection-time share.

  std::uint64_t cache_gets = 0;      ///< cache.gets issued (get and gets).
  std::uint64_t cache_hits = 0;      ///< cache.hits.
  std::uint64_t cache_misses = 0;    ///< cache.misses.
  double cache_hit_ratio = 0;        ///< cache.hit_ratio = hits / gets.
  std::uint64_t cache_sets = 0;      ///< cache.sets: set, add and cas issued.
  std::uint64_t cache_deletes = 0;   ///< cache.deletes.
  std::uint64_t cache_evictions = 0; ///< cache.evictions.
  std::uint64_t cas_attempts = 0;    ///< cache.cas_attempts.
  std::uint64_t cas_conflicts = 0;   ///< cache.cas_conflicts (EXISTS).
  std::uint64_t cas_retries = 0;     ///< cache.cas_retries.
  std::uint64_t lease_refusals = 0;  ///< cache.lease_refusals: lease fills refused (a delete
                                     ///< voided the token: the stale sets leases prevent).
  std::uint64_t cache_timeouts = 0;  ///< cache.timeouts: calls a client gave up on
                                     ///< (cache.timeout_s: a dead node, or a full queue).
  std::uint64_t gutter_gets = 0;     ///< cache.gutter_gets: gets sent to the gutter pool.
  std::uint64_t gutter_hits = 0;     ///< cache.gutter_hits: of which hits.
  std::uint64_t fallback_gets = 0;   ///< cache.fallback_gets: gets sent to the old tier
                                     ///< during a migration (cache.fallback, or cache_get_old).
  std::uint64_t fallback_hits = 0;   ///< cache.fallback_hits: of which hits.

  std::uint64_t stale_reads = 0;              ///< anomalies.stale_reads.
  double stale_read_ratio = 0;                ///< anomalies.stale_read_ratio.
  double max_staleness_s = 0;                 ///< anomalies.max_staleness_s.
  std::uint64_t redundant_db_reads = 0;       ///< anomalies.redundant_db_reads.
  std::uint64_t stampedes = 0;                ///< anomalies.stampedes.
  std::uint64_t peak_concurrent_same_key = 0; ///< anomalies.peak_concurrent_same_key.
  std::uint64_t lost_updates = 0;             ///< anomalies.lost_updates.

  LatencySummary page_view_latency; ///< latency_ms.page_view.
  LatencySummary submit_latency;    ///< latency_ms.submit.

  std::uint64_t events = 0;   ///< engine.events processed.
  double wall_s = 0;          ///< engine.wall_s (not deterministic).
  double events_per_s = 0;    ///< engine.events_per_s (not deterministic).
  std::uint64_t arrivals = 0; ///< engine.arrivals: requests that arrived.

  std::vector<ExpectationResult> expectations; ///< expectations.
};

} // namespace stampede
