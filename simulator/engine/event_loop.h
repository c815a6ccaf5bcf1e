// The event loop, written once: Simulation::run_until, step and the GUI's
// sliced runs all go through it.
#pragma once

#include <cstdint>

#include "stampede/event_queue.h"

namespace stampede::internal {

/// Takes the queue's events in order (time, then the order they were
/// pushed) while the next one is before `stop`, at most `limit` of them:
/// sets `now` to each one's time and hands it to `handle`, which may push
/// more. The queue's order is the whole of the model's determinism.
/// @return how many events were handled.
template <class Handle>
std::uint64_t run_events(EventQueue &queue, Time stop, std::uint64_t limit, Time &now,
                         Handle &&handle) {
  std::uint64_t handled = 0;
  Event e{};
  while (handled < limit && queue.pop_before(stop, e)) {
    now = e.time;
    ++handled;
    handle(e);
  }
  return handled;
}

} // namespace stampede::internal
