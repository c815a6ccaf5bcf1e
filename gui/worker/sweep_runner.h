// SweepRunner: the Sweep tab's worker. A one-parameter sweep (SPEC section
// 11, `stampede sweep SCENARIO --vary PATH=v1,v2 --strategies a,b --seeds
// N`) of the window's scenario: each value of one scenario field under each
// strategy, over N seeds, one row after another on a thread of its own
// (CompareRunner's), each row's runs handed over as they finish so the view
// can draw the sweep while it runs. Qt-free, so its tests run without Qt
// (and under ThreadSanitizer).
//
//     Parsed<SweepGrid> grid = plan_sweep(scenario, "strategy.ttl_s", "1, 5, 30",
//                                         {"naive", "early"}, 5);
//     if (!grid) show(grid.error);                  // an unknown path, a bad value
//     SweepRunner runner([](const SweepRow &row) { /* on the runner's thread */ },
//                        [](const CompareDone &done) { /* once per start() */ });
//     runner.start(*grid.value);
//
// Starting, stopping and destroying behave as CompareRunner's: nothing but
// the destructor and wait() blocks, and one simulation runs at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/parsed.h"
#include "stampede/replication.h"
#include "stampede/scenario.h"
#include "worker/compare_runner.h"

namespace stampede::gui {

/// A checked one-parameter sweep: every (value, strategy) scenario, loaded.
struct SweepGrid {
  std::string path;                    ///< The varied field (`strategy.ttl_s`).
  std::vector<std::string> values;     ///< Its values as written, in order.
  std::vector<std::string> strategies; ///< The strategies, in order.
  std::size_t seeds = 1;               ///< Replications per row.
  /// One scenario per row, values outer and strategies inner (the CSV's
  /// order: grid order, then strategy order), each seeded with the first seed.
  std::vector<Scenario> rows;
};

/// Checks a sweep of `base` and loads its rows: each value is applied as
/// `--set PATH=VALUE` is, each strategy as `stampede compare` applies it.
/// @param base the scenario to vary (the window's, edits included).
/// @param path a scenario field path. @param values `v1, v2, ...`.
/// @param strategies the strategy names (`update+cas` included).
/// @param seeds replications per row (1 .. CompareRunner::kMaxSeeds).
/// @return the grid, or what is wrong, naming the field and the value.
Parsed<SweepGrid> plan_sweep(const Scenario &base, std::string_view path, std::string_view values,
                             const std::vector<std::string> &strategies, std::size_t seeds);

/// One (value, strategy) row's runs, finished.
struct SweepRow {
  std::uint64_t run = 0; ///< The start() it belongs to.
  std::size_t index = 0; ///< Its position in the grid's rows.
  std::size_t count = 0; ///< The grid's rows.
  std::string value;     ///< The varied field's value.
  std::string strategy;  ///< The strategy.
  /// The runs, one per seed, summarised; no runs on an error.
  ReplicatedReport replicated;
  std::string error; ///< What went wrong ("naive: ..."), else empty.
};

class SweepRunner {
public:
  /// Called on the runner's thread, once per finished row, in grid order.
  using RowFn = std::function<void(const SweepRow &)>;
  /// Called on the runner's thread, once per start(), after its last row.
  using DoneFn = CompareRunner::DoneFn;
  /// Called on the runner's thread after each seed's run.
  using ProgressFn = CompareRunner::ProgressFn;

  /// @param on_row receives each row. @param on_done receives each run's end.
  /// @param on_progress receives each seed's end (may be empty).
  SweepRunner(RowFn on_row, DoneFn on_done, ProgressFn on_progress = {});

  /// Runs the grid's rows in order; a sweep still going is stopped first
  /// (without waiting for it). @param grid a plan_sweep() result.
  /// @return the run's id, carried by its rows and its CompareDone.
  std::uint64_t start(const SweepGrid &grid);
  /// Asks the sweep going (if any) to stop at its next slice; returns at once.
  void cancel() noexcept { runner_.cancel(); }
  /// @return true until the newest start()'s CompareDone has been delivered.
  bool running() const noexcept { return runner_.running(); }
  /// Blocks until every run has ended and its thread is joined.
  void wait() { runner_.wait(); }
  /// @return threads not yet joined.
  std::size_t threads() const noexcept { return runner_.threads(); }

private:
  CompareRunner runner_; // its callbacks translate rows; it joins on destruction
};

} // namespace stampede::gui
