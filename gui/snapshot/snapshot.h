// The snapshot: everything the views draw, copied out of the running
// simulation between slices. A plain value (no Qt, no pointers into the
// engine), so it crosses threads by copy through a queued connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stampede/report.h"
#include "stampede/simulation.h"
#include "worker/request_follow.h"

namespace stampede::gui {

/// What a dot means, and so its colour (views/palette.h): what is in flight
/// and its outcome where it is known.
enum class Shade : std::uint8_t {
  kView,     ///< A page view on its worker's CPU (or waiting for one).
  kSubmit,   ///< A submit on its worker's CPU.
  kCall,     ///< A cache get out, its reply (hit or miss) not yet back.
  kHit,      ///< A cache get that hit.
  kMiss,     ///< A cache get that missed.
  kStale,    ///< A page view that served a stale page.
  kWrite,    ///< A cache set, add, cas or delete.
  kConflict, ///< A cas the node refused (EXISTS), on its way back.
  kDbRead,   ///< A page query.
  kInsert,   ///< A submit's insert.
};

/// One request's activity in flight at a snapshot's instant (see
/// ActivityRecord): drawn at a position that depends on the time shown.
struct InFlight {
  std::uint64_t serial = 0;           ///< The request.
  Time from = 0;                      ///< When the activity began.
  Time until = 0;                     ///< When it ends; -1 while unknown (a queued query).
  std::uint32_t server = 0;           ///< The request's app server.
  std::int32_t node = -1;             ///< A cache call's node (-1: the local cache).
  Activity activity = Activity::kCpu; ///< kCpu, kCacheCall, kDbQueued or kDbRunning.
  Op op = Op::kNone;                  ///< The call, for all but kCpu.
  Shade shade = Shade::kView;         ///< What it is, as far as known.
};

/// Schedule mode (`stampede-gui --schedule FILE`): where the schedule is,
/// and its steps told so far (ScheduleStep::text()).
struct ScheduleProgress {
  bool active = false;  ///< A schedule is run, not a timed run.
  std::size_t done = 0; ///< Steps run.
  std::size_t size = 0; ///< Steps in the schedule.
  /// The steps run, told ("view #1: get page -> miss"), and the request
  /// each was a step of (its number: serial + 1).
  std::vector<std::string> told;
  std::vector<std::uint64_t> requests;
  /// After the last step: what the end found (a stale set), told; else empty.
  std::string end;
  /// The step that failed (its order names a request with no step there),
  /// in a sentence; else empty.
  std::string error;
};

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

  StackState stack;                 ///< Live state of every box in the diagram.
  std::uint32_t workers = 1;        ///< Workers per app server (the scenario's).
  std::uint32_t db_connections = 1; ///< The database's connections.
  bool local_cache = false;         ///< Each app server caches in its own memory.
  bool edge = false;                ///< A front cache answers page views first (edge.enabled).
  double edge_ttl_s = 0;            ///< Its edge.ttl_s.
  Report totals;                    ///< The report so far.

  // Deltas since the previous snapshot (the views accumulate them).
  std::vector<IntervalRecord> intervals; ///< Intervals that ended.
  /// Per interval in `intervals`: the database queries (page queries and
  /// inserts) that reached it, as the diagram's rate counts them.
  std::vector<std::uint64_t> interval_db_issued;
  Time db_issued_since = 0;             ///< The interval under way began here...
  std::uint64_t db_issued_partial = 0;  ///< ... and this many queries reached the database since.
  std::vector<AnomalyRecord> anomalies; ///< Anomalies, at most kMaxAnomalies.
  std::uint64_t anomalies_dropped = 0;  ///< Beyond kMaxAnomalies: counted, not listed.
  /// The first anomaly of each kind in each interval, never capped: the
  /// charts' markers.
  std::vector<AnomalyRecord> markers;
  /// Requests that showed an anomaly, as they finished (at most kMaxAnomalies).
  std::vector<RequestRecord> anomaly_requests;

  /// What holds a worker at `now` (CPU, cache call, DB query), every
  /// `sample`-th request of them by serial (a stable sample: a request
  /// sampled once stays sampled), oldest first.
  std::vector<InFlight> in_flight;
  std::uint32_t sample = 1;        ///< 1 dot = this many requests.
  std::uint64_t in_flight_all = 0; ///< Activities in flight before sampling.
  /// Database queries issued per second (page queries and inserts, as they
  /// reach the database): over the shortest of 0.1, 0.2, 0.5 and 1 s of
  /// simulated time holding 16 of them (else the whole second), or over the
  /// last 64 when those came quicker still.
  double db_queries_per_s = 0;

  ScheduleProgress schedule; ///< Schedule mode's progress (inactive in a timed run).

  std::string message; ///< An error or notice for the status bar, else empty.
  /// Why the run stopped before its end, in a sentence ("the run stopped at
  /// 0.012000 s: student:segfault: crashed (SIGSEGV) in resume() of request
  /// #0 after its cache get (step 1)"), in every snapshot until the next
  /// run; empty while nothing has stopped it.
  std::string fault;
  /// The request the fault happened in (a StudentFault's), which the
  /// snapshots then follow; kNoSerial: none (a ring's fault, our bug).
  std::uint64_t fault_request = kNoSerial;

  // The request followed (RunControl::follow), if any: its life so far.
  std::uint64_t followed = kNoSerial;  ///< Its serial; kNoSerial: none.
  std::vector<TimelineEntry> timeline; ///< Its events, in order.
  bool timeline_begins_late = false;   ///< Its first events were no longer kept.
  bool timeline_done = false;          ///< It let go of its worker.

  static constexpr std::size_t kMaxAnomalies = 256; ///< Listed per snapshot.
  static constexpr std::size_t kMaxInFlight = 2000; ///< In-flight items shipped at most.
  static constexpr Time kRateWindow = kSecond;      ///< The DB rate's longest window.
};

} // namespace stampede::gui
