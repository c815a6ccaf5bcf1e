/// @file cli.h
/// The `stampede` command line (SPEC section 5): run, compare, validate,
/// scenarios, schema, test and bench.
///
/// Exit status: 0 ok; 1 a scenario's expectations failed; 2 bad input (a
/// flag, a scenario file, an output file that cannot be written), with a
/// message naming what is wrong; 3 an internal error (a bug).
///
///     int main(int argc, char **argv) { return stampede::cli_main(argc, argv); }
#pragma once

#include <string>
#include <vector>

#include "stampede/replication.h"
#include "stampede/report.h"

namespace stampede {

/// Exit statuses of `stampede`.
enum ExitStatus : int {
  kExitOk = 0,                 ///< Success.
  kExitExpectationsFailed = 1, ///< A scenario's `expect` did not hold.
  kExitBadInput = 2,           ///< A bad flag, file or field.
  kExitInternalError = 3,      ///< A bug in the simulator.
};

/// Runs the command line.
/// @param argc argument count. @param argv arguments, argv[0] the program.
/// @return the exit status.
int cli_main(int argc, const char *const *argv);

/// @return the report paths of SPEC section 7's table, in column order
/// (`strategy` first).
const std::vector<std::string> &compare_paths();

/// @return the titles of SPEC section 7's table, in column order.
const std::vector<std::string> &compare_columns();

/// One row of SPEC section 7's table, each cell as the table prints it.
/// @param r a run's report.
/// @return one cell per compare_columns() entry.
std::vector<std::string> compare_cells(const Report &r);

/// One row of SPEC section 7's table over replications: `mean +- half-width`.
/// @param r the runs of one strategy.
/// @return one cell per compare_columns() entry.
std::vector<std::string> compare_cells(const ReplicatedReport &r);

/// Formats SPEC section 7's table: one row per report, aligned columns.
/// @param reports the runs, one per strategy, in row order.
/// @return the table, one line per row after a header, each ending in '\n'.
std::string format_compare_table(const std::vector<Report> &reports);

/// Formats SPEC section 7's table over replications (section 11).
/// @param reports one replicated report per strategy, in row order.
/// @return the table; each cell `mean +- half-width` when there are several runs.
std::string format_compare_table(const std::vector<ReplicatedReport> &reports);

} // namespace stampede
