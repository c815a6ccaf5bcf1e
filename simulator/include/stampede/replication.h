/// @file replication.h
/// Independent replications of one scenario (SPEC section 11): the same
/// scenario and strategy run under several seeds, every numeric output
/// summarised as a mean, a standard deviation and a 95 % confidence
/// interval (Student's t over the seeds), and expectations checked across
/// the runs (`mean(PATH) OP X`, `ci95(PATH) OP X`, or a plain `PATH OP X`
/// that must hold in every run).
///
///     std::vector<Report> runs = ...;               // one per seed
///     ReplicatedReport rr = replicate(std::move(runs), 0);
///     const Spread *p99 = rr.spread("latency_ms.page_view.p99");
///     // p99->mean, p99->half_width(): "12.4 +- 0.8"
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede {

/// One output over independent replications.
struct Spread {
  double mean = 0;                 ///< The sample mean.
  double sd = 0;                   ///< The sample standard deviation (n - 1); 0 for one run.
  std::optional<double> ci95_low;  ///< mean - t(0.975, n-1) sd / sqrt(n); none for one run.
  std::optional<double> ci95_high; ///< mean + the same; none for one run.

  /// @return the interval's half-width (0 without an interval).
  double half_width() const noexcept;
};

/// @param df degrees of freedom (>= 1).
/// @return Student's t quantile t(0.975, df): 12.706 for 1, 2.262 for 9,
/// tending to 1.960.
double student_t975(std::size_t df);

/// Summarises values measured in independent runs.
/// @param values one per run (at least one).
/// @return their mean, sd and, for two or more, the 95 % interval.
Spread spread_of(std::span<const double> values);

/// The runs of one scenario and strategy under several seeds, summarised.
struct ReplicatedReport {
  std::string scenario;             ///< Scenario name.
  std::string strategy;             ///< Strategy name.
  std::vector<std::uint64_t> seeds; ///< The seeds, in run order.
  double warmup_s = 0;              ///< Simulated seconds discarded at the start.
  std::vector<Report> runs;         ///< One report per seed.
  std::vector<std::string> paths;   ///< The summarised outputs (numeric report paths but `seed`).
  std::vector<Spread> spreads;      ///< One per path.
  std::vector<ExpectationResult> expectations; ///< Filled by evaluate_expectations().

  /// @param path a numeric report path. @return its spread, or null.
  const Spread *spread(std::string_view path) const;
};

/// Summarises runs of one scenario and strategy.
/// @param runs one report per seed (at least one), in seed order.
/// @param warmup_s the warm-up the runs discarded.
/// @return the replicated report (expectations not yet evaluated).
ReplicatedReport replicate(std::vector<Report> runs, double warmup_s);

/// The outcome of one expectation term over the runs.
struct TermOutcome {
  bool ok = false;   ///< Whether it held.
  double actual = 0; ///< What was compared: a run's value, the mean, or the interval's end.
  std::string note;  ///< Why it could not hold beyond the number (e.g. no interval), else empty.
};

/// Checks one term (SPEC section 11): `mean(P)` compares the mean; `ci95(P)`
/// holds when the whole interval does (`<`, `<=`: its upper end; `>`, `>=`:
/// its lower end; `!=`: the value lies outside it) and never with one run;
/// a plain `P` must hold in every run (actual: the first run where it fails).
/// @param e the term. @param r the runs.
TermOutcome check_term(const Expectation &e, const ReplicatedReport &r);

/// Evaluates clauses against the runs, filling `r.expectations` (a failed
/// term's note is appended to its `expr` in parentheses).
/// @param r the replicated report (updated). @param clauses the clauses.
/// @return whether every clause held.
bool evaluate_expectations(ReplicatedReport &r, const std::vector<ExpectClause> &clauses);

/// @param r a replicated report.
/// @return SPEC section 11's JSON: scenario, strategy, replications, seeds,
/// warmup_s, mean, sd, ci95_low, ci95_high (each shaped as a report's
/// numeric fields; the interval null for one run), runs, expectations.
nlohmann::ordered_json replicated_to_json(const ReplicatedReport &r);

/// @return the outputs a sweep summarises (SPEC section 11's CSV columns):
/// every numeric report path but `seed` and the wall-clock `engine.*`.
std::vector<std::string> sweep_outputs();

/// A replicated output as people read it: `mean +- half-width` with the
/// report field's decimals (`0.103 +- 0.009`, `506 +- 51`); the mean alone
/// for one run; `-` for a hit ratio over no gets.
/// @param r a replicated report. @param path a report path.
std::string spread_text(const ReplicatedReport &r, std::string_view path);

} // namespace stampede
