/// @file event_queue.h
/// The future event list.
///
/// Design note (in the manner of ns-3's scheduler.h). Events are 24-byte,
/// trivially copyable values: a time, a sequence number, a kind and two
/// indices naming the target (a request slot, a node, a scripted event). The
/// owner of an event is the queue; the objects an event names live in pools
/// owned by the model and are addressed by index, never by pointer.
///
/// Order is total: by time, then by sequence number, a counter stamped at
/// insertion, so two events at the same instant run in the order they were
/// scheduled, on every machine (ns-3's EventKey, OMNeT++'s shouldPrecede).
///
/// The queue is a 4-ary min-heap in a std::vector. Cost: push O(log n), pop
/// O(log n), top O(1); storage is reserved up front and grows by doubling, so
/// in steady state no operation allocates. Events are not cancellable: an owner
/// that must forget one keeps a generation number and ignores stale events.
#pragma once

#include <cstdint>
#include <vector>

#include "stampede/time.h"

namespace stampede {

/// One scheduled event.
struct Event {
  Time time;            ///< When it fires, virtual ns.
  std::uint64_t seq;    ///< Tie-breaker: insertion order.
  std::uint32_t kind;   ///< What happens; the model's enum, dispatched with a switch.
  std::uint32_t target; ///< The object it happens to (a request slot, node, ...).
};
static_assert(sizeof(Event) == 24, "events are small values");

/// A min-heap of events ordered by (time, seq).
class EventQueue {
public:
  /// @param reserve events to reserve room for up front.
  explicit EventQueue(std::size_t reserve = 1024) { heap_.reserve(reserve); }

  /// Schedules an event.
  /// @param time when it fires; must not precede the last popped event.
  /// @param kind the model's event kind.
  /// @param target the index of the object it concerns.
  void push(Time time, std::uint32_t kind, std::uint32_t target) {
    heap_.push_back(Event{time, next_seq_++, kind, target});
    sift_up(heap_.size() - 1);
  }

  /// @return true when no event is pending.
  bool empty() const noexcept { return heap_.empty(); }
  /// @return the number of pending events.
  std::size_t size() const noexcept { return heap_.size(); }
  /// @return the earliest event; the queue must not be empty.
  const Event &top() const noexcept { return heap_.front(); }

  /// Removes and returns the earliest event; the queue must not be empty.
  /// @return the event removed.
  Event pop() noexcept {
    const Event e = heap_.front();
    const Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty())
      sift_down(last);
    return e;
  }

  /// Drops every pending event; keeps the sequence counter running.
  void clear() noexcept { heap_.clear(); }

private:
  static bool before(const Event &a, const Event &b) noexcept {
    return a.time != b.time ? a.time < b.time : a.seq < b.seq;
  }
  void sift_up(std::size_t i) noexcept {
    const Event e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!before(e, heap_[parent]))
        break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  // Places `e` (the former last element) starting from the root.
  void sift_down(const Event &e) noexcept {
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n)
        break;
      std::size_t best = first;
      const std::size_t end = first + 4 < n ? first + 4 : n;
      for (std::size_t c = first + 1; c < end; ++c)
        if (before(heap_[c], heap_[best]))
          best = c;
      if (!before(heap_[best], e))
        break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

} // namespace stampede
