/// @file event_queue.h
/// The future event list.
///
/// Design note (in the manner of ns-3's scheduler.h). Events are 16-byte,
/// trivially copyable values: a time and one 64-bit word packing a sequence
/// number, a kind and an index naming the target (a request slot, a node, a
/// scripted event). The owner of an event is the queue; the objects an event
/// names live in pools owned by the model and are addressed by index, never by
/// pointer.
///
/// Order is total: by time, then by sequence number, a counter stamped at
/// insertion, so two events at the same instant run in the order they were
/// scheduled, on every machine (ns-3's EventKey, OMNeT++'s shouldPrecede).
/// The sequence number sits in the word's high bits, so (time, word) compares
/// as one 128-bit number, without a branch.
///
/// The queue is a 4-ary min-heap (four 16-byte children fill one cache line).
/// Cost: push O(log n), pop O(log n), top O(1); storage is reserved up front
/// and grows by doubling, so in steady state no operation allocates. Events
/// are not cancellable: an owner that must forget one keeps a generation
/// number and ignores stale events.
///
/// The sequence field is 36 bits wide (6.9e10 events). When it runs out the
/// queue renumbers its pending events 0, 1, 2, ... in their order, which
/// keeps every comparison the same: a run of any length stays ordered.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stampede/time.h"

namespace stampede {

/// One scheduled event.
struct Event {
  Time time;          ///< When it fires, virtual ns.
  std::uint64_t word; ///< seq << 28 | kind << 24 | target.

  /// Bits of the target index.
  static constexpr int kTargetBits = 24;
  /// Bits of the kind.
  static constexpr int kKindBits = 4;
  /// Bits of the sequence number.
  static constexpr int kSeqBits = 64 - kTargetBits - kKindBits;
  /// The largest target index an event can carry.
  static constexpr std::uint32_t kMaxTarget = (1u << kTargetBits) - 1;
  /// The largest kind an event can carry.
  static constexpr std::uint32_t kMaxKind = (1u << kKindBits) - 1;

  /// @return what happens; the model's enum, dispatched with a switch.
  std::uint32_t kind() const noexcept {
    return static_cast<std::uint32_t>(word >> kTargetBits) & kMaxKind;
  }
  /// @return the index of the object it happens to (a request slot, node, ...).
  std::uint32_t target() const noexcept { return static_cast<std::uint32_t>(word) & kMaxTarget; }
  /// @return the tie-breaker: insertion order.
  std::uint64_t seq() const noexcept { return word >> (kTargetBits + kKindBits); }
};
static_assert(sizeof(Event) == 16, "events are small values");

/// A min-heap of events ordered by (time, seq).
class EventQueue {
public:
  /// @param reserve events to reserve room for up front.
  /// @param seq_limit sequence numbers handed out before the queue renumbers
  ///        (tests lower it; the default is the field's whole range).
  explicit EventQueue(std::size_t reserve = 1024,
                      std::uint64_t seq_limit = std::uint64_t{1} << Event::kSeqBits)
      : seq_limit_(seq_limit) {
    heap_.reserve(reserve);
  }

  /// Schedules an event.
  /// @param time when it fires; must not precede the last popped event.
  /// @param kind the model's event kind, at most Event::kMaxKind.
  /// @param target the index of the object it concerns, at most Event::kMaxTarget.
  [[gnu::always_inline]] void push(Time time, std::uint32_t kind, std::uint32_t target) {
    // Inlined on purpose: pushed from a dozen hot call sites, an out-of-line
    // call cost R1 about 8 % of its instructions (callgrind, 30 s at 2000/s).
    if (next_seq_ == seq_limit_)
      renumber();
    heap_.push_back(Event{time, next_seq_++ << (Event::kTargetBits + Event::kKindBits) |
                                    std::uint64_t{kind} << Event::kTargetBits | target});
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
  __extension__ using Key = unsigned __int128;
  // Time is never negative, so (time, word) orders like one unsigned number.
  static Key key(const Event &e) noexcept {
    return static_cast<Key>(static_cast<std::uint64_t>(e.time)) << 64 | e.word;
  }
  static bool before(const Event &a, const Event &b) noexcept { return key(a) < key(b); }

  void sift_up(std::size_t i) noexcept {
    const Event e = heap_[i];
    const Key k = key(e);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!(k < key(heap_[parent])))
        break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  // Places `e` (the former last element) starting from the root.
  void sift_down(const Event &e) noexcept {
    Event *h = heap_.data();
    const std::size_t n = heap_.size();
    const Key k = key(e);
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n)
        break;
      std::size_t best = first;
      Key best_key = key(h[first]);
      const std::size_t end = std::min(first + 4, n);
      for (std::size_t c = first + 1; c < end; ++c) {
        const Key ck = key(h[c]);
        if (ck < best_key) {
          best_key = ck;
          best = c;
        }
      }
      if (!(best_key < k))
        break;
      h[i] = h[best];
      i = best;
    }
    h[i] = e;
  }
  // Gives the pending events the sequence numbers 0..n-1 in their order. A
  // sorted array is a valid heap.
  void renumber() {
    std::sort(heap_.begin(), heap_.end(), before);
    constexpr int shift = Event::kTargetBits + Event::kKindBits;
    constexpr std::uint64_t low = (std::uint64_t{1} << shift) - 1;
    std::uint64_t seq = 0;
    for (Event &e : heap_)
      e.word = seq++ << shift | (e.word & low);
    next_seq_ = seq;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t seq_limit_;
};

} // namespace stampede
