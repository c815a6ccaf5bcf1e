// The `stampede` command line (SPEC section 5). Parsing is CLI11's; each
// subcommand is one cmd_* function returning the exit status. Bad input is
// thrown as BadInput and becomes exit 2 in cli_main, so every message about a
// flag or a file is written in one place.
#include "cli/cli.h"
#include "io/lessons.h"
#include "io/student_loader.h"
#include "stampede/student_hashing.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "io/timeseries.h"
#include "io/trace.h"
#include "server/memcached_server.h"
#include "stampede/scenario_io.h"
#include "stampede/simulation.h"
#include "stampede/strategy.h"

namespace stampede {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

/// The user's mistake: a flag, a file or a field. Becomes exit 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------
// Formatting

/// The shortest text that reads back as exactly `v` (what JSON writes).
std::string shortest(double v) {
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), end) : std::string("?");
}

/// `v` with `digits` decimals.
std::string fixed(double v, int digits) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", digits, v);
  return buf.data();
}

/// A measured value for a message: whole numbers without decimals.
std::string number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.6g", v);
  return buf.data();
}

std::string join(const std::vector<std::string> &items, std::string_view sep) {
  std::string out;
  for (const std::string &item : items) {
    if (!out.empty()) {
      out += sep;
    }
    out += item;
  }
  return out;
}

std::string json_quote(std::string_view s) { return Json(std::string(s)).dump(); }

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Scenarios and runs

/// Options shared by `run` and `compare`.
struct RunOptions {
  std::string scenario;
  std::string strategy;   // run: --strategy (empty: the file's)
  std::string strategies; // compare: --strategies a,b,c (empty: the lecture's)
  std::optional<std::uint64_t> seed;
  std::optional<double> duration_s;
  std::vector<std::string> sets;
  std::string report;
  std::string timeseries;
  std::string trace;
  double interval_s = 1;
  bool table = false;
};

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

/// @return the strategy names a flag accepts, for messages.
/// For a `student:` name that is not there: why (no library built, or it
/// did not load).
std::string student_hint(std::string_view name) {
  if (!name.starts_with("student:"))
    return {};
  const std::string hint = student_load_hint();
  return hint.empty() ? std::string() : " (" + hint + ")";
}

std::string known_strategies() {
  std::vector<std::string> names = StrategyRegistry::global().names();
  if (std::find(names.begin(), names.end(), "update+cas") == names.end()) {
    names.emplace_back("update+cas");
  }
  return join(names, ", ");
}

/// Checks a strategy name given on the command line. @param flag the flag.
void check_strategy_flag(const std::string &name, std::string_view flag) {
  if (!StrategyRegistry::global().contains(name)) {
    throw BadInput(std::string(flag) + ": unknown strategy " + json_quote(name) +
                   "; expected one of " + known_strategies() + student_hint(name));
  }
}

/// Loads a scenario or throws BadInput with the parser's message.
/// A run's report as written: SPEC 6's fields, then `run_scenario`, the
/// scenario exactly as it ran (every override, seed and strategy applied),
/// so the report itself can be run again.
Json report_with_scenario(const Report &r, const Scenario &s) {
  Json j = report_to_json(r);
  j["run_scenario"] = Json::parse(scenario_to_json(s));
  return j;
}

