// The built-in scenarios (`builtin:NAME`): the texts embedded from io/builtin/*.json at
// build time, each with its name and the one-line description it carries.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "stampede/scenario_file.h"

namespace stampede {
namespace internal {
// Generated from io/builtin/*.json at build time (io/embed_builtins.cmake).
const std::vector<std::pair<std::string_view, std::string_view>> &builtin_scenario_texts();
} // namespace internal

const std::vector<BuiltinScenario> &builtin_scenarios() {
  static const std::vector<BuiltinScenario> all = [] {
    std::vector<BuiltinScenario> out;
    for (const auto &[name, text] : internal::builtin_scenario_texts()) {
      BuiltinScenario b;
      b.name = std::string(name);
      b.json = std::string(text);
      // The files are ours and tested to parse; a description is optional.
      const auto j = nlohmann::json::parse(b.json, nullptr, false);
      if (j.is_object() && j.contains("description") && j["description"].is_string())
        b.description = j["description"].get<std::string>();
      out.push_back(std::move(b));
    }
    std::sort(out.begin(), out.end(),
              [](const BuiltinScenario &a, const BuiltinScenario &b) { return a.name < b.name; });
    return out;
  }();
  return all;
}

} // namespace stampede
