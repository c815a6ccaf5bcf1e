// SweepRunner: a sweep's grid planned from the Sweep tab's words, then each value under
// each strategy over its seeds, on CompareRunner's thread, a row handed over as it ends.
#include "worker/sweep_runner.h"

#include <algorithm>
#include <utility>

#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace stampede::gui {

Parsed<SweepGrid> plan_sweep(const Scenario &base, std::string_view path_text,
                             std::string_view values, const std::vector<std::string> &strategies,
                             std::size_t seeds) {
  Parsed<SweepGrid> out;
  const auto fail = [&out](std::string why) {
    out.error = std::move(why);
    return std::move(out);
  };
  const std::string path = split_values(path_text).front(); // trimmed
  if (path.empty() || path.find_first_of(" =,") != std::string::npos)
    return fail("vary: expected a scenario field's path (e.g. strategy.ttl_s), got \"" +
                std::string(path_text) + "\"");
  if (path == "seed")
    return fail("vary: seed is what Seeds sets (replications count up from the scenario's)");
  if (path == "strategy.name" || path == "strategy.cas")
    return fail("vary: " + path + " is what Strategies sets; vary another field");
  if (seeds < 1 || seeds > CompareRunner::kMaxSeeds)
    return fail("seeds: expected a number of runs from 1 to " +
                std::to_string(CompareRunner::kMaxSeeds) + ", got " + std::to_string(seeds));
  if (strategies.empty())
    return fail("strategies: expected at least one strategy");
  const auto &registry = StrategyRegistry::global();
  for (const std::string &name : strategies) {
    if (!registry.contains(name)) {
      std::string known;
      for (const std::string &n : registry.names())
        known += (known.empty() ? "" : ", ") + n;
      return fail("strategies: unknown strategy \"" + name + "\"; expected one of " + known +
                  " (or update+cas)");
    }
  }
  SweepGrid grid;
  grid.path = path;
  grid.values = split_values(values);
  grid.strategies = strategies;
  grid.seeds = seeds;
  // The window's scenario as a file, so each value goes through the same
  // parser and checks as `--set PATH=VALUE` on the command line.
  const std::string text = scenario_to_json(base);
  const std::string origin = base.name.empty() ? "scenario" : base.name;
  for (const std::string &value : grid.values) {
    if (value.empty())
      return fail(path +
                  ": expected values separated by commas (e.g. 1, 5, 30), with no empty "
                  "value, got \"" +
                  std::string(values) + "\"");
    Parsed<Scenario> cell = parse_scenario(text, origin, {path + "=" + value});
    if (!cell)
      return fail(cell.error);
    for (const std::string &name : strategies) {
      Scenario s = *cell.value;
      s.strategy = with_strategy(s.strategy, name);
      grid.rows.push_back(std::move(s));
    }
  }
  out.value = std::move(grid);
  return out;
}

SweepRunner::SweepRunner(RowFn on_row, DoneFn on_done, ProgressFn on_progress)
    : runner_(
          [on_row = std::move(on_row)](const CompareRow &r) {
            on_row(SweepRow{r.run, r.index, r.count, r.label, r.strategy, r.replicated,
                            r.failed() ? r.report.strategy : std::string()});
          },
          std::move(on_done), std::move(on_progress)) {}

std::uint64_t SweepRunner::start(const SweepGrid &grid) {
  std::vector<CompareJob> jobs;
  jobs.reserve(grid.rows.size());
  const std::size_t n = grid.strategies.size();
  for (std::size_t i = 0; i < grid.rows.size(); ++i)
    jobs.push_back(CompareJob{grid.strategies[i % n], grid.rows[i], grid.values[i / n]});
  return runner_.start(std::move(jobs), grid.seeds);
}

} // namespace stampede::gui