Scenario load(const std::string &spec, const std::vector<std::string> &overrides) {
  Parsed<Scenario> parsed = load_scenario(spec, overrides);
  if (!parsed) {
    throw BadInput(parsed.error);
  }
  if (!StrategyRegistry::global().contains(parsed.value->strategy.name)) {
    throw BadInput(spec + ": strategy.name: expected one of " + known_strategies() + ", got " +
                   json_quote(parsed.value->strategy.name) +
                   student_hint(parsed.value->strategy.name));
  }
  return std::move(*parsed.value);
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

/// Draws a progress bar on stderr while a run goes, at most ten times a
/// second, and clears it at the end. Only when stderr is a terminal.
void run_with_progress(Simulation &sim, std::string_view label) {
  const Time end = sim.end();
  const Time slice = std::max<Time>(end / 1000, kSecond / 1000);
  Clock::time_point last = Clock::now();
  bool drawn = false;
  for (Time t = slice; !sim.finished(); t += slice) {
    if (t >= end) {
      sim.run();
      break;
    }
    sim.run_until(t);
    const Clock::time_point now = Clock::now();
    if (now - last < std::chrono::milliseconds(100)) {
      continue;
    }
    last = now;
    drawn = true;
    constexpr int kWidth = 30;
    const double done = std::clamp(static_cast<double>(t) / static_cast<double>(end), 0.0, 1.0);
    const int filled = static_cast<int>(done * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(
        stderr, "\r\033[K%.*s [%s] %3d%%  %s / %s s  %llu events", static_cast<int>(label.size()),
        label.data(), bar.c_str(), static_cast<int>(done * 100), fixed(ns_to_seconds(t), 1).c_str(),
        fixed(ns_to_seconds(end), 1).c_str(), static_cast<unsigned long long>(sim.events()));
    std::fflush(stderr);
  }
  if (drawn) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

/// Runs a scenario to its end and returns its report (expectations not yet
/// evaluated). A run that stops overloaded is bad input, named by `origin`.
Report simulate(const Scenario &s, const std::string &origin, std::string_view label,
                Observer *observer = nullptr, Time interval = kSecond) {
  std::optional<Simulation> sim;
  try {
    sim.emplace(s);
  } catch (const std::invalid_argument &e) {
    throw BadInput(s.name + ": strategy.name: " + e.what());
  }
  if (observer != nullptr) {
    sim->set_interval(interval);
    sim->set_observer(observer);
  }
  if (isatty(STDERR_FILENO) != 0) {
    run_with_progress(*sim, label);
  } else {
    sim->run();
  }
  sim->set_observer(nullptr);
  if (const std::optional<Time> at = sim->overloaded_at()) {
    throw BadInput(
        origin + ": the stack is overloaded: more than " + std::to_string(kMaxQueuedRequests) +
        " requests were waiting for an app worker at t = " + fixed(ns_to_seconds(*at), 3) +
        " s (of " + number(s.duration_s) +
        " s), so the run stopped there; lower workload.rate, add app.servers or "
        "app.workers, or set app.backlog to refuse requests beyond a queue limit");
  }
  return sim->report();
}

/// An output file opened before the run, so a bad path fails before the work.
std::unique_ptr<std::ofstream> open_output(const std::string &path, std::string_view flag) {
  auto out = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*out) {
    throw BadInput(path + ": cannot write (" + std::string(flag) + "): " + std::strerror(errno));
  }
  return out;
}

void finish_output(std::ofstream &out, const std::string &path) {
  out.flush();
  if (!out) {
    throw BadInput(path + ": write failed");
  }
}

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

/// Prints each failed expectation on stderr. @return whether all held.
bool report_failures(const Report &r, std::string_view name) {
  bool ok = true;
  for (const ExpectationResult &e : r.expectations) {
    if (!e.ok) {
      ok = false;
      std::cerr << "FAILED " << name << ": " << e.expr << " (actual " << number(e.actual)
                << ", seed " << r.seed << ")\n";
    }
  }
  return ok;
}

void print_summary(const Report &r, const std::string &spec) {
  std::ostream &o = std::cout;
  o << r.scenario << " (" << spec << "), strategy " << r.strategy << ", seed " << r.seed << ", "
    << number(r.duration_s) << " s simulated\n";
  o << "  requests            " << r.page_views << " page views, " << r.submits << " submits\n";
  o << "  DB reads            " << fixed(r.db_reads_per_page_view, 3) << " per page view, "
    << fixed(r.db_reads_per_submit, 2) << " per submit\n";
  o << "  cache hit ratio     " << (r.cache_gets > 0 ? fixed(r.cache_hit_ratio, 3) : "-") << "\n";
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

// ---------------------------------------------------------------------------
// run, compare, validate, scenarios, schema

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

int cmd_run(const RunOptions &o) {
  if (!o.strategy.empty()) {
    check_strategy_flag(o.strategy, "--strategy");
  }
  const Scenario s = load(o.scenario, overrides_for(o, o.strategy));
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

  Report r = simulate(s, o.scenario, s.name, observers.attach(), seconds_to_ns(o.interval_s));
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
    write_json(report_with_scenario(r, s), o.report, report_file.get());
  }
  return report_failures(r, s.name) ? kExitOk : kExitExpectationsFailed;
}

std::vector<std::string> split_list(const std::string &text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) {
      out.push_back(item.substr(first, last - first + 1));
    }
  }
  return out;
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

  std::vector<Report> reports;
  std::vector<Scenario> ran;
  bool ok = true;
  for (const std::string &name : strategies) {
    // A row named `update` means update without cas, even when the file
    // turns cas on: the table contrasts the two.
    std::vector<std::string> overrides = overrides_for(o, name);
    if (name.find("+cas") == std::string::npos) {
      overrides.emplace_back("strategy.cas=false");
    }
    const Scenario s = load(o.scenario, overrides);
    Report r = simulate(s, o.scenario, name);
    evaluate_expectations(r, s.expect);
    ok = report_failures(r, s.name + " [" + name + "]") && ok;
    reports.push_back(std::move(r));
    ran.push_back(s);
  }

  if (o.table || o.report.empty() || isatty(STDOUT_FILENO) != 0) {
    // With the report on stdout, the table goes to stderr so the JSON stays clean.
    std::ostream &out = o.report == "-" ? std::cerr : std::cout;
    out << reports.front().scenario << " (" << o.scenario << "), seed " << reports.front().seed
        << ", " << number(reports.front().duration_s) << " s simulated\n\n"
        << format_compare_table(reports) << std::flush;
  }
  if (!o.report.empty()) {
    Json all = Json::array();
    for (std::size_t i = 0; i < reports.size(); ++i) {
      all.push_back(report_with_scenario(reports[i], ran[i]));
    }
    write_json(all, o.report, report_file.get());
  }
  return ok ? kExitOk : kExitExpectationsFailed;
}

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

// ---------------------------------------------------------------------------
// test and lesson

/// One headless check: a scenario file with `expect`, or one lesson step.
struct Case {
  std::string name;                                // what the output line shows
  std::string file;                                // the file it came from (JUnit classname)
  std::string spec;                                // path or builtin:NAME
  std::vector<std::string> overrides;              // --set style
  std::optional<std::vector<ExpectClause>> expect; // a step's own; else the scenario's
  std::optional<LessonQuestion> question;          // a step's question: the run must prove it
  std::string error;                               // set when the case could not even be built
  bool unreadable = false; // the error is a file that cannot be read (exit 2, JUnit <error>)
  bool skipped = false;    // a file named on the command line with nothing to check
};

/// What running a case gave.
struct Outcome {
  bool ok = false;
  bool error = false; // bad input rather than a failed expectation
  bool skipped = false;
  std::string line;    // the output line
  std::string failure; // every failure, for JUnit
  double wall_s = 0;
};

std::string display_path(const fs::path &p) {
  std::error_code ec;
  const fs::path rel = p.lexically_relative(fs::current_path(ec));
  if (!ec && !rel.empty() && *rel.begin() != "..") {
    return rel.generic_string();
  }
  return p.generic_string();
}

/// Reads a JSON file as scenario files are read (bounded, with the parser's
/// messages). @param unreadable set when the file could not be read at all.
std::optional<Json> read_json_file(const fs::path &p, std::string &error, bool &unreadable) {
  const std::string shown = display_path(p);
  Parsed<std::string> text = read_input_file(p.string());
  if (!text) {
    error = shown + text.error.substr(p.string().size());
    unreadable = true;
    return std::nullopt;
  }
  Parsed<Json> doc = parse_json_document(*text.value, shown);
  if (!doc) {
    error = doc.error;
    return std::nullopt;
  }
  return std::move(*doc.value);
}

