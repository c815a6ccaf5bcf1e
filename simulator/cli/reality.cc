// `stampede reality` (SPEC section 11): a scenario played on a real
// PostgreSQL + memcached, with the simulator's prediction for it beside.
#include "cli/common.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include <unistd.h>

#include "metrics/histogram.h"
#include "reality/lab.h"
#include "reality/services.h"
#include "stampede/report_fields.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace stampede::cli {
namespace {

// The rows printed: the lecture's table's numbers, then latency.
constexpr const char *kRows[] = {
    "requests.page_views",    "requests.submits",          "requests.rejected",
    "db.reads_per_page_view", "db.reads_per_submit",       "cache.hit_ratio",
    "anomalies.stale_reads",  "anomalies.max_staleness_s", "anomalies.redundant_db_reads",
    "anomalies.stampedes",    "anomalies.lost_updates",    "cache.cas_conflicts",
    "db.utilization",         "latency_ms.page_view.p50",  "latency_ms.page_view.p99",
};

/// Where 95 % of single simulated runs fall: mean +- t sd sqrt(1 + 1/n),
/// the range one real run (one more sample) is judged against.
std::pair<double, double> prediction_range(const Spread &s, std::size_t n) {
  if (n < 2) {
    return {s.mean, s.mean};
  }
  const double half = student_t975(n - 1) * s.sd * std::sqrt(1 + 1.0 / static_cast<double>(n));
  return {s.mean - half, s.mean + half};
}

/// What calibration measured against what the scenario said, field by field.
void print_calibration(std::ostream &out, const Scenario &s, const reality::RealTimings &t,
                       const std::string &file) {
  const auto line = [&](const char *path, const Distribution &was, std::vector<double> v,
                        const char *what) {
    if (v.empty()) {
      out << "  " << path << ": nothing measured; kept as the scenario has it\n";
      return;
    }
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (const double x : v) {
      sum += x;
    }
    const auto ms = [](double seconds) { return fixed(seconds * 1000, 3); };
    out << "  " << path << ": the scenario's mean " << ms(was.mean_s()) << " ms; measured " << what
        << " " << ms(sum / static_cast<double>(v.size())) << " ms (p50 " << ms(v[v.size() / 2])
        << ", p90 " << ms(v[v.size() * 9 / 10]) << "; " << v.size() << " samples)\n";
  };
  out << "calibration (the scenario as measured, written to " << file << "):\n";
  line("db.query_latency", s.db.query_latency, t.db_read_s, "connection hold per page query");
  line("db.insert_latency", s.db.insert_latency, t.db_insert_s, "connection hold per insert");
  line("cache.rtt", s.cache.rtt, t.cache_rtt_s, "memcached round trip");
  line("app.cpu", s.app.cpu, t.app_s, "time in the app outside its calls");
}

/// The scenario as the flags make it: the file, then --set, --strategy and
/// --duration. Throws BadInput.
Scenario reality_scenario(const RealityOptions &o) {
  if (!o.strategy.empty() && !StrategyRegistry::global().contains(o.strategy)) {
    throw BadInput("--strategy: unknown strategy " + json_quote(o.strategy) + "; expected one of " +
                   known_strategies() + student_hint(o.strategy));
  }
  std::vector<std::string> overrides = o.sets;
  if (!o.strategy.empty()) {
    overrides.push_back("strategy.name=" + json_quote(o.strategy));
  }
  if (o.duration_s) {
    overrides.push_back("duration_s=" + shortest(*o.duration_s));
  }
  return load(o.scenario, overrides);
}

/// This binary has no lab (`stampede` links no libpq): the lab is
/// stampede-lab, the same command line with it (built beside this one, or on
/// PATH), which gets the whole command line. Returns only by throwing.
[[noreturn]] void hand_over_to_lab(const std::vector<std::string> &argv) {
  std::string lab = STAMPEDE_LAB_BIN;
  if (access(lab.c_str(), X_OK) != 0) {
    lab = "stampede-lab";
  }
  std::vector<char *> args;
  for (const std::string &a : argv) {
    args.push_back(const_cast<char *>(a.c_str()));
  }
  args.push_back(nullptr);
  args[0] = lab.data();
  std::cout.flush();
  execvp(args[0], args.data());
  throw BadInput("stampede reality: runs in stampede-lab (the command line with the reality "
                 "lab, libpq: ./dev builds it), which could not be started: " +
                 std::string(std::strerror(errno)));
}

/// Plays the scenario on the real servers; what goes wrong is bad input,
/// named by the scenario or by the command.
reality::RealPlay play_on_real_servers(RealityLabEntry play_real, const Scenario &s,
                                       const RealityOptions &o) {
  try {
    return play_real(s, !o.calibrate.empty());
  } catch (const std::invalid_argument &e) {
    throw BadInput(o.scenario + ": " + e.what());
  } catch (const reality::ServiceError &e) {
    throw BadInput(std::string("stampede reality: ") + e.what());
  }
}

std::string pad(std::string text, std::size_t w) {
  return text.size() < w ? text + std::string(w - text.size(), ' ') : text;
}

/// One line of the table, its trailing spaces cut.
void print_line(std::ostream &out, std::string line) {
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << "\n";
}

/// One row of the table: the real value, then each prediction's range and
/// whether the real run lies inside it.
std::string comparison_row(const char *path, std::size_t width, const Report &real,
                           const std::vector<ReplicatedReport> &predictions, std::size_t seeds) {
  const double v = report_value(real, path).value_or(NAN);
  std::string line = pad(report_label(path), width) + "  " + pad(report_text(real, path), 10);
  for (const ReplicatedReport &predicted : predictions) {
    const auto [low, high] = prediction_range(*predicted.spread(path), seeds);
    // A percentile is a histogram bucket's midpoint, known to half a
    // bucket either way, in the real run as in the model's: judged with
    // one bucket's slack.
    const double slack =
        std::string_view(path).starts_with("latency_ms.")
            ? internal::LatencyHistogram::bucket_width(std::max(v, high) * 1e6) / 1e6
            : 0.0;
    const bool inside = v >= low - slack - 1e-9 && v <= high + slack + 1e-9;
    line += "  " +
            pad(pad(spread_text(predicted, path), 20) + "  " + (inside ? "inside" : "OUTSIDE"), 30);
  }
  return line;
}

/// The real run against the prediction(s), one row per kRows field.
void print_comparison(std::ostream &out, const Scenario &s, const RealityOptions &o,
                      const Report &real, const std::vector<ReplicatedReport> &predictions,
                      std::size_t seeds) {
  const bool calibrating = !o.calibrate.empty();
  const std::string load = s.workload.kind == WorkloadKind::kClosed
                               ? number(s.workload.users) + " users thinking " +
                                     number(s.workload.think_time.mean_s()) + " s on average"
                               : number(s.workload.rate) + " requests/s";
  out << terminal_text(s.name) << " (" << terminal_text(o.scenario) << "), strategy "
      << real.strategy << ", " << number(s.duration_s) << " s of " << load
      << ": real PostgreSQL + memcached against the simulator over " << seeds << " seeds\n"
      << (calibrating ? "as written: the scenario's prediction; calibrated: with the latencies "
                        "measured in this run\n"
                      : "")
      << "predicted: mean +- 95 % interval of the mean; inside: the real run lies where 95 % "
         "of single simulated runs do\n\n";
  std::size_t width = 6;
  for (const char *path : kRows) {
    width = std::max(width, report_label(path).size());
  }
  std::string head = pad("", width) + "  " + pad("real", 10);
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    head += "  " + pad(!calibrating ? "predicted" : i == 0 ? "as written" : "calibrated", 30);
  }
  print_line(out, head);
  for (const char *path : kRows) {
    print_line(out, comparison_row(path, width, real, predictions, seeds));
  }
}

