// `stampede validate`, `stampede scenarios` and `stampede schema`.
#include "cli/common.h"

#include <algorithm>
#include <iostream>

#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace stampede::cli {

int cmd_validate(const std::string &spec, const std::vector<std::string> &sets) {
  const Scenario s = load(spec, sets);
  std::cout << spec << ": ok (" << json_quote(s.name) << ", strategy "
            << strategy_label(normalize_strategy(s.strategy)) << ", " << number(s.duration_s)
            << " s, seed " << s.seed << ", " << s.expect.size() << " expectations)\n";
  return kExitOk;
}

int cmd_scenarios() {
  std::size_t width = 0;
  for (const BuiltinScenario &b : builtin_scenarios()) {
    width = std::max(width, b.name.size() + 8);
  }
  for (const BuiltinScenario &b : builtin_scenarios()) {
    const std::string name = "builtin:" + b.name;
    std::cout << name << std::string(width - name.size() + 2, ' ') << b.description << "\n";
  }
  return kExitOk;
}

int cmd_schema() {
  std::string schema = scenario_schema();
  if (schema.empty() || schema.back() != '\n') {
    schema += '\n';
  }
  std::cout << schema;
  return kExitOk;
}

} // namespace stampede::cli
