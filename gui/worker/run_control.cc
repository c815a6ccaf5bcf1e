// RunControl: one Simulation driven in slices at the chosen speed, and the Snapshots
// the views draw from, filled after each slice.
#include "worker/run_control.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <deque>
#include <optional>
#include <stdexcept>

#include "stampede/explore.h"
#include "stampede/student_hashing.h"

namespace stampede::gui {

using Clock = std::chrono::steady_clock;

namespace {

// Where the old tier's nodes begin among cache calls' node indices (the
// tier's nodes, the gutter's, then the old tier's), or none.
std::int32_t old_tier_from(const Simulation &sim) {
  const StackState st = sim.state();
  return st.old_cache_items.empty() ? RequestFollower::kNoOldTier
                                    : static_cast<std::int32_t>(st.cache_items.size());
}

} // namespace

// Gathers the deltas a snapshot carries. What is in flight is a table indexed by worker slot, each
// entry the slot's latest activity (an activity lasts until its slot's next record): it grows to
// the number of slots once, then costs a copy per activity.
class RunControl::Recorder final : public Observer {
public:
  explicit Recorder(Time interval) : interval_(interval) { marked_.fill(-1); }

  // Every record also goes to the ring of recent ones and to the request
  // followed, if any (RunControl::follow).
  RecentRecords recent;
  std::optional<RequestFollower> follower;
  // The run recorded, so the followed request's cache calls can name an
  // old tier's node as such (old_tier_from: a state() copy, for its calls
  // alone).
  const Simulation *sim = nullptr;

  void on_call(const CallRecord &c) override {
    recent.on_call(c);
    if (follower)
      follower->on_call(c);
  }

  void on_activity(const ActivityRecord &a) override {
    recent.on_activity(a);
    if (follower) {
      if (sim != nullptr && a.serial == follower->serial() && a.activity == Activity::kCacheCall &&
          a.node >= 0)
        follower->set_old_tier_from(old_tier_from(*sim));
      follower->on_activity(a);
    }
    if (a.slot >= slots_.size())
      slots_.resize(a.slot + std::size_t{1});
    Entry &e = slots_[a.slot];
    if (a.activity == Activity::kDone) {
      if (e.busy)
        --busy_;
      e.busy = false;
      return;
    }
    // A query is counted once, as it reaches the database (queued or not).
    const bool dequeued = e.busy && e.item.activity == Activity::kDbQueued &&
                          e.item.serial == a.serial && a.activity == Activity::kDbRunning;
    if (a.activity == Activity::kDbQueued || (a.activity == Activity::kDbRunning && !dequeued))
      count_db(a.from);
    if (!e.busy)
      ++busy_;
    e.busy = true;
    InFlight &f = e.item;
    f.serial = a.serial;
    f.from = a.from;
    f.until = a.until;
    f.server = a.server;
    f.node = a.node;
    f.activity = a.activity;
    f.op = a.op;
    f.shade = shade_of(a);
  }