/// The cases of a lesson's steps.json: one per step.
void lesson_cases(const fs::path &file, std::vector<Case> &cases) {
  const std::string shown = display_path(file);
  const LessonFile lesson = read_lesson(file);
  if (!lesson.error.empty()) {
    Case c;
    c.name = c.file = shown;
    c.error = lesson.error;
    c.unreadable = lesson.unreadable;
    cases.push_back(std::move(c));
    return;
  }
  for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
    const LessonStep &step = lesson.steps[i];
    Case c;
    c.file = shown;
    c.name = lesson.id + " step " + std::to_string(i + 1);
    if (!step.title.empty()) {
      c.name += ": " + step.title;
    }
    c.spec = step.scenario;
    c.overrides = step.overrides;
    c.expect = step.expect;
    c.question = step.question;
    c.error = step.error;
    cases.push_back(std::move(c));
  }
}

/// Adds the cases a file holds: a lesson's steps, or a scenario with
/// `expect`. Other JSON files (golden reports, say) hold none; in a folder
/// they are passed over, but a file named on the command line (`named`)
/// without `expect` is listed as skipped, saying why.
void file_cases(const fs::path &file, std::vector<Case> &cases, bool named) {
  if (file.filename() == "steps.json") {
    lesson_cases(file, cases);
    return;
  }
  const std::string shown = display_path(file);
  Case c;
  c.name = c.file = shown;
  const std::optional<Json> doc = read_json_file(file, c.error, c.unreadable);
  if (!doc) {
    cases.push_back(std::move(c));
    return;
  }
  if (doc->is_object() && doc->contains("expect")) {
    c.spec = file.string();
    cases.push_back(std::move(c));
  } else if (named) {
    c.skipped = true;
    c.error = "no \"expect\" list, so nothing to check (expected a scenario file with expect, or "
              "a lesson's steps.json)";
    cases.push_back(std::move(c));
  }
}

std::vector<Case> collect_cases(const std::vector<std::string> &paths) {
  std::vector<Case> cases;
  for (const std::string &path : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) {
      throw BadInput(path + ": no such file or directory");
    }
    if (!fs::is_directory(st)) {
      file_cases(path, cases, true);
      continue;
    }
    // Sorted, so the order of the output does not depend on the file system.
    std::vector<fs::path> files;
    for (const fs::directory_entry &e : fs::recursive_directory_iterator(path, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".json") {
        files.push_back(e.path());
      }
    }
    if (ec) {
      throw BadInput(path + ": cannot list: " + ec.message());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path &f : files) {
      file_cases(f, cases, false);
    }
  }
  return cases;
}

/// Runs a case's scenario. @param report set to the report when it ran.
Outcome run_case(const Case &c, Report *report = nullptr) {
  Outcome out;
  const Clock::time_point t0 = Clock::now();
  if (c.skipped) {
    out.skipped = true;
    out.failure = c.error;
    out.line = "skipped " + c.name + ": " + c.error;
    return out;
  }
  if (!c.error.empty()) {
    out.error = c.unreadable;
    out.failure = c.error;
    out.line = (c.unreadable ? "ERROR " : "FAILED ") + c.name + ": " + c.error;
    return out;
  }
  Parsed<Scenario> parsed = load_scenario(c.spec, c.overrides);
  if (!parsed) {
    out.failure = parsed.error;
    out.line = "FAILED " + c.name + ": " + parsed.error;
    return out;
  }
  const Scenario &s = *parsed.value;
  Report r;
  try {
    r = simulate(s, c.spec, c.name);
  } catch (const BadInput &e) {
    // The run could not go on (an overloaded stack): exit 2, as for `run`.
    out.error = true;
    out.failure = e.what();
    out.line = "ERROR " + c.name + ": " + e.what();
    return out;
  }
  out.ok = evaluate_expectations(r, c.expect ? *c.expect : s.expect);
  out.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::string seed = std::to_string(r.seed);
  for (const ExpectationResult &e : r.expectations) {
    if (e.ok) {
      continue;
    }
    const std::string what = e.expr + " (actual " + number(e.actual) + ", seed " + seed + ")";
    if (out.line.empty()) {
      out.line = "FAILED " + c.name + ": " + what;
    }
    out.failure += what + "\n";
  }
  // A step's question is checked as an expectation is: the run must measure
  // the intended answer and no other choice.
  if (c.question) {
    const QuestionOutcome q = answer_question(*c.question, r);
    if (!q.proved) {
      out.ok = false;
      const std::string what = q.failure + " (seed " + seed + ")";
      if (out.line.empty()) {
        out.line = "FAILED " + c.name + ": " + what;
      }
      out.failure += what + "\n";
    }
  }
  if (out.ok) {
    out.line = "ok   " + c.name + " (seed " + seed + ")";
  }
  if (report != nullptr) {
    *report = std::move(r);
  }
  return out;
}

