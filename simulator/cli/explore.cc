// `stampede explore` (SPEC section 12): every schedule of a small scenario,
// what each anomaly needs and the shortest schedule that shows it, told as a
// numbered story; the report, a Chrome trace of the shortest schedule and a
// schedule file the window steps through.
#include <fstream>
#include <iostream>

#include "cli/common.h"
#include "hosting/hosted.h"
#include "io/trace.h"
#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/strategy.h"

namespace stampede::cli {
namespace {

std::string count_text(std::uint64_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "(complete to depth 10)" or what cut it.
std::string bounds_text(const ExploreResult &r, const ExploreOptions &o) {
  if (r.complete())
    return "complete: every schedule tried, the longest " + count_text(r.longest, "step", "steps");
  std::vector<std::string> why;
  if (r.cut_depth > 0)
    why.push_back(count_text(r.cut_depth, "schedule", "schedules") + " cut at --depth " +
                  std::to_string(o.depth));
  if (r.cut_preemptions > 0)
    why.push_back(count_text(r.cut_preemptions, "branch", "branches") +
                  " not tried for --preemptions " + std::to_string(o.preemptions));
  if (r.stopped)
    why.push_back("stopped after " + std::to_string(o.max_schedules) + " schedules");
  return "NOT complete: " + join(why, "; ");
}

} // namespace

int cmd_explore(const ExploreCliOptions &o) {
  std::vector<std::string> sets = o.sets;
  if (!o.strategy.empty()) {
    if (!StrategyRegistry::global().contains(o.strategy))
      throw BadInput("--strategy: unknown strategy " + json_quote(o.strategy) +
                     "; expected one of " + known_strategies() + student_hint(o.strategy));
    sets.push_back("strategy.name=" + json_quote(o.strategy));
  }
  const Scenario s = load(o.scenario, sets);
  ExploreOptions options;
  if (o.depth)
    options.depth = *o.depth;
  if (o.preemptions)
    options.preemptions = *o.preemptions;
  options.reduce = !o.no_reduction;

  std::unique_ptr<std::ofstream> report_file, trace_file, schedule_file;
  if (!o.report.empty() && o.report != "-")
    report_file = open_output(o.report, "--report");
  if (!o.trace.empty())
    trace_file = open_output(o.trace, "--trace");
  if (!o.schedule_out.empty())
    schedule_file = open_output(o.schedule_out, "--schedule-out");

  ExploreResult r;
  const hosting::KeepHosts keep; // a student's strategy: one host for every schedule
  try {
    r = explore(s, StrategyRegistry::global(), options);
  } catch (const std::invalid_argument &e) {
    throw BadInput(o.scenario + ": " + e.what());
  }
  const std::vector<ExpectationResult> expectations = evaluate_explore_expectations(r, s.expect);

  std::ostream &out = o.report == "-" ? std::cerr : std::cout;
  out << "explore " << o.scenario << " under " << r.strategy << ": "
      << count_text(r.requests, "request", "requests") << "\n";
  out << "  " << count_text(r.explored + r.cut_depth, "schedule", "schedules") << " run, "
      << count_text(r.skipped, "order", "orders") << " skipped (they only swap independent steps); "
      << bounds_text(r, options) << "\n";
  const double per_s = r.wall_s > 0 ? static_cast<double>(r.explored + r.cut_depth) / r.wall_s : 0;
  out << "  " << fixed(r.wall_s, 3) << " s, " << number(std::round(per_s)) << " schedules/s\n";
  const std::uint64_t total = r.explored + r.cut_depth;
  for (const ExploreFinding &f : r.findings) {
    const std::string &name = f.label;
    if (f.schedules == 0 && f.field == "lease_refusals")
      continue; // only leases refuse fills: a line for every strategy would be noise
    if (f.schedules == 0) {
      out << "no " << name << " in any of " << count_text(total, "schedule", "schedules") << " ("
          << (r.complete() ? "complete to depth " + std::to_string(r.longest)
                           : bounds_text(r, options))
          << ")\n";
      continue;
    }
    out << name << ": in " << f.schedules << " of " << count_text(total, "schedule", "schedules")
        << "; the shortest shows it in " << count_text(f.order.size(), "step", "steps") << ":\n";
    for (std::size_t i = 0; i < f.story.size(); ++i)
      out << "  " << (i + 1) << ". " << terminal_text(f.story[i].text()) << "\n";
  }

  if (!o.report.empty())
    write_json(explore_to_json(r, options, s), o.report, report_file.get());
  if (trace_file) {
    // The first anomaly's shortest schedule (or, with none, nothing but
    // the requests' arrivals is worth a trace: the first schedule).
    std::vector<std::uint64_t> order;
    for (const ExploreFinding &f : r.findings)
      if (!f.order.empty()) {
        order = f.order;
        break;
      }
    TraceWriter trace(*trace_file);
    replay_schedule(s, StrategyRegistry::global(), order, &trace);
    trace.close();
    finish_output(*trace_file, o.trace);
  }
  if (schedule_file) {
    *schedule_file << schedule_file_text(s, r) << "\n";
    finish_output(*schedule_file, o.schedule_out);
  }
  out << std::flush;
  return report_failures(expectations, s.name, "every schedule") ? kExitOk
                                                                 : kExitExpectationsFailed;
}

} // namespace stampede::cli
