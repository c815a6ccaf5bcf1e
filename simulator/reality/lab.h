// The reality lab's one entry point for the command line: start a fresh
// PostgreSQL and memcached, play a scenario on them, stop both.
//
// stampede-lab's main registers it with the command line (cli/cli.h's
// register_reality_lab); `stampede`, the window and the graded exercises link
// no libpq (`stampede reality` hands over to stampede-lab).
#pragma once

#include "reality/real_stack.h"
#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede::reality {

/// What play_real() brings back.
struct RealPlay {
  Report report;       ///< The real run's report.
  RealTimings timings; ///< Every latency measured (when asked to calibrate).
  Scenario calibrated; ///< The scenario with those latencies (when asked), else as played.
};

/// Plays `s` on real servers (reality/real_stack.h): PostgreSQL with
/// db.connections + 5 connections allowed, memcached with -m from
/// cache.memory_bytes (at least 1 MiB).
/// @param calibrate whether to keep the timings and build the calibrated scenario.
/// @throws ServiceError when a server fails; std::invalid_argument with
/// real_lab_refusal()'s words.
RealPlay play_real(const Scenario &s, bool calibrate);

} // namespace stampede::reality
