/// @file report_fields.h
/// A report's fields by their dotted paths (`anomalies.stale_reads`), and the
/// words for them wherever a person reads them: the command line's tables
/// and the window's panels use these, so they say the same.
///
///     for (const std::string &path : stampede::report_paths())
///       std::cout << stampede::report_label(path) << ": "
///                 << stampede::report_text(report, path) << '\n';
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/report.h"

namespace stampede {

/// Looks up a numeric report field by its dotted path.
/// @param r a report. @param path e.g. `anomalies.stale_reads`.
/// @return the value, or nothing when the path names no numeric field.
std::optional<double> report_value(const Report &r, std::string_view path);

/// @return every numeric report path, in report order.
std::vector<std::string> report_paths();

/// The words for a report field wherever a person reads it.
/// @param path a report path (`db.reads_per_page_view`).
/// @return its label ("DB reads per view"); the path itself for a field
/// without one; empty for no field.
std::string report_label(std::string_view path);

/// A report field's value as people read it: a count whole, a ratio or a
/// time to the decimals its label implies; "-" for a hit ratio with no gets.
/// @param r a report. @param path a report path.
/// @return the text, or empty for no field.
std::string report_text(const Report &r, std::string_view path);

} // namespace stampede
