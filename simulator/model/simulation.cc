#include "stampede/simulation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "engine/event_loop.h"
#include "model/core.h"

namespace stampede {

using internal::cache_key;

namespace {

std::uint64_t total_slots(const Scenario &s) {
  return std::uint64_t{s.app.servers} * s.app.workers;
}

} // namespace

SimulationCore::SimulationCore(const Scenario &scenario, const StrategyRegistry &registry)
    : scenario_(scenario), end_(seconds_to_ns(scenario.duration_s)),
      queue_(std::max<std::size_t>(1024, total_slots(scenario) + 64)),
      arrival_rng_(Rng::stream(scenario.seed, "arrivals")),
      mix_rng_(Rng::stream(scenario.seed, "mix")), key_rng_(Rng::stream(scenario.seed, "keys")),
      lb_rng_(Rng::stream(scenario.seed, "balancer")),
      think_rng_(Rng::stream(scenario.seed, "think")),
      cache_rng_(Rng::stream(scenario.seed, "cache")), db_rng_(Rng::stream(scenario.seed, "db")),
      strategy_rng_(Rng::stream(scenario.seed, "strategy")),
      edge_rng_(Rng::stream(scenario.seed, "edge")),
      backlog_limit_(scenario.app.backlog > 0 ? scenario.app.backlog
                                              : std::numeric_limits<std::uint64_t>::max()),
      tier_(scenario.cache, scenario.workload.keys), num_keys_(scenario.workload.keys),
      log_(scenario.workload.keys), stampede_(scenario.workload.keys),
      lost_(scenario.workload.keys, scenario.app.local_cache) {
  // Events name slots and scripted events by a 24-bit index (event_queue.h);
  // the scenario parser keeps files far inside that bound.
  if (total_slots(scenario) > Event::kMaxTarget + std::uint64_t{1} ||
      scenario.events.size() > Event::kMaxTarget)
    throw std::invalid_argument("scenario too large: more request slots or scripted events "
                                "than an event can address");
  const StrategyConfig config = normalize_strategy(scenario.strategy);
  strategies_.emplace_back(config, registry.make(config));

  if (scenario.workload.keys > 1) {
    // Zipf popularity: P(rank k) proportional to 1 / k^alpha, as a CDF table.
    zipf_cdf_.resize(scenario.workload.keys);
    double total = 0;
    for (std::uint32_t k = 0; k < scenario.workload.keys; ++k) {
      total += 1.0 / portable_pow(static_cast<double>(k + 1), scenario.workload.zipf_alpha);
      zipf_cdf_[k] = total;
    }
    for (double &c : zipf_cdf_)
      c /= total;
    zipf_cdf_.back() = 1.0;
  }

  if (scenario.edge.enabled) {
    // Cold: the front cache stores a page the first time an app server answers one.
    edge_on_ = true;
    edge_.resize(scenario.workload.keys);
    edge_ttl_ = seconds_to_ns(scenario.edge.ttl_s);
  }

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
  queue_.push(interval_, kIntervalEnd, 0);
  iv_.start = 0;
  iv_.end = interval_;
}

void SimulationCore::new_server() {
  const std::uint32_t workers = scenario_.app.workers;
  const auto s = static_cast<std::uint32_t>(servers_.size());
  Server &server = servers_.emplace_back();
  // Its own stream: a server added live draws what it would have drawn had
  // it been there from the start, and adding one changes no other stream.
  server.cpu_rng = Rng::stream(scenario_.seed, "app", s);
  const auto first = static_cast<std::uint32_t>(slots_.size());
  slots_.resize(slots_.size() + workers);
  for (std::uint32_t w = 0; w < workers; ++w) {
    slots_[first + w].req.id = first + w;
    // Hand out the lowest-numbered worker first.
    server.idle.push_back(first + workers - 1 - w);
  }
  if (scenario_.app.local_cache) {
    McConfig local;
    local.memory_limit_bytes = scenario_.cache.memory_bytes;
    local.lru = scenario_.cache.lru;
    server.local = std::make_unique<MemcachedNode>(local);
  }
  active_.push_back(s);
  // The database's FIFO holds at most one query per slot: it grows with
  // them, keeping its order.
  if (db_queue_.size() < slots_.size()) {
    std::vector<std::uint32_t> grown(slots_.size());
    for (std::size_t i = 0; i < db_size_; ++i)
      grown[i] = db_queue_[(db_head_ + i) % db_queue_.size()];
    db_queue_ = std::move(grown);
    db_head_ = 0;
  }
}

bool SimulationCore::add_server() {
  // Within what an event can address, and what a scenario file may ask for.
  if (static_cast<std::uint64_t>(servers_.size() + 1) * scenario_.app.workers >
          Event::kMaxTarget + std::uint64_t{1} ||
      servers_.size() >= kMaxAppServers)
    return false;
  new_server();
  return true;
}

bool SimulationCore::remove_server(std::uint32_t server) {
  const auto it = std::find(active_.begin(), active_.end(), server);
  if (it == active_.end() || active_.size() == 1)
    return false;
  // The balancer sends it nothing more; what it holds (requests at work and
  // waiting) finishes there. App servers keep no state: nothing is lost.
  active_.erase(it);
  if (rr_next_ >= active_.size())
    rr_next_ = 0;
  return true;
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
    const std::string_view value = Page::newest(log_.committed(k)).encode(vbuf);
    const std::int64_t ttl = strategies_[0].second->cache_ttl_s(options);
    if (scenario_.app.local_cache) {
      for (Server &s : servers_)
        s.local->store(StoreMode::kSet, key, 0, ttl, value, 0, now_s(), nullptr,
                       scenario_.cache.item_bytes);
    } else if (tier_.node_of(k) >= 0) {
      tier_.node(static_cast<std::uint32_t>(tier_.node_of(k)))
          .store(StoreMode::kSet, key, 0, ttl, value, 0, now_s(), nullptr,
                 scenario_.cache.item_bytes);
    }
  }
}

