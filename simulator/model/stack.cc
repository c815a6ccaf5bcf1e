// The stack as a whole: building it from a scenario, servers and nodes
// joining and leaving, scripted events, strategy switches, intervals, the
// report and the live state; and the public Simulation around it. The
// per-request path (arrivals, cache and database calls, answers) is in
// simulation.cc.
#include "stampede/simulation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "model/core.h"
#include "model/popularity.h"

namespace stampede {

using internal::cache_key;

namespace {

std::uint64_t total_slots(const Scenario &s) {
  return std::uint64_t{s.app.servers} * s.app.workers;
}

} // namespace

SimulationCore::SimulationCore(const Scenario &scenario, const StrategyRegistry &registry)
    : scenario_(scenario), end_(seconds_to_ns(scenario.duration_s)), registry_(registry),
      queue_(std::max<std::size_t>(1024, total_slots(scenario) + 64)),
      arrival_rng_(Rng::stream(scenario.seed, "arrivals")),
      mix_rng_(Rng::stream(scenario.seed, "mix")), key_rng_(Rng::stream(scenario.seed, "keys")),
      think_rng_(Rng::stream(scenario.seed, "think")),
      cache_rng_(Rng::stream(scenario.seed, "cache")),
      strategy_rng_(Rng::stream(scenario.seed, "strategy")), app_(scenario_, scenario.edge.enabled),
      balancer_(scenario.balancer, Rng::stream(scenario.seed, "balancer")),
      cache_(scenario.cache, scenario.workload.keys), key_names_(scenario.workload.keys),
      edge_(scenario.edge, scenario.workload.keys, Rng::stream(scenario.seed, "edge")),
      num_keys_(scenario.workload.keys), measure_(scenario.workload.keys, scenario.app.local_cache),
      db_(scenario.db, Rng::stream(scenario.seed, "db")) {
  // Events name slots and scripted events by a 24-bit index (event_queue.h);
  // the scenario parser keeps files far inside that bound.
  if (total_slots(scenario) > Event::kMaxTarget + std::uint64_t{1} ||
      scenario.events.size() > Event::kMaxTarget)
    throw std::invalid_argument("scenario too large: more request slots or scripted events "
                                "than an event can address");
  const StrategyConfig config = normalize_strategy(scenario.strategy);
  strategies_.emplace_back(config, registry.make(config));

  zipf_cdf_ = internal::zipf_cdf(scenario.workload.keys, scenario.workload.zipf_alpha);

  slots_.reserve(total_slots(scenario));
  for (std::uint32_t s = 0; s < scenario.app.servers; ++s)
    new_server();

  if (scenario.strategy.warm)
    warm();

  // First arrivals, scripted events, the first interval's end.
  if (scenario.workload.kind == WorkloadKind::kClosed) {
    for (std::uint32_t u = 0; u < scenario.workload.users; ++u)
      queue_.push(scenario.workload.think_time.sample(think_rng_), kArrival, kClosedUser);
  } else if (scenario.workload.rate > 0) {
    interarrival_ = Distribution::exponential(1.0 / scenario.workload.rate);
    queue_.push(interarrival_.sample(arrival_rng_), kArrival, kOpenStream);
  }
  for (std::uint32_t i = 0; i < scenario.events.size(); ++i)
    queue_.push(scenario.events[i].at, kScripted, i);
  queue_.push(interval_length_, kIntervalEnd, 0);
  interval_record_.start = 0;
  interval_record_.end = interval_length_;
}

void SimulationCore::new_server() {
  const std::uint32_t workers = scenario_.app.workers;
  const auto first = static_cast<std::uint32_t>(slots_.size());
  const std::uint32_t s = app_.add_server(first);
  slots_.resize(slots_.size() + workers);
  for (std::uint32_t w = 0; w < workers; ++w) {
    slots_[first + w].req.id = first + w;
    slots_[first + w].server = s;
  }
  balancer_.join(s);
  db_.reserve(slots_.size()); // at most one statement waits per slot
}

bool SimulationCore::add_server() {
  // Within what an event can address, and what a scenario file may ask for.
  if (static_cast<std::uint64_t>(app_.size() + 1) * scenario_.app.workers >
          Event::kMaxTarget + std::uint64_t{1} ||
      app_.size() >= kMaxAppServers)
    return false;
  new_server();
  return true;
}

bool SimulationCore::remove_server(std::uint32_t server) {
  // The balancer sends it nothing more; what it holds (requests at work and
  // waiting) finishes there. App servers keep no state: nothing is lost.
  return balancer_.leave(server);
}

void SimulationCore::warm() {
  // Warm-up fills every key's page before the first request; it is not
  // counted in the report (SPEC section 3).
  if (!strategies_[0].second->uses_cache())
    return;
  const StrategyConfig &options = strategies_[0].first;
  char kbuf[24], vbuf[kEncodedPageBytes];
  for (std::uint32_t k = 0; k < num_keys_; ++k) {
    const std::string_view key = cache_key(k, kbuf);
    const std::string_view value = Page::newest(measure_.log().committed(k)).encode(vbuf);
    const std::int64_t ttl = strategies_[0].second->cache_ttl_s(options);
    if (scenario_.app.local_cache) {
      for (std::uint32_t s = 0; s < app_.size(); ++s)
        app_.local(s)->store(StoreMode::kSet, key, 0, ttl, value, 0, now_s(), nullptr,
                             scenario_.cache.item_bytes);
    } else if (MemcachedNode *node = cache_.tier().home(k)) {
      node->store(StoreMode::kSet, key, 0, ttl, value, 0, now_s(), nullptr,
                  scenario_.cache.item_bytes);
    }
  }
}

// ------------------------------------------------------- scripted and live

void SimulationCore::on_scripted(std::uint32_t index) {
  const ScriptedEvent &e = scenario_.events[index];
  switch (e.kind) {
  case ScriptedEvent::Kind::kCrashNode:
    node_failed(e.value);
    break;
  case ScriptedEvent::Kind::kAddNode:
    add_node();
    break;
  case ScriptedEvent::Kind::kSubmitBurst:
    push_burst(e.value, true);
    break;
  case ScriptedEvent::Kind::kViewBurst:
    push_burst(e.value, false);
    break;
  case ScriptedEvent::Kind::kAddAppServer:
    add_server(); // within the parser's bounds
    break;
  case ScriptedEvent::Kind::kRemoveAppServer:
    remove_server(e.value); // in the pool: the parser checked
    break;
  case ScriptedEvent::Kind::kMigrateCache:
    migrate_cache(e.value); // none under way, no local caches: the parser checked
    break;
  case ScriptedEvent::Kind::kRetireOldCache:
    retire_old_cache();
    break;
  }
}

void SimulationCore::submit_burst(std::uint32_t count) { push_burst(count, true); }

void SimulationCore::crash_node(std::uint32_t node) { node_failed(node); }

// A node fails: the clients know at once, or (with failures modelled) its
// calls time out until they notice, cache.timeout_s later.
void SimulationCore::node_failed(std::uint32_t node) {
  if (cache_.fail(node, now_, now_s()))
    queue_.push(now_ + cache_.timeout(), kNodeNoticed, node);
}

bool SimulationCore::add_node() { return cache_.add_node(); }

void SimulationCore::switch_strategy(const StrategyConfig &config) {
  const StrategyConfig normal = normalize_strategy(config);
  auto strategy = registry_.make(normal);
  if (strategies_.size() >= 0xffff)
    throw std::length_error("too many strategy switches");
  strategies_.emplace_back(normal, std::move(strategy));
  current_strategy_ = static_cast<std::uint16_t>(strategies_.size() - 1);
}

void SimulationCore::on_interval_end() {
  if (now_ != interval_record_.end)
    return; // superseded by set_interval
  close_interval(now_);
  queue_.push(interval_record_.end, kIntervalEnd, 0);
}

void SimulationCore::set_interval(Time length) {
  interval_length_ = length;
  interval_record_.end = std::max(interval_record_.start + length, now_);
  queue_.push(interval_record_.end, kIntervalEnd, 0);
}

void SimulationCore::close_interval(Time end) {
  db_.settle(end);
  interval_record_.end = end;
  measure_.close_interval(interval_record_); // the counts: their growth over the interval
  interval_record_.db_queue = static_cast<std::uint32_t>(db_.queued());
  interval_record_.db_utilization =
      (db_.busy_area() - interval_busy_area_start_) /
      (static_cast<double>(interval_length_) * scenario_.db.connections);
  interval_record_.app_backlog = app_.waiting();
  const std::uint64_t evictions = cache_.evictions();
  interval_record_.evictions = evictions - interval_evictions_start_;
  if (observer_)
    observer_->on_interval(interval_record_);
  interval_record_ = IntervalRecord{};
  interval_record_.start = end;
  interval_record_.end = end + interval_length_;
  interval_record_.db_queue_max = static_cast<std::uint32_t>(db_.queued());
  interval_busy_area_start_ = db_.busy_area();
  interval_evictions_start_ = evictions;
}

void SimulationCore::finish_if_over() {
  // The last, possibly partial, interval ends with the run.
  if (!final_interval_done_ && finished()) {
    final_interval_done_ = true;
    if (interval_record_.start < end_)
      close_interval(end_);
    // A student's strategy says here if it left requests never answered.
    for (auto &[options, strategy] : strategies_) {
      try {
        strategy->run_ended(end_);
      } catch (StudentFault &f) {
        name_request(f);
        throw;
      }
    }
  }
}

// ------------------------------------------------------------------ report

std::uint64_t SimulationCore::evictions() const noexcept {
  return cache_.evictions() + app_.local_evictions();
}

void SimulationCore::end_warmup() {
  // The DB's busy time up to the warm-up's end, then from it.
  db_.settle(std::max(now_, warmup_end_));
  measure_.end_warmup(db_.queued(), gauges());
}

internal::StackGauges SimulationCore::gauges() const noexcept {
  // Over the time simulated so far (the run's whole length at the end),
  // from the warm-up's end.
  internal::StackGauges g;
  g.elapsed = (finished() ? end_ : now_) - warmup_end_;
  g.db_busy_area = db_.busy_area();
  g.db_busy_open = static_cast<double>(db_.busy()) *
                   static_cast<double>(g.elapsed + warmup_end_ - db_.busy_since());
  g.db_connections = scenario_.db.connections;
  g.evictions = evictions();
  return g;
}

Report SimulationCore::report() const {
  Report r = measure_.report(gauges());
  r.scenario = scenario_.name;
  r.strategy = strategy_label(strategies_[current_strategy_].first);
  r.seed = scenario_.seed;
  r.duration_s = scenario_.duration_s;
  r.events = events_;
  r.wall_s = wall_s_;
  r.events_per_s = wall_s_ > 0 ? static_cast<double>(events_) / wall_s_ : 0;
  return r;
}

StackState SimulationCore::state() const {
  StackState st;
  st.now = now_;
  for (std::uint32_t s = 0; s < app_.size(); ++s) {
    st.busy_workers.push_back(app_.busy(s));
    st.app_queue.push_back(app_.backlog(s));
    st.app_in_pool.push_back(false);
  }
  for (const std::uint32_t i : balancer_.pool())
    st.app_in_pool[i] = true;
  const internal::CacheTier &tier = cache_.tier();
  for (std::uint32_t i = 0; i < tier.size(); ++i) {
    st.cache_up.push_back(tier.up(i) && !cache_.failed(i));
    st.cache_items.push_back(st.cache_up.back() ? tier.node(i).stats().curr_items : 0);
  }
  for (const auto &g : cache_.gutter()) {
    st.cache_up.push_back(true);
    st.cache_items.push_back(g->stats().curr_items);
  }
  st.gutter_nodes = static_cast<std::uint32_t>(cache_.gutter().size());
  if (const internal::CacheTier *old = cache_.old_tier())
    for (std::uint32_t i = 0; i < old->size(); ++i)
      st.old_cache_items.push_back(old->up(i) ? old->node(i).stats().curr_items : 0);
  st.db_busy = db_.busy();
  st.db_queue = static_cast<std::uint32_t>(db_.queued());
  if (explore_) { // no pool in explore mode: the queries started and waiting for their step
    st.db_busy = st.db_queue = 0;
    for (const PendingStep &p : pending_) {
      st.db_busy += p.kind == StepKind::kDbReturn || p.kind == StepKind::kDbCommit ? 1 : 0;
      st.db_queue += p.kind == StepKind::kDbStart ? 1 : 0;
    }
  }
  st.strategy = strategy_label(strategies_[current_strategy_].first);
  return st;
}

// -------------------------------------------------------------- Simulation

const char *anomaly_label(AnomalyKind kind) noexcept {
  switch (kind) {
  case AnomalyKind::kStaleRead:
    return "stale read";
  case AnomalyKind::kStampede:
    return "stampede";
  case AnomalyKind::kCasConflict:
    return "CAS conflict";
  case AnomalyKind::kLostUpdate:
    return "lost update";
  case AnomalyKind::kLeaseRefused:
    return "refused lease fill";
  }
  return "anomaly";
}

Simulation::Simulation(const Scenario &scenario, const StrategyRegistry &registry)
    : core_(std::make_unique<SimulationCore>(scenario, registry)) {}
Simulation::~Simulation() = default;

namespace {
// Adds the wall-clock time from its making to its end to a run's engine.wall_s.
class WallClock {
public:
  explicit WallClock(SimulationCore &core) : core_(core), t0_(std::chrono::steady_clock::now()) {}
  ~WallClock() {
    core_.add_wall_time(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
  }

private:
  SimulationCore &core_;
  std::chrono::steady_clock::time_point t0_;
};
} // namespace

bool Simulation::step() {
  WallClock clock(*core_);
  if (warmup_pending_ && !core_->has_event_before(warmup_)) {
    warmup_pending_ = false;
    core_->end_warmup();
  }
  return core_->step();
}
void Simulation::run_until(Time t) {
  WallClock clock(*core_);
  if (warmup_pending_ && t > warmup_) {
    core_->run_until(warmup_);
    warmup_pending_ = false;
    core_->end_warmup();
  }
  core_->run_until(t);
}
void Simulation::set_warmup(Time length) {
  if (length < 0 || length >= core_->end())
    throw std::invalid_argument("the warm-up must be at least 0 and shorter than the run");
  if (core_->now() > 0 || core_->events() > 0)
    throw std::logic_error("the warm-up is set before the run starts");
  warmup_ = length;
  warmup_pending_ = length > 0;
  core_->set_warmup_end(length);
}
void Simulation::run() { run_until(core_->end()); }
bool Simulation::finished() const noexcept { return core_->finished(); }
Time Simulation::now() const noexcept { return core_->now(); }
Time Simulation::end() const noexcept { return core_->end(); }
std::uint64_t Simulation::events() const noexcept { return core_->events(); }
Report Simulation::report() const { return core_->report(); }
StackState Simulation::state() const { return core_->state(); }
void Simulation::set_observer(Observer *observer) noexcept { core_->set_observer(observer); }
void Simulation::set_interval(Time length) {
  if (length <= 0)
    throw std::invalid_argument("interval must be positive");
  core_->set_interval(length);
}
void Simulation::switch_strategy(const StrategyConfig &config) { core_->switch_strategy(config); }
void Simulation::submit_burst(std::uint32_t count) { core_->submit_burst(count); }
void Simulation::crash_node(std::uint32_t node) { core_->crash_node(node); }
bool Simulation::add_node() { return core_->add_node(); }
bool Simulation::migrate_cache(std::uint32_t nodes) { return core_->migrate_cache(nodes); }
bool Simulation::retire_old_cache() { return core_->retire_old_cache(); }
bool Simulation::add_server() { return core_->add_server(); }
bool Simulation::remove_server(std::uint32_t server) { return core_->remove_server(server); }
const Scenario &Simulation::scenario() const noexcept { return core_->scenario(); }
std::optional<Time> Simulation::overloaded_at() const noexcept { return core_->overloaded_at(); }

} // namespace stampede
