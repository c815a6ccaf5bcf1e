// The app tier (SPEC section 2, `app.*`): app servers, each with its
// workers, a FIFO backlog of requests waiting for one (app.backlog bounds
// it), its own CPU stream and, with app.local_cache, its own cache. A worker
// is named by its request slot, which the core holds (the request in
// service); the tier hands out free workers and queues what waits. The core
// holds it by value: no allocation per request once the rings have grown.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "stampede/memcached_node.h"
#include "stampede/rng.h"
#include "stampede/scenario.h"
#include "stampede/time.h"

namespace stampede::internal {

/// Growable FIFO ring of 64-bit values (power-of-two capacity, doubles when
/// full: amortised, and never shrinks, so a steady state allocates nothing).
class Ring64 {
public:
  explicit Ring64(std::size_t capacity = 64)
      : buf_(new std::uint64_t[capacity]), capacity_(capacity) {}
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  void push(std::uint64_t v) {
    if (size_ == capacity_)
      grow();
    buf_[(head_ + size_) & (capacity_ - 1)] = v;
    ++size_;
  }
  std::uint64_t pop() noexcept {
    const std::uint64_t v = buf_[head_];
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
    return v;
  }

private:
  void grow() {
    // Left uninitialised (new T[], not a vector): a collapsing stack's backlog
    // reaches millions of entries, and zeroing them first costs a whole pass.
    std::unique_ptr<std::uint64_t[]> bigger(new std::uint64_t[capacity_ * 2]);
    for (std::size_t i = 0; i < size_; ++i)
      bigger[i] = buf_[(head_ + i) & (capacity_ - 1)];
    buf_ = std::move(bigger);
    capacity_ *= 2;
    head_ = 0;
  }
  std::unique_ptr<std::uint64_t[]> buf_;
  std::size_t capacity_;
  std::size_t head_ = 0, size_ = 0;
};

/// A request waiting for a worker.
struct Waiting {
  Time arrival;
  bool submit;
  bool burst;        // a scripted burst's (no closed user behind it)
  std::uint32_t key; // with a front cache: the key drawn at arrival; else kNoKey
};

class AppTier {
public:
  static constexpr std::uint32_t kNoWorker = 0xffffffffu;
  static constexpr std::uint32_t kNoKey = 0xffffffffu; ///< Waiting::key without a front cache.

  /// @param scenario its `app` (and `cache`, for local caches; `seed`, for
  /// the CPU streams). @param keys_at_arrival whether a request's key is
  /// drawn at arrival (a front cache's) and so waits with it.
  AppTier(const Scenario &scenario, bool keys_at_arrival);

  /// Adds a server whose workers are the slots first .. first + app.workers - 1.
  /// @return its index.
  std::uint32_t add_server(std::uint32_t first);
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(servers_.size()); }

  /// Requests at server `s`, in service and waiting (least connections).
  std::uint64_t load(std::uint32_t s) const noexcept {
    return servers_[s].busy + servers_[s].backlog.size();
  }
  /// A free worker of server `s` (its slot), taken; kNoWorker when all are busy.
  std::uint32_t take_worker(std::uint32_t s) noexcept {
    Server &server = servers_[s];
    if (server.idle.empty())
      return kNoWorker;
    const std::uint32_t slot = server.idle.back();
    server.idle.pop_back();
    return slot;
  }
  /// A request waits at server `s`. @return false when its backlog is full
  /// (app.backlog): refused.
  bool enqueue(std::uint32_t s, const Waiting &w) {
    Server &server = servers_[s];
    if (server.backlog.size() >= backlog_limit_)
      return false;
    server.backlog.push(static_cast<std::uint64_t>(w.arrival) << 2 | std::uint64_t{w.burst} << 1 |
                        std::uint64_t{w.submit});
    if (keys_at_arrival_) [[unlikely]]
      server.backlog_keys.push(w.key);
    ++waiting_;
    return true;
  }
  /// Whether more requests wait than the model keeps (kMaxQueuedRequests).
  bool overloaded() const noexcept { return waiting_ > kMaxQueuedRequests; }
  /// The worker `slot` of server `s` is done with its request. @return true
  /// with `next`, the request waiting longest there (taken off the backlog),
  /// which the worker serves now; false when none waits (the worker is free).
  bool release(std::uint32_t s, std::uint32_t slot, Waiting &next) {
    Server &server = servers_[s];
    --server.busy;
    if (server.backlog.empty()) {
      server.idle.push_back(slot);
      return false;
    }
    const std::uint64_t v = server.backlog.pop();
    --waiting_;
    next.arrival = static_cast<Time>(v >> 2);
    next.submit = (v & 1) != 0;
    next.burst = (v & 2) != 0;
    next.key = keys_at_arrival_ ? static_cast<std::uint32_t>(server.backlog_keys.pop()) : kNoKey;
    return true;
  }

  /// A request starts on a worker of server `s`: @return its CPU time.
  Time start(std::uint32_t s) {
    ++servers_[s].busy;
    return cpu_.sample(servers_[s].cpu_rng);
  }
  std::uint32_t busy(std::uint32_t s) const noexcept { return servers_[s].busy; }
  std::uint64_t backlog(std::uint32_t s) const noexcept { return servers_[s].backlog.size(); }
  std::uint64_t waiting() const noexcept { return waiting_; } ///< At every server.
  /// Server `s`'s own cache (app.local_cache), or null.
  MemcachedNode *local(std::uint32_t s) noexcept { return servers_[s].local.get(); }
  const MemcachedNode *local(std::uint32_t s) const noexcept { return servers_[s].local.get(); }
  /// Evictions over the local caches.
  std::uint64_t local_evictions() const noexcept;

private:
  struct Server {
    std::vector<std::uint32_t> idle; // free worker slots, a stack
    Ring64 backlog;                  // arrival << 2 | burst << 1 | submit
    std::uint32_t busy = 0;
    Rng cpu_rng;
    std::unique_ptr<MemcachedNode> local; // app.local_cache
    Ring64 backlog_keys; // with a front cache: each waiting view's key, drawn at arrival
  };
  const Scenario &scenario_;
  Distribution cpu_;
  std::uint64_t backlog_limit_; // app.backlog per server, 0 (unlimited) as the largest value
  bool keys_at_arrival_;
  std::vector<Server> servers_;
  std::uint64_t waiting_ = 0;
};

} // namespace stampede::internal