  void on_request(const RequestRecord &r) override {
    recent.on_request(r);
    if (follower)
      follower->on_request(r);
    // The requests behind anomalies travel with the snapshot, so a click on
    // an anomaly finds its request. A stale view says so itself; the others
    // are remembered by serial until they finish.
    bool wanted = r.stale;
    if (!pending_.empty()) {
      auto it = std::find(pending_.begin(), pending_.end(), r.serial);
      if (it != pending_.end()) {
        *it = pending_.back();
        pending_.pop_back();
        wanted = true;
      }
    }
    if (wanted && anomaly_requests_.size() < kMaxBacklog)
      anomaly_requests_.push_back(r);
  }
  void on_anomaly(const AnomalyRecord &a) override {
    recent.on_anomaly(a);
    if (follower)
      follower->on_anomaly(a, a.serial == follower->serial() ? recent.stampede_story(a)
                                                             : std::string());
    if (a.kind == AnomalyKind::kCasConflict) {
      // The model decides a cas's outcome as it issues it, and says so
      // before the call's activity record: that call is the conflict.
      conflict_serial_ = a.serial;
      conflict_at_ = a.at;
    }
    if (a.kind != AnomalyKind::kStaleRead && pending_.size() < kMaxPending &&
        std::find(pending_.begin(), pending_.end(), a.serial) == pending_.end())
      pending_.push_back(a.serial);
    const auto kind = static_cast<std::size_t>(a.kind);
    if (kind < marked_.size() && a.at / interval_ != marked_[kind]) {
      marked_[kind] = a.at / interval_;
      markers_.push_back(a);
    }
    if (anomalies_.size() < kMaxBacklog)
      anomalies_.push_back(a);
    else
      ++dropped_;
  }
  void on_interval(const IntervalRecord &i) override {
    intervals_.push_back(i);
    // The queries that reached the database in it (the box's measure).
    const Time index = i.start / interval_;
    std::uint64_t issued = 0;
    while (!issued_done_.empty() && issued_done_.front().first < index)
      issued_done_.pop_front();
    if (!issued_done_.empty() && issued_done_.front().first == index)
      issued = issued_done_.front().second;
    else if (issued_index_ == index)
      issued = issued_count_;
    interval_db_issued_.push_back(issued);
  }

