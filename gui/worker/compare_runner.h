// CompareRunner: the compare view's worker. Runs one scenario under each of
// a list of strategies, one after another on a thread of its own, each over
// one seed or several (independent replications, SPEC section 11), and
// hands each strategy's runs over as they finish: the lecture's table (SPEC
// section 7) a row at a time, the same runs `stampede compare [--seeds N]`
// makes. Qt-free, so its tests run without Qt (and under ThreadSanitizer);
// the view turns the callbacks into queued calls. The sweep's runner and
// the lesson panel's check over seeds run their rows through it too.
//
//     CompareRunner runner(
//         [](const CompareRow &row) { /* on the runner's thread */ },
//         [](const CompareDone &done) { /* likewise, once per start() */ });
//     const std::uint64_t id = runner.start(scenario, {"none", "naive"}, 5); // 5 seeds
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

#include "stampede/replication.h"
#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede::gui {

/// One row to run: a strategy's name and the scenario it runs (its strategy
/// already applied, its seed the first of the row's seeds).
struct CompareJob {
  std::string strategy; ///< The name the row shows (`update+cas` included).
  Scenario scenario;    ///< What runs.
  std::string label;    ///< The caller's tag, carried to the row (a sweep's value).
};

/// One strategy's runs, finished.
struct CompareRow {
  std::uint64_t run = 0; ///< The start() it belongs to (its return value).
  std::size_t index = 0; ///< Its strategy's position in the list started.
  std::size_t count = 0; ///< How many strategies that start() asked for.
  std::string strategy;  ///< The name asked for (`update+cas` included).
  std::string label;     ///< Its CompareJob's label (empty from the first start()).
  /// The first seed's report; on an error, `report.strategy` says "name:
  /// what went wrong" and the rest is empty.
  Report report;
  /// On an error, what went wrong: the exception's sentence (a student's
  /// strategy's fault names itself, its callback, the request and its
  /// step); empty otherwise.
  std::string error;
  /// Every seed's run, summarised (SPEC section 11); its `runs` hold one
  /// report per seed, in seed order. On an error it has no runs and its
  /// `strategy` says what went wrong, as `report.strategy` does.
  ReplicatedReport replicated;
  /// @return whether the row failed (the error is in `report.strategy`).
  bool failed() const noexcept { return replicated.runs.empty(); }
};

/// A seed of a row finished: for a progress line ("3 of 10 done").
struct CompareProgress {
  std::uint64_t run = 0;      ///< The start() it belongs to.
  std::size_t index = 0;      ///< The row's position.
  std::size_t count = 0;      ///< How many rows that start() asked for.
  std::size_t seeds_done = 0; ///< Seeds of this row finished.
  std::size_t seeds = 0;      ///< Seeds each row runs.
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
  /// Called on the runner's thread after each seed's run (before its row's
  /// RowFn for the last seed).
  using ProgressFn = std::function<void(const CompareProgress &)>;

  /// @param on_row receives each row. @param on_done receives each run's end.
  /// @param on_progress receives each seed's end (may be empty).
  CompareRunner(RowFn on_row, DoneFn on_done, ProgressFn on_progress = {});
  /// Stops the runs (at their next slice) and waits for their threads.
  ~CompareRunner();
  CompareRunner(const CompareRunner &) = delete;
  CompareRunner &operator=(const CompareRunner &) = delete;

  /// Runs `scenario` under each strategy in turn, as `stampede compare
  /// --seeds N` does: a row named `update` runs without cas, `update+cas`
  /// with it; each row runs the seeds scenario.seed .. scenario.seed + N - 1.
  /// A run still going is stopped first (without waiting for it).
  /// @param scenario a validated scenario; its seed and duration are kept.
  /// @param strategies the names, in row order.
  /// @param seeds replications per row, N (clamped to 1 .. kMaxSeeds).
  /// @return the run's id, carried by its rows and its CompareDone.
  std::uint64_t start(const Scenario &scenario, std::vector<std::string> strategies,
                      std::size_t seeds = 1);
  /// Runs each job in turn, each over `seeds` seeds counting up from its
  /// scenario's; otherwise as the start() above.
  /// @param jobs the rows, in order. @param seeds replications per row.
  /// @return the run's id.
  std::uint64_t start(std::vector<CompareJob> jobs, std::size_t seeds);
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
  /// The most seeds a row runs: a lesson step's most too (kMaxStepSeeds).
  static constexpr std::size_t kMaxSeeds = 100;

private:
  struct Job {
    // Set (and notified) by the job's thread after its CompareDone; the
    // next job waits on it, so it is shared with that job's thread.
    std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
    std::jthread thread; // last member: joined before `done` goes
  };
  void run(std::stop_token stop, std::uint64_t id, std::vector<CompareJob> jobs, std::size_t seeds,
           std::shared_ptr<std::atomic<bool>> previous, std::shared_ptr<std::atomic<bool>> done);
  void reap();

  RowFn on_row_;
  DoneFn on_done_;
  ProgressFn on_progress_;
  std::vector<std::unique_ptr<Job>> jobs_; // oldest first; the newest is the current run
  std::uint64_t last_id_ = 0;
};

} // namespace stampede::gui
