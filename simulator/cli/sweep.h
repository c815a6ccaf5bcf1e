// Private to cli/: a sweep's plan (SPEC section 11), shared by `stampede
// sweep`, which runs it here or writes it out as jobs, and `stampede merge`,
// which reads it back beside the jobs' reports.
//
// A plan is a grid (each --vary PATH=v1,v2,... an axis, the first the
// slowest to change), the strategies and the seeds. Every run is one cell x
// one strategy x one seed, named by its index in that order; the CSV has one
// row per cell and strategy, in the same order, so it is the same however
// the runs were carried out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/common.h"

namespace stampede::cli {

/// One --vary: a scenario field and the values it takes.
struct Axis {
  std::string path;                ///< e.g. `strategy.ttl_s`.
  std::vector<std::string> values; ///< As written (each a --set VALUE).
};

struct SweepPlan {
  std::string scenario;                ///< The SCENARIO argument (absolute when a file).
  std::vector<std::string> sets;       ///< --set and --duration, applied before the axes.
  std::vector<Axis> axes;              ///< The grid.
  std::vector<std::string> strategies; ///< The rows of each cell.
  std::vector<std::uint64_t> seeds;    ///< The replications of each row.
  double warmup_s = 0;                 ///< --warmup.

  std::size_t cells() const;
  std::size_t runs() const { return cells() * strategies.size() * seeds.size(); }
  /// @return each axis's value in `cell` (the last axis changes fastest).
  std::vector<std::string> cell_values(std::size_t cell) const;
  /// @return the --set overrides of one run: sets, the cell's values, the
  /// strategy (update without +cas runs with cas off, as in compare), the seed.
  std::vector<std::string> overrides(std::size_t cell, const std::string &strategy,
                                     std::uint64_t seed) const;
  /// @return the file a job writes its report to, under DIR/runs/.
  std::string run_file(std::size_t cell, const std::string &strategy, std::uint64_t seed) const;
};

/// Reads --vary, --strategies, the seeds and the scenario into a plan, and
/// loads every cell once so a bad value fails before any run (BadInput).
SweepPlan make_plan(const SweepOptions &o);

/// The plan as DIR/sweep.json holds it, and back (throws BadInput naming
/// `origin` and the field).
Json plan_to_json(const SweepPlan &plan);
SweepPlan plan_from_json(const nlohmann::json &j, const std::string &origin);

/// The most runs (cells x strategies x seeds) one sweep may hold: a million
/// simulations is days of a machine's time; past it is a typing mistake
/// (a 5,000 x 5,000 grid), refused before anything runs.
inline constexpr std::size_t kMaxSweepRuns = 1'000'000;

/// SPEC section 11's CSV: its header line, then a row per cell and strategy.
std::string sweep_csv_header(const SweepPlan &plan);
/// @param r the row's runs, replicated. @return its CSV line.
std::string sweep_csv_row(const SweepPlan &plan, std::size_t cell, const std::string &strategy,
                          const ReplicatedReport &r);

/// `sweep --emit-jobs DIR`: writes the plan, one command per run, a GNU
/// parallel script and a Slurm job array into DIR. @return the exit status.
int emit_jobs(const SweepPlan &plan, const std::string &dir);

/// Draws `--plot FILE --y PATH` from a sweep's CSV with the stampede-plot
/// tool (Qt Charts, offscreen). Throws BadInput when it cannot.
void plot_csv(const std::string &csv_path, const SweepPlan &plan, const std::string &y,
              const std::string &out);

} // namespace stampede::cli