// ------------------------------------------------------------------ driving

bool SimulationCore::step() {
  const bool more =
      internal::run_events(queue_, end_, 1, now_, [this](const Event &e) { dispatch(e); }) > 0;
  events_ += more ? 1 : 0;
  finish_if_over();
  return more;
}

void SimulationCore::run_until(Time t) {
  events_ += internal::run_events(queue_, std::min(t, end_), ~std::uint64_t{0}, now_,
                                  [this](const Event &e) { dispatch(e); });
  finish_if_over();
}

void SimulationCore::dispatch(const Event &e) {
  switch (e.kind()) {
  case kArrival:
    on_arrival(e.target());
    break;
  case kCpuDone:
    on_cpu_done(e.target());
    break;
  case kCacheReply:
    on_reply(e.target());
    break;
  case kDbDone:
    on_db_done(e.target());
    break;
  case kScripted:
    on_scripted(e.target());
    break;
  case kIntervalEnd:
    on_interval_end();
    break;
  case kSubmits:
    on_burst(e.target(), true);
    break;
  case kViews:
    on_burst(e.target(), false);
    break;
  case kEdgeDone:
    on_edge_done(e.target());
    break;
  default:
    break;
  }
}

// ---------------------------------------------------------------- workload

void SimulationCore::on_arrival(std::uint32_t source) {
  const bool submit = mix_rng_.uniform01() < scenario_.workload.submit_ratio;
  if (source == kOpenStream)
    queue_.push(now_ + interarrival_.sample(arrival_rng_), kArrival, kOpenStream);
  admit(now_, submit, false);
}

// A burst is one event whatever its size, so that a million requests cost
// one queue entry, not a million. Its requests arrive one after another in
// this loop, which is the order one event per request would give: those
// events would sit next to each other in (time, sequence) order, and every
// event their arrivals schedule comes after all of them. engine.events
// counts each request as the event it would have been.
void SimulationCore::on_burst(std::uint32_t count, bool submit) {
  events_ += count - 1;
  for (std::uint32_t i = 0; i < count && !overloaded_at_; ++i)
    admit(now_, submit, true);
}

void SimulationCore::push_burst(std::uint32_t count, bool submit) {
  // A count beyond an event's target field arrives as several events in a row.
  while (count > 0) {
    const std::uint32_t n = std::min(count, Event::kMaxTarget);
    queue_.push(now_, submit ? kSubmits : kViews, n);
    count -= n;
  }
}

void SimulationCore::admit(Time arrival, bool submit, bool burst) {
  ++c_.arrivals;
  // A front cache sees a page view first: its key is drawn here, and only a
  // view it cannot answer goes on to the balancer, with that key.
  std::uint32_t key = kNone;
  if (edge_on_ && !submit) [[unlikely]] {
    key = edge_front(arrival, burst);
    if (key == kAnsweredAtEdge)
      return;
  }
  const std::uint32_t s = choose_server();
  Server &server = servers_[s];
  if (!server.idle.empty()) {
    const std::uint32_t slot = server.idle.back();
    server.idle.pop_back();
    start(slot, arrival, submit, burst, key);
  } else if (server.backlog.size() < backlog_limit_) {
    server.backlog.push(static_cast<std::uint64_t>(arrival) << 2 | std::uint64_t{burst} << 1 |
                        std::uint64_t{submit});
    if (edge_on_) [[unlikely]]
      server.backlog_keys.push(key);
    if (++backlog_total_ > kMaxQueuedRequests)
      overload();
  } else {
    // Refused (app.backlog): the user sees an error at once; a closed
    // workload's user thinks and comes back, as after an answer.
    ++c_.rejected;
    if (scenario_.workload.kind == WorkloadKind::kClosed && !burst)
      queue_.push(now_ + scenario_.workload.think_time.sample(think_rng_), kArrival, kClosedUser);
  }
}

