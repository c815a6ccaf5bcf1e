// Replications (SPEC section 11): the spread of each output over seeds, and
// expectations checked across the runs.
#include "stampede/replication.h"
#include "stampede/explore_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

#include "stampede/expectations.h"
#include "stampede/report_fields.h"
#include "stampede/report_json.h"

namespace stampede {
namespace {

using Json = nlohmann::ordered_json;

/// A double as JSON, null where JSON has no number (as report_to_json writes).
Json real_json(double v) {
  if (!std::isfinite(v)) {
    return nullptr;
  }
  return v;
}

/// Sets `value` at a dotted path inside `root`, creating objects in order.
void put(Json &root, std::string_view path, Json value) {
  Json *node = &root;
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.')) {
    node = &(*node)[std::string(path.substr(0, dot))];
    path.remove_prefix(dot + 1);
  }
  (*node)[std::string(path)] = std::move(value);
}

/// One summary statistic of every path, shaped as a report.
template <typename Pick> Json shaped(const ReplicatedReport &r, Pick pick) {
  Json out = Json::object();
  for (std::size_t i = 0; i < r.paths.size(); ++i) {
    put(out, r.paths[i], pick(r.spreads[i]));
  }
  return out;
}

/// A number for a message: six significant digits.
std::string brief(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

} // namespace

double Spread::half_width() const noexcept {
  return ci95_high && ci95_low ? (*ci95_high - *ci95_low) / 2 : 0;
}

double student_t975(std::size_t df) {
  if (df == 0) {
    throw std::invalid_argument("student_t975: degrees of freedom must be at least 1");
  }
  return boost::math::quantile(
      boost::math::students_t_distribution<double>(static_cast<double>(df)), 0.975);
}

Spread spread_of(std::span<const double> values) {
  if (values.empty()) {
    throw std::invalid_argument("spread_of: no values");
  }
  Spread s;
  const double n = static_cast<double>(values.size());
  // Sums of the differences from the first value: equal values give
  // exactly their value and an sd of exactly 0 (no rounding of a sum).
  const double first = values.front();
  double sum = 0;
  for (const double v : values) {
    sum += v - first;
  }
  s.mean = first + sum / n;
  if (values.size() < 2) {
    return s;
  }
  // Two passes: the deviations from the mean, so equal values give exactly 0.
  double squares = 0;
  for (const double v : values) {
    squares += (v - s.mean) * (v - s.mean);
  }
  s.sd = std::sqrt(squares / (n - 1));
  const double half = student_t975(values.size() - 1) * s.sd / std::sqrt(n);
  s.ci95_low = s.mean - half;
  s.ci95_high = s.mean + half;
  return s;
}

const Spread *ReplicatedReport::spread(std::string_view path) const {
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (paths[i] == path) {
      return &spreads[i];
    }
  }
  return nullptr;
}

ReplicatedReport replicate(std::vector<Report> runs, double warmup_s) {
  if (runs.empty()) {
    throw std::invalid_argument("replicate: no runs");
  }
  ReplicatedReport r;
  r.scenario = runs.front().scenario;
  r.strategy = runs.front().strategy;
  r.warmup_s = warmup_s;
  for (const Report &run : runs) {
    r.seeds.push_back(run.seed);
  }
  std::vector<double> values(runs.size());
  for (const std::string &path : report_paths()) {
    if (path == "seed") {
      continue; // the seeds are listed; their mean means nothing
    }
    for (std::size_t k = 0; k < runs.size(); ++k) {
      values[k] = report_value(runs[k], path).value_or(0);
    }
    r.paths.push_back(path);
    r.spreads.push_back(spread_of(values));
  }
  r.runs = std::move(runs);
  return r;
}

