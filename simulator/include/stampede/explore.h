/// @file explore.h
/// Every schedule of a small scenario (SPEC section 12, `stampede explore`).
///
/// A timed run shows one order of the operations in flight, the one its
/// seed's latencies give. explore() tries them all: a scenario of a few
/// scripted requests is run again and again from the start, each time
/// choosing a different order in which the pending steps complete (a
/// request's arrival, a cache call, a page query's start and its return, an
/// insert's commit, a wait's end; one atomic step each). The strategy runs
/// between steps unchanged and every history is judged by the same
/// detectors as a timed run. A schedule takes no time: memcached's clock
/// and Context::now() stay where the last scripted request arrived (each
/// step is a millisecond later only for the detectors' order and the
/// traces), and a wait ends only once another request has taken a step
/// since it began, or when nothing else can run. Orders that differ only by swapping
/// independent steps (different keys, two reads) are skipped with sleep
/// sets (Godefroid 1996); the depth and preemption bounds (CHESS, Musuvathi
/// et al. 2008) cut the search, and the result says when they did.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/scenario.h"
#include "stampede/simulation.h"
#include "stampede/strategy.h"

namespace stampede {

/// How far explore() searches.
struct ExploreOptions {
  /// The most steps in one schedule (`--depth`); a schedule still going at
  /// this depth is cut, and the search is then not complete.
  std::uint32_t depth = 200;
  /// The most preemptions in one schedule (`--preemptions`): switching away
  /// from the request that just took a step while it could take another.
  /// kUnbounded: none.
  std::uint32_t preemptions = kUnbounded;
  /// Whether to skip orders that only swap independent steps.
  bool reduce = true;
  /// The most schedules to run; past it the search stops, not complete.
  std::uint64_t max_schedules = 2'000'000;
  /// Keep each schedule's outcome (anomalies, answers, cached pages) in
  /// ExploreResult::outcomes: the tests compare the sets with and without
  /// the reduction.
  bool collect_outcomes = false;
  /// No bound.
  static constexpr std::uint32_t kUnbounded = ~std::uint32_t{0};
};

/// One step of a schedule, as a story tells it.
struct ScheduleStep {
  std::uint64_t request = 0; ///< The request's number (1 = the first to arrive); 0: the end.
  bool submit = false;       ///< A submit, else a page view.
  std::string what;          ///< What it did: "get page -> miss".
  /// The anomalies it showed, in words: "stale read (lacks post 11)".
  std::vector<std::string> anomalies;
  /// @return "view #1: get page -> miss", then ": " and the anomalies (at
  /// the end: what it found).
  std::string text() const;
};

/// What explore() found of one kind of anomaly: a section 4 anomaly, or
/// the stale set, explore's own check at a schedule's end (a key's cached
/// page lacks a post the database shows: it stays until it expires or is
/// deleted, and every view from then on reads it).
struct ExploreFinding {
  std::string field;           ///< Its report field: `stale_sets`, `stale_reads`, ...
  std::string label;           ///< In words: `stale set`, `stale read`, ...
  std::uint64_t schedules = 0; ///< Schedules that show it.
  /// The shortest schedule that shows it, to the step that does: the
  /// requests' numbers in the order their steps ran.
  std::vector<std::uint64_t> order;
  std::vector<ScheduleStep> story; ///< That schedule's steps, told.
};

/// What explore() did and found.
struct ExploreResult {
  std::string scenario;              ///< The scenario's name.
  std::string strategy;              ///< The strategy's label (`update+cas`).
  std::uint32_t requests = 0;        ///< Requests in the scenario.
  std::uint64_t explored = 0;        ///< Schedules run to their end (or to a bound).
  std::uint64_t skipped = 0;         ///< Branches not run: orders that only swap independent steps.
  std::uint64_t cut_depth = 0;       ///< Schedules cut at the depth bound.
  std::uint64_t cut_preemptions = 0; ///< Branches not run for the preemption bound.
  bool stopped = false;              ///< The search stopped at max_schedules.
  std::uint32_t longest = 0;         ///< Steps in the longest schedule run.
  std::uint64_t steps = 0;           ///< Steps run in all, replays included.
  double wall_s = 0;                 ///< Seconds it took.
  /// Every kind: the stale set, then AnomalyKind's order (schedules 0:
  /// never seen).
  std::vector<ExploreFinding> findings;
  std::set<std::string> outcomes; ///< With ExploreOptions::collect_outcomes.
  /// @return whether no bound cut the search: every schedule was tried.
  bool complete() const noexcept { return cut_depth == 0 && cut_preemptions == 0 && !stopped; }
  /// @param field a finding's field (`stale_sets`). @return what was found
  /// of it. @throws std::out_of_range for an unknown field.
  const ExploreFinding &finding(std::string_view field) const;
};

/// Explores every schedule of a scenario under its strategy.
/// @param scenario a scenario of scripted requests (view_burst, submit_burst
/// events; no arrivals of its own). @param registry where its strategy is
/// found. @param options the bounds. @return what was found.
/// @throws std::invalid_argument naming the field explore cannot take;
/// StudentFault from a student's strategy.
ExploreResult explore(const Scenario &scenario, const StrategyRegistry &registry,
                      const ExploreOptions &options = {});

/// One schedule run a step at a time, as the window steps through it
/// (`stampede-gui --schedule FILE`). Each step is a millisecond of virtual
/// time after the last; the observer hears the run as a timed run's does.
class ScheduleRun {
public:
  /// @param scenario, registry as for explore(). @param order the
  /// requests' numbers in the order their steps run. @param observer if not
  /// null, hears the run (it must outlive this). @throws
  /// std::invalid_argument as explore() does.
  ScheduleRun(const Scenario &scenario, const StrategyRegistry &registry,
              std::vector<std::uint64_t> order, Observer *observer = nullptr);
  ~ScheduleRun();
  ScheduleRun(const ScheduleRun &) = delete;
  ScheduleRun &operator=(const ScheduleRun &) = delete;
  /// @return the steps in the order.
  std::size_t size() const noexcept;
  /// @return the steps run so far.
  std::size_t done() const noexcept;
  /// Runs the next step. @param out if not null, the step told. @return
  /// false when every step has run (nothing is done). @throws
  /// std::invalid_argument when the order names a request with no step
  /// that can run there.
  bool step(ScheduleStep *out = nullptr);
  /// @return after the last step, what the end found (a stale set), told;
  /// before it, or when the cache is not stale, nothing.
  std::optional<ScheduleStep> end() const;
  /// @return the stack now, for a diagram.
  StackState state() const;
  /// @return the report so far.
  Report report() const;
  /// @return the virtual time now.
  Time now() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs one schedule again, as a list of request numbers, and tells it.
/// @param scenario, registry as for explore(). @param order the requests'
/// numbers in the order their steps run (ExploreFinding::order).
/// @param observer if not null, hears the run as a timed run's observer
/// does (a step a millisecond of virtual time).
/// @return the story. @throws std::invalid_argument when the order names a
/// request with no step that can run.
std::vector<ScheduleStep> replay_schedule(const Scenario &scenario,
                                          const StrategyRegistry &registry,
                                          const std::vector<std::uint64_t> &order,
                                          Observer *observer = nullptr);

} // namespace stampede