// The front cache answers a page view from its copy of the page while the
// copy is younger than edge.ttl_s. It never hears of submits, so the copy
// can lack posts committed since: the view is checked as any other.
std::uint32_t SimulationCore::edge_front(Time arrival, bool burst) {
  const std::uint32_t key = draw_key();
  const EdgeCopy &copy = edge_[key];
  if (copy.stored < 0 || now_ - copy.stored >= edge_ttl_) {
    ++c_.edge_misses;
    return key;
  }
  ++c_.edge_hits;
  std::uint32_t index = 0;
  if (!edge_free_.empty()) {
    index = edge_free_.back();
    edge_free_.pop_back();
  } else if (edge_pending_.size() <= Event::kMaxTarget) {
    index = static_cast<std::uint32_t>(edge_pending_.size());
    edge_pending_.emplace_back();
  } else { // more answers under way than events can name: as an overloaded stack
    overload();
    return kAnsweredAtEdge;
  }
  EdgeAnswer &a = edge_pending_[index];
  a.arrival = arrival;
  a.serial = serial_next_++;
  a.key = key;
  a.committed_at_arrival = log_.committed_before(key, arrival);
  a.burst = burst;
  a.page = copy.page;
  queue_.push(now_ + scenario_.edge.latency.sample(edge_rng_), kEdgeDone, index);
  return kAnsweredAtEdge;
}

void SimulationCore::on_edge_done(std::uint32_t index) {
  const EdgeAnswer &a = edge_pending_[index];
  const Time latency = now_ - a.arrival;
  ++c_.page_views;
  view_latency_.add(latency);
  iv_view_latency_.add(latency);
  double staleness_s = 0;
  const bool stale =
      check_view(a.page, a.key, a.arrival, a.committed_at_arrival, a.serial, &staleness_s);
  if (observer_)
    observer_->on_request(RequestRecord{kEdgeServer, a.serial, a.key, kEdgeServer, false, stale,
                                        a.arrival, a.arrival, now_, staleness_s});
  if (scenario_.workload.kind == WorkloadKind::kClosed && !a.burst)
    queue_.push(now_ + scenario_.workload.think_time.sample(think_rng_), kArrival, kClosedUser);
  edge_free_.push_back(index);
}

// Past kMaxQueuedRequests waiting requests the run stops here: an open
// workload beyond capacity would queue (and take memory) without bound.
void SimulationCore::overload() {
  overloaded_at_ = now_;
  queue_.clear();
  end_ = now_;
}

inline std::uint32_t SimulationCore::choose_server() {
  // Among the servers in the balancer's pool (all of them unless some were
  // removed live), in the order they joined.
  const auto n = static_cast<std::uint32_t>(active_.size());
  switch (scenario_.balancer) {
  case BalancerPolicy::kRoundRobin: {
    // A wrapping counter rather than `arrivals % n`: no division per arrival.
    const auto server = static_cast<std::uint32_t>(rr_next_);
    rr_next_ = rr_next_ + 1 == n ? 0 : rr_next_ + 1;
    return active_[server];
  }
  case BalancerPolicy::kRandom:
    return active_[static_cast<std::uint32_t>(lb_rng_.below(n))];
  case BalancerPolicy::kLeastConnections: {
    // Fewest requests (in service + waiting); ties go to the earliest.
    std::uint32_t best = active_[0];
    std::uint64_t best_load = ~std::uint64_t{0};
    for (const std::uint32_t i : active_) {
      const std::uint64_t load = servers_[i].busy + servers_[i].backlog.size();
      if (load < best_load) {
        best_load = load;
        best = i;
      }
    }
    return best;
  }
  }
  return 0;
}

std::uint32_t SimulationCore::draw_key() {
  if (zipf_cdf_.empty())
    return 0;
  const double u = key_rng_.uniform01();
  return static_cast<std::uint32_t>(std::upper_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u) -
                                    zipf_cdf_.begin());
}

void SimulationCore::start(std::uint32_t slot, Time arrival, bool submit, bool burst,
                           std::uint32_t key) {
  Slot &s = slots_[slot];
  const std::uint32_t workers = scenario_.app.workers;
  const std::uint32_t server = slot / workers; // one division per request, not per event
  ++servers_[server].busy;
  s.req = Request{};
  s.req.id = slot;
  s.req.server = server;
  s.req.submit = submit;
  s.req.key = key != kNone ? key : draw_key();
  if (s.req.key >= num_keys_)
    s.req.key = num_keys_ - 1;
  s.arrival = arrival;
  s.start = now_;
  s.serial = serial_next_++;
  s.burst = burst;
  s.cas_sent = 0;
  s.answered = false;
  s.strategy = current_strategy_;
  s.committed_at_arrival = log_.committed_before(s.req.key, arrival);
  const Time cpu_done = now_ + scenario_.app.cpu.sample(servers_[server].cpu_rng);
  queue_.push(cpu_done, kCpuDone, slot);
  if (observer_)
    activity(s, Activity::kCpu, Op::kNone, -1, cpu_done);
}