void write_junit(const std::string &path, const std::vector<Case> &cases,
                 const std::vector<Outcome> &outcomes) {
  std::size_t failures = 0, errors = 0, skipped = 0;
  double total_s = 0;
  for (const Outcome &o : outcomes) {
    errors += o.error ? 1 : 0;
    skipped += o.skipped ? 1 : 0;
    failures += o.ok || o.error || o.skipped ? 0 : 1;
    total_s += o.wall_s;
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites name=\"stampede test\" tests=\"" << cases.size() << "\" failures=\"" << failures
    << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << fixed(total_s, 3)
    << "\">\n"
    << "  <testsuite name=\"stampede test\" tests=\"" << cases.size() << "\" failures=\""
    << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\""
    << fixed(total_s, 3) << "\">\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Outcome &o = outcomes[i];
    x << "    <testcase classname=\"" << xml_escape(cases[i].file) << "\" name=\""
      << xml_escape(cases[i].name) << "\" time=\"" << fixed(o.wall_s, 3) << "\"";
    if (o.ok) {
      x << "/>\n";
      continue;
    }
    const std::string first = o.failure.substr(0, o.failure.find('\n'));
    if (o.skipped) {
      x << ">\n      <skipped message=\"" << xml_escape(first) << "\"/>\n    </testcase>\n";
    } else if (o.error) {
      x << ">\n      <error message=\"" << xml_escape(first) << "\" type=\"bad input\">"
        << xml_escape(o.failure) << "</error>\n    </testcase>\n";
    } else {
      x << ">\n      <failure message=\"" << xml_escape(first) << "\" type=\"expectation\">"
        << xml_escape(o.failure) << "</failure>\n    </testcase>\n";
    }
  }
  x << "  </testsuite>\n</testsuites>\n";
  std::unique_ptr<std::ofstream> file = open_output(path, "--junit");
  *file << x.str();
  finish_output(*file, path);
}

/// Runs cases, prints a line each and the counts. @return the exit status.
int run_cases(std::vector<Case> cases, const std::string &junit,
              std::optional<std::uint64_t> seed = std::nullopt) {
  if (seed) {
    // --seed: every case runs with this seed instead of its own, so a claim
    // can be checked on other seeds than the one it was written on.
    for (Case &c : cases) {
      c.overrides.push_back("seed=" + std::to_string(*seed));
    }
  }
  std::vector<Outcome> outcomes;
  std::size_t passed = 0, skipped = 0, errors = 0;
  for (const Case &c : cases) {
    outcomes.push_back(run_case(c));
    passed += outcomes.back().ok ? 1 : 0;
    skipped += outcomes.back().skipped ? 1 : 0;
    errors += outcomes.back().error ? 1 : 0;
    std::cout << outcomes.back().line << "\n" << std::flush;
  }
  // An unreadable file counts as failed here and makes the exit status 2, as
  // it does for `run`.
  const std::size_t failed = cases.size() - passed - skipped;
  std::cout << passed << " passed, " << failed << " failed";
  if (skipped > 0) {
    std::cout << ", " << skipped << " skipped";
  }
  std::cout << "\n";
  if (!junit.empty()) {
    write_junit(junit, cases, outcomes);
  }
  if (errors > 0) {
    return kExitBadInput;
  }
  return failed == 0 ? kExitOk : kExitExpectationsFailed;
}

/// The project's tree: the source directory this was built from, else `.`.
fs::path project_dir(std::string_view sub) {
#ifdef STAMPEDE_SOURCE_DIR
  const fs::path built = fs::path(STAMPEDE_SOURCE_DIR) / sub;
  std::error_code ec;
  if (fs::exists(built, ec)) {
    return built;
  }
#endif
  return fs::path(".") / sub;
}

int cmd_test(std::vector<std::string> paths, const std::string &junit,
             std::optional<std::uint64_t> seed) {
  if (paths.empty()) {
    paths.push_back(project_dir("tests/scenarios").string());
  }
  if (!junit.empty()) {
    open_output(junit, "--junit"); // fail before the runs, not after
  }
  return run_cases(collect_cases(paths), junit, seed);
}

/// @param root_flag the lessons folder; empty: the project's `lessons/`.
std::vector<LessonFile> lessons_in(const std::string &root_flag) {
  std::string error;
  std::vector<LessonFile> lessons =
      find_lessons(root_flag.empty() ? default_lessons_dir() : fs::path(root_flag), &error);
  if (!error.empty()) {
    throw BadInput(error + (root_flag.empty() ? "" : " (--lessons)"));
  }
  return lessons;
}

/// Finds a lesson by folder name, number prefix (`02`, `2`) or slug.
LessonFile find_lesson(const std::string &root, const std::string &id) {
  const std::vector<LessonFile> lessons = lessons_in(root);
  // "2" finds "02-stale": compare numbers without their leading zeros.
  const auto digits = [](const std::string &s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  const auto unpadded = [](const std::string &s) {
    const auto first = s.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : s.substr(first);
  };
  for (const LessonFile &l : lessons) {
    const std::string folder = l.dir.filename().string();
    const auto dash = folder.find('-');
    const std::string number = folder.substr(0, dash);
    const std::string slug = dash == std::string::npos ? "" : folder.substr(dash + 1);
    const bool same_number = digits(number) && digits(id) && unpadded(number) == unpadded(id);
    if (folder == id || slug == id || same_number) {
      return l;
    }
  }
  std::vector<std::string> ids;
  for (const LessonFile &l : lessons) {
    ids.push_back(l.dir.filename().string());
  }
  throw BadInput("lesson " + json_quote(id) + ": no such lesson; expected one of " +
                 (ids.empty() ? std::string("(none found)") : join(ids, ", ")));
}

int cmd_lesson_list(const std::string &root) {
  // A lesson whose steps.json is broken is still listed, and its problem said.
  int status = kExitOk;
  for (const LessonFile &l : lessons_in(root)) {
    std::cout << l.dir.filename().string() << "  " << l.title << "\n";
    if (!l.error.empty()) {
      std::cout.flush();
      std::cerr << l.error << "\n";
      status = kExitBadInput;
    }
  }
  return status;
}

int cmd_lesson_show(const std::string &root, const std::string &id) {
  const LessonFile l = find_lesson(root, id);
  const fs::path md = l.dir / "lesson.md";
  Parsed<std::string> text = read_input_file(md.string());
  if (!text) {
    throw BadInput(display_path(md) + text.error.substr(md.string().size()));
  }
  std::cout << *text.value;
  return kExitOk;
}

/// One line of the learner's input; nothing at the end of the input.
std::optional<std::string> read_answer_line() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return std::nullopt;
  }
  return line;
}

