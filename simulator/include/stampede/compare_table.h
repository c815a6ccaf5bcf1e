/// @file compare_table.h
/// The lecture's table (SPEC section 7): one row per strategy, one column per
/// report field, each titled and written as the report's field table says
/// (report_label(), report_text()). `stampede compare` prints it and the
/// window's Compare tab draws it, so both say the same words and numbers.
///
///     std::cout << stampede::format_compare_table(reports);
#pragma once

#include <string>
#include <vector>

#include "stampede/replication.h"
#include "stampede/report.h"

namespace stampede {

/// @return the report paths of the table, in column order (`strategy` first).
const std::vector<std::string> &compare_paths();

/// @return the titles of the table, in column order.
const std::vector<std::string> &compare_columns();

/// One row of the table, each cell as the table prints it.
/// @param r a run's report.
/// @return one cell per compare_columns() entry.
std::vector<std::string> compare_cells(const Report &r);

/// One row of the table over replications: `mean +- half-width`.
/// @param r the runs of one strategy.
/// @return one cell per compare_columns() entry.
std::vector<std::string> compare_cells(const ReplicatedReport &r);

/// Formats the table: one row per report, aligned columns.
/// @param reports the runs, one per strategy, in row order.
/// @return the table, one line per row after a header, each ending in '\n'.
std::string format_compare_table(const std::vector<Report> &reports);

/// Formats the table over replications (SPEC section 11).
/// @param reports one replicated report per strategy, in row order.
/// @return the table; each cell `mean +- half-width` when there are several runs.
std::string format_compare_table(const std::vector<ReplicatedReport> &reports);

} // namespace stampede