void SimulationCore::activity(const Slot &s, Activity what, Op op, std::int32_t node, Time until,
                              bool hit) {
  observer_->on_activity(ActivityRecord{s.serial, s.req.id, s.req.server, s.req.key, s.req.submit,
                                        what, op, node, s.arrival, now_, until, hit});
}

void SimulationCore::on_cpu_done(std::uint32_t slot) {
  Slot &s = slots_[slot];
  Context ctx(*this);
  Strategy &strategy = *strategies_[s.strategy].second;
  if (s.req.submit)
    strategy.submit(ctx, s.req);
  else
    strategy.view(ctx, s.req);
}

void SimulationCore::on_reply(std::uint32_t slot) {
  Slot &s = slots_[slot];
  if (observer_) {
    observer_->on_call(CallRecord{s.serial, s.req.server, s.reply.op, s.reply.status, s.reply.hit,
                                  s.node, s.op_issue, now_});
  }
  Context ctx(*this);
  const Reply reply = s.reply;
  strategies_[s.strategy].second->resume(ctx, s.req, reply);
}

// ------------------------------------------------------------------- cache

const StrategyConfig &SimulationCore::options_of(const Request &r) const noexcept {
  return strategies_[slots_[r.id].strategy].first;
}

void SimulationCore::cache_op(Request &r, Op op) {
  Slot &s = slots_[r.id];
  const StrategyConfig &options = strategies_[s.strategy].first;
  char kbuf[24], vbuf[kEncodedPageBytes];
  const std::string_view key = cache_key(r.key, kbuf);

  MemcachedNode *node = nullptr;
  Time rtt = 0; // the local dictionary answers at once
  s.node = -1;
  if (scenario_.app.local_cache) {
    node = servers_[r.server].local.get();
  } else {
    s.node = tier_.node_of(r.key);
    if (s.node >= 0)
      node = &tier_.node(static_cast<std::uint32_t>(s.node));
    rtt = scenario_.cache.rtt.sample(cache_rng_);
  }

  Reply reply;
  reply.op = op;
  const std::int64_t ttl = strategies_[s.strategy].second->cache_ttl_s(options);
  switch (op) {
  case Op::kCacheGet: {
    ++c_.cache_gets;
    McItemView item;
    reply.hit = node != nullptr && node->get(key, now_s(), &item);
    reply.status = reply.hit ? McStatus::kOk : McStatus::kNotFound;
    if (reply.hit) {
      ++c_.cache_hits;
      r.page = Page::decode(item.value);
      r.cas = item.cas;
      // memcached's whole-second exptime, back on the virtual clock: the item
      // is gone once now_s() reaches it.
      if (item.exptime != 0)
        reply.expires_at = (item.exptime - kEpochUnixS) * kSecond;
    } else {
      ++c_.cache_misses;
    }
    break;
  }
  case Op::kCacheSet:
  case Op::kCacheAdd:
  case Op::kCacheCas: {
    ++c_.cache_sets;
    if (op == Op::kCacheCas) {
      ++c_.cas_attempts;
      if (s.cas_sent++ > 0)
        ++c_.cas_retries;
    }
    const StoreMode mode = op == Op::kCacheSet   ? StoreMode::kSet
                           : op == Op::kCacheAdd ? StoreMode::kAdd
                                                 : StoreMode::kCas;
    // The stored page says which write stored it, for explaining anomalies.
    Page stored = r.page;
    stored.stored_by = s.serial;
    stored.stored_at = now_;
    reply.status = node == nullptr ? McStatus::kNotStored
                                   : node->store(mode, key, 0, ttl, stored.encode(vbuf), r.cas,
                                                 now_s(), nullptr, scenario_.cache.item_bytes);
    if (reply.status == McStatus::kStored) {
      check_written(r, s.serial);
    } else if (op == Op::kCacheCas && reply.status == McStatus::kExists) {
      cas_.cas_refused();
      AnomalyRecord a{AnomalyKind::kCasConflict, now_, s.serial, r.key};
      if (observer_) {
        // The write that changed the unique stored the page there now.
        McItemView current;
        if (node->peek(key, now_s(), &current)) {
          const Page there = Page::decode(current.value);
          a.cause_serial = there.stored_by;
          a.cause_at = there.stored_at;
          a.snapshot_at = there.read_at;
        }
      }
      anomaly(a);
    }
    break;
  }
  case Op::kCacheDelete:
    ++c_.cache_deletes;
    reply.status = node == nullptr ? McStatus::kNotFound : node->remove(key, now_s());
    break;
  default:
    throw std::logic_error("cache_op called with a non-cache operation");
  }
  s.reply = reply;
  s.op_issue = now_;
  queue_.push(now_ + rtt, kCacheReply, r.id);
  if (observer_)
    activity(s, Activity::kCacheCall, op, s.node, now_ + rtt, reply.hit);
}

