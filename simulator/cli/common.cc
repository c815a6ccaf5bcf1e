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

#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "stampede/student_loader.h"

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

std::string terminal_text(std::string_view s) {
  constexpr std::size_t kMost = 200;
  const bool plain = std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  std::string_view head = s.substr(0, kMost);
  // Cut on a character's first byte, not inside UTF-8.
  while (head.size() < s.size() && !head.empty() &&
         (static_cast<unsigned char>(s[head.size()]) & 0xC0) == 0x80)
    head.remove_suffix(1);
  std::string out = plain ? std::string(head) : json_quote(head);
  if (head.size() < s.size())
    out += "... (" + std::to_string(s.size()) + " bytes in all)";
  return out;
}

std::vector<std::string> split_list(const std::string &text) {
  std::vector<std::string> out;
  for (std::string &item : split_values(text)) {
    if (!item.empty()) {
      out.push_back(std::move(item));
    }
  }
  return out;
}

std::string seeds_text(const std::vector<std::uint64_t> &seeds) {
  if (seeds.size() == 1) {
    return "seed " + std::to_string(seeds.front());
  }
  bool consecutive = true;
  for (std::size_t k = 1; k < seeds.size(); ++k) {
    consecutive = consecutive && seeds[k] == seeds[k - 1] + 1;
  }
  if (consecutive) {
    return "seeds " + std::to_string(seeds.front()) + ".." + std::to_string(seeds.back());
  }
  std::vector<std::string> items;
  for (const std::uint64_t seed : seeds) {
    items.push_back(std::to_string(seed));
  }
  return "seeds " + join(items, ", ");
}

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

std::vector<std::uint64_t> replication_seeds(const ReplicationOptions &o, std::uint64_t first) {
  std::vector<std::uint64_t> seeds;
  if (!o.seed_list.empty()) {
    for (const std::string &item : split_list(o.seed_list)) {
      std::uint64_t v = 0;
      const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc() || end != item.data() + item.size()) {
        throw BadInput("--seed-list: expected comma-separated non-negative integers below 2^64, "
                       "got " +
                       json_quote(item) + " in " + json_quote(o.seed_list));
      }
      if (std::find(seeds.begin(), seeds.end(), v) != seeds.end()) {
        throw BadInput("--seed-list: seed " + item +
                       " is listed twice; replications must be independent runs");
      }
      seeds.push_back(v);
    }
    if (seeds.empty()) {
      throw BadInput("--seed-list: expected at least one seed, got " + json_quote(o.seed_list));
    }
  } else if (o.seeds) {
    if (*o.seeds < 1 || *o.seeds > kMaxReplications) {
      throw BadInput("--seeds: expected a number of runs from 1 to " +
                     std::to_string(kMaxReplications) + ", got " + std::to_string(*o.seeds));
    }
    if (first > UINT64_MAX - (*o.seeds - 1)) {
      throw BadInput("--seeds: seeds " + std::to_string(first) + " and on pass 2^64 - 1");
    }
    for (std::uint64_t k = 0; k < *o.seeds; ++k) {
      seeds.push_back(first + k);
    }
  } else {
    seeds.push_back(first);
  }
  if (seeds.size() > kMaxReplications) {
    throw BadInput("--seed-list: expected at most " + std::to_string(kMaxReplications) +
                   " seeds, got " + std::to_string(seeds.size()));
  }
  return seeds;
}

void check_warmup(double warmup_s, const Scenario &s) {
  if (!(warmup_s >= 0) || !(warmup_s < s.duration_s)) {
    throw BadInput("--warmup: expected seconds from 0 to below the run's duration_s (" +
                   number(s.duration_s) + "), got " + shortest(warmup_s));
  }
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
                Observer *observer, Time interval, double warmup_s, bool progress) {
  std::optional<Simulation> sim;
  try {
    sim.emplace(s);
  } catch (const std::invalid_argument &e) {
    throw BadInput(s.name + ": strategy.name: " + e.what());
  }
  if (warmup_s > 0) {
    sim->set_warmup(seconds_to_ns(warmup_s));
  }
  if (observer != nullptr) {
    sim->set_interval(interval);
    sim->set_observer(observer);
  }
  if (progress && isatty(STDERR_FILENO) != 0) {
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

ReplicatedReport simulate_replicated(const Scenario &s, const std::vector<std::uint64_t> &seeds,
                                     const std::string &origin, std::string_view label,
                                     double warmup_s) {
  std::vector<Report> runs;
  runs.reserve(seeds.size());
  Scenario one = s;
  for (const std::uint64_t seed : seeds) {
    one.seed = seed;
    runs.push_back(simulate(one, origin, label, nullptr, kSecond, warmup_s));
  }
  return replicate(std::move(runs), warmup_s);
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