  // Moves the deltas into `s`, oldest first, and what is in flight at `now`.
  // Anomalies and their requests go at most Snapshot::kMaxAnomalies a
  // snapshot; the rest wait for the next (backlog()), so a seek that ran
  // through hundreds of them lists every one.
  void take(Snapshot &s, Time now) {
    take_in_flight(s, now);
    s.db_queries_per_s = db_rate(now);
    s.intervals = std::move(intervals_);
    s.interval_db_issued = std::move(interval_db_issued_);
    interval_db_issued_.clear();
    s.db_issued_since = now / interval_ * interval_;
    s.db_issued_partial = issued_index_ == now / interval_ ? issued_count_ : 0;
    const auto batch = [](auto &from, auto &to) {
      const std::size_t n = std::min(from.size(), Snapshot::kMaxAnomalies);
      to.assign(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
      from.erase(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
    };
    batch(anomalies_, s.anomalies);
    batch(anomaly_requests_, s.anomaly_requests);
    s.anomalies_dropped = dropped_;
    s.markers = std::move(markers_);
    markers_.clear();
    intervals_.clear();
    dropped_ = 0;
  }
  // @return whether anomalies or their requests wait for the next snapshot.
  bool backlog() const noexcept { return !anomalies_.empty() || !anomaly_requests_.empty(); }

  // @return the slots' table, for tests through RunControl.
  std::vector<InFlight> all_in_flight() const {
    std::vector<InFlight> out;
    for (const Entry &e : slots_)
      if (e.busy)
        out.push_back(e.item);
    return out;
  }

private:
  struct Entry {
    InFlight item;
    bool busy = false;
  };
  static constexpr std::uint64_t kRateQueries = 64;

  Shade shade_of(const ActivityRecord &a) const {
    switch (a.activity) {
    case Activity::kCpu:
      return a.submit ? Shade::kSubmit : Shade::kView;
    case Activity::kWait: // a lease loser, holding its worker: drawn as a miss waiting
      return Shade::kMiss;
    case Activity::kCacheCall:
      if (a.op == Op::kCacheGet || a.op == Op::kCacheLeaseGet || a.op == Op::kCacheGetOld)
        return a.hit ? Shade::kHit : Shade::kMiss; // shown on the reply's way back
      if (a.op == Op::kCacheCas && a.serial == conflict_serial_ && a.from == conflict_at_)
        return Shade::kConflict;
      return Shade::kWrite;
    default:
      return a.op == Op::kDbInsert ? Shade::kInsert : Shade::kDbRead;
    }
  }

  void count_db(Time at) {
    db_issued_[db_issued_next_++ % kRateQueries] = at;
    const Time index = at / interval_;
    if (index != issued_index_) {
      issued_done_.emplace_back(issued_index_, issued_count_);
      if (issued_done_.size() > 64)
        issued_done_.pop_front();
      issued_index_ = index;
      issued_count_ = 0;
    }
    ++issued_count_;
  }

  // Queries issued per second over the shortest of 0.1, 0.2, 0.5 and 1 s
  // (kRateWindow) that holds at least 16 of them (so a quiet database reads
  // steadily and a stampede shows within 0.1 s), or over the last
  // kRateQueries when those came quicker still.
  double db_rate(Time now) const {
    const std::uint64_t kept = std::min<std::uint64_t>(db_issued_next_, kRateQueries);
    for (const Time w : {Snapshot::kRateWindow / 10, Snapshot::kRateWindow / 5,
                         Snapshot::kRateWindow / 2, Snapshot::kRateWindow}) {
      const Time since = now - w;
      std::uint64_t n = 0;
      Time oldest = now;
      for (std::uint64_t i = 0; i < kept; ++i)
        if (db_issued_[i] > since && db_issued_[i] <= now) {
          ++n;
          oldest = std::min(oldest, db_issued_[i]);
        }
      if (n == kRateQueries && now > oldest)
        return static_cast<double>(n) / ns_to_seconds(now - oldest);
      if (n >= 16 || w == Snapshot::kRateWindow) {
        const Time span = std::min(w, now);
        return span > 0 ? static_cast<double>(n) / ns_to_seconds(span) : 0;
      }
    }
    return 0;
  }

  // A stable sample: every k-th serial, k a power of two that changes only
  // when the count crosses twice or half the cap, so dots do not flicker.
  void take_in_flight(Snapshot &s, Time now) {
    while (busy_ > sample_ * Snapshot::kMaxInFlight)
      sample_ *= 2;
    while (sample_ > 1 && busy_ * 2 < (sample_ / 2) * Snapshot::kMaxInFlight)
      sample_ /= 2;
    s.sample = static_cast<std::uint32_t>(sample_);
    s.in_flight_all = busy_;
    s.in_flight.clear();
    s.in_flight.reserve(std::min<std::uint64_t>(busy_ / sample_ + 16, Snapshot::kMaxInFlight));
    for (const Entry &e : slots_)
      if (e.busy && e.item.serial % sample_ == 0 && s.in_flight.size() < Snapshot::kMaxInFlight)
        s.in_flight.push_back(parked(e.item, now));
    std::sort(s.in_flight.begin(), s.in_flight.end(), [](const InFlight &a, const InFlight &b) {
      return a.from != b.from ? a.from < b.from : a.serial < b.serial;
    });
  }

  // A request whose last activity ended before `now` and that began no
  // other still holds its worker: its strategy parked it (a coalesced view
  // waiting for the leader's page). It waits on its worker, as a lease
  // loser does, from the moment its call came back.
  static InFlight parked(InFlight f, Time now) {
    if (f.until < 0 || f.until >= now || f.activity == Activity::kDbQueued ||
        f.activity == Activity::kDone || f.activity == Activity::kWait)
      return f;
    f.activity = Activity::kWait;
    f.from = f.until;
    f.until = -1;
    f.op = Op::kWait;
    f.shade = Shade::kMiss;
    return f;
  }

  static constexpr std::size_t kMaxPending = 256; // serials awaiting their request's end
  // Anomalies (and requests) kept for the snapshots to come: as many as the
  // window lists (MainWindow::kMaxListed), the rest counted.
  static constexpr std::size_t kMaxBacklog = 5000;

  std::vector<IntervalRecord> intervals_;
  std::deque<AnomalyRecord> anomalies_;
  std::deque<RequestRecord> anomaly_requests_;
  std::vector<std::uint64_t> pending_;
  Time interval_;
  std::array<Time, 4> marked_{}; // per AnomalyKind: the interval last marked
  std::vector<AnomalyRecord> markers_;
  std::uint64_t dropped_ = 0;
  std::vector<Entry> slots_; // by worker slot
  std::uint64_t busy_ = 0;   // entries in flight
  std::uint64_t sample_ = 1;
  std::uint64_t conflict_serial_ = ~std::uint64_t{0};
  Time conflict_at_ = -1;
  std::array<Time, kRateQueries> db_issued_{}; // a ring of issue times
  // Queries per chart interval: the one being counted, and those counted
  // whose IntervalRecord has not come yet (index, count).
  Time issued_index_ = 0;
  std::uint64_t issued_count_ = 0;
  std::deque<std::pair<Time, std::uint64_t>> issued_done_;
  std::vector<std::uint64_t> interval_db_issued_; // parallel to intervals_
  std::uint64_t db_issued_next_ = 0;
};

// Schedule mode's run: explore's ScheduleRun (its observer is recorder_,
// which outlives it) and its story told so far.
struct RunControl::Schedule {
  std::vector<std::uint64_t> order;
  std::unique_ptr<ScheduleRun> run;
  std::vector<std::string> told;
  std::vector<std::uint64_t> requests;
  std::string end;
  std::string error;
  double owed = 0; // steps Play owes (wall time times speed), a fraction until 1
};

RunControl::RunControl(const Scenario &scenario) : scenario_(scenario) { rebuild(); }
RunControl::~RunControl() = default;

Time RunControl::interval_for(double duration_s) {
  // About 240 points across the run, on a 1-2-5 step so axis ticks read well.
  const double raw = std::max(duration_s / 240, 0.01);
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= raw * (1 - 1e-9))
      return seconds_to_ns(m * decade);
  return seconds_to_ns(10 * decade);
}

void RunControl::rebuild() {
  // Built before anything is replaced: an unknown strategy throws here and
  // leaves the run as it was.
  auto sim = std::make_unique<Simulation>(scenario_);
  recorder_ = std::make_unique<Recorder>(interval_for(scenario_.duration_s));
  sim_ = std::move(sim);
  recorder_->sim = sim_.get();
  sim_->set_observer(recorder_.get());
  sim_->set_interval(interval_for(scenario_.duration_s));
  clock_ = 0;
  broken_ = false;
  fault_.clear();
  fault_request_ = kNoSerial;
  pause_at_ = -1; // a pause point belongs to the run it was set in
  ++generation_;
  active_wall_s_ = 0;
  active_sim_ = 0;
  realtime_factor_ = 0;
  last_advance_ = {};
}

void RunControl::play() {
  playing_ = !finished();
  last_advance_ = {};
  if (schedule_)
    schedule_->owed = 1; // Play's first step comes at once
}
void RunControl::pause() { playing_ = false; }

void RunControl::step() {
  playing_ = false;
  if (schedule_) {
    schedule_step();
    return;
  }
  std::optional<RequestFollower> &f = recorder_->follower;
  const std::uint64_t mark = recorder_->recent.count();
  // Following a request, Step runs to that request's next event (bounded:
  // a request waiting in a long queue may take many events to move).
  const bool following = f && !f->done();
  const int budget = following ? kMaxStepEvents : 1;
  std::string said;
  bool more = true;
  if (broken_)
    return;
  try {
    for (int i = 0; i < budget && more && said.empty(); ++i) {
      more = sim_->step();
      if (following)
        said = f->take_step();
    }
  } catch (const std::exception &e) {
    stop_broken(e);
    return;
  }
  if (more)
    clock_ = std::max(clock_, sim_->now());
  else
    clock_ = sim_->end();
  if (said.empty())
    said = recorder_->recent.describe_since(mark, old_tier_from(*sim_));
  char at[48];
  std::snprintf(at, sizeof at, "%.6f s", ns_to_seconds(sim_->now()));
  message_ = said.empty() ? (more ? std::string("Step: an event at ") + at + " (no request)"
                                  : std::string("Step: the run has ended"))
                          : "Step: " + said;
}

void RunControl::follow(std::uint64_t serial) {
  playing_ = false;
  recorder_->follower.emplace(serial);
  // Records kept from before a migration began or ended name their nodes
  // as the tiers stand now: the ring keeps no tier sizes.
  recorder_->follower->set_old_tier_from(sim_ ? old_tier_from(*sim_) : RequestFollower::kNoOldTier);
  recorder_->recent.replay(*recorder_->follower);
  recorder_->follower->take_step(); // what is already known is the timeline, not news
}

void RunControl::unfollow() { recorder_->follower.reset(); }

void RunControl::set_speed(double sim_s_per_wall_s) { speed_ = std::max(0.0, sim_s_per_wall_s); }

void RunControl::restart(std::uint64_t seed) {
  const std::uint64_t previous = scenario_.seed;
  scenario_.seed = seed;
  if (schedule_) {
    open_schedule(schedule_->order, 0);
    return;
  }
  try {
    rebuild(); // a student's strategy starts its host here, which can fail
  } catch (const std::exception &e) {
    scenario_.seed = previous;
    message_ = std::string("not restarted: ") + e.what();
  }
}

void RunControl::load(const Scenario &scenario) {
  if (refuse_in_schedule("Apply"))
    return;
  const Scenario previous = scenario_;
  scenario_ = scenario;
  try {
    rebuild();
  } catch (const std::exception &e) {
    scenario_ = previous;
    message_ = std::string("scenario not applied: ") + e.what();
  }
}

void RunControl::switch_strategy(const std::string &name) {
  if (refuse_in_schedule("Strategy"))
    return;
  const StrategyConfig config = with_strategy(scenario_.strategy, name);
  if (broken_) {
    // The fault left the run in the middle of a callback: nothing can
    // continue it, so the new strategy runs the scenario from the start.
    const StrategyConfig previous = scenario_.strategy;
    scenario_.strategy = config;
    try {
      rebuild();
      message_ = "strategy: " + strategy_label(scenario_.strategy) +
                 ": the run a fault stopped starts again at t = 0";
    } catch (const std::exception &e) {
      scenario_.strategy = previous;
      message_ = e.what();
    }
    return;
  }
  try {
    sim_->switch_strategy(config);
    scenario_.strategy = config;
    message_ = "strategy: " + strategy_label(scenario_.strategy);
  } catch (const std::exception &e) {
    message_ = e.what();
  }
}

void RunControl::submit_burst(std::uint32_t count) {
  if (!refuse_in_schedule("Submit burst"))
    sim_->submit_burst(count);
}
void RunControl::crash_node(std::uint32_t node) {
  if (!refuse_in_schedule("Crash node"))
    sim_->crash_node(node);
}
void RunControl::add_node() {
  if (!refuse_in_schedule("Add node"))
    sim_->add_node();
}

void RunControl::migrate_cache(std::uint32_t nodes) {
  if (refuse_in_schedule("Migrate"))
    return;
  const StackState before = sim_->state();
  bool done = false;
  try {
    done = sim_->migrate_cache(nodes); // a student's ring may refuse the new tier
  } catch (const std::exception &e) {
    message_ = std::string("Migrate: not migrated: ") + e.what();
    return;
  }
  const auto count = [](std::size_t n) {
    return std::to_string(n) + (n == 1 ? " memcached node" : " memcached nodes");
  };
  if (done)
    message_ = "a new, empty tier of " + count(nodes) + " took over; the old tier (" +
               count(before.cache_items.size() - before.gutter_nodes) + ") " +
               (scenario_.cache.fallback ? "is read on a miss (cache.fallback)"
                                         : "gets deletes but no gets (cache.fallback is off)") +
               " until Retire old tier";
  else if (!before.old_cache_items.empty())
    message_ = "Migrate: a migration is already under way; Retire old tier ends it";
  else if (scenario_.app.local_cache)
    message_ = "Migrate: the app servers cache locally, there is no memcached tier to migrate";
  else
    message_ = "Migrate: a tier has 1 to " + std::to_string(kMaxCacheNodes) + " nodes";
}

void RunControl::retire_old_cache() {
  if (refuse_in_schedule("Retire old tier"))
    return;
  const std::size_t old = sim_->state().old_cache_items.size();
  if (sim_->retire_old_cache())
    message_ = "the old tier's " + std::to_string(old) +
               (old == 1 ? " memcached node is" : " memcached nodes are") +
               " retired: the new tier serves alone";
  else
    message_ = "Retire old tier: no migration is under way";
}

void RunControl::add_server() {
  if (refuse_in_schedule("Add app server"))
    return;
  if (sim_->add_server())
    message_ = "app server " + std::to_string(sim_->state().busy_workers.size() - 1) +
               " joined the balancer's pool";
  else
    message_ = "Add app server: the stack has its most app servers";
}

void RunControl::remove_server() {
  if (refuse_in_schedule("Remove app server"))
    return;
  const std::vector<bool> pool = sim_->state().app_in_pool;
  for (std::size_t i = pool.size(); i-- > 0;) {
    if (pool[i] && sim_->remove_server(static_cast<std::uint32_t>(i))) {
      message_ = "app server " + std::to_string(i) +
                 " left the balancer's pool: it finishes what it holds, nothing is lost";
      return;
    }
  }
  message_ = "Remove app server: the last app server in the pool stays";
}

bool RunControl::finished() const noexcept {
  if (schedule_)
    return !schedule_->error.empty() || schedule_->run->done() == schedule_->run->size();
  return broken_ || clock_ >= sim_->end();
}

void RunControl::open_schedule(std::vector<std::uint64_t> order, std::size_t at,
                               const std::optional<Scenario> &scenario) {
  const std::uint64_t followed = recorder_->follower ? recorder_->follower->serial() : kNoSerial;
  const Scenario &explored = scenario ? *scenario : scenario_;
  // A fresh recorder: the views start again from the schedule's start (a
  // new generation), and what was in flight is forgotten.
  auto recorder = std::make_unique<Recorder>(interval_for(explored.duration_s));
  auto next = std::make_unique<Schedule>();
  next->order = std::move(order);
  try {
    next->run = std::make_unique<ScheduleRun>(explored, StrategyRegistry::global(), next->order,
                                              recorder.get());
  } catch (const std::exception &e) {
    message_ = std::string("schedule not opened: ") + e.what();
    return;
  }
  if (scenario)
    scenario_ = *scenario;
  // The old run first: it holds a pointer to the old recorder.
  schedule_ = std::move(next);
  recorder_ = std::move(recorder);
  sim_.reset();
  clock_ = schedule_->run->now();
  playing_ = false;
  broken_ = false;
  fault_.clear();
  fault_request_ = kNoSerial;
  pause_at_ = -1;
  ++generation_;
  realtime_factor_ = 0;
  message_ = "Step 0 of " + std::to_string(schedule_->run->size()) +
             ": the start, nothing has run (Step runs the first step)";
  for (std::size_t k = 0; k < at && schedule_step(); ++k) {
  }
  if (followed != kNoSerial)
    follow(followed);
}

void RunControl::back() {
  if (!schedule_) {
    message_ = "Back: only a schedule steps back (stampede-gui --schedule FILE)";
    return;
  }
  const std::size_t done = schedule_->run->done();
  if (done == 0) {
    message_ =
        "Back: already at the start (step 0 of " + std::to_string(schedule_->run->size()) + ")";
    return;
  }
  // A failed step did not run: back from it is the step before it too.
  open_schedule(schedule_->order, done - 1);
}

bool RunControl::schedule_step() {
  Schedule &s = *schedule_;
  const std::string of = " of " + std::to_string(s.run->size());
  if (!s.error.empty()) {
    message_ = "Step: " + s.error;
    return false;
  }
  if (s.run->done() == s.run->size()) {
    message_ = "Step: the schedule has ended (step " + std::to_string(s.run->done()) + of +
               "); Back or Restart goes back";
    return false;
  }
  ScheduleStep step;
  try {
    s.run->step(&step);
  } catch (const std::exception &e) {
    // A file's order naming a request that has no step there (the file was
    // edited, or another strategy): the schedule stops at that step.
    s.error = "step " + std::to_string(s.run->done() + 1) + of + ": " + e.what();
    message_ = "Step " + std::to_string(s.run->done() + 1) + of + ": cannot run: " + e.what();
    playing_ = false;
    return false;
  }
  s.told.push_back(step.text());
  s.requests.push_back(step.request);
  message_ = "Step " + std::to_string(s.run->done()) + of + ": " + s.told.back();
  if (s.run->done() == s.run->size())
    if (const std::optional<ScheduleStep> end = s.run->end()) {
      s.end = end->text();
      message_ += "; then " + s.end;
    }
  clock_ = s.run->now();
  if (recorder_->follower)
    recorder_->follower->take_step(); // the story says what happened
  return true;
}

bool RunControl::refuse_in_schedule(const char *control) {
  if (!schedule_)
    return false;
  message_ = std::string(control) +
             ": off while a schedule is stepped through: it was explored on its file's scenario "
             "and strategy (" +
             strategy_label(scenario_.strategy) + ")";
  return true;
}

void RunControl::stop_broken(const std::exception &e) {
  // A student's code that breaks a rule (a request answered twice, a ring
  // naming a node that is not up) ends the run with its sentence, kept in
  // every snapshot until the next run; the window stays up and Restart,
  // another strategy or another scenario starts afresh. Anything else that
  // throws is our bug, and says so as `stampede` does (exit 3).
  broken_ = true;
  playing_ = false;
  // When it was noticed: a request left unanswered is noticed as the run ends.
  const Time when = sim_->finished() ? sim_->end() : sim_->now();
  clock_ = std::clamp(when, clock_, sim_->end()); // the window shows where it stopped
  char at[48];
  std::snprintf(at, sizeof at, "%.6f s", ns_to_seconds(when));
  const bool students = dynamic_cast<const StudentCodeError *>(&e) != nullptr;
  fault_ = std::string("the run stopped at ") + at + ": " + (students ? "" : "internal error: ") +
           e.what();
  // A fault in one request: the Request tab follows it, from the records
  // kept of it (RecentRecords keeps the run's first ones for good), to the
  // point where it broke.
  const auto *f = dynamic_cast<const StudentFault *>(&e);
  if (f != nullptr && f->named()) {
    fault_request_ = f->request();
    follow(fault_request_);
    recorder_->follower->on_fault(when, e.what());
    recorder_->follower->take_step();
  }
}
bool RunControl::running() const noexcept { return playing_ && !finished(); }

void RunControl::advance(double wall_elapsed_s, double budget_s) {
  const Clock::time_point start = Clock::now();
  if (!running()) {
    last_advance_ = {};
    return;
  }
  if (schedule_) {
    // A step per wall second at x1, the speed times that; as fast as it
    // goes, a step per slice.
    Schedule &sc = *schedule_;
    sc.owed = speed_ > 0 ? std::min(sc.owed + wall_elapsed_s * speed_ * kStepsPerSecond, 2.0) : 1;
    if (sc.owed < 1)
      return;
    sc.owed -= 1;
    schedule_step();
    if (finished())
      playing_ = false;
    return;
  }
  // The achieved speed counts the wall time between slices too (drawing is
  // part of what the run has to keep up with): from the end of the last
  // slice, or from this one's start after a pause.
  const Clock::time_point since = last_advance_ == Clock::time_point{} ? start : last_advance_;

  const Time end = sim_->end();
  Time target =
      speed_ > 0 ? std::min(end, clock_ + static_cast<Time>(wall_elapsed_s * speed_ * 1e9)) : end;
  if (pause_at_ >= clock_)
    target = std::min(target, pause_at_);
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget_s));
  const Time from = clock_;
  // Run in chunks of simulated time sized to about a millisecond of wall
  // time each, so the budget is checked often whatever the model's speed.
  while (clock_ < target) {
    const Time next = std::min(target, clock_ + chunk_);
    const Clock::time_point t0 = Clock::now();
    try {
      sim_->run_until(next);
    } catch (const std::exception &e) {
      stop_broken(e);
      break;
    }
    clock_ = next;
    const Clock::time_point t1 = Clock::now();
    const auto took = t1 - t0;
    if (took < std::chrono::microseconds(500) && chunk_ < kSecond * 1000)
      chunk_ *= 2;
    else if (took > std::chrono::milliseconds(2) && chunk_ > 1000)
      chunk_ /= 2;
    if (t1 >= deadline)
      break;
  }
  if (sim_->finished() && speed_ == 0 && pause_at_ < clock_)
    clock_ = end; // nothing is left to happen
  if (clock_ == pause_at_) {
    playing_ = false;
    pause_at_ = -1;
  }
  if (finished())
    playing_ = false;