bool SimulationCore::cached_page(std::uint32_t key, std::uint32_t server, Page *out) const {
  char kbuf[24];
  McItemView item;
  const MemcachedNode *node = nullptr;
  if (scenario_.app.local_cache) {
    node = servers_[server].local.get();
  } else if (tier_.node_of(key) >= 0) {
    node = &tier_.node(static_cast<std::uint32_t>(tier_.node_of(key)));
  }
  if (node == nullptr || !node->peek(cache_key(key, kbuf), now_s(), &item))
    return false;
  *out = Page::decode(item.value);
  return true;
}

// ---------------------------------------------------------------- database

void SimulationCore::db_op(Request &r, Op op) {
  Slot &s = slots_[r.id];
  s.reply = Reply{};
  s.reply.op = op;
  s.op_issue = now_;
  s.node = -1;
  if (op == Op::kDbRead && !r.submit && stampede_.query_issued(r.key).stampede_began)
    anomaly(AnomalyKind::kStampede, s.serial, r.key);
  if (db_busy_ < scenario_.db.connections) {
    db_start(r.id);
  } else {
    std::size_t tail = db_head_ + db_size_;
    if (tail >= db_queue_.size())
      tail -= db_queue_.size();
    db_queue_[tail] = r.id;
    ++db_size_;
    if (observer_)
      activity(s, Activity::kDbQueued, op, -1, -1);
    c_.db_max_queue = std::max<std::uint64_t>(c_.db_max_queue, db_size_);
    iv_.db_queue_max =
        std::max<std::uint32_t>(iv_.db_queue_max, static_cast<std::uint32_t>(db_size_));
  }
}

void SimulationCore::db_busy_change(int delta) {
  const double busy = static_cast<double>(db_busy_);
  db_busy_area_ += busy * static_cast<double>(now_ - db_busy_since_);
  db_busy_since_ = now_;
  db_busy_ = static_cast<std::uint32_t>(static_cast<int>(db_busy_) + delta);
}

void SimulationCore::db_start(std::uint32_t slot) {
  Slot &s = slots_[slot];
  db_busy_change(+1);
  const bool read = s.reply.op == Op::kDbRead;
  Time latency = read ? scenario_.db.query_latency.sample(db_rng_)
                      : scenario_.db.insert_latency.sample(db_rng_);
  if (scenario_.db.load_factor > 0) {
    const double others = static_cast<double>(db_busy_ - 1) / scenario_.db.connections;
    latency =
        static_cast<Time>(static_cast<double>(latency) * (1 + scenario_.db.load_factor * others));
  }
  // A statement snapshot: the page as committed when the query starts executing.
  if (read) {
    s.req.page = Page::newest(log_.committed(s.req.key));
    s.req.page.read_at = now_;
  }
  queue_.push(now_ + latency, kDbDone, slot);
  if (observer_)
    activity(s, Activity::kDbRunning, s.reply.op, -1, now_ + latency);
}

void SimulationCore::on_db_done(std::uint32_t slot) {
  Slot &s = slots_[slot];
  Request &r = s.req;
  if (s.reply.op == Op::kDbRead) {
    ++c_.db_reads;
    if (r.submit) {
      ++c_.db_reads_by_submits;
    } else {
      ++c_.db_reads_by_page_views;
      stampede_.query_completed(r.key);
    }
  } else {
    ++c_.db_writes;
    // The insert commits now: the post takes the key's next number.
    r.post = log_.commit(r.key, now_);
  }
  s.reply.status = McStatus::kOk;
  if (db_size_ > 0) {
    const std::uint32_t next = db_queue_[db_head_];
    if (++db_head_ == db_queue_.size())
      db_head_ = 0;
    --db_size_;
    db_busy_change(-1);
    db_start(next);
  } else {
    db_busy_change(-1);
  }
  on_reply(slot);
}

// --------------------------------------------------------------- the truth

void SimulationCore::check_written(const Request &writer, std::uint64_t serial) {
  const std::uint32_t key = writer.key;
  lost_.cache_written(key, writer.server, writer.page, log_.committed(key),
                      [&](std::uint32_t post) {
                        AnomalyRecord a{AnomalyKind::kLostUpdate, now_, serial, key};
                        a.post = post;
                        a.post_committed_at = log_.commit_time(key, post);
                        a.cause_serial = serial;
                        a.cause_at = now_;
                        a.snapshot_at = writer.page.read_at;
                        anomaly(a);
                      });
}

void SimulationCore::respond(Request &r) {
  answer(r);
  finish_request(slots_[r.id]);
}

void SimulationCore::finish(Request &r) {
  Slot &s = slots_[r.id];
  if (!s.answered)
    throw std::logic_error("finish() before answer(): a request must be answered first");
  finish_request(s);
}

