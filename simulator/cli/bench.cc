// `stampede bench`: the engine's speed on a scenario, beside a baseline
// binary's when --limit names one.
#include "cli/common.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stampede/scenario_file.h"

namespace stampede::cli {
namespace {

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

} // namespace

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

} // namespace stampede::cli