/// Asks a step's question on stdout and reads the learner's answer from
/// stdin until it is one. @return the answer (parse_answer's), or nothing
/// when the input ended first.
std::optional<double> ask(const LessonQuestion &q) {
  std::cout << "\n" << q.text << "\n";
  for (std::size_t k = 0; k < q.choices.size(); ++k) {
    std::cout << "  " << k + 1 << ". " << q.choices[k].text << "\n";
  }
  for (;;) {
    std::cout << (q.has_choices() ? "Your answer (1-" + std::to_string(q.choices.size()) + "): "
                                  : "Your answer (a number, " + q.metric + "): ")
              << std::flush;
    const std::optional<std::string> line = read_answer_line();
    if (!line) {
      std::cout << "\n(no answer: the input ended; the step runs anyway)\n";
      return std::nullopt;
    }
    if (isatty(STDIN_FILENO) == 0) {
      std::cout << *line << "\n"; // answers from a file: show them as typed
    }
    std::string error;
    if (const std::optional<double> a = parse_answer(q, *line, error)) {
      return a;
    }
    std::cout << "  " << error << ", not \"" << *line << "\"\n";
  }
}

/// `stampede lesson run ID --interactive`: walks the lesson as the window's
/// Lesson tab does. Each step's text, its question asked before it runs, the
/// run, then the measured answer beside the prediction and the step's checks.
int run_lesson_interactive(const LessonFile &l, std::optional<std::uint64_t> seed) {
  std::vector<std::string> sections;
  if (Parsed<std::string> md = read_input_file((l.dir / "lesson.md").string())) {
    sections = lesson_sections(*md.value);
  }
  std::vector<Case> cases;
  lesson_cases(l.dir / "steps.json", cases);
  std::size_t passed = 0, right = 0, asked = 0;
  bool bad_input = false;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Case &c = cases[i];
    if (seed) {
      c.overrides.push_back("seed=" + std::to_string(*seed));
    }
    std::cout << (i == 0 && !sections.empty() ? sections.front() : std::string());
    // The step's text up to "### After the run": the rest tells the answer.
    const StepText text = i + 1 < sections.size() ? split_step_text(sections[i + 1]) : StepText{};
    if (i + 1 < sections.size()) {
      std::cout << text.before;
    } else {
      std::cout << "\n## " << c.name << "\n";
    }
    std::optional<double> given;
    if (c.question) {
      ++asked;
      given = ask(*c.question);
    }
    std::cout << "\nrunning " << c.name << " ...\n" << std::flush;
    Report r;
    const Outcome o = run_case(c, &r);
    bad_input = bad_input || o.error;
    if (c.question && !o.error && c.error.empty()) {
      const LessonQuestion &q = *c.question;
      const QuestionOutcome m = answer_question(q, r);
      std::cout << "  measured: " << m.measured_text << "\n";
      if (given) {
        const bool ok = answer_is_right(q, *given);
        right += ok ? 1 : 0;
        const std::string said =
            q.has_choices() ? q.choices[static_cast<std::size_t>(*given)].text : number(*given);
        std::cout << "  you said: " << said << (ok ? "  (right)" : "  (not quite)") << "\n";
      }
      std::cout << "  the answer: " << q.answer_text() << "\n";
      if (!q.why.empty()) {
        std::cout << "  why: " << q.why << "\n";
      }
    }
    if (!text.after.empty()) {
      std::cout << "\n" << text.after;
    }
    // The step's own checks, said for a learner rather than a test log.
    if (o.ok) {
      std::cout << "\n(this step's checks all hold)\n\n";
    } else {
      std::cout << "\n" << o.line << "\n\n";
    }
    passed += o.ok ? 1 : 0;
  }
  std::cout << "\n" << passed << " of " << cases.size() << " steps as the lesson says";
  if (asked > 0) {
    std::cout << "; your predictions: " << right << " of " << asked << " right";
  }
  std::cout << "\n";
  if (bad_input) {
    return kExitBadInput;
  }
  return passed == cases.size() ? kExitOk : kExitExpectationsFailed;
}

int cmd_lesson_run(const std::string &root, const std::string &id, const std::string &junit,
                   std::optional<std::uint64_t> seed, bool interactive) {
  const LessonFile l = find_lesson(root, id);
  if (interactive) {
    if (!junit.empty()) {
      throw BadInput("stampede lesson run: --interactive and --junit exclude each other");
    }
    return run_lesson_interactive(l, seed);
  }
  std::vector<Case> cases;
  lesson_cases(l.dir / "steps.json", cases);
  return run_cases(std::move(cases), junit, seed);
}

// ---------------------------------------------------------------------------
// bench

struct BenchOptions {
  std::uint64_t events = 20'000'000;
  std::vector<std::string> sets;
  std::string limit;
  std::string scenario = "builtin:r1";
};

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0; // Linux: kilobytes
}

