/// @file timeseries.h
/// An Observer that writes the run's time series as CSV, one row per
/// interval (`stampede run --timeseries FILE.csv`, the GUI's CSV export).
///
/// Rows stream to the output as intervals end, so memory does not grow with
/// the run. Numbers are written in their shortest round-trip form, so the
/// same run writes the same bytes on any machine.
///
///     std::ofstream file("run.csv");
///     stampede::TimeseriesWriter csv(file);
///     sim.set_observer(&csv);
///     sim.run();
#pragma once

#include <ostream>

#include "stampede/simulation.h"

namespace stampede {

/// Writes IntervalRecord rows as CSV with a header line.
///
/// Columns: time_s (the interval's end), arrivals, page_views, submits,
/// db_reads, db_writes, db_queue, db_queue_max, db_utilization, hit_ratio
/// (empty when the interval had no cache gets), view_p50_ms, view_p99_ms,
/// stale_reads, redundant_db_reads, cas_conflicts, lost_updates, evictions,
/// app_backlog.
class TimeseriesWriter final : public Observer {
public:
  /// Writes the header.
  /// @param out where rows go; must outlive the writer.
  explicit TimeseriesWriter(std::ostream &out);

  /// Writes one row. @param i the interval's counters.
  void on_interval(const IntervalRecord &i) override;

  /// @return the header line, without the newline.
  static const char *header() noexcept;

private:
  std::ostream &out_;
};

} // namespace stampede
