// The snapshot: everything the views draw, copied out of the running
// simulation between slices. A plain value (no Qt, no pointers into the
// engine), so it crosses threads by copy through a queued connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stampede/report.h"
#include "stampede/simulation.h"

namespace stampede::gui {

/// One picture of a run, plus what happened since the previous picture.
struct Snapshot {
  /// Bumped by every restart or new scenario: views drop their history
  /// when it changes.
  std::uint64_t generation = 0;

  // Where the run is.
  Time now = 0;               ///< Simulated time shown (the pacing clock).
  Time end = 0;               ///< The run's end.
  Time interval = 0;          ///< Length of one chart interval.
  bool running = false;       ///< Playing (not paused).
  bool finished = false;      ///< Nothing left before the end.
  double speed = 0;           ///< Simulated s per wall s asked for; 0 = as fast as it goes.
  double realtime_factor = 0; ///< Simulated s per wall s achieved, over the last second.
  std::uint64_t events = 0;   ///< Events processed so far.

  StackState stack; ///< Live state of every box in the diagram.
  Report totals;    ///< The report so far.

  // Deltas since the previous snapshot (the views accumulate them).
  std::vector<IntervalRecord> intervals; ///< Intervals that ended.
  std::vector<AnomalyRecord> anomalies;  ///< Anomalies, at most kMaxAnomalies.
  std::uint64_t anomalies_dropped = 0;   ///< Beyond kMaxAnomalies: counted, not listed.
  /// The first anomaly of each kind in each interval, never capped: the
  /// charts' markers.
  std::vector<AnomalyRecord> markers;
  std::vector<RequestRecord> requests; ///< The most recent requests answered.
  std::vector<CallRecord> calls;       ///< The most recent cache calls answered.
  std::vector<CallRecord> db_calls;    ///< The most recent database calls answered.
  /// Requests that showed an anomaly, as they finished (at most kMaxAnomalies).
  std::vector<RequestRecord> anomaly_requests;

  std::string message; ///< An error or notice for the status bar, else empty.

  static constexpr std::size_t kMaxAnomalies = 256; ///< Listed per snapshot.
  static constexpr std::size_t kRecent = 64;        ///< Requests and calls kept.
};

} // namespace stampede::gui
