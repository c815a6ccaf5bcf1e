// The browser edition's interface to the simulator, free of Emscripten so it
// builds and is tested natively too (tests/web); bindings.cc hands it to
// JavaScript. Each call takes a request as JSON text:
//
//     {"scenario": "builtin:frontpage" | {...a scenario...} | "its JSON text",
//      "origin": "my.json",             // the file name errors name (optional)
//      "set": ["strategy.name=\"clear\"", "seed=3"]}   // --set overrides (optional)
//
// and answers JSON text; a bad request or scenario answers {"error": "..."}
// in the command line's own words.
#pragma once

#include <memory>
#include <string>

namespace stampede::gui {
class RunControl;
}

namespace stampede::web {

/// @return [{"name", "description", "json"}] for every `builtin:NAME`.
std::string builtins_json();
/// @return [{"name", "description"}] for every strategy, `update+cas` among them.
std::string strategies_json();
/// @return the JSON Schema of scenario files (`stampede schema`).
std::string schema_json();
/// Checks a scenario as `stampede validate` does.
/// @return {"scenario": every field, defaults included} or {"error": "..."}.
std::string check_scenario(const std::string &request);
/// One run, as `stampede run SCENARIO --report -` writes it (two-space
/// indent, a newline at the end): byte for byte, the `engine` fields aside.
/// @return the report, or {"error": "..."}.
std::string run_report(const std::string &request);
/// The lecture's table over seeds, as `stampede compare` prints it. The
/// request may add "strategies": [...] (default: the lecture's six) and
/// "seeds": N (default 1: the scenario's seed).
/// @return {"table": text, "reports": [each row's report]} or {"error": "..."}.
std::string compare_table(const std::string &request);

/// A one-field sweep, as `stampede sweep --vary PATH=V1,V2,...`: each value
/// run over "seeds" seeds (default 5). The request adds "vary": PATH,
/// "values": [...] (each a JSON value or its text) and "outputs": [report
/// paths] (default: DB reads per view, stale reads, p99 latency).
/// @return {"path", "outputs", "rows": [{"value", "outputs": {PATH: {"mean",
/// "low", "high"}}}]} (low and high: the 95 % interval; equal to the mean
/// for one seed) or {"error": "..."}.
std::string sweep(const std::string &request);
/// Every order of a small scenario, as `stampede explore SCENARIO --report -`
/// writes it (byte for byte, `wall_s` and `schedules_per_s` aside). The
/// request may add "depth": N and "preemptions": K (SPEC section 12).
/// @return the report, or {"error": "..."} (the scenario named as the
/// command line names it).
std::string explore_report(const std::string &request);
/// @return every numeric report path with its label: [{"path", "label"}].
std::string report_paths_json();

/// The lessons in the lecture's order (the WebAssembly module carries
/// lessons/ in its file system at /lessons; natively, the checkout's).
/// @return [{"id", "title", "part", "intro", "error", "steps": [{"title",
/// "request" (a request for LiveRun and run_report), "point", "seeds",
/// "question": {"text", "choices", "metric", "label"} or null, "before",
/// "after", "error"}]}]; "before" is the step's text up to its question,
/// "after" what it shows once run (markdown).
std::string lessons_json();
/// Runs a lesson's step headless as `stampede lesson run --interactive`
/// does (over its `seeds`, counting up from the scenario's seed) and judges
/// it: {"lesson", "step", "answer"} (the learner's answer as typed, optional).
/// @return {"seeds", "question": {"measured", "proved", "failure", "answer",
/// "why", "said", "right"} or null, "ok", "expectations": [{"expr", "ok",
/// "actual"}], "claims": [{"text", "holds", "measured", "seeds"}]} or
/// {"error": "..."}.
std::string lesson_check(const std::string &request);

/// A run drawn live (the window's RunControl): stepped, paused and
/// controlled, its snapshots as JSON. The same rule as the window's diagram:
/// each snapshot's in-flight list is what holds a worker at its instant.
class LiveRun {
public:
  /// @param request as above; a bad one leaves error() saying why.
  explicit LiveRun(const std::string &request);
  ~LiveRun();
  LiveRun(const LiveRun &) = delete;
  LiveRun &operator=(const LiveRun &) = delete;

  /// @return why the run could not start, or "".
  std::string error() const { return error_; }
  void play();
  void pause();
  /// One event (or, following a request, to its next event).
  void step();
  /// @param sim_s_per_wall_s simulated seconds per wall second; 0: as fast as it goes.
  void set_speed(double sim_s_per_wall_s);
  /// Pauses when the clock reaches `t_s` (negative: never).
  void pause_at(double t_s);
  /// Runs to `t_s` (or the end) at once and pauses there.
  void run_until(double t_s);
  /// One animation frame: `wall_elapsed_s` since the last, at most `budget_s` of work.
  void advance(double wall_elapsed_s, double budget_s);
  void follow(double serial);
  void unfollow();
  void restart(double seed);
  void switch_strategy(const std::string &name);
  void submit_burst(double count);
  void crash_node(double node);
  void add_node();
  void migrate_cache(double nodes);
  void retire_old_cache();
  void add_server();
  void remove_server();
  bool finished() const;
  double now_s() const;
  /// @return the snapshot now, and what happened since the last one (JSON;
  /// `totals` is the report so far).
  std::string snapshot();

private:
  std::string error_;
  std::unique_ptr<gui::RunControl> run_;
};

} // namespace stampede::web
