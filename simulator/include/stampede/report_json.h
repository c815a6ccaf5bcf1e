/// @file report_json.h
/// A report as JSON (SPEC section 6): written field by field in the report's
/// order, and read back (`stampede sweep`'s merge, the window's File > Open of
/// a report).
///
///     std::cout << stampede::report_to_json(report).dump(2) << '\n';
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "stampede/parsed.h"
#include "stampede/report.h"

namespace stampede {

/// @param r a report.
/// @return the report as JSON (SPEC section 6), fields in report order
/// (ordered_json; converts implicitly to nlohmann::json, which sorts keys).
nlohmann::ordered_json report_to_json(const Report &r);

/// Reads a report back from its JSON (SPEC section 6), as report_to_json
/// wrote it: every field of the report's table must be there with its kind
/// (expectations and other keys are not read).
/// @param j the report's JSON.
/// @return the report, or an error naming the first field path that is wrong.
Parsed<Report> report_from_json(const nlohmann::json &j);

} // namespace stampede
