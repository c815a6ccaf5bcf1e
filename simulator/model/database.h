// The model's database (SPEC section 2, `db.*`): a pool of connections, each
// running one statement at a time, and one FIFO of the statements waiting
// for a connection; a statement's time is drawn from the query or insert
// latency, lengthened by the other busy connections (db.load_factor). It
// keeps its busy connection-time for utilisation. The core holds it by
// value; what a statement does to the data is the core's (the commit log).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stampede/distribution.h"
#include "stampede/rng.h"
#include "stampede/scenario.h"
#include "stampede/time.h"

namespace stampede::internal {

class Database {
public:
  /// @param config the scenario's `db`. @param rng the database's stream.
  Database(const DbConfig &config, Rng rng) : config_(config), rng_(rng) {}

  /// Whether a connection is free for a statement now.
  bool has_free_connection() const noexcept { return busy_ < config_.connections; }

  /// A statement starts on a free connection at `now`: @return how long it
  /// runs (a page query's or an insert's latency, under the load).
  Time start(Time now, bool read) {
    busy_change(now, +1);
    Time latency = read ? config_.query_latency.sample(rng_) : config_.insert_latency.sample(rng_);
    if (config_.load_factor > 0) {
      const double others = static_cast<double>(busy_ - 1) / config_.connections;
      latency =
          static_cast<Time>(static_cast<double>(latency) * (1 + config_.load_factor * others));
    }
    return latency;
  }
  /// A statement ended at `now`: its connection is free.
  void end(Time now) { busy_change(now, -1); }

  /// A statement (the request slot that sent it) waits for a connection.
  void enqueue(std::uint32_t slot) noexcept {
    std::size_t tail = head_ + size_;
    if (tail >= queue_.size())
      tail -= queue_.size();
    queue_[tail] = slot;
    ++size_;
  }
  /// @return the statement waiting longest, taken off the queue (not empty).
  std::uint32_t dequeue() noexcept {
    const std::uint32_t slot = queue_[head_];
    if (++head_ == queue_.size())
      head_ = 0;
    --size_;
    return slot;
  }
  /// Statements waiting for a connection.
  std::size_t queued() const noexcept { return size_; }

  /// Room for `slots` waiting statements (one per request slot): the FIFO
  /// grows keeping its order, at least twice as large each time, so setting
  /// up n app servers costs time in proportion to n.
  void reserve(std::size_t slots) {
    if (queue_.size() >= slots)
      return;
    std::vector<std::uint32_t> grown(std::max(slots, 2 * queue_.size()));
    for (std::size_t i = 0; i < size_; ++i)
      grown[i] = queue_[(head_ + i) % queue_.size()];
    queue_ = std::move(grown);
    head_ = 0;
  }

  /// Closes the busy time up to `now` (an interval's end, the warm-up's).
  void settle(Time now) { busy_change(now, 0); }
  std::uint32_t busy() const noexcept { return busy_; } ///< Connections busy.
  /// Busy connection-ns up to the last change of the busy count.
  double busy_area() const noexcept { return area_; }
  Time busy_since() const noexcept { return since_; } ///< That last change.
  std::uint32_t connections() const noexcept { return config_.connections; }

private:
  void busy_change(Time now, int delta) {
    const double busy = static_cast<double>(busy_);
    area_ += busy * static_cast<double>(now - since_);
    since_ = now;
    busy_ = static_cast<std::uint32_t>(static_cast<int>(busy_) + delta);
  }

  const DbConfig config_;
  Rng rng_;
  std::uint32_t busy_ = 0;
  std::vector<std::uint32_t> queue_; // FIFO ring of slots; never more than there are slots
  std::size_t head_ = 0, size_ = 0;
  Time since_ = 0;
  double area_ = 0; // connection-ns
};

} // namespace stampede::internal
