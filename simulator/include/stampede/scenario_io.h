/// @file scenario_io.h
/// Reading scenario files and writing reports: the edge between users' text
/// and the typed model.
///
/// Every function that reads user input returns a value or an error message
/// that names the file, the field path and what was expected, e.g.
///
///     lessons/02-stale/naive.json: cache.memory_bytes: expected a positive integer, got -64
///
/// and never throws for bad input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede {

/// A value or the message saying why there is none.
template <class T> struct Parsed {
  std::optional<T> value; ///< Set on success.
  std::string error;      ///< Set on failure: "ORIGIN: PATH: expected ..., got ...".
  /// @return whether parsing succeeded.
  explicit operator bool() const noexcept { return value.has_value(); }
};

/// A built-in scenario (`builtin:NAME`).
struct BuiltinScenario {
  std::string name;        ///< e.g. `frontpage`.
  std::string description; ///< One line.
  std::string json;        ///< The scenario file's text.
};

/// @return the built-in scenarios, sorted by name.
const std::vector<BuiltinScenario> &builtin_scenarios();

/// Most bytes read from any one input file (a scenario, a lesson's steps.json
/// or lesson.md, a file given to `stampede test`): a device such as
/// /dev/zero, or a runaway file, is an error rather than a machine's memory.
inline constexpr std::size_t kMaxInputBytes = std::size_t{64} << 20;

/// Reads a whole input file, at most kMaxInputBytes of it.
/// @param path the file (pipes and devices too).
/// @return its text, or "PATH: cannot read file: WHY".
Parsed<std::string> read_input_file(const std::string &path);

/// Parses JSON text with the checks and messages of scenario files: an empty
/// text, a syntax error (with line and column), a duplicate field (with its
/// path) and a number beyond a double (with its path) are errors.
/// @param text the JSON text. @param origin the file name for messages.
/// @return the document, or "ORIGIN: ..." saying what is wrong.
Parsed<nlohmann::ordered_json> parse_json_document(std::string_view text, std::string_view origin);

/// Parses a scenario from JSON text, applying `--set` overrides first.
/// @param text the file's contents.
/// @param origin the file name for messages (`builtin:frontpage` for built-ins).
/// @param overrides `PATH=VALUE` strings; VALUE is JSON when it parses as JSON
///        (a number, true/false, an object), else a string.
/// @return the scenario, or the first error found.
Parsed<Scenario> parse_scenario(std::string_view text, std::string_view origin,
                                const std::vector<std::string> &overrides = {});

/// Loads a scenario from a file path or `builtin:NAME`.
/// @param spec the path or builtin name.
/// @param overrides `PATH=VALUE` strings (see parse_scenario).
/// @return the scenario, or an error (an unreadable file is an error too).
Parsed<Scenario> load_scenario(std::string_view spec,
                               const std::vector<std::string> &overrides = {});

/// Parses one `expect` string: `PATH OP NUMBER`, joined with `and`.
/// @param text the expression.
/// @return the clause, or an error naming what was expected (without origin).
Parsed<ExpectClause> parse_expect(std::string_view text);

/// @return the JSON Schema (draft 2020-12) of scenario files, generated from
/// the same field table the parser validates against.
std::string scenario_schema();

/// Writes a scenario back as JSON (every field, defaults included).
/// @param s a scenario.
/// @return the JSON text, pretty-printed.
std::string scenario_to_json(const Scenario &s);

/// @param r a report.
/// @return the report as JSON (SPEC section 6), fields in report order
/// (ordered_json; converts implicitly to nlohmann::json, which sorts keys).
nlohmann::ordered_json report_to_json(const Report &r);

/// Splits a list of `--set` values, `v1, v2, ...`, at the commas outside
/// brackets, braces and strings, so a value may be a distribution
/// (`{"uniform": [0.05, 0.15]}`), and trims each: how `stampede sweep
/// --vary PATH=...` and the window's Sweep tab read their values.
/// @param text the values. @return them (an empty text gives one empty value).
std::vector<std::string> split_values(std::string_view text);

/// Reads a report back from its JSON (SPEC section 6), as report_to_json
/// wrote it: every field of the report's table must be there with its kind
/// (expectations and other keys are not read).
/// @param j the report's JSON.
/// @return the report, or an error naming the first field path that is wrong.
Parsed<Report> report_from_json(const nlohmann::json &j);

/// Looks up a numeric report field by its dotted path.
/// @param r a report. @param path e.g. `anomalies.stale_reads`.
/// @return the value, or nothing when the path names no numeric field.
std::optional<double> report_value(const Report &r, std::string_view path);

/// @return every numeric report path, in report order.
std::vector<std::string> report_paths();

/// The words for a report field wherever a person reads it: the command
/// line's tables and the window's panels use these, so they say the same.
/// @param path a report path (`db.reads_per_page_view`).
/// @return its label ("DB reads per view"); the path itself for a field
/// without one; empty for no field.
std::string report_label(std::string_view path);

/// A report field's value as people read it: a count whole, a ratio or a
/// time to the decimals its label implies; "-" for a hit ratio with no gets.
/// @param r a report. @param path a report path.
/// @return the text, or empty for no field.
std::string report_text(const Report &r, std::string_view path);

/// Evaluates a scenario's expect clauses against a report, filling
/// `r.expectations`.
/// @param r the report (updated). @param clauses the clauses.
/// @return whether all held.
bool evaluate_expectations(Report &r, const std::vector<ExpectClause> &clauses);

} // namespace stampede