TermOutcome check_term(const Expectation &e, const ReplicatedReport &r) {
  TermOutcome out;
  const Spread *s = r.spread(e.path);
  if (r.runs.empty() || !report_value(r.runs.front(), e.path) ||
      (s == nullptr && e.over != Expectation::Over::kEachRun)) {
    out.note = "not a numeric report path summarised over runs";
    return out;
  }
  switch (e.over) {
  case Expectation::Over::kEachRun:
    out.ok = true;
    out.actual = report_value(r.runs.front(), e.path).value_or(0);
    for (std::size_t k = 0; k < r.runs.size(); ++k) {
      const double v = report_value(r.runs[k], e.path).value_or(0);
      if (!holds(e, v)) {
        out.ok = false;
        out.actual = v;
        if (r.runs.size() > 1) {
          out.note = "in the run of seed " + std::to_string(r.runs[k].seed);
        }
        break;
      }
    }
    return out;
  case Expectation::Over::kMean:
    out.actual = s->mean;
    out.ok = holds(e, s->mean);
    return out;
  case Expectation::Over::kCi95:
    out.actual = s->mean;
    if (!s->ci95_low || !s->ci95_high) {
      out.note = "an interval needs two or more seeds (--seeds N)";
      return out;
    }
    switch (e.op) {
    case Expectation::Op::kLt:
    case Expectation::Op::kLe:
      out.actual = *s->ci95_high;
      out.ok = holds(e, out.actual);
      break;
    case Expectation::Op::kGt:
    case Expectation::Op::kGe:
      out.actual = *s->ci95_low;
      out.ok = holds(e, out.actual);
      break;
    case Expectation::Op::kNe:
      out.ok = e.value < *s->ci95_low || e.value > *s->ci95_high;
      break;
    case Expectation::Op::kEq: // refused by the parser
      out.note = "a whole interval is never equal to one number";
      break;
    }
    if (!out.ok && out.note.empty()) {
      out.note = "95 % interval [" + brief(*s->ci95_low) + ", " + brief(*s->ci95_high) + "] over " +
                 std::to_string(r.runs.size()) + " seeds";
    }
    return out;
  }
  return out;
}

bool evaluate_expectations(ReplicatedReport &r, const std::vector<ExpectClause> &clauses) {
  r.expectations.clear();
  bool all = true;
  for (const ExpectClause &clause : clauses) {
    if (is_explore_clause(clause)) // `stampede explore` checks these (SPEC section 12)
      continue;
    ExpectationResult result{clause.text, true, 0};
    bool first = true;
    for (const Expectation &term : clause.terms) {
      const TermOutcome t = check_term(term, r);
      if (first || !t.ok) {
        result.actual = t.actual;
      }
      first = false;
      if (!t.ok) {
        result.ok = false;
        if (!t.note.empty()) {
          result.expr += " (" + t.note + ")";
        }
        break;
      }
    }
    all = all && result.ok;
    r.expectations.push_back(std::move(result));
  }
  return all;
}

std::vector<std::string> sweep_outputs() {
  std::vector<std::string> out;
  for (const std::string &path : report_paths()) {
    if (path != "seed" && !path.starts_with("engine.")) {
      out.push_back(path);
    }
  }
  return out;
}

Json replicated_to_json(const ReplicatedReport &r) {
  Json j = Json::object();
  j["scenario"] = r.scenario;
  j["strategy"] = r.strategy;
  j["replications"] = r.runs.size();
  j["seeds"] = r.seeds;
  j["warmup_s"] = real_json(r.warmup_s);
  j["mean"] = shaped(r, [](const Spread &s) { return real_json(s.mean); });
  j["sd"] = shaped(r, [](const Spread &s) { return real_json(s.sd); });
  if (r.runs.size() > 1) {
    j["ci95_low"] = shaped(r, [](const Spread &s) { return real_json(s.ci95_low.value_or(NAN)); });
    j["ci95_high"] =
        shaped(r, [](const Spread &s) { return real_json(s.ci95_high.value_or(NAN)); });
  } else {
    j["ci95_low"] = nullptr;
    j["ci95_high"] = nullptr;
  }
  Json runs = Json::array();
  for (const Report &run : r.runs) {
    runs.push_back(report_to_json(run));
  }
  j["runs"] = std::move(runs);
  Json expectations = Json::array();
  for (const ExpectationResult &e : r.expectations) {
    Json item = Json::object();
    item["expr"] = e.expr;
    item["ok"] = e.ok;
    item["actual"] = real_json(e.actual);
    expectations.push_back(std::move(item));
  }
  j["expectations"] = std::move(expectations);
  return j;
}

} // namespace stampede
