// The parts of a play in the reality lab that its threads share: a closed
// workload's users, the requests waiting for an app worker, each server's
// queue, and what every worker shares (the measurement, the strategy, the
// commit order of the database's posts). Internal to reality/.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "metrics/measurement.h"
#include "reality/real_stack.h"
#include "stampede/scenario.h"
#include "stampede/strategy.h"

namespace stampede::reality::stack {

using Clock = std::chrono::steady_clock;

/// A closed workload's user: it sends its next request once the last is
/// answered (or refused) and it has thought.
struct User {
  std::mutex mu;
  std::condition_variable cv;
  bool answered = false;
};

/// A request waiting for an app worker.
struct Job {
  User *user = nullptr; // the closed workload's user who waits for it
  std::uint32_t key = 0;
  bool submit = false;
  Time arrival = 0;                       // ns since the run began
  std::uint32_t committed_at_arrival = 0; // the key's posts committed by then
  std::uint64_t serial = 0;
};

/// One app server's FIFO queue.
struct ServerQueue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> jobs;
  std::uint32_t idle = 0; // workers waiting for a job
  bool closed = false;
  std::atomic<std::uint32_t> load{0}; // queued + in service (least_connections)
};

class RealContext; // reality/real_context.h

/// What every worker shares: the measurement (the truth, the detectors and
/// the counts, fed the same facts as the model's), touched under `mu` (short
/// sections; no server call is made holding it).
struct Shared {
  explicit Shared(const Scenario &s)
      : scenario(s), end(seconds_to_ns(s.duration_s)), m(s.workload.keys, false) {}
  const Scenario &scenario;
  Time end;
  Clock::time_point t0 = Clock::now();
  std::unique_ptr<Strategy> strategy;
  StrategyConfig options;
  std::mutex strategy_mu; // strategies are written for one thread: calls into one are serialised
  // Under strategy_mu: each worker's request in service (by Request::id, the
  // worker's index), so a call for another's request reaches its thread.
  std::vector<RealContext *> contexts;
  std::condition_variable handoff_cv;

  std::mutex mu;
  std::condition_variable committed_cv;

  // Held across each cache write and its report to the lost-update
  // detector, and across a submit's look at the cache and the watch it
  // starts, under a strategy that edits the page on a submit: two writes
  // otherwise reach the detector in the order their replies were read, not
  // the order memcached applied them, and a write overtaken on its way back
  // reads as one that dropped the newer post. It orders the writes' replies,
  // not their requests: the races between a get and its set stay as they are.
  std::mutex write_order_mu;
  bool ordered_writes = false;
  std::unique_lock<std::mutex> write_order() {
    return ordered_writes ? std::unique_lock<std::mutex>(write_order_mu)
                          : std::unique_lock<std::mutex>();
  }
  // A migration (migrate_cache, retire_old_cache) on two memcached
  // servers: 0, the first tier in use; 1, the second in use and the first
  // the old tier; 2, the first retired.
  std::atomic<int> tier_phase{0};
  internal::Measurement m;
  std::unordered_map<std::int64_t, std::uint32_t> post_of_id; // seq -> post number
  std::map<std::int64_t, std::uint32_t> returned;             // seq -> key: inserts that returned,
                                                              // waiting for a lower seq
  std::int64_t next_seq = 1; // the next seq to number (the sequence starts at 1)
  double db_busy_ns = 0;
  RealTimings timings; // kept when asked for (keep_timings)
  bool keep_timings = false;

  /// Keeps one sample (under mu), up to a bound so memory stays flat.
  void sample(std::vector<double> &into, double seconds) {
    if (keep_timings && into.size() < kMaxSamples)
      into.push_back(seconds);
  }
  static constexpr std::size_t kMaxSamples = 200000;

  // When memcached's clock ticks (ns since t0, modulo a second), for pages
  // that expire (`expiring`: the strategy caches with a TTL).
  bool expiring = false;
  Time tick = 0;
  /// The moment an item with `ttl_s` seconds left at `asked` expires: at the
  /// tick `ttl_s` seconds after the last one before it (memcached's clock is
  /// whole seconds, advanced once a second).
  Time expiry(Time asked, std::int64_t ttl_s) const {
    const Time since_tick = ((asked - tick) % kSecond + kSecond) % kSecond;
    return asked - since_tick + ttl_s * kSecond;
  }

  Time now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  }
};

} // namespace stampede::reality::stack
