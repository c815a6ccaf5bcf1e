// A sweep's plan (sweep.h): read from the command line's flags and checked
// before any run, its cells and runs, as DIR/sweep.json holds it, and the
// CSV rows it is summarised in.
#include "cli/sweep.h"

#include <algorithm>
#include <cmath>

#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace stampede::cli {
namespace {

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a newline.
std::string csv_field(const std::string &s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) {
    return s;
  }
  std::string out = "\"";
  for (const char c : s) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

/// Reads one --vary PATH=v1,v2,... into the plan's axes, each value loaded
/// once with the plan's sets.
void add_axis(SweepPlan &plan, const std::string &vary) {
  const auto eq = vary.find('=');
  Axis axis{vary.substr(0, eq), split_values(std::string_view(vary).substr(eq + 1))};
  if (axis.path == "seed" || axis.path == "strategy.name") {
    throw BadInput("--vary " + axis.path + ": use " +
                   (axis.path == "seed" ? "--seeds N or --seed-list" : "--strategies a,b") +
                   " for that");
  }
  for (const Axis &other : plan.axes) {
    if (other.path == axis.path) {
      throw BadInput("--vary: " + axis.path + " is varied twice; give its values once");
    }
  }
  for (const std::string &value : axis.values) {
    std::vector<std::string> one = plan.sets;
    one.push_back(axis.path + "=" + value);
    Parsed<Scenario> parsed = load_scenario(plan.scenario, one);
    if (value.empty() || !parsed) {
      throw BadInput(
          "--vary " + vary + ": " +
          (value.empty() ? "expected VALUE,VALUE,... with no empty value" : parsed.error));
    }
  }
  plan.axes.push_back(std::move(axis));
}

/// --strategies, else the scenario's own; each one known.
std::vector<std::string> read_strategies(const std::string &flag, const Scenario &base) {
  std::vector<std::string> strategies =
      flag.empty() ? std::vector<std::string>{base.strategy.name} : split_list(flag);
  if (strategies.empty()) {
    throw BadInput("--strategies: expected a comma-separated list of strategies, got " +
                   json_quote(flag));
  }
  for (const std::string &name : strategies) {
    if (!StrategyRegistry::global().contains(name)) {
      throw BadInput("--strategies: unknown strategy " + json_quote(name) + "; expected one of " +
                     known_strategies() + student_hint(name));
    }
  }
  return strategies;
}

/// Refuses a grid of more than kMaxSweepRuns runs, counted without
/// overflowing on the way.
void check_grid_size(const SweepPlan &plan) {
  std::size_t runs = plan.strategies.size() * plan.seeds.size();
  std::string sizes;
  for (const Axis &a : plan.axes) {
    sizes += std::to_string(a.values.size()) + " x ";
    runs = a.values.size() == 0 || runs > kMaxSweepRuns / a.values.size() ? kMaxSweepRuns + 1
                                                                          : runs * a.values.size();
  }
  if (runs > kMaxSweepRuns) {
    throw BadInput("sweep: expected at most " + std::to_string(kMaxSweepRuns) +
                   " runs (values x strategies x seeds), got " + sizes +
                   std::to_string(plan.strategies.size()) + " strategies x " +
                   std::to_string(plan.seeds.size()) +
                   " seeds; sweep fewer values, or split the grid into several sweeps");
  }
}

} // namespace

SweepPlan make_plan(const SweepOptions &o) {
  SweepPlan plan;
  plan.scenario = o.scenario;
  if (!o.scenario.starts_with("builtin:")) {
    std::error_code ec;
    plan.scenario = fs::absolute(o.scenario, ec).lexically_normal().string();
  }
  plan.sets = o.sets;
  if (o.seed) {
    plan.sets.push_back("seed=" + std::to_string(*o.seed));
  }
  if (o.duration_s) {
    plan.sets.push_back("duration_s=" + shortest(*o.duration_s));
  }
  plan.warmup_s = o.replication.warmup_s;
  const Scenario base = load(plan.scenario, plan.sets);
  check_warmup(plan.warmup_s, base);
  for (const std::string &vary : o.vary) {
    add_axis(plan, vary);
  }
  plan.strategies = read_strategies(o.strategies, base);
  plan.seeds = replication_seeds(o.replication, base.seed);
  check_grid_size(plan);
  return plan;
}