  last_advance_ = Clock::now();
  active_wall_s_ += std::chrono::duration<double>(last_advance_ - since).count();
  active_sim_ += clock_ - from;
  if (active_wall_s_ >= 0.5 || (!running() && active_wall_s_ > 0)) {
    realtime_factor_ = ns_to_seconds(active_sim_) / active_wall_s_;
    active_wall_s_ = 0;
    active_sim_ = 0;
  }
  if (!running())
    last_advance_ = {};
}

std::vector<InFlight> RunControl::in_flight() const { return recorder_->all_in_flight(); }

bool RunControl::backlog() const noexcept { return recorder_->backlog(); }

// What every snapshot holds: the clock, the controls' state, the stack and
// the totals, the in-flight activities and the followed request.
void RunControl::fill_snapshot(Snapshot &s, Time end, std::uint64_t events, StackState stack,
                               Report totals) {
  s.generation = generation_;
  s.now = clock_;
  s.end = end;
  s.interval = interval_for(scenario_.duration_s);
  s.running = running();
  s.finished = finished();
  s.speed = speed_;
  s.realtime_factor = realtime_factor_;
  s.events = events;
  s.stack = std::move(stack);
  s.workers = scenario_.app.workers;
  s.edge = scenario_.edge.enabled;
  s.edge_ttl_s = scenario_.edge.ttl_s;
  s.db_connections = scenario_.db.connections;
  s.local_cache = scenario_.app.local_cache;
  s.totals = std::move(totals);
  recorder_->take(s, clock_);
  if (const std::optional<RequestFollower> &f = recorder_->follower) {
    s.followed = f->serial();
    s.timeline = f->entries();
    s.timeline_begins_late = f->begins_late();
    s.timeline_done = f->done();
  }
}

Snapshot RunControl::take_snapshot() {
  if (schedule_)
    return take_schedule_snapshot();
  Snapshot s;
  fill_snapshot(s, sim_->end(), sim_->events(), sim_->state(), sim_->report());
  s.fault = fault_;
  s.fault_request = fault_request_;
  s.message = std::move(message_);
  message_.clear();
  return s;
}

} // namespace stampede::gui

namespace stampede::gui {

Snapshot RunControl::take_schedule_snapshot() {
  const Schedule &sc = *schedule_;
  Snapshot s;
  fill_snapshot(s, clock_, sc.run->done(), sc.run->state(), sc.run->report());
  s.schedule.active = true;
  s.schedule.done = sc.run->done();
  s.schedule.size = sc.run->size();
  s.schedule.told = sc.told;
  s.schedule.requests = sc.requests;
  s.schedule.end = sc.end;
  s.schedule.error = sc.error;
  s.message = std::move(message_);
  message_.clear();
  return s;
}

} // namespace stampede::gui