/// --report: {"real": ..., "predicted": ...}, and with --calibrate the
/// prediction as written beside the calibrated one.
void write_reality_report(const RealityOptions &o, std::ofstream *file, const Report &real,
                          const std::vector<ReplicatedReport> &predictions) {
  Json j = Json::object();
  j["real"] = report_to_json(real);
  j["predicted"] = replicated_to_json(predictions.back());
  if (!o.calibrate.empty()) {
    j["predicted_as_written"] = replicated_to_json(predictions.front());
  }
  const std::string text = j.dump(2) + "\n";
  if (o.report == "-") {
    std::cout << text;
  } else {
    *file << text;
    finish_output(*file, o.report);
  }
}

} // namespace

int cmd_reality(const RealityOptions &o) {
  const Scenario s = reality_scenario(o);
  const RealityLabEntry play_real = registered_reality_lab();
  if (play_real == nullptr) {
    hand_over_to_lab(o.argv);
  }
  std::unique_ptr<std::ofstream> report_file;
  if (!o.report.empty() && o.report != "-") {
    report_file = open_output(o.report, "--report");
  }
  ReplicationOptions rep;
  rep.seeds = o.seeds;
  const std::vector<std::uint64_t> seeds = replication_seeds(rep, s.seed);

  std::cerr << "playing " << s.name << " under " << strategy_label(s.strategy) << " for "
            << number(s.duration_s) << " s on a fresh PostgreSQL and memcached ...\n";
  std::unique_ptr<std::ofstream> calibrate_file;
  if (!o.calibrate.empty()) {
    calibrate_file = open_output(o.calibrate, "--calibrate");
  }
  const reality::RealPlay play = play_on_real_servers(play_real, s, o);
  // The scenario's prediction; with --calibrate, the calibrated scenario's
  // beside it (and it is the one `predicted` holds in --report).
  const bool calibrating = !o.calibrate.empty();
  if (calibrating) {
    *calibrate_file << scenario_to_json(play.calibrated) << "\n";
    finish_output(*calibrate_file, o.calibrate);
    print_calibration(std::cerr, s, play.timings, o.calibrate);
  }
  std::vector<ReplicatedReport> predictions;
  predictions.push_back(simulate_replicated(s, seeds, o.scenario, s.name, 0));
  if (calibrating) {
    predictions.push_back(simulate_replicated(play.calibrated, seeds, o.scenario, s.name, 0));
  }
  if (o.report.empty()) {
    print_comparison(std::cout, s, o, play.report, predictions, seeds.size());
  } else {
    write_reality_report(o, report_file.get(), play.report, predictions);
  }
  return kExitOk;
}

} // namespace stampede::cli
