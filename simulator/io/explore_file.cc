// `stampede explore`'s report, its expect paths and the schedule file the
// window opens (SPEC section 12).
#include "stampede/explore_file.h"

#include <algorithm>
#include <cmath>

#include "stampede/scenario_file.h"

namespace stampede {

using Json = nlohmann::ordered_json;

namespace {

constexpr const char *kFindings[] = {"stale_sets",    "stale_reads",  "stampedes",
                                     "cas_conflicts", "lost_updates", "lease_refusals"};

// A path's value in a result; false when it names none.
bool explore_value(const ExploreResult &r, std::string_view path, double &out) {
  if (!path.starts_with("explore."))
    return false;
  const std::string_view name = path.substr(8);
  if (name == "schedules") {
    out = static_cast<double>(r.explored + r.cut_depth);
  } else if (name == "skipped") {
    out = static_cast<double>(r.skipped);
  } else if (name == "complete") {
    out = r.complete() ? 1 : 0;
  } else if (name == "longest") {
    out = r.longest;
  } else {
    for (const ExploreFinding &f : r.findings) {
      const std::string &field = f.field;
      if (name == field) {
        out = static_cast<double>(f.schedules);
        return true;
      }
      if (name == field + "_shortest") {
        out = static_cast<double>(f.order.size());
        return true;
      }
    }
    return false;
  }
  return true;
}

// A finding's shortest schedule: {"anomaly": its name, "order", "story"}.
Json schedule_json(const ExploreFinding &f, const std::string &anomaly) {
  Json story = Json::array();
  for (const ScheduleStep &step : f.story)
    story.push_back(step.text());
  return Json{{"anomaly", anomaly}, {"order", f.order}, {"story", std::move(story)}};
}

bool holds(double actual, Expectation::Op op, double value) {
  switch (op) {
  case Expectation::Op::kEq:
    return actual == value;
  case Expectation::Op::kNe:
    return actual != value;
  case Expectation::Op::kLt:
    return actual < value;
  case Expectation::Op::kLe:
    return actual <= value;
  case Expectation::Op::kGt:
    return actual > value;
  case Expectation::Op::kGe:
    return actual >= value;
  }
  return false;
}

} // namespace

std::vector<std::string> explore_paths() {
  std::vector<std::string> out = {"explore.schedules", "explore.skipped", "explore.complete",
                                  "explore.longest"};
  for (const char *field : kFindings) {
    out.push_back(std::string("explore.") + field);
    out.push_back(std::string("explore.") + field + "_shortest");
  }
  return out;
}

bool is_explore_clause(const ExpectClause &clause) noexcept {
  return !clause.terms.empty() && clause.terms.front().path.starts_with("explore.");
}

std::vector<ExpectationResult>
evaluate_explore_expectations(const ExploreResult &r, const std::vector<ExpectClause> &clauses) {
  std::vector<ExpectationResult> out;
  for (const ExpectClause &clause : clauses) {
    if (!is_explore_clause(clause))
      continue;
    ExpectationResult result{clause.text, true, 0};
    bool first = true;
    for (const Expectation &term : clause.terms) {
      double actual = 0;
      const bool known = explore_value(r, term.path, actual);
      const bool ok = known && holds(actual, term.op, term.value);
      if (first || !ok)
        result.actual = actual;
      first = false;
      if (!ok) {
        result.ok = false;
        break;
      }
    }
    out.push_back(std::move(result));
  }
  return out;
}

Json explore_to_json(const ExploreResult &r, const ExploreOptions &options, const Scenario &s) {
  Json j;
  j["scenario"] = r.scenario;
  j["strategy"] = r.strategy;
  j["seed"] = s.seed;
  j["requests"] = r.requests;
  Json e;
  for (const std::string &path : explore_paths()) {
    double v = 0;
    explore_value(r, path, v);
    e[path.substr(8)] = static_cast<std::uint64_t>(v);
  }
  e["complete"] = r.complete();
  e["cut_depth"] = r.cut_depth;
  e["cut_preemptions"] = r.cut_preemptions;
  e["depth"] = options.depth;
  if (options.preemptions == ExploreOptions::kUnbounded)
    e["preemptions"] = nullptr;
  else
    e["preemptions"] = options.preemptions;
  e["reduction"] = options.reduce;
  e["steps"] = r.steps;
  e["wall_s"] = r.wall_s;
  e["schedules_per_s"] =
      r.wall_s > 0 ? std::round(static_cast<double>(r.explored + r.cut_depth) / r.wall_s) : 0.0;
  j["explore"] = std::move(e);
  Json shortest = Json::object();
  for (const ExploreFinding &f : r.findings)
    if (!f.order.empty())
      shortest[f.field] = schedule_json(f, f.label);
  j["shortest"] = std::move(shortest);
  return j;
}

std::string schedule_file_text(const Scenario &s, const ExploreResult &r) {
  Json j;
  j["format"] = 1;
  j["kind"] = "stampede schedule";
  j["scenario"] = Json::parse(scenario_to_json(s));
  Json schedules = Json::array();
  for (const ExploreFinding &f : r.findings)
    if (!f.order.empty())
      schedules.push_back(schedule_json(f, f.field));
  j["schedules"] = std::move(schedules);
  return j.dump(2);
}

Parsed<ScheduleFile> parse_schedule_file(std::string_view text, std::string_view origin) {
  Parsed<ScheduleFile> out;
  const std::string where(origin);
  const auto fail = [&](const std::string &path, const std::string &what) {
    out.error = where + ": " + path + ": " + what;
    return out;
  };
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception &e) { // not JSON, or a number past a double (fuzzing found it)
    out.error = where + ": not JSON (" + e.what() + ")";
    return out;
  }
  if (!j.is_object())
    return fail("(top)", "expected an object (a schedule file), got " + std::string(j.type_name()));
  if (!j.contains("format") || j["format"] != 1)
    return fail("format", "expected 1");
  if (!j.contains("scenario") || !j["scenario"].is_object())
    return fail("scenario", "expected the scenario explored, an object");
  Parsed<Scenario> scenario = parse_scenario(j["scenario"].dump(), where + " (scenario)");
  if (!scenario)
    return out.error = scenario.error, out;
  ScheduleFile file;
  file.scenario = std::move(*scenario.value);
  if (!j.contains("schedules") || !j["schedules"].is_array() || j["schedules"].empty())
    return fail("schedules", "expected a non-empty array of schedules");
  for (std::size_t i = 0; i < j["schedules"].size(); ++i) {
    const Json &one = j["schedules"][i];
    const std::string at = "schedules[" + std::to_string(i) + "]";
    if (!one.is_object())
      return fail(at, "expected an object with order and story");
    ScheduleEntry entry;
    if (one.contains("anomaly")) {
      if (!one["anomaly"].is_string())
        return fail(at + ".anomaly", "expected a string");
      entry.anomaly = one["anomaly"].get<std::string>();
    }
    if (!one.contains("order") || !one["order"].is_array() || one["order"].empty())
      return fail(at + ".order", "expected a non-empty array of request numbers");
    for (std::size_t k = 0; k < one["order"].size(); ++k) {
      const Json &n = one["order"][k];
      if (!n.is_number_unsigned() || n.get<std::uint64_t>() == 0)
        return fail(at + ".order[" + std::to_string(k) + "]",
                    "expected a request number (1 or more), got " + n.dump());
      entry.order.push_back(n.get<std::uint64_t>());
    }
    if (one.contains("story")) {
      if (!one["story"].is_array())
        return fail(at + ".story", "expected an array of lines");
      for (const Json &line : one["story"]) {
        if (!line.is_string())
          return fail(at + ".story", "expected lines of text");
        entry.story.push_back(line.get<std::string>());
      }
    }
    file.schedules.push_back(std::move(entry));
  }
  out.value = std::move(file);
  return out;
}

} // namespace stampede
