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
/// The queue is a 4-ary min-heap (four 16-byte children fill one cache line)
/// beside one FIFO lane per kind. A push goes to its kind's lane when it is
/// no earlier than that lane's last event, and to the heap otherwise. A
/// model's constant delays (CPU time, a network round trip) push their kind in
/// time order, so most events never enter the heap; the rest keep it small.
/// Each lane is sorted by (time, seq), so the earliest event is the least of
/// the heap's top and the nonempty lanes' heads: the order is exactly the
/// heap's alone, whichever way each event went.
/// The heap's top is kept beside the lanes' heads, as one more source, and
/// the nonempty sources are kept sorted by their heads, latest first: the
/// earliest event is the last source's head. A source takes its place in
/// that order when it gets a new head (a push into an empty lane, a pop that
/// leaves a lane nonempty, a new top of the heap), by one step of insertion
/// sort from the earliest end; lanes mostly hold an event or two, so this
/// happens about once per event, and passes the few sources due sooner.
/// Cost: push O(1) into a lane, O(log n) into the heap, plus placing the
/// source when its head changed (a step per source due before it, at most
/// 17); top O(1); pop O(1) from a lane or O(log n) from the heap, plus
/// placing the source's next head. Storage is reserved up front
/// and grows by doubling, so in steady state no operation allocates. Events
/// are not cancellable: an owner that must forget one keeps a generation
/// number and ignores stale events.
///
/// The sequence field is 36 bits wide (6.9e10 events). When it runs out the
/// queue renumbers its pending events 0, 1, 2, ... in their order, which
/// keeps every comparison the same: a run of any length stays ordered.
#pragma once

#include <algorithm>
#include <array>
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

/// Events ordered by (time, seq): a min-heap and a FIFO lane per kind.
class EventQueue {
public:
  /// @param reserve events to reserve room for up front (in the heap).
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
    const Event e{time, next_seq_++ << (Event::kTargetBits + Event::kKindBits) |
                            std::uint64_t{kind} << Event::kTargetBits | target};
    Lane &lane = lanes_[kind];
    if (lane.size == 0 || lane.back().time <= time) [[likely]] {
      // Its seq is the largest yet, so the lane stays sorted.
      lane.push(e);
      if (lane.size == 1) {
        set_head(kind, e);
        place(kind);
      }
    } else {
      heap_push(e);
    }
  }

  /// @return true when no event is pending.
  bool empty() const noexcept { return sources_ == 0; }
  /// @return the number of pending events.
  std::size_t size() const noexcept {
    std::size_t n = heap_.size();
    for (const Lane &lane : lanes_)
      n += lane.size;
    return n;
  }
  /// @return the earliest event; the queue must not be empty.
  Event top() const noexcept { return head(earliest()); }

  /// Removes and returns the earliest event; the queue must not be empty.
  /// @return the event removed.
  Event pop() noexcept { return take(earliest()); }

  /// Removes the earliest event if it is before `stop`.
  /// @param stop the time at which to stop taking events.
  /// @param out set to the event removed.
  /// @return false, removing nothing, when the queue is empty or its
  ///         earliest event is at or after `stop`.
  bool pop_before(Time stop, Event &out) noexcept {
    if (empty())
      return false;
    const std::uint32_t from = earliest();
    if (head_time_[from] >= stop)
      return false;
    out = take(from);
    return true;
  }

  /// Drops every pending event; keeps the sequence counter running.
  void clear() noexcept {
    heap_.clear();
    for (Lane &lane : lanes_)
      lane.head = lane.size = 0;
    sources_ = 0;
  }

