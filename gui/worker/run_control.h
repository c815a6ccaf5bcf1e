// RunControl: owns one Simulation and drives it in slices at a chosen speed,
// gathering what the views need into Snapshots. Qt-free and single-threaded:
// the worker thread (sim_worker.h) is its only caller, so it needs no locks
// and its tests run without Qt (and under ThreadSanitizer).
//
//     RunControl rc(scenario);
//     rc.play();
//     for (;;) { rc.advance(elapsed_wall_s, 0.012); draw(rc.take_snapshot()); }
//
// Schedule mode (`stampede-gui --schedule FILE`, SPEC section 12): instead
// of a timed Simulation it runs one of explore's schedules, a ScheduleRun,
// a step at a time. Step runs the schedule's next step, Play about one step
// per wall second times the speed, back() replays from the start to the step
// before; the observer records reach the views as a timed run's do, and
// the snapshots carry the story told so far (Snapshot::schedule).
//
//     rc.open_schedule({1, 1, 2, 1, 2, 2});  // a ScheduleEntry's order
//     rc.step();                             // "Step 1 of 6: view #1: ..."

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "snapshot/snapshot.h"
#include "stampede/scenario.h"
#include "stampede/simulation.h"

namespace stampede::gui {

class RunControl {
public:
  /// @param scenario a validated scenario; the run starts paused at t=0.
  explicit RunControl(const Scenario &scenario);
  ~RunControl();
  RunControl(const RunControl &) = delete;
  RunControl &operator=(const RunControl &) = delete;

  // Controls. Each takes effect before the next slice.
  void play();
  void pause();
  /// Processes one event and pauses; the next snapshot's message says what
  /// ran ("Step: req #5027: cache get -> miss at 10.0153 s"). Following a
  /// request, it runs to that request's next event instead (at most
  /// kMaxStepEvents events).
  void step();
  /// Most events one Step runs while following a request.
  static constexpr int kMaxStepEvents = 1000000;
  /// Pauses and follows one request: the snapshots carry its timeline, from
  /// the records still kept (about the last 65,000) and then live.
  /// @param serial the request.
  void follow(std::uint64_t serial);
  /// Stops following.
  void unfollow();
  /// @param sim_s_per_wall_s simulated seconds per wall second; 0 = as fast as it goes.
  void set_speed(double sim_s_per_wall_s);
  /// Starts the scenario again from t=0 with `seed`, keeping the speed and
  /// the strategy chosen last.
  void restart(std::uint64_t seed);
  /// Replaces the scenario (the side panel's edits) and restarts.
  void load(const Scenario &scenario);
  /// Switches strategy live; an unknown name leaves the run as it was and
  /// says so in the next snapshot's message. A run a fault stopped cannot
  /// go on: the new strategy starts it again from t=0.
  void switch_strategy(const std::string &name);
  /// Pauses when the clock reaches `t` (a lesson's "run to 30 s"); a
  /// negative time clears it.
  void pause_at(Time t) noexcept { pause_at_ = t; }
  void submit_burst(std::uint32_t count);
  void crash_node(std::uint32_t node);
  void add_node();
  /// A migration to a new, empty memcached tier of `nodes` nodes (the tier
  /// in use becomes the old tier); the next snapshot says so, or why not
  /// (one is under way, the servers cache locally, too many nodes).
  void migrate_cache(std::uint32_t nodes);
  /// Retires a migration's old tier; the next snapshot says so, or that
  /// no migration is under way.
  void retire_old_cache();
  /// Adds an app server to the balancer's pool; the next snapshot says so,
  /// or why not.
  void add_server();
  /// Takes the newest app server in the pool out of it (it finishes what it
  /// holds); the next snapshot says so, or why not (the last one stays).
  void remove_server();

  /// Runs the simulation for this slice: at a set speed, up to where the
  /// pacing clock has reached after `wall_elapsed_s` more wall seconds; as
  /// fast as it goes, for `budget_s` wall seconds. Never longer than about
  /// `budget_s`: a model that cannot keep up falls behind the clock rather
  /// than stalling its thread.
  void advance(double wall_elapsed_s, double budget_s);

