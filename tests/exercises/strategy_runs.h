// For graded strategy tests: run a scenario with a student's strategy (as
// the student library would register it) or a built-in one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "stampede/scenario_io.h"
#include "stampede/simulation.h"
#include "stampede/student.h"

extern "C" void stampede_register_strategies(stampede::StrategyRegistry &r);

namespace graded {

/// The built-in strategies plus the student's.
inline const stampede::StrategyRegistry &registry() {
  static const stampede::StrategyRegistry r = [] {
    stampede::StrategyRegistry copy = stampede::StrategyRegistry::global();
    stampede_register_strategies(copy);
    return copy;
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

/// A report as JSON without what may differ between two equivalent
/// strategies: the strategy's name and the wall-clock figures.
inline nlohmann::ordered_json comparable(const stampede::Report &r) {
  auto j = stampede::report_to_json(r);
  j.erase("strategy");
  j.erase("engine");
  return j;
}

} // namespace graded
