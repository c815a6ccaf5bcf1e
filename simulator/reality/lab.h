// The reality lab's one entry point for the command line: start a fresh
// PostgreSQL and memcached, play a scenario on them, stop both.
//
// Declared weak: the command line reaches it in stampede-lab, which links
// stampede_reality (and so libpq); `stampede`, the window and the graded
// exercises link stampede_io without it (`stampede reality` execs
// stampede-lab).
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
[[gnu::weak]] RealPlay play_real(const Scenario &s, bool calibrate);

} // namespace stampede::reality