  /// @return the snapshot now, with the deltas gathered since the last one.
  Snapshot take_snapshot();
  /// @return whether anomalies wait for the next snapshot (a snapshot
  /// carries at most Snapshot::kMaxAnomalies of them).
  bool backlog() const noexcept;

  /// @return true when playing and not finished.
  bool running() const noexcept;
  /// @return the speed asked for (0 = as fast as it goes).
  double speed() const noexcept { return speed_; }
  /// @return true once the run is over (at its end, or stopped by a fault).
  bool finished() const noexcept;
  /// @return the sentence a fault stopped the run with ("the run stopped at
  /// 0.012000 s: student:twice: view() of request #0 (step 0) answered it
  /// twice"), or empty while none has.
  const std::string &fault() const noexcept { return fault_; }
  /// @return the simulated time shown.
  Time now() const noexcept { return clock_; }

  // Schedule mode.
  /// Enters schedule mode (or picks another schedule): the scenario's
  /// requests run in `order`, paused before the first step. A run that
  /// cannot be built leaves the mode as it was and says why in the next
  /// snapshot's message. @param order the requests' numbers in the order
  /// their steps run (ScheduleEntry::order). @param at steps to run at once.
  /// @param scenario if given, the schedule file's scenario, which becomes
  /// the run's (File > Open of a schedule file).
  void open_schedule(std::vector<std::uint64_t> order, std::size_t at = 0,
                     const std::optional<Scenario> &scenario = std::nullopt);
  /// Back one step: the schedule again from the start, to the step before
  /// the last one run (a few steps: cheap). At the start, says so.
  void back();
  /// @return whether a schedule is run (open_schedule), not a timed run.
  bool schedule_mode() const noexcept { return schedule_ != nullptr; }
  /// Steps per wall second Play takes at speed x1 (the speed multiplies it;
  /// as fast as it goes: a step per slice).
  static constexpr double kStepsPerSecond = 1.0;
  /// @return every activity in flight now, unsampled, in slot order (for tests).
  std::vector<InFlight> in_flight() const;
  /// @return the scenario being run (with the live strategy).
  const Scenario &scenario() const noexcept { return scenario_; }

  /// @param duration_s a run's length.
  /// @return the chart interval for it: about 240 points, a 1-2-5 step.
  static Time interval_for(double duration_s);

private:
  struct Schedule;
  // Schedule mode: runs the next step, telling it in message_. @return
  // false when none is left or the step failed (said in message_).
  bool schedule_step();
  // Says why `control` does nothing in schedule mode. @return whether it is on.
  bool refuse_in_schedule(const char *control);
  Snapshot take_schedule_snapshot();
  void fill_snapshot(Snapshot &s, Time end, std::uint64_t events, StackState stack, Report totals);
  void stop_broken(const std::exception &e);
  class Recorder;
  void rebuild();

  Scenario scenario_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Simulation> sim_;    // a timed run; null in schedule mode
  std::unique_ptr<Schedule> schedule_; // schedule mode's run and story
  std::uint64_t generation_ = 0;
  bool playing_ = false;
  double speed_ = 0;
  Time clock_ = 0;     // the pacing clock: simulated time shown
  Time pause_at_ = -1; // pause when the clock gets there; -1: never
  std::string message_;
  bool broken_ = false; // the run threw (a student's strategy or ring broke a rule): it is over
  std::string fault_;   // why, in a sentence, every snapshot until the next run
  std::uint64_t fault_request_ = kNoSerial; // the request a StudentFault names

  Time chunk_ = kSecond / 1000; // simulated time per run_until, adapted to ~1 ms of wall time

  // Achieved speed: simulated time over wall time while playing, measured
  // over windows of half a second (or to the end of a shorter run).
  std::chrono::steady_clock::time_point last_advance_{};
  double active_wall_s_ = 0;
  Time active_sim_ = 0;
  double realtime_factor_ = 0;
};

} // namespace stampede::gui