std::size_t SweepPlan::cells() const {
  std::size_t n = 1;
  for (const Axis &a : axes) {
    n *= a.values.size();
  }
  return n;
}

std::vector<std::string> SweepPlan::cell_values(std::size_t cell) const {
  std::vector<std::string> values(axes.size());
  for (std::size_t k = axes.size(); k-- > 0;) {
    values[k] = axes[k].values[cell % axes[k].values.size()];
    cell /= axes[k].values.size();
  }
  return values;
}

std::vector<std::string> SweepPlan::overrides(std::size_t cell, const std::string &strategy,
                                              std::uint64_t seed) const {
  std::vector<std::string> out = sets;
  const std::vector<std::string> values = cell_values(cell);
  for (std::size_t k = 0; k < axes.size(); ++k) {
    out.push_back(axes[k].path + "=" + values[k]);
  }
  out.push_back("strategy.name=" + json_quote(strategy));
  if (strategy.find("+cas") == std::string::npos) {
    out.emplace_back("strategy.cas=false");
  }
  out.push_back("seed=" + std::to_string(seed));
  return out;
}

std::string SweepPlan::run_file(std::size_t cell, const std::string &strategy,
                                std::uint64_t seed) const {
  std::string name = strategy;
  std::replace(name.begin(), name.end(), '/', '_');
  return std::to_string(cell) + "-" + name + "-" + std::to_string(seed) + ".json";
}

Json plan_to_json(const SweepPlan &plan) {
  Json j = Json::object();
  j["format"] = 1;
  j["scenario"] = plan.scenario;
  j["set"] = plan.sets;
  Json axes = Json::array();
  for (const Axis &a : plan.axes) {
    axes.push_back({{"path", a.path}, {"values", a.values}});
  }
  j["vary"] = std::move(axes);
  j["strategies"] = plan.strategies;
  j["seeds"] = plan.seeds;
  j["warmup_s"] = plan.warmup_s;
  return j;
}

SweepPlan plan_from_json(const nlohmann::json &j, const std::string &origin) {
  SweepPlan plan;
  try {
    if (j.at("format") != 1) {
      throw BadInput(origin + ": format: expected 1, got " + j.at("format").dump());
    }
    plan.scenario = j.at("scenario").get<std::string>();
    plan.sets = j.at("set").get<std::vector<std::string>>();
    for (const auto &a : j.at("vary")) {
      plan.axes.push_back(
          {a.at("path").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
    }
    plan.strategies = j.at("strategies").get<std::vector<std::string>>();
    plan.seeds = j.at("seeds").get<std::vector<std::uint64_t>>();
    plan.warmup_s = j.at("warmup_s").get<double>();
  } catch (const nlohmann::json::exception &e) {
    throw BadInput(origin + ": not a sweep written by `stampede sweep --emit-jobs` (" +
                   std::string(e.what()) + ")");
  }
  if (plan.strategies.empty() || plan.seeds.empty()) {
    throw BadInput(origin + ": expected at least one strategy and one seed");
  }
  return plan;
}

std::string sweep_csv_header(const SweepPlan &plan) {
  std::string out;
  for (const Axis &a : plan.axes) {
    out += csv_field(a.path) + ",";
  }
  out += "strategy,seeds";
  for (const std::string &path : sweep_outputs()) {
    out += "," + path + ".mean," + path + ".sd," + path + ".ci95_low," + path + ".ci95_high";
  }
  return out + "\n";
}

std::string sweep_csv_row(const SweepPlan &plan, std::size_t cell, const std::string &strategy,
                          const ReplicatedReport &r) {
  const auto real = [](double v) { return std::isfinite(v) ? shortest(v) : std::string(); };
  std::string out;
  for (const std::string &v : plan.cell_values(cell)) {
    out += csv_field(v) + ",";
  }
  out += csv_field(strategy) + "," + std::to_string(r.runs.size());
  for (const std::string &path : sweep_outputs()) {
    const Spread &s = *r.spread(path);
    out += "," + real(s.mean) + "," + real(s.sd) + "," +
           (s.ci95_low ? real(*s.ci95_low) : std::string()) + "," +
           (s.ci95_high ? real(*s.ci95_high) : std::string());
  }
  return out + "\n";
}

} // namespace stampede::cli