std::string shell_quote(const std::string &s) {
  std::string out = "'";
  for (const char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

/// What the baseline reported of its run.
struct BaselineRun {
  double requests_per_s = 0; ///< Arrivals per wall-second.
  double events_per_s = 0;   ///< Its own events per wall-second (it counts fewer kinds).
  double peak_rss_mb = 0;    ///< Peak resident memory of the baseline process.
};

/// Runs the baseline binary (`PATH LAMBDA T SEED`) and reads its JSON line.
BaselineRun run_baseline(const std::string &path, double rate, double duration_s,
                         std::uint64_t seed) {
  // Peak memory comes from GNU time (Debian package `time`) when present: a
  // child forked from this process would inherit its resident set as a high
  // mark, so getrusage would report ours, not the baseline's.
  const bool timed = access("/usr/bin/time", X_OK) == 0;
  const std::string command = (timed ? "/usr/bin/time -f 'peak_rss_kb %M' " : "") +
                              shell_quote(path) + " " + shortest(rate) + " " +
                              shortest(duration_s) + " " + std::to_string(seed) + " 2>&1";
  std::FILE *pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    throw BadInput("--limit: cannot run " + path + ": " + std::strerror(errno));
  }
  std::string output;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) {
    output += buf.data();
    if (output.size() > kMaxInputBytes) {
      pclose(pipe);
      throw BadInput("--limit: " + path + " printed more than 64 MiB; expected one JSON line");
    }
  }
  const int status = pclose(pipe);
  if (status != 0) {
    throw BadInput("--limit: " + path + " exited with status " +
                   std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status));
  }
  std::istringstream lines(output);
  std::string line;
  double peak_rss_mb = 0;
  for (std::istringstream rss_lines(output); std::getline(rss_lines, line);)
    if (line.rfind("peak_rss_kb ", 0) == 0)
      peak_rss_mb = std::atof(line.c_str() + 12) / 1024.0;
  while (std::getline(lines, line)) {
    const Json j = Json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("requests_per_wall_s") &&
        j["requests_per_wall_s"].is_number()) {
      BaselineRun run;
      run.requests_per_s = j["requests_per_wall_s"].get<double>();
      if (j.contains("events_per_s") && j["events_per_s"].is_number())
        run.events_per_s = j["events_per_s"].get<double>();
      run.peak_rss_mb = peak_rss_mb;
      return run;
    }
  }
  throw BadInput("--limit: " + path +
                 " printed no JSON line with requests_per_wall_s; it printed: " + output);
}

