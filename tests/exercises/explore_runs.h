// Every order of a race scenario (SPEC section 12, `stampede explore`), for
// the graded tests: a strategy that passes the timed checks may still lose
// in an order their seeds never showed; this finds the shortest such order
// and tells it step by step.
#pragma once

#include <optional>
#include <string>

#include "hosting/hosted.h"
#include "stampede/explore.h"
#include "stampede/student_hashing.h"
#include "strategy_runs.h"

namespace graded {

/// What explore found, or the fault the student's code made on the way.
struct Explored {
  std::optional<stampede::ExploreResult> result;
  std::string fault; ///< The fault's words, when the search stopped at one.
};

/// Explores `scenario` under `strategy`, one host for every schedule.
inline Explored explored(const std::string &scenario, const std::string &strategy) {
  auto s = stampede::load_scenario(scenario, {"strategy.name=" + strategy});
  if (!s)
    throw std::runtime_error(s.error);
  const stampede::hosting::KeepHosts keep;
  Explored out;
  try {
    out.result = stampede::explore(*s.value, registry());
  } catch (const stampede::StudentCodeError &e) {
    out.fault = e.what();
  }
  return out;
}

/// A finding's shortest schedule, one numbered `step:` line a step, which
/// the grader (grade.py) shows under the check's words.
inline std::string story(const stampede::ExploreFinding &f) {
  std::string out;
  for (std::size_t i = 0; i < f.story.size(); ++i)
    out += "\nstep: " + std::to_string(i + 1) + ". " + f.story[i].text();
  return out;
}

/// "in 20 of 35 orders".
inline std::string among(const stampede::ExploreFinding &f, const stampede::ExploreResult &r) {
  return "in " + std::to_string(f.schedules) + " of " + std::to_string(r.explored + r.cut_depth) +
         " orders";
}

} // namespace graded