void SimulationCore::answer(Request &r) {
  Slot &s = slots_[r.id];
  if (s.answered)
    throw std::logic_error("a request was answered twice");
  s.answered = true;
  const Time latency = now_ - s.arrival;
  bool stale = false;
  double staleness_s = 0;
  if (r.submit) {
    ++c_.submits;
    submit_latency_.add(latency);
    const std::uint32_t committed = log_.committed(r.key);
    if (strategies_[s.strategy].second->updates_cache_on_submit() && r.post != 0 &&
        r.post + kPagePosts > committed) {
      Page cached;
      const bool in_cache = cached_page(r.key, r.server, &cached);
      if (lost_.submit_answered(r.key, r.post, r.server, committed, in_cache ? &cached : nullptr)) {
        AnomalyRecord a{AnomalyKind::kLostUpdate, now_, s.serial, r.key};
        a.post = r.post;
        a.post_committed_at = log_.commit_time(r.key, r.post);
        a.cause_serial = cached.stored_by;
        a.cause_at = cached.stored_at;
        a.snapshot_at = cached.read_at;
        anomaly(a);
      }
    }
  } else {
    ++c_.page_views;
    view_latency_.add(latency);
    iv_view_latency_.add(latency);
    stale = check_view(r.page, r.key, s.arrival, s.committed_at_arrival, s.serial, &staleness_s);
    if (edge_on_) [[unlikely]] // the front cache keeps what the app server answered
      edge_[r.key] = EdgeCopy{r.page, now_};
  }
  if (observer_) {
    observer_->on_request(RequestRecord{r.id, s.serial, r.key, r.server, r.submit, stale, s.arrival,
                                        s.start, now_, staleness_s});
  }
}

// A view served: the stale-read detector says what the page lacked, if
// anything; an observer hears of it as an anomaly.
inline bool SimulationCore::check_view(const Page &page, std::uint32_t key, Time arrival,
                                       std::uint32_t committed_at_arrival, std::uint64_t serial,
                                       double *staleness_s) {
  const std::optional<internal::StaleRead> found =
      stale_.view_served(page, key, arrival, committed_at_arrival, log_);
  if (!found)
    return false;
  *staleness_s = ns_to_seconds(found->age);
  AnomalyRecord a{AnomalyKind::kStaleRead, now_, serial, key};
  a.post = found->post;
  a.post_committed_at = log_.commit_time(key, found->post);
  a.cause_serial = page.stored_by;
  a.cause_at = page.stored_at;
  a.snapshot_at = page.read_at;
  anomaly(a);
  return true;
}

void SimulationCore::finish_request(Slot &s) {
  const std::uint32_t slot = s.req.id;
  const std::uint32_t server_index = s.req.server;
  Server &server = servers_[server_index];
  --server.busy;
  if (observer_)
    activity(s, Activity::kDone, Op::kNone, -1, now_);
  if (scenario_.workload.kind == WorkloadKind::kClosed && !s.burst)
    queue_.push(now_ + scenario_.workload.think_time.sample(think_rng_), kArrival, kClosedUser);
  if (!server.backlog.empty()) {
    const std::uint64_t v = server.backlog.pop();
    --backlog_total_;
    const std::uint32_t key =
        !edge_on_ ? kNone : static_cast<std::uint32_t>(server.backlog_keys.pop());
    start(slot, static_cast<Time>(v >> 2), (v & 1) != 0, (v & 2) != 0, key);
  } else {
    server.idle.push_back(slot);
  }
}

void SimulationCore::anomaly(AnomalyKind kind, std::uint64_t serial, std::uint32_t key) {
  anomaly(AnomalyRecord{kind, now_, serial, key});
}

void SimulationCore::anomaly(const AnomalyRecord &a) {
  if (observer_)
    observer_->on_anomaly(a);
}

// ------------------------------------------------------- scripted and live

void SimulationCore::on_scripted(std::uint32_t index) {
  const ScriptedEvent &e = scenario_.events[index];
  switch (e.kind) {
  case ScriptedEvent::Kind::kCrashNode:
    tier_.crash(e.value);
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
  }
}

void SimulationCore::submit_burst(std::uint32_t count) { push_burst(count, true); }

void SimulationCore::crash_node(std::uint32_t node) { tier_.crash(node); }
bool SimulationCore::add_node() {
  // Scripted additions are bounded by the parser; live ones (the GUI's
  // button) stop here.
  if (tier_.size() >= kMaxCacheNodes)
    return false;
  tier_.add();
  return true;
}

void SimulationCore::switch_strategy(const StrategyConfig &config) {
  const StrategyConfig normal = normalize_strategy(config);
  auto strategy = StrategyRegistry::global().make(normal);
  if (strategies_.size() >= 0xffff)
    throw std::length_error("too many strategy switches");
  strategies_.emplace_back(normal, std::move(strategy));
  current_strategy_ = static_cast<std::uint16_t>(strategies_.size() - 1);
}

void SimulationCore::on_interval_end() {
  if (now_ != iv_.end)
    return; // superseded by set_interval
  close_interval(now_);
  queue_.push(iv_.end, kIntervalEnd, 0);
}