int cmd_bench(const BenchOptions &o) {
  if (o.events == 0) {
    throw BadInput("--events: expected a positive number of events, got 0");
  }
  if (!o.limit.empty() && access(o.limit.c_str(), X_OK) != 0) {
    throw BadInput("--limit: " + o.limit + ": not an executable file (" + std::strerror(errno) +
                   ")");
  }
  std::vector<std::string> overrides{"workload.rate=2000"};
  overrides.insert(overrides.end(), o.sets.begin(), o.sets.end());

  // One simulated second measures how many events a simulated second takes.
  std::vector<std::string> warm = overrides;
  warm.push_back("duration_s=1");
  const Report probe = simulate(load(o.scenario, warm), o.scenario, "warm-up");
  const double per_s = std::max<double>(1.0, static_cast<double>(probe.events));
  const double duration_s = std::max(1.0, std::ceil(static_cast<double>(o.events) / per_s));

  std::vector<std::string> full = overrides;
  full.push_back("duration_s=" + shortest(duration_s));
  const Scenario s = load(o.scenario, full);
  const Clock::time_point t0 = Clock::now();
  const Report r = simulate(s, o.scenario, "bench");
  const double wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double events_per_s = static_cast<double>(r.events) / wall_s;
  const double requests_per_s = static_cast<double>(r.arrivals) / wall_s;

  std::cout << "bench " << o.scenario << ": workload.rate " << shortest(s.workload.rate) << "/s, "
            << shortest(duration_s) << " s simulated, seed " << s.seed << ", strategy "
            << r.strategy << "\n"
            << "  events           " << r.events << " in " << fixed(wall_s, 3)
            << " s: " << fixed(events_per_s / 1e6, 3) << " M events/s\n"
            << "  requests         " << r.arrivals << " arrivals: " << fixed(requests_per_s, 0)
            << " requests per wall-second\n"
            << "  peak RSS         " << fixed(peak_rss_mb(), 1) << " MB\n"
            << std::flush;
  if (!o.limit.empty()) {
    const BaselineRun b = run_baseline(o.limit, s.workload.rate, duration_s, s.seed);
    std::cout << "baseline " << o.limit << " " << shortest(s.workload.rate) << " "
              << shortest(duration_s) << " " << s.seed << "\n"
              << "  events           " << fixed(b.events_per_s / 1e6, 3)
              << " M events/s (its own event count)\n"
              << "  requests         " << fixed(b.requests_per_s, 0)
              << " requests per wall-second\n"
              << "  peak RSS         "
              << (b.peak_rss_mb > 0 ? fixed(b.peak_rss_mb, 1) + " MB"
                                    : std::string("unknown (install the `time` package)"))
              << "\n"
              << "ratio (stampede / baseline)\n"
              << "  requests per wall-second  " << fixed(requests_per_s / b.requests_per_s, 3)
              << "\n";
    if (b.peak_rss_mb > 0)
      std::cout << "  peak RSS                  " << fixed(peak_rss_mb() / b.peak_rss_mb, 3)
                << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// The table

// The lecture's table (SPEC section 7): a report field per column, titled
// and written as the report's field table says (report_label, report_text),
// so the window's panels use the same words. The strategy, first, is left-aligned.
constexpr std::array<const char *, 11> kCompareColumns = {
    "strategy",
    "db.reads_per_page_view",
    "db.reads_per_submit",
    "anomalies.stale_reads",
    "anomalies.max_staleness_s",
    "anomalies.redundant_db_reads",
    "anomalies.stampedes",
    "anomalies.lost_updates",
    "cache.cas_conflicts",
    "cache.hit_ratio",
    "latency_ms.page_view.p99",
};

} // namespace

const std::vector<std::string> &compare_columns() {
  static const std::vector<std::string> titles = [] {
    std::vector<std::string> t;
    for (const char *path : kCompareColumns)
      t.push_back(report_label(path));
    return t;
  }();
  return titles;
}

std::vector<std::string> compare_cells(const Report &r) {
  std::vector<std::string> cells;
  for (const char *path : kCompareColumns)
    cells.push_back(report_text(r, path));
  return cells;
}

std::string format_compare_table(const std::vector<Report> &reports) {
  const std::size_t columns = kCompareColumns.size();
  const std::vector<std::string> &titles = compare_columns();
  std::vector<std::vector<std::string>> rows;
  for (const Report &r : reports) {
    rows.push_back(compare_cells(r));
  }
  std::vector<std::size_t> width(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    width[c] = titles[c].size();
    for (const auto &row : rows) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  const auto cell = [&](std::string &line, std::size_t c, const std::string &text) {
    if (c > 0) {
      line += "  ";
    }
    const std::string pad(width[c] - text.size(), ' ');
    line += c == 0 ? text + pad : pad + text;
  };
  std::string out;
  std::string line;
  for (std::size_t c = 0; c < columns; ++c) {
    cell(line, c, titles[c]);
  }
  out += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
  for (const auto &row : rows) {
    line.clear();
    for (std::size_t c = 0; c < columns; ++c) {
      cell(line, c, row[c]);
    }
    out += line + "\n";
  }
  return out;
}

int cli_main(int argc, const char *const *argv) {
  load_student_strategies(); // student:NAME, when a student library is built
  CLI::App app{"Stampede: a discrete-event simulator that teaches web caching.", "stampede"};
  app.set_version_flag("--version", std::string("stampede ") + STAMPEDE_VERSION);
  app.require_subcommand(1);

  const auto pair_check = CLI::Validator(
      [](std::string &s) {
        const auto eq = s.find('=');
        return eq == std::string::npos || eq == 0
                   ? "expected PATH=VALUE (e.g. db.connections=2), got " + json_quote(s)
                   : std::string();
      },
      "");

  const auto positive = CLI::Validator(
      [](std::string &s) {
        double v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v) && v > 0
                   ? std::string()
                   : "expected a positive number, got " + json_quote(s);
      },
      "");

  // CLI11 would wrap "-1" into 2^64 - 1; seeds and counts are plain digits.
  const auto whole_number = CLI::Validator(
      [](std::string &s) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        return ec == std::errc() && end == s.data() + s.size() && !s.empty()
                   ? std::string()
                   : "expected a non-negative integer below 2^64, got " + json_quote(s);
      },
      "");

  RunOptions ro;
  const auto add_common = [&](CLI::App *cmd) {
    cmd->add_option("SCENARIO", ro.scenario, "A scenario file (JSON) or builtin:NAME")->required();
    cmd->add_option("--seed", ro.seed, "Seed (overrides the scenario's `seed`)")
        ->type_name("N")
        ->check(whole_number);
    cmd->add_option("--duration", ro.duration_s, "Simulated seconds (overrides `duration_s`)")
        ->type_name("S")
        ->check(positive);
    cmd->add_option("--set", ro.sets, "Override a scenario field by its dotted path")
        ->type_name("PATH=VALUE")
        ->check(pair_check)
        ->allow_extra_args(false); // `--set A=1 SCENARIO`: one value per --set
    cmd->add_option("--report", ro.report, "Write the JSON report to FILE (- for stdout)")
        ->type_name("FILE");
  };

  CLI::App *run = app.add_subcommand("run", "Run a scenario and report what it measured");
  add_common(run);
  run->add_option("--strategy", ro.strategy,
                  "Strategy (none, naive, clear, refresh, update, "
                  "update+cas, ...)")
      ->type_name("NAME");
  run->add_option("--timeseries", ro.timeseries, "Write one CSV row per interval to FILE.csv")
      ->type_name("FILE.csv");
  run->add_option("--trace", ro.trace, "Write a Chrome trace (Perfetto) to FILE.json")
      ->type_name("FILE.json");
  run->add_option("--interval", ro.interval_s, "Time-series interval in seconds (default 1)")
      ->type_name("S")
      ->check(positive);

  CLI::App *compare = app.add_subcommand(
      "compare", "Run several strategies on one scenario and print the lecture's table");
  add_common(compare);
  compare
      ->add_option("--strategies", ro.strategies,
                   "Comma-separated strategies (default: none,naive,clear,refresh,update,"
                   "update+cas)")
      ->type_name("A,B,...");
  compare->add_flag("--table", ro.table, "Print the table even when stdout is not a terminal");

  std::string validate_spec;
  std::vector<std::string> validate_sets;
  CLI::App *validate = app.add_subcommand("validate", "Check a scenario file");
  validate->add_option("SCENARIO", validate_spec, "A scenario file (JSON) or builtin:NAME")
      ->required();
  validate->add_option("--set", validate_sets, "Override a scenario field by its dotted path")
      ->type_name("PATH=VALUE")
      ->check(pair_check)
      ->allow_extra_args(false);

  CLI::App *scenarios = app.add_subcommand("scenarios", "List the built-in scenarios");
  CLI::App *schema = app.add_subcommand("schema", "Print the JSON Schema of scenario files");

  std::vector<std::string> test_paths;
  std::string junit;
  CLI::App *test = app.add_subcommand(
      "test", "Run scenario files' expectations headless (course staff's tests)");
  test->add_option("PATH", test_paths,
                   "Files or folders of scenario files and lessons' steps.json "
                   "(default: the project's tests/scenarios)");
  test->add_option("--junit", junit, "Also write JUnit XML to FILE")->type_name("FILE");
  std::optional<std::uint64_t> case_seed;
  test->add_option("--seed", case_seed, "Run every case with this seed instead of its own")
      ->type_name("N")
      ->check(whole_number);

  std::string lesson_id, lessons_dir;
  CLI::App *lesson = app.add_subcommand("lesson", "Lessons: list, show ID, run ID");
  lesson->require_subcommand(1);
  lesson->add_option("--lessons", lessons_dir, "Lessons folder (default: the project's lessons/)")
      ->type_name("DIR");
  CLI::App *lesson_list = lesson->add_subcommand("list", "List the lessons");
  CLI::App *lesson_show = lesson->add_subcommand("show", "Print a lesson's text");
  lesson_show->add_option("ID", lesson_id, "Lesson folder, number or slug")->required();
  CLI::App *lesson_run = lesson->add_subcommand("run", "Run a lesson's steps and check them");
  lesson_run->add_option("ID", lesson_id, "Lesson folder, number or slug")->required();
  lesson_run->add_option("--junit", junit, "Also write JUnit XML to FILE")->type_name("FILE");
  lesson_run->add_option("--seed", case_seed, "Run every step with this seed instead of its own")
      ->type_name("N")
      ->check(whole_number);
  bool interactive = false;
  lesson_run->add_flag("--interactive,-i", interactive,
                       "Walk the lesson: each step's text, its question asked before it runs "
                       "(answers read from standard input), the measured answer beside yours");

  BenchOptions bo;
  CLI::App *bench = app.add_subcommand("bench", "Measure the engine's speed on R1");
  bench->add_option("--events", bo.events, "About how many events to process (default 20000000)")
      ->type_name("N")
      ->check(whole_number);
  bench->add_option("--set", bo.sets, "Override a scenario field (default workload.rate=2000)")
      ->type_name("PATH=VALUE")
      ->check(pair_check)
      ->allow_extra_args(false);
  bench
      ->add_option("--limit", bo.limit, "Baseline binary to pair with: run as `PATH LAMBDA T SEED`")
      ->type_name("PATH");
  bench->add_option("--scenario", bo.scenario, "Scenario to run (default builtin:r1)")
      ->type_name("SCENARIO");

  McServeOptions mo;
  std::uint64_t mc_memory_mb = 64;
  std::string mc_lru = "segmented";
  CLI::App *memcached = app.add_subcommand(
      "memcached", "Serve one simulated memcached node over memcached's text protocol");
  memcached->add_option("--port", mo.port, "TCP port (default 11211; 0 picks a free one)")
      ->type_name("N")
      ->check(CLI::Range(0, 65535));
  memcached->add_flag("--stdio", mo.stdio, "Serve one session on stdin/stdout instead of TCP");
  memcached->add_option("--listen", mo.listen, "Address to bind (default 127.0.0.1)")
      ->type_name("ADDR");
  memcached
      ->add_option("--memory", mc_memory_mb, "Memory limit in MiB, memcached's -m (default 64)")
      ->type_name("MB")
      ->check(whole_number);
  memcached
      ->add_option("--lru", mc_lru,
                   "Eviction model: " + std::string(lru_name(LruModel::kSegmented)) +
                       " (default), " + std::string(lru_name(LruModel::kClassic)) + " or " +
                       std::string(lru_name(LruModel::kPlain)))
      ->type_name("MODEL")
      ->check(CLI::IsMember(std::vector<std::string>(kLruNames.begin(), kLruNames.end())));
  memcached
      ->add_option("--max-item-size", mo.node.item_size_max,
                   "Largest item in bytes, memcached's -I (default 1048576)")
      ->type_name("BYTES")
      ->check(CLI::Range(1024u, 1u << 30));
  memcached
      ->add_option("--connections", mo.max_connections,
                   "Most simultaneous connections, memcached's -c (default 1024)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1u << 20));

  // CLI11 would only say "A subcommand is required"; name the word instead.
  std::vector<std::string> names;
  for (const CLI::App *sub : app.get_subcommands([](const CLI::App *) { return true; })) {
    names.push_back(sub->get_name());
  }
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    std::cerr << "stampede: unknown command " << json_quote(argv[1]) << "; expected one of "
              << join(names, ", ") << "\nRun with --help for more information.\n";
    return kExitBadInput;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // Help and --version are "errors" with status 0; anything else is a bad flag.
    return app.exit(e) == 0 ? kExitOk : kExitBadInput;
  }

  const auto dispatch_command = [&]() -> int {
    try {
      if (run->parsed()) {
        return cmd_run(ro);
      }
      if (compare->parsed()) {
        return cmd_compare(ro);
      }
      if (validate->parsed()) {
        return cmd_validate(validate_spec, validate_sets);
      }
      if (scenarios->parsed()) {
        return cmd_scenarios();
      }
      if (schema->parsed()) {
        return cmd_schema();
      }
      if (test->parsed()) {
        return cmd_test(test_paths, junit, case_seed);
      }
      if (lesson_list->parsed()) {
        return cmd_lesson_list(lessons_dir);
      }
      if (lesson_show->parsed()) {
        return cmd_lesson_show(lessons_dir, lesson_id);
      }
      if (lesson_run->parsed()) {
        return cmd_lesson_run(lessons_dir, lesson_id, junit, case_seed, interactive);
      }
      if (bench->parsed()) {
        return cmd_bench(bo);
      }
      if (memcached->parsed()) {
        if (memcached->count("--port") > 0 && mo.stdio) {
          throw BadInput("stampede memcached: --port and --stdio exclude each other");
        }
        if (mc_memory_mb > (std::uint64_t{1} << 24)) {
          throw BadInput("stampede memcached: --memory: expected at most 16777216 MiB, got " +
                         std::to_string(mc_memory_mb));
        }
        mo.node.memory_limit_bytes = mc_memory_mb << 20;
        mo.node.lru = static_cast<LruModel>(std::find(kLruNames.begin(), kLruNames.end(), mc_lru) -
                                            kLruNames.begin());
        std::string error;
        const int status = serve_memcached(mo, &error);
        if (status != 0) {
          throw BadInput("stampede memcached: " + error);
        }
        return kExitOk;
      }
    } catch (const BadInput &e) {
      std::cout.flush();
      std::cerr << e.what() << "\n";
      return kExitBadInput;
    } catch (const StudentCodeError &e) {
      // The student library is input too: its bug is named, not ours.
      std::cout.flush();
      std::cerr << "stampede: the student library: " << e.what() << "\n";
      return kExitBadInput;
    } catch (const std::exception &e) {
      std::cout.flush();
      std::cerr << "stampede: internal error: " << e.what() << "\n";
      return kExitInternalError;
    }
    return kExitBadInput;
  };
  const int status = dispatch_command();
  // Output to stdout is buffered: a full disk or a closed pipe shows only
  // when it is flushed. A lost report or table is an error, not exit 0.
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::cerr << "stdout: write failed\n";
    return kExitBadInput;
  }
  return status;
}

} // namespace stampede
