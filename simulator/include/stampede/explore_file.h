/// @file explore_file.h
/// `stampede explore`'s outputs (SPEC section 12): its report's fields, the
/// `expect` paths that name them, and the schedule file the window opens
/// (`stampede-gui --schedule FILE`).
///
/// Expect paths: `explore.schedules` (schedules run), `explore.skipped`,
/// `explore.complete` (1 when no bound cut the search), `explore.longest`,
/// and per anomaly `explore.stale_sets` (a stale page kept at the end),
/// `explore.stale_reads`, `explore.stampedes`,
/// `explore.cas_conflicts`, `explore.lost_updates`, `explore.lease_refusals`
/// (how many schedules show it) with `..._shortest` (the steps of the
/// shortest such schedule, 0 when none). `stampede explore` and `stampede
/// test` check them; a timed run leaves them to explore.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stampede/explore.h"
#include "stampede/parsed.h"
#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede {

/// @return every numeric explore path an `expect` entry may name.
std::vector<std::string> explore_paths();

/// @param clause an expect clause. @return whether it names explore's
/// fields (its first term's path starts with `explore.`).
bool is_explore_clause(const ExpectClause &clause) noexcept;

/// Checks the explore clauses of a scenario's `expect` against a result
/// (the others are a timed run's). @param r the result. @param clauses the
/// scenario's clauses. @return one result per explore clause.
std::vector<ExpectationResult>
evaluate_explore_expectations(const ExploreResult &r, const std::vector<ExpectClause> &clauses);

/// @param r a result. @param options its bounds. @param s its scenario.
/// @return the report: `scenario`, `strategy`, `requests`, `explore` (the
/// numbers expect paths name, the bounds, the time) and `shortest` (per
/// anomaly found: its order and story).
nlohmann::ordered_json explore_to_json(const ExploreResult &r, const ExploreOptions &options,
                                       const Scenario &s);

/// One schedule to step through, as the window opens it.
struct ScheduleEntry {
  std::string anomaly;              ///< The anomaly's field (`stale_reads`), or empty.
  std::vector<std::uint64_t> order; ///< Request numbers, in the order their steps run.
  std::vector<std::string> story;   ///< Each step told.
};

/// A schedule file: the scenario as explored (its strategy in it) and the
/// shortest schedule of each anomaly found.
struct ScheduleFile {
  Scenario scenario;                    ///< What was explored.
  std::vector<ScheduleEntry> schedules; ///< At least one.
};

/// @param s the scenario explored. @param r its result.
/// @return the schedule file's JSON text (format 1).
std::string schedule_file_text(const Scenario &s, const ExploreResult &r);

/// Reads a schedule file. @param text its JSON. @param origin the file's
/// name for messages. @return the file, or an error naming the field path
/// and what was expected.
Parsed<ScheduleFile> parse_schedule_file(std::string_view text, std::string_view origin);

} // namespace stampede