void SimulationCore::set_interval(Time length) {
  interval_ = length;
  iv_.end = std::max(iv_.start + length, now_);
  queue_.push(iv_.end, kIntervalEnd, 0);
}

void SimulationCore::close_interval(Time end) {
  db_busy_change(0);
  iv_.end = end;
  // The counts are the cumulative ones' growth over the interval.
  const IntervalCounts now = counts();
  iv_.arrivals = now.arrivals - iv_counts_.arrivals;
  iv_.page_views = now.page_views - iv_counts_.page_views;
  iv_.submits = now.submits - iv_counts_.submits;
  iv_.db_reads = now.db_reads - iv_counts_.db_reads;
  iv_.db_writes = now.db_writes - iv_counts_.db_writes;
  iv_.cache_gets = now.cache_gets - iv_counts_.cache_gets;
  iv_.cache_hits = now.cache_hits - iv_counts_.cache_hits;
  iv_.stale_reads = now.stale_reads - iv_counts_.stale_reads;
  iv_.redundant_db_reads = now.redundant_db_reads - iv_counts_.redundant_db_reads;
  iv_.cas_conflicts = now.cas_conflicts - iv_counts_.cas_conflicts;
  iv_.lost_updates = now.lost_updates - iv_counts_.lost_updates;
  iv_.db_queue = static_cast<std::uint32_t>(db_size_);
  iv_.db_utilization = (db_busy_area_ - iv_busy_area_start_) /
                       (static_cast<double>(interval_) * scenario_.db.connections);
  iv_.app_backlog = backlog_total_;
  const std::uint64_t evictions = tier_.evictions();
  iv_.evictions = evictions - iv_evictions_start_;
  iv_.view_p50_ms = iv_view_latency_.percentile(0.5) / 1e6;
  iv_.view_p99_ms = iv_view_latency_.percentile(0.99) / 1e6;
  if (observer_)
    observer_->on_interval(iv_);
  iv_ = IntervalRecord{};
  iv_.start = end;
  iv_.end = end + interval_;
  iv_.db_queue_max = static_cast<std::uint32_t>(db_size_);
  iv_view_latency_.clear();
  iv_busy_area_start_ = db_busy_area_;
  iv_evictions_start_ = evictions;
  iv_counts_ = now;
}

SimulationCore::IntervalCounts SimulationCore::counts() const noexcept {
  return {c_.arrivals,           c_.page_views, c_.submits,    c_.db_reads,
          c_.db_writes,          c_.cache_gets, c_.cache_hits, stale_.count(),
          stampede_.redundant(), cas_.count(),  lost_.count()};
}

void SimulationCore::finish_if_over() {
  // The last, possibly partial, interval ends with the run.
  if (!final_interval_done_ && finished()) {
    final_interval_done_ = true;
    if (iv_.start < end_) {
      const Time saved = now_;
      now_ = end_;
      close_interval(end_);
      now_ = saved;
    }
  }
}

// ------------------------------------------------------------------ report

Report SimulationCore::report() const {
  Report r = c_;
  // What the detectors found.
  r.stale_reads = stale_.count();
  r.max_staleness_s = ns_to_seconds(stale_.max_age());
  r.redundant_db_reads = stampede_.redundant();
  r.stampedes = stampede_.stampedes();
  r.peak_concurrent_same_key = stampede_.peak();
  r.lost_updates = lost_.count();
  r.cas_conflicts = cas_.count();
  r.scenario = scenario_.name;
  r.strategy = strategy_label(strategies_[current_strategy_].first);
  r.seed = scenario_.seed;
  r.duration_s = scenario_.duration_s;
  r.db_reads_per_page_view = r.page_views ? static_cast<double>(r.db_reads_by_page_views) /
                                                static_cast<double>(r.page_views)
                                          : 0;
  r.db_reads_per_submit =
      r.submits ? static_cast<double>(r.db_reads_by_submits) / static_cast<double>(r.submits) : 0;
  // Utilisation over the time simulated so far (the run's whole length at the end).
  const Time elapsed = finished() ? end_ : now_;
  const double area =
      db_busy_area_ + static_cast<double>(db_busy_) * static_cast<double>(elapsed - db_busy_since_);
  r.db_utilization =
      elapsed > 0 ? area / (static_cast<double>(elapsed) * scenario_.db.connections) : 0;
  r.cache_hit_ratio =
      r.cache_gets ? static_cast<double>(r.cache_hits) / static_cast<double>(r.cache_gets) : 0;
  const std::uint64_t edge_views = r.edge_hits + r.edge_misses;
  r.edge_hit_ratio =
      edge_views ? static_cast<double>(r.edge_hits) / static_cast<double>(edge_views) : 0;
  r.cache_evictions = tier_.evictions();
  for (const Server &s : servers_)
    if (s.local)
      r.cache_evictions += s.local->stats().evictions;
  r.stale_read_ratio =
      r.page_views ? static_cast<double>(r.stale_reads) / static_cast<double>(r.page_views) : 0;
  auto summary = [](const internal::LogHistogram<8> &h) {
    LatencySummary l;
    l.mean = h.mean() / 1e6;
    l.p50 = h.percentile(0.50) / 1e6;
    l.p90 = h.percentile(0.90) / 1e6;
    l.p99 = h.percentile(0.99) / 1e6;
    l.max = static_cast<double>(h.max()) / 1e6;
    return l;
  };
  r.page_view_latency = summary(view_latency_);
  r.submit_latency = summary(submit_latency_);
  r.events = events_;
  r.wall_s = wall_s_;
  r.events_per_s = wall_s_ > 0 ? static_cast<double>(events_) / wall_s_ : 0;
  return r;
}

