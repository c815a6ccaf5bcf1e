// CompareRunner: the compare view's worker. Runs one scenario under each of
// a list of strategies, one after another on a thread of its own, and hands
// each run's report over as it finishes: the lecture's table (SPEC section
// 7) a row at a time, the same runs `stampede compare` makes. Qt-free, so
// its tests run without Qt (and under ThreadSanitizer); the view turns the
// callbacks into queued calls.
//
//     CompareRunner runner(
//         [](const CompareRow &row) { /* on the runner's thread */ },
//         [](const CompareDone &done) { /* likewise, once per start() */ });
//     const std::uint64_t id = runner.start(scenario, {"none", "naive"});
//     runner.cancel(); // returns at once; the run stops at its next slice
//
// Neither cancel() nor start() waits for a run: a run stopped by either
// ends on its own thread at its next slice (kSlice of simulated time), and
// a new run begins only once the one before it has ended, so at most one
// simulation runs at a time. Only the destructor and wait() block. The
// runner itself is not thread-safe: call it from one thread (the UI's).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede::gui {

/// One strategy's run, finished.
struct CompareRow {
  std::uint64_t run = 0; ///< The start() it belongs to (its return value).
  std::size_t index = 0; ///< Its strategy's position in the list started.
  std::size_t count = 0; ///< How many strategies that start() asked for.
  std::string strategy;  ///< The name asked for (`update+cas` included).
  /// Its report; on an error, `report.strategy` says "name: what went
  /// wrong" and the rest is empty.
  Report report;
};

/// A start()'s end: every row reported, or stopped.
struct CompareDone {
  std::uint64_t run = 0; ///< The start() it ends.
  std::size_t rows = 0;  ///< Rows reported for it.
  bool stopped = false;  ///< cancel() or a later start() ended it early.
};

class CompareRunner {
public:
  /// Called on the runner's thread, once per finished strategy, in order.
  using RowFn = std::function<void(const CompareRow &)>;
  /// Called on the runner's thread, once per start(), after its last row.
  using DoneFn = std::function<void(const CompareDone &)>;

  /// @param on_row receives each row. @param on_done receives each run's end.
  CompareRunner(RowFn on_row, DoneFn on_done);
  /// Stops the runs (at their next slice) and waits for their threads.
  ~CompareRunner();
  CompareRunner(const CompareRunner &) = delete;
  CompareRunner &operator=(const CompareRunner &) = delete;

  /// Runs `scenario` under each strategy in turn, as `stampede compare`
  /// does: a row named `update` runs without cas, `update+cas` with it.
  /// A run still going is stopped first (without waiting for it).
  /// @param scenario a validated scenario; its seed and duration are kept.
  /// @param strategies the names, in row order.
  /// @return the run's id, carried by its rows and its CompareDone.
  std::uint64_t start(const Scenario &scenario, std::vector<std::string> strategies);
  /// Asks the run going (if any) to stop at its next slice; returns at once.
  void cancel() noexcept;
  /// @return true until the newest start()'s CompareDone has been delivered.
  bool running() const noexcept;
  /// Blocks until every run has ended and its thread is joined.
  void wait();
  /// @return threads not yet joined (finished ones are joined by the next
  /// start() or wait()).
  std::size_t threads() const noexcept { return jobs_.size(); }

  /// Simulated time between two looks at the stop flag.
  static constexpr Time kSlice = kSecond;

private:
  struct Job {
    // Set (and notified) by the job's thread after its CompareDone; the
    // next job waits on it, so it is shared with that job's thread.
    std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
    std::jthread thread; // last member: joined before `done` goes
  };
  void run(std::stop_token stop, std::uint64_t id, Scenario scenario,
           std::vector<std::string> strategies, std::shared_ptr<std::atomic<bool>> previous,
           std::shared_ptr<std::atomic<bool>> done);
  void reap();

  RowFn on_row_;
  DoneFn on_done_;
  std::vector<std::unique_ptr<Job>> jobs_; // oldest first; the newest is the current run
  std::uint64_t last_id_ = 0;
};

} // namespace stampede::gui
