// `stampede run` and `stampede compare`: one scenario run, or several
// strategies run side by side and printed as the lecture's table.
#include "cli/common.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>

#include <unistd.h>

#include "io/trace.h"
#include "stampede/compare_table.h"
#include "stampede/expectations.h"
#include "stampede/report_fields.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"
#include "stampede/timeseries.h"

namespace stampede::cli {
namespace {

/// The overrides a run applies, in order: `--set`s, then the dedicated flags.
std::vector<std::string> overrides_for(const RunOptions &o, const std::string &strategy) {
  std::vector<std::string> out = o.sets;
  if (!strategy.empty()) {
    out.push_back("strategy.name=" + json_quote(strategy));
  }
  if (o.seed) {
    out.push_back("seed=" + std::to_string(*o.seed));
  }
  if (o.duration_s) {
    out.push_back("duration_s=" + shortest(*o.duration_s));
  }
  return out;
}

/// Checks a strategy name given on the command line. @param flag the flag.
void check_strategy_flag(const std::string &name, std::string_view flag) {
  if (!StrategyRegistry::global().contains(name)) {
    throw BadInput(std::string(flag) + ": unknown strategy " + json_quote(name) +
                   "; expected one of " + known_strategies() + student_hint(name));
  }
}

/// A replicated report as written: SPEC 11's fields, then `run_scenario`
/// (the first seed's; the others differ only in `seed`).
Json replicated_with_scenario(const ReplicatedReport &r, const Scenario &s) {
  Json j = replicated_to_json(r);
  Scenario first = s;
  first.seed = r.seeds.front();
  j["run_scenario"] = Json::parse(scenario_to_json(first));
  return j;
}

/// "60 s simulated" or "60 s simulated, the first 5 s discarded".
std::string span_text(double duration_s, double warmup_s) {
  std::string out = number(duration_s) + " s simulated";
  if (warmup_s > 0) {
    out += ", the first " + number(warmup_s) + " s discarded";
  }
  return out;
}

/// Sends every hook to several observers.
class Fanout final : public Observer {
public:
  void add(Observer *o) { targets_.push_back(o); }
  /// @return the one observer to attach (null for none).
  Observer *attach() {
    if (targets_.empty()) {
      return nullptr;
    }
    return targets_.size() == 1 ? targets_.front() : this;
  }
  void on_request(const RequestRecord &r) override {
    for (Observer *o : targets_) {
      o->on_request(r);
    }
  }
  void on_call(const CallRecord &c) override {
    for (Observer *o : targets_) {
      o->on_call(c);
    }
  }
  void on_anomaly(const AnomalyRecord &a) override {
    for (Observer *o : targets_) {
      o->on_anomaly(a);
    }
  }
  void on_interval(const IntervalRecord &i) override {
    for (Observer *o : targets_) {
      o->on_interval(i);
    }
  }

private:
  std::vector<Observer *> targets_;
};

} // namespace

/// Writes JSON to a path, or stdout for "-": 2-space indent, trailing newline.
void write_json(const Json &j, const std::string &path, std::ofstream *file) {
  // Replace, not throw, should a name carry invalid UTF-8.
  const std::string text = j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  *file << text;
  finish_output(*file, path);
}

/// Prints each failed expectation on stderr. @param where the seed or
/// seeds. @return whether all held.
bool report_failures(const std::vector<ExpectationResult> &results, std::string_view name,
                     const std::string &where) {
  bool ok = true;
  for (const ExpectationResult &e : results) {
    if (!e.ok) {
      ok = false;
      std::cerr << "FAILED " << terminal_text(name) << ": " << e.expr << " (actual "
                << number(e.actual) << ", " << where << ")\n";
    }
  }
  return ok;
}

namespace {

void print_summary(const Report &r, const std::string &spec) {
  std::ostream &o = std::cout;
  o << terminal_text(r.scenario) << " (" << terminal_text(spec) << "), strategy " << r.strategy
    << ", seed " << r.seed << ", " << number(r.duration_s) << " s simulated\n";
  o << "  requests            " << r.page_views << " page views, " << r.submits << " submits\n";
  o << "  DB reads            " << fixed(r.db_reads_per_page_view, 3) << " per page view, "
    << fixed(r.db_reads_per_submit, 2) << " per submit\n";
  if (r.db_peak_reads_per_s > 0) {
    o << "  busiest second      " << r.db_peak_reads_per_s << " DB reads\n";
  }
  o << "  cache hit ratio     " << (r.cache_gets > 0 ? fixed(r.cache_hit_ratio, 3) : "-") << "\n";
  if (r.cache_timeouts > 0) {
    o << "  cache timeouts      " << r.cache_timeouts << " calls given up on\n";
  }
  if (r.gutter_gets > 0) {
    o << "  gutter pool         " << r.gutter_gets << " gets, " << r.gutter_hits << " hits\n";
  }
  if (r.fallback_gets > 0) {
    o << "  old tier (fallback) " << r.fallback_gets << " gets, " << r.fallback_hits << " hits\n";
  }
  o << "  stale reads         " << r.stale_reads << ", max staleness "
    << fixed(r.max_staleness_s, 3) << " s\n";
  o << "  redundant DB reads  " << r.redundant_db_reads << " in " << r.stampedes << " stampedes\n";
  o << "  lost updates        " << r.lost_updates << "\n";
  o << "  CAS conflicts       " << r.cas_conflicts << "\n";
  o << "  page view latency   p50 " << fixed(r.page_view_latency.p50, 1) << " ms, p99 "
    << fixed(r.page_view_latency.p99, 1) << " ms\n";
  for (const ExpectationResult &e : r.expectations) {
    o << "  expect              " << (e.ok ? "ok     " : "FAILED ") << e.expr << " (actual "
      << number(e.actual) << ")\n";
  }
}

/// `run --seeds`: each output's mean +- the half-width of its 95 % interval.
void print_replicated_summary(const ReplicatedReport &r, const std::string &spec,
                              double duration_s) {
  std::ostream &o = std::cout;
  o << terminal_text(r.scenario) << " (" << terminal_text(spec) << "), strategy " << r.strategy
    << ", " << seeds_text(r.seeds) << ", " << span_text(duration_s, r.warmup_s) << "\n";
  o << "  mean +- 95 % interval over " << r.runs.size() << " independent runs\n";
  std::vector<std::string> paths = {"requests.page_views", "requests.submits"};
  for (const std::string &path : compare_paths()) {
    if (path != "strategy") {
      paths.push_back(path);
    }
  }
  // Said when they happened, as the one-run summary says them.
  for (const char *path :
       {"db.peak_reads_per_s", "cache.timeouts", "cache.gutter_gets", "cache.fallback_gets"}) {
    const Spread *s = r.spread(path);
    if (s != nullptr && s->mean > 0) {
      paths.push_back(path);
    }
  }
  std::size_t width = 0;
  for (const std::string &path : paths) {
    width = std::max(width, report_label(path).size());
  }
  for (const std::string &path : paths) {
    const std::string label = report_label(path);
    o << "  " << label << std::string(width - label.size() + 2, ' ') << spread_text(r, path)
      << "\n";
  }
  for (const ExpectationResult &e : r.expectations) {
    o << "  expect " << (e.ok ? "ok     " : "FAILED ") << e.expr << " (actual " << number(e.actual)
      << ")\n";
  }
}

/// Time-series intervals, each an event and a CSV row: a bound on their
/// number keeps `--interval` from asking for terabytes or a run without end.
constexpr double kMaxIntervals = 1000000;
/// The longest interval: the longest run (duration_s's upper bound).
constexpr double kMaxIntervalS = 1e6;

void check_interval(double interval_s, double duration_s) {
  if (!(interval_s <= kMaxIntervalS)) {
    throw BadInput("--interval: expected at most " + number(kMaxIntervalS) +
                   " seconds (the longest run), got " + shortest(interval_s));
  }
  if (seconds_to_ns(interval_s) < 1) {
    throw BadInput("--interval: expected at least 1e-09 seconds (the clock's tick), got " +
                   shortest(interval_s));
  }
  const double rows = std::ceil(duration_s / interval_s);
  if (rows > kMaxIntervals) {
    throw BadInput("--interval: expected at most " + number(kMaxIntervals) +
                   " intervals in the run (duration_s / --interval), got " + number(rows) +
                   " (duration_s " + number(duration_s) + " / --interval " + shortest(interval_s) +
                   "); use a longer --interval or a shorter --duration");
  }
}

/// `run --seeds N` / `--seed-list`: the runs' spread, or its report.
int run_replicated(const RunOptions &o, const Scenario &s) {
  for (const auto &[flag, value] :
       {std::pair<const char *, const std::string &>{"--timeseries", o.timeseries},
        {"--trace", o.trace}}) {
    if (!value.empty()) {
      throw BadInput(std::string(flag) +
                     ": writes the intervals of one run, and --seeds/--seed-list asks for "
                     "several; run one seed (--seed N) for it");
    }
  }
  const std::vector<std::uint64_t> seeds = replication_seeds(o.replication, s.seed);
  std::unique_ptr<std::ofstream> report_file;
  if (!o.report.empty() && o.report != "-") {
    report_file = open_output(o.report, "--report");
  }
  ReplicatedReport r = simulate_replicated(s, seeds, o.scenario, s.name, o.replication.warmup_s);
  evaluate_expectations(r, s.expect);
  if (o.report.empty()) {
    print_replicated_summary(r, o.scenario, s.duration_s);
  } else {
    write_json(replicated_with_scenario(r, s), o.report, report_file.get());
  }
  return report_failures(r.expectations, s.name, seeds_text(seeds)) ? kExitOk
                                                                    : kExitExpectationsFailed;
}

} // namespace

int cmd_run(const RunOptions &o) {
  if (!o.strategy.empty()) {
    check_strategy_flag(o.strategy, "--strategy");
  }
  const Scenario s = load(o.scenario, overrides_for(o, o.strategy));
  check_warmup(o.replication.warmup_s, s);
  if (o.replication.replicated()) {
    return run_replicated(o, s);
  }
  check_interval(o.interval_s, s.duration_s);

  std::unique_ptr<std::ofstream> report_file, csv_file, trace_file;
  if (!o.report.empty() && o.report != "-") {
    report_file = open_output(o.report, "--report");
  }
  Fanout observers;
  std::optional<TimeseriesWriter> csv;
  std::optional<TraceWriter> trace;
  if (!o.timeseries.empty()) {
    csv_file = open_output(o.timeseries, "--timeseries");
    observers.add(&csv.emplace(*csv_file));
  }
  if (!o.trace.empty()) {
    trace_file = open_output(o.trace, "--trace");
    observers.add(&trace.emplace(*trace_file));
  }

  Report r = simulate(s, o.scenario, s.name, observers.attach(), seconds_to_ns(o.interval_s),
                      o.replication.warmup_s);
  if (trace) {
    trace->close();
    finish_output(*trace_file, o.trace);
  }
  if (csv) {
    finish_output(*csv_file, o.timeseries);
  }
  evaluate_expectations(r, s.expect);
  if (o.report.empty()) {
    print_summary(r, o.scenario);
  } else {
    write_json(report_with_scenario(r, s, o.replication.warmup_s), o.report, report_file.get());
  }
  return report_failures(r.expectations, s.name, "seed " + std::to_string(r.seed))
             ? kExitOk
             : kExitExpectationsFailed;
}

int cmd_compare(const RunOptions &o) {
  std::vector<std::string> strategies =
      o.strategies.empty() ? lecture_strategies() : split_list(o.strategies);
  if (strategies.empty()) {
    throw BadInput("--strategies: expected a comma-separated list of strategies, got " +
                   json_quote(o.strategies));
  }
  for (const std::string &name : strategies) {
    check_strategy_flag(name, "--strategies");
  }
  // Check the scenario once before any run, so a bad file fails fast.
  load(o.scenario, overrides_for(o, strategies.front()));
  std::unique_ptr<std::ofstream> report_file;
  if (!o.report.empty() && o.report != "-") {
    report_file = open_output(o.report, "--report");
  }

  const ReplicationOptions &rep = o.replication;
  std::vector<ReplicatedReport> reports;
  std::vector<Scenario> ran;
  std::vector<std::uint64_t> seeds;
  // A student's strategy that faults loses its row, not the others'.
  std::vector<std::pair<std::string, std::string>> failed;
  bool ok = true;
  for (const std::string &name : strategies) {
    // A row named `update` means update without cas, even when the file
    // turns cas on: the table contrasts the two.
    std::vector<std::string> overrides = overrides_for(o, name);
    if (name.find("+cas") == std::string::npos) {
      overrides.emplace_back("strategy.cas=false");
    }
    const Scenario s = load(o.scenario, overrides);
    check_warmup(rep.warmup_s, s);
    seeds = replication_seeds(rep, s.seed);
    ReplicatedReport r;
    try {
      r = simulate_replicated(s, seeds, o.scenario, name, rep.warmup_s);
    } catch (const StudentCodeError &e) {
      failed.emplace_back(name, e.what());
      continue;
    }
    evaluate_expectations(r, s.expect);
    ok = report_failures(r.expectations, s.name + " [" + name + "]", seeds_text(seeds)) && ok;
    reports.push_back(std::move(r));
    ran.push_back(s);
  }

  if (reports.empty() && !failed.empty())
    throw StudentCodeError(failed.front().second);
  if (o.table || o.report.empty() || isatty(STDOUT_FILENO) != 0) {
    // With the report on stdout, the table goes to stderr so the JSON stays clean.
    std::ostream &out = o.report == "-" ? std::cerr : std::cout;
    out << terminal_text(reports.front().scenario) << " (" << terminal_text(o.scenario) << "), "
        << seeds_text(seeds) << ", " << span_text(ran.front().duration_s, rep.warmup_s) << "\n";
    if (rep.replicated() && seeds.size() > 1) {
      out << "each cell: mean +- 95 % interval over " << seeds.size() << " independent runs\n";
    }
    out << "\n" << format_compare_table(reports);
    for (const auto &[name, why] : failed)
      out << name << ": FAILED, no row (below)\n";
    out << std::flush;
  }
  if (!o.report.empty()) {
    Json all = Json::array();
    for (std::size_t i = 0; i < reports.size(); ++i) {
      all.push_back(rep.replicated()
                        ? replicated_with_scenario(reports[i], ran[i])
                        : report_with_scenario(reports[i].runs.front(), ran[i], rep.warmup_s));
    }
    write_json(all, o.report, report_file.get());
  }
  if (!failed.empty()) {
    std::cout.flush();
    for (const auto &[name, why] : failed)
      std::cerr << "stampede: " << why << "\n";
    return kExitBadInput;
  }
  return ok ? kExitOk : kExitExpectationsFailed;
}

} // namespace stampede::cli