private:
  __extension__ using Key = unsigned __int128;
  // The heap as a source: its top is at this index of head_time_ and
  // head_word_.
  static constexpr std::uint32_t kHeap = Event::kMaxKind + 1;

  // A growable ring of events in the order pushed (power-of-two capacity,
  // kept beside the buffer so the hot path need not derive it from the
  // vector's bounds).
  struct Lane {
    std::vector<Event> buf;
    std::uint32_t head = 0, size = 0, capacity = 0;

    std::uint32_t mask() const noexcept { return capacity - 1; }
    const Event &front() const noexcept { return buf[head]; }
    const Event &back() const noexcept { return buf[(head + size - 1) & mask()]; }
    void push(const Event &e) {
      if (size == capacity)
        grow();
      buf[(head + size) & mask()] = e;
      ++size;
    }
    void grow() {
      const std::uint32_t bigger_capacity = capacity == 0 ? 64 : 2 * capacity;
      std::vector<Event> bigger(bigger_capacity);
      for (std::uint32_t i = 0; i < size; ++i)
        bigger[i] = buf[(head + i) & mask()];
      buf = std::move(bigger);
      capacity = bigger_capacity;
      head = 0;
    }
  };

  // Time is never negative, so (time, word) orders like one unsigned number.
  static Key key(Time time, std::uint64_t word) noexcept {
    return static_cast<Key>(static_cast<std::uint64_t>(time)) << 64 | word;
  }
  static Key key(const Event &e) noexcept { return key(e.time, e.word); }

  Event head(std::uint32_t source) const noexcept {
    return Event{head_time_[source], head_word_[source]};
  }
  void set_head(std::uint32_t source, const Event &e) noexcept {
    head_time_[source] = e.time;
    head_word_[source] = e.word;
  }

  // Where the earliest event is: kHeap or a lane's kind. Not empty.
  std::uint32_t earliest() const noexcept { return order_[sources_ - 1]; }

  // Inserts a source that just got a head (and is not in order_) at its
  // place: the sources due before it move one step towards the front.
  void place(std::uint32_t source) noexcept {
    const Key k = key(head_time_[source], head_word_[source]);
    std::uint32_t i = sources_;
    while (i > 0 && key(head_time_[order_[i - 1]], head_word_[order_[i - 1]]) < k) {
      order_[i] = order_[i - 1];
      --i;
    }
    order_[i] = static_cast<std::uint8_t>(source);
    ++sources_;
  }

  // Takes a source out of order_ (the heap, before its top changes).
  void unplace(std::uint32_t source) noexcept {
    std::uint32_t i = sources_ - 1;
    while (order_[i] != source)
      --i;
    for (; i + 1 < sources_; ++i)
      order_[i] = order_[i + 1];
    --sources_;
  }

  // Removes the earliest event; `from` is the last source in order_.
  Event take(std::uint32_t from) noexcept {
    const Event e = head(from);
    --sources_;
    if (from != kHeap) {
      Lane &lane = lanes_[from];
      lane.head = (lane.head + 1) & lane.mask();
      if (--lane.size != 0) {
        set_head(from, lane.front());
        place(from);
      }
      return e;
    }
    const Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      sift_down(last);
      set_head(kHeap, heap_.front());
      place(kHeap);
    }
    return e;
  }

  void heap_push(const Event &e) {
    const bool was_empty = heap_.empty();
    heap_.push_back(e);
    sift_up(heap_.size() - 1);
    if (was_empty) {
      set_head(kHeap, e);
      place(kHeap);
    } else if (heap_.front().word == e.word) { // e is the new top (seqs are unique)
      unplace(kHeap);
      set_head(kHeap, e);
      place(kHeap);
    }
  }
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
  // Gives the pending events the sequence numbers 0..n-1 in their order.
  // The new numbers rise with the old keys, so the heap stays a heap, each
  // lane stays sorted and the sources keep their order.
  void renumber() {
    std::vector<Key> keys;
    keys.reserve(size());
    for (const Event &e : heap_)
      keys.push_back(key(e));
    for (const Lane &lane : lanes_)
      for (std::uint32_t i = 0; i < lane.size; ++i)
        keys.push_back(key(lane.buf[(lane.head + i) & (lane.buf.size() - 1)]));
    std::sort(keys.begin(), keys.end());
    constexpr int shift = Event::kTargetBits + Event::kKindBits;
    constexpr std::uint64_t low = (std::uint64_t{1} << shift) - 1;
    const auto renumbered = [&](Event &e) {
      const auto rank = std::lower_bound(keys.begin(), keys.end(), key(e)) - keys.begin();
      e.word = static_cast<std::uint64_t>(rank) << shift | (e.word & low);
    };
    for (Event &e : heap_)
      renumbered(e);
    if (!heap_.empty())
      set_head(kHeap, heap_.front());
    for (std::size_t kind = 0; kind < lanes_.size(); ++kind) {
      Lane &lane = lanes_[kind];
      for (std::uint32_t i = 0; i < lane.size; ++i)
        renumbered(lane.buf[(lane.head + i) & (lane.buf.size() - 1)]);
      if (lane.size > 0)
        set_head(static_cast<std::uint32_t>(kind), lane.front());
    }
    next_seq_ = keys.size();
  }

  std::vector<Event> heap_;
  std::array<Lane, Event::kMaxKind + 1> lanes_;
  // Each nonempty lane's first event and the heap's top (at kHeap), side by
  // side: pop compares these. Times and words in arrays of their own, so the
  // scan indexes them directly (an array of Events costs an address
  // computation per source on every pop).
  std::array<Time, kHeap + 1> head_time_{};
  std::array<std::uint64_t, kHeap + 1> head_word_{};
  // The nonempty sources (lane kinds, kHeap), latest head first.
  std::array<std::uint8_t, kHeap + 1> order_{};
  std::uint32_t sources_ = 0; // entries in order_
  std::uint64_t next_seq_ = 0;
  std::uint64_t seq_limit_;
};

} // namespace stampede
