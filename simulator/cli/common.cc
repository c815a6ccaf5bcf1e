// What the commands share: formatting, loading a scenario, running it, and
// the output files (common.h).
#include "cli/common.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "io/student_loader.h"
#include "stampede/scenario_io.h"
#include "stampede/strategy.h"

namespace stampede::cli {

// ---------------------------------------------------------------------------
// Formatting

std::string shortest(double v) {
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), end) : std::string("?");
}

std::string fixed(double v, int digits) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", digits, v);
  return buf.data();
}

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

// ---------------------------------------------------------------------------
// Scenarios and runs

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

namespace {

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

} // namespace

Report simulate(const Scenario &s, const std::string &origin, std::string_view label,
                Observer *observer, Time interval) {
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

} // namespace stampede::cli
