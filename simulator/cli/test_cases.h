// Private to cli/: the headless cases `stampede test` and `stampede lesson`
// share: a scenario file with `expect`, a lesson's step, or a lesson's text,
// each run (or checked) into an outcome of one output line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.h"
#include "stampede/lessons.h"

namespace stampede::cli {

/// One headless check: a scenario file with `expect`, or one lesson step.
struct Case {
  std::string name;                                // what the output line shows
  std::string file;                                // the file it came from (JUnit classname)
  std::string spec;                                // path or builtin:NAME
  std::vector<std::string> overrides;              // --set style
  std::optional<std::vector<ExpectClause>> expect; // a step's own; else the scenario's
  std::optional<LessonQuestion> question;          // a step's question: the run must prove it
  std::optional<std::uint64_t> seeds;              // a step's own replications (`seeds`)
  std::vector<LessonClaim> claims;                 // the figures a step's text states
  bool seed_given = false; // --seed: claims on named seeds are not this run's to check
  bool text_check = false; // the case is a lesson's text, its figures checked
  std::vector<std::string> text_problems; // what that check found
  std::string error;                      // set when the case could not even be built
  bool unreadable = false; // the error is a file that cannot be read (exit 2, JUnit <error>)
  bool skipped = false;    // a file named on the command line with nothing to check
};

/// What running a case gave.
struct Outcome {
  bool ok = false;
  bool error = false; // bad input rather than a failed expectation
  bool skipped = false;
  std::string line;                // the output line
  std::string failure;             // every failure, for JUnit
  std::vector<std::string> claims; // each claim and what it measured, said under the line
  double wall_s = 0;
};

/// `p` as messages show it: relative to the working directory when inside it.
std::string display_path(const fs::path &p);

/// Adds the cases of a lesson's steps.json: one per step, then (with_text)
/// the case that checks the lesson's text.
void lesson_cases(const fs::path &file, std::vector<Case> &cases, bool with_text = true);

/// Runs one case: once, or as replications (the command line's --seeds /
/// --seed-list, else the step's `seeds`), its expectations and question
/// checked over the runs (SPEC section 11). @param report set to the report
/// when it ran.
Outcome run_case(const Case &c, const ReplicationOptions &replication,
                 ReplicatedReport *report = nullptr);

/// Runs cases, prints a line each and the counts. @return the exit status.
int run_cases(std::vector<Case> cases, const std::string &junit,
              std::optional<std::uint64_t> seed = std::nullopt,
              const ReplicationOptions &replication = {});

} // namespace stampede::cli
