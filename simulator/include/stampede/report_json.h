/// @file report_json.h
/// A report as JSON (SPEC section 6): written field by field in the report's
/// order, and read back (`stampede sweep`'s merge, the window's File > Open of
/// a report). A run's report file, as `stampede run --report` and the
/// window's Export > Report as JSON both write it, is
/// report_with_scenario().
///
///     std::cout << stampede::report_to_json(report).dump(2) << '\n';
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "stampede/parsed.h"
#include "stampede/report.h"

namespace stampede {

struct Scenario;

/// @param r a report.
/// @return the report as JSON (SPEC section 6), fields in report order
/// (ordered_json; converts implicitly to nlohmann::json, which sorts keys).
nlohmann::ordered_json report_to_json(const Report &r);

/// A run's report as its file holds it: SPEC section 6's fields, then
/// `warmup_s` when a warm-up was discarded, then `run_scenario`, the
/// scenario exactly as it ran (every override, seed and strategy applied),
/// so the report itself can be run again. `stampede run` and the window's
/// export both write this, so the two cannot drift apart.
/// @param r the run's report.
/// @param s the scenario it ran.
/// @param warmup_s the simulated seconds discarded at the start; 0 for none
/// (no `warmup_s` field is written).
/// @return the report's JSON, fields in that order.
nlohmann::ordered_json report_with_scenario(const Report &r, const Scenario &s, double warmup_s);

/// Reads a report back from its JSON (SPEC section 6), as report_to_json
/// wrote it: every field of the report's table must be there with its kind
/// (expectations and other keys are not read).
/// @param j the report's JSON.
/// @return the report, or an error naming the first field path that is wrong.
Parsed<Report> report_from_json(const nlohmann::json &j);

} // namespace stampede