StackState SimulationCore::state() const {
  StackState st;
  st.now = now_;
  for (const Server &s : servers_) {
    st.busy_workers.push_back(s.busy);
    st.app_queue.push_back(s.backlog.size());
    st.app_in_pool.push_back(false);
  }
  for (const std::uint32_t i : active_)
    st.app_in_pool[i] = true;
  for (std::uint32_t i = 0; i < tier_.size(); ++i) {
    st.cache_up.push_back(tier_.up(i));
    st.cache_items.push_back(tier_.up(i) ? tier_.node(i).stats().curr_items : 0);
  }
  st.db_busy = db_busy_;
  st.db_queue = static_cast<std::uint32_t>(db_size_);
  st.strategy = strategy_label(strategies_[current_strategy_].first);
  return st;
}

// ----------------------------------------------------------------- Context

void Context::cache_get(Request &r) { core_.cache_op(r, Op::kCacheGet); }
void Context::cache_set(Request &r) { core_.cache_op(r, Op::kCacheSet); }
void Context::cache_add(Request &r) { core_.cache_op(r, Op::kCacheAdd); }
void Context::cache_cas(Request &r) { core_.cache_op(r, Op::kCacheCas); }
void Context::cache_fill(Request &r) {
  core_.cache_op(r, core_.options_of(r).cas ? Op::kCacheAdd : Op::kCacheSet);
}
void Context::cache_delete(Request &r) { core_.cache_op(r, Op::kCacheDelete); }
void Context::db_read(Request &r) { core_.db_op(r, Op::kDbRead); }
void Context::db_insert(Request &r) { core_.db_op(r, Op::kDbInsert); }
void Context::respond(Request &r) { core_.respond(r); }
void Context::answer(Request &r) { core_.answer(r); }
void Context::finish(Request &r) { core_.finish(r); }
const StrategyConfig &Context::options(const Request &r) const noexcept {
  return core_.options_of(r);
}
Time Context::now() const noexcept { return core_.now_; }
double Context::uniform01() noexcept { return core_.strategy_uniform01(); }

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
  }
  return "anomaly";
}

Simulation::Simulation(const Scenario &scenario, const StrategyRegistry &registry)
    : core_(std::make_unique<SimulationCore>(scenario, registry)) {}
Simulation::~Simulation() = default;

namespace {
struct WallClock {
  explicit WallClock(double &total) : total_(total), t0_(std::chrono::steady_clock::now()) {}
  ~WallClock() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  double &total_;
  std::chrono::steady_clock::time_point t0_;
};
} // namespace

bool Simulation::step() {
  WallClock clock(core_->wall_s_);
  return core_->step();
}
void Simulation::run_until(Time t) {
  WallClock clock(core_->wall_s_);
  core_->run_until(t);
}
void Simulation::run() { run_until(core_->end_); }
bool Simulation::finished() const noexcept { return core_->finished(); }
Time Simulation::now() const noexcept { return core_->now_; }
Time Simulation::end() const noexcept { return core_->end_; }
std::uint64_t Simulation::events() const noexcept { return core_->events_; }
Report Simulation::report() const { return core_->report(); }
StackState Simulation::state() const { return core_->state(); }
void Simulation::set_observer(Observer *observer) noexcept { core_->observer_ = observer; }
void Simulation::set_interval(Time length) {
  if (length <= 0)
    throw std::invalid_argument("interval must be positive");
  core_->set_interval(length);
}
void Simulation::switch_strategy(const StrategyConfig &config) { core_->switch_strategy(config); }
void Simulation::submit_burst(std::uint32_t count) { core_->submit_burst(count); }
void Simulation::crash_node(std::uint32_t node) { core_->crash_node(node); }
bool Simulation::add_node() { return core_->add_node(); }
bool Simulation::add_server() { return core_->add_server(); }
bool Simulation::remove_server(std::uint32_t server) { return core_->remove_server(server); }
const Scenario &Simulation::scenario() const noexcept { return core_->scenario_; }
std::optional<Time> Simulation::overloaded_at() const noexcept { return core_->overloaded_at(); }

} // namespace stampede
