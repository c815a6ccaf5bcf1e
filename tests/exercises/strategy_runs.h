// For graded strategy tests: run a scenario with a student's strategy or a
// built-in one. The student's strategies come from the exercise's own
// library (STAMPEDE_STUDENT_LIBRARY, set by grade.py: built from the student's folder), run
// in a sandboxed host process as `stampede` runs them: none of the
// student's code is in this process, so nothing it does can touch the
// verdict. A fault of the student's code fails the test with its sentence
// (`student:refresh: view() of request #3 (step 0) answered it twice`).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"
#include "stampede/student_loader.h"

namespace graded {

/// The built-in strategies plus the student's (and the student's rings, in
/// the global HashingRegistry).
inline const stampede::StrategyRegistry &registry() {
  static const stampede::StrategyRegistry &r = []() -> const stampede::StrategyRegistry & {
    // An exercise whose student code declares strategies or rings has its
    // library named by the grader; the design challenge has none.
    const char *library = std::getenv("STAMPEDE_STUDENT_LIBRARY");
    if (library == nullptr || *library == '\0')
      return stampede::StrategyRegistry::global();
    const stampede::StudentLoad load = stampede::load_student_library(
        library, stampede::StrategyRegistry::global(), stampede::HashingRegistry::global());
    if (!load.loaded)
      throw std::runtime_error("your strategies did not load: " + load.message);
    return stampede::StrategyRegistry::global();
  }();
  return r;
}

/// Runs `scenario` (a built-in name or file) with `strategy` and the overrides.
inline stampede::Report run(const std::string &scenario, const std::string &strategy,
                            std::vector<std::string> overrides = {}) {
  overrides.push_back("strategy.name=" + strategy);
  auto s = stampede::load_scenario(scenario, overrides);
  if (!s)
    throw std::runtime_error(s.error);
  stampede::Simulation sim(*s.value, registry());
  sim.run();
  return sim.report();
}

/// Page views that arrived, answered or not: what arrived, less the submits
/// answered and the requests refused (a submit still in flight at the end
/// counts here too, so this bounds the views from above).
inline std::uint64_t views_arrived(const stampede::Report &r) {
  return r.arrivals - r.submits - r.rejected;
}

/// A report as JSON without what may differ between two equivalent
/// strategies: the strategy's name and the wall-clock figures.
inline nlohmann::ordered_json comparable(const stampede::Report &r) {
  auto j = stampede::report_to_json(r);
  j.erase("strategy");
  j.erase("engine");
  return j;
}

/// Where two reports (comparable()) differ, as `db.reads: yours 0, the
/// built-in's 128` for the first few fields; "" when they agree.
inline std::string differences(const nlohmann::ordered_json &mine,
                               const nlohmann::ordered_json &theirs) {
  std::string out;
  int shown = 0;
  for (const auto &d : nlohmann::ordered_json::diff(theirs, mine)) {
    if (shown++ == 4) {
      out += "; ...";
      break;
    }
    std::string field = d.value("path", "");
    std::replace(field.begin(), field.end(), '/', '.');
    if (!field.empty())
      field.erase(0, 1);
    const auto there = nlohmann::ordered_json::json_pointer(d.value("path", ""));
    out += (out.empty() ? "" : "; ") + field + ": yours " +
           (mine.contains(there) ? mine.at(there).dump() : "none") + ", the built-in's " +
           (theirs.contains(there) ? theirs.at(there).dump() : "none");
  }
  return out;
}

} // namespace graded
