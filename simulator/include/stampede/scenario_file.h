/// @file scenario_file.h
/// Scenario files: reading them (a path or `builtin:NAME`, with `--set`
/// overrides) into the typed Scenario the model runs, their JSON Schema, and
/// writing a scenario back. The edge between users' text and the model:
/// everything the model receives has been checked here.
///
///     stampede::Parsed<stampede::Scenario> s =
///         stampede::load_scenario("builtin:frontpage", {"strategy.name=\"clear\""});
///     if (!s)
///       std::cerr << s.error << '\n'; // names the file, the field and what was expected
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "stampede/parsed.h"
#include "stampede/scenario.h"

namespace stampede {

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

/// Splits a list of `--set` values, `v1, v2, ...`, at the commas outside
/// brackets, braces and strings, so a value may be a distribution
/// (`{"uniform": [0.05, 0.15]}`), and trims each: how `stampede sweep
/// --vary PATH=...` and the window's Sweep tab read their values.
/// @param text the values. @return them (an empty text gives one empty value).
std::vector<std::string> split_values(std::string_view text);

/// @return the JSON Schema (draft 2020-12) of scenario files, generated from
/// the same field table the parser validates against.
std::string scenario_schema();

/// Writes a scenario back as JSON (every field, defaults included).
/// @param s a scenario.
/// @return the JSON text, pretty-printed.
std::string scenario_to_json(const Scenario &s);

} // namespace stampede
