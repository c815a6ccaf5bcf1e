// The reality lab's stack: a scenario's workload played on real servers (a
// PostgreSQL database and a memcached), by app workers that are threads
// running the same Strategy objects as the model, measured by the model's
// own measurement and balanced by its balancer.
#include "reality/real_stack.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "metrics/measurement.h"
#include "model/balancer.h"
#include "model/cache_tier.h"
#include "model/popularity.h"
#include "reality/clients.h"
#include "reality/database.h"
#include "reality/services.h"
#include "stampede/distribution.h"
#include "stampede/page.h"
#include "stampede/rng.h"
#include "stampede/strategy.h"

namespace stampede::reality {
namespace {

using Clock = std::chrono::steady_clock;

/// A closed workload's user: it sends its next request once the last is
/// answered (or refused) and it has thought.
struct User {
  std::mutex mu;
  std::condition_variable cv;
  bool answered = false;
};

/// A request waiting for an app worker.
struct Job {
  User *user = nullptr; // the closed workload's user who waits for it
  std::uint32_t key = 0;
  bool submit = false;
  Time arrival = 0;                       // ns since the run began
  std::uint32_t committed_at_arrival = 0; // the key's posts committed by then
  std::uint64_t serial = 0;
};

/// One app server's FIFO queue.
struct ServerQueue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> jobs;
  std::uint32_t idle = 0; // workers waiting for a job
  bool closed = false;
  std::atomic<std::uint32_t> load{0}; // queued + in service (least_connections)
};

class RealContext;

/// What every worker shares: the measurement (the truth, the detectors and
/// the counts, fed the same facts as the model's), touched under `mu` (short
/// sections; no server call is made holding it).
struct Shared {
  explicit Shared(const Scenario &s)
      : scenario(s), end(seconds_to_ns(s.duration_s)), m(s.workload.keys, false) {}
  const Scenario &scenario;
  Time end;
  Clock::time_point t0 = Clock::now();
  std::unique_ptr<Strategy> strategy;
  StrategyConfig options;
  std::mutex strategy_mu; // strategies are written for one thread: calls into one are serialised
  // Under strategy_mu: each worker's request in service (by Request::id, the
  // worker's index), so a call for another's request reaches its thread.
  std::vector<RealContext *> contexts;
  std::condition_variable handoff_cv;

  std::mutex mu;
  std::condition_variable committed_cv;

  // Held across each cache write and its report to the lost-update
  // detector, and across a submit's look at the cache and the watch it
  // starts, under a strategy that edits the page on a submit: two writes
  // otherwise reach the detector in the order their replies were read, not
  // the order memcached applied them, and a write overtaken on its way back
  // reads as one that dropped the newer post. It orders the writes' replies,
  // not their requests: the races between a get and its set stay as they are.
  std::mutex write_order_mu;
  bool ordered_writes = false;
  std::unique_lock<std::mutex> write_order() {
    return ordered_writes ? std::unique_lock<std::mutex>(write_order_mu)
                          : std::unique_lock<std::mutex>();
  }
  internal::Measurement m;
  std::unordered_map<std::int64_t, std::uint32_t> post_of_id; // seq -> post number
  std::map<std::int64_t, std::uint32_t> returned;             // seq -> key: inserts that returned,
                                                              // waiting for a lower seq
  std::int64_t next_seq = 1; // the next seq to number (the sequence starts at 1)
  double db_busy_ns = 0;
  RealTimings timings; // kept when asked for (keep_timings)
  bool keep_timings = false;

  /// Keeps one sample (under mu), up to a bound so memory stays flat.
  void sample(std::vector<double> &into, double seconds) {
    if (keep_timings && into.size() < kMaxSamples)
      into.push_back(seconds);
  }
  static constexpr std::size_t kMaxSamples = 200000;

  // When memcached's clock ticks (ns since t0, modulo a second), for pages
  // that expire (`expiring`: the strategy caches with a TTL).
  bool expiring = false;
  Time tick = 0;
  /// The moment an item with `ttl_s` seconds left at `asked` expires: at the
  /// tick `ttl_s` seconds after the last one before it (memcached's clock is
  /// whole seconds, advanced once a second).
  Time expiry(Time asked, std::int64_t ttl_s) const {
    const Time since_tick = ((asked - tick) % kSecond + kSecond) % kSecond;
    return asked - since_tick + ttl_s * kSecond;
  }

  Time now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  }
};

/// The page of post numbers a query's ids stand for: each id's number is
/// given when its insert's COMMIT returns, which may come a moment after
/// the query saw the row; wait for it (briefly) so the page is exact.
Page page_of(Shared &sh, const std::vector<std::int64_t> &ids, Time read_at) {
  std::unique_lock<std::mutex> lock(sh.mu);
  std::vector<std::uint32_t> posts;
  for (const std::int64_t id : ids) {
    if (!sh.committed_cv.wait_for(lock, std::chrono::seconds(5),
                                  [&] { return sh.post_of_id.count(id) > 0; })) {
      throw ServiceError("a post the database returned (seq " + std::to_string(id) +
                         ") was never reported committed");
    }
    posts.push_back(sh.post_of_id.at(id));
  }
  std::sort(posts.begin(), posts.end(), std::greater<>());
  Page p;
  p.count = static_cast<std::uint32_t>(std::min<std::size_t>(posts.size(), kPagePosts));
  std::copy(posts.begin(), posts.begin() + p.count, p.posts);
  p.read_at = read_at;
  return p;
}

/// One app worker's Context: each call is recorded, and the worker's loop
/// carries it out on the real servers and resumes the strategy with the
/// reply, so a strategy's calls never nest.
class RealContext final : public Context {
public:
  RealContext(Shared &sh, McClient &mc, PgPool &pool, Rng &rng, const Job &job, Request &r)
      : sh_(sh), mc_(mc), pool_(pool), rng_(rng), job_(job), r_(r) {}

  // A call may be for another worker's request (coalesce answers those that
  // wait for its query): each goes to the context of the request it names.
  void cache_get(Request &r) override { owner(r).issue(Op::kCacheGet); }
  void cache_set(Request &r) override { owner(r).issue(Op::kCacheSet); }
  void cache_add(Request &r) override { owner(r).issue(Op::kCacheAdd); }
  void cache_cas(Request &r) override { owner(r).issue(Op::kCacheCas); }
  void cache_delete(Request &r) override { owner(r).issue(Op::kCacheDelete); }
  void cache_lease_get(Request &r) override { owner(r).issue(Op::kCacheLeaseGet); }
  void cache_lease_set(Request &r) override { owner(r).issue(Op::kCacheLeaseSet); }
  void cache_invalidate(Request &r) override { owner(r).issue(Op::kCacheInvalidate); }
  void pause(Request &r, Time pause) override {
    RealContext &o = owner(r);
    o.wait_ns_ = pause;
    o.issue(Op::kWait);
  }
  void db_read(Request &r) override { owner(r).issue(Op::kDbRead); }
  void db_insert(Request &r) override { owner(r).issue(Op::kDbInsert); }
  void respond(Request &r) override {
    RealContext &o = owner(r);
    if (!o.answered_)
      o.answer_own();
    o.finish_own();
  }
  void answer(Request &r) override { owner(r).answer_own(); }
  void finish(Request &r) override { owner(r).finish_own(); }
  const StrategyConfig &options(const Request &) const noexcept override { return sh_.options; }
  Time now() const noexcept override { return sh_.now(); }
  double uniform01() noexcept override { return rng_.uniform01(); }
  // Under strategy_mu, as every call into the strategy is made.
  Request *in_flight(std::uint32_t id) noexcept override {
    RealContext *o = id < sh_.contexts.size() ? sh_.contexts[id] : nullptr;
    return o != nullptr ? &o->r_ : nullptr;
  }

  /// Drives the request from its first call to its end. A request the
  /// strategy leaves without a call (one waiting for another's query, as
  /// coalesce's followers do) keeps its worker, as in the model, until a
  /// call for it or its answer comes from another worker's thread.
  void run() {
    std::unique_lock<std::mutex> lock(sh_.strategy_mu);
    sh_.contexts.at(r_.id) = this;
    if (r_.submit)
      sh_.strategy->submit(*this, r_);
    else
      sh_.strategy->view(*this, r_);
    while (!finished_) {
      if (pending_ == Op::kNone) {
        const Time t0 = sh_.now();
        const bool woken = sh_.handoff_cv.wait_for(
            lock, kHandoffLimit, [&] { return finished_ || pending_ != Op::kNone; });
        calls_ns_ += sh_.now() - t0; // waiting is not the app's work
        if (!woken) {
          sh_.contexts.at(r_.id) = nullptr;
          throw std::logic_error("a strategy left a request without a call or an answer for " +
                                 std::to_string(kHandoffLimit.count()) +
                                 " s: no other request took it up");
        }
        continue;
      }
      const Op op = pending_;
      pending_ = Op::kNone;
      lock.unlock();
      const Reply reply = execute(op);
      lock.lock();
      sh_.strategy->resume(*this, r_, reply);
    }
    sh_.contexts.at(r_.id) = nullptr;
  }

private:
  static constexpr std::chrono::seconds kHandoffLimit{10};

  /// The context of the request `r` names (this one's, or a waiting one's).
  RealContext &owner(Request &r) {
    if (&r == &r_)
      return *this;
    RealContext *o = r.id < sh_.contexts.size() ? sh_.contexts[r.id] : nullptr;
    if (o == nullptr || &o->r_ != &r)
      throw std::logic_error("a strategy called for a request that is not in service");
    return *o;
  }
  // Each under strategy_mu (strategy calls are made holding it); a call or
  // an answer for a waiting request wakes its thread.
  void issue(Op op) {
    pending_ = op;
    sh_.handoff_cv.notify_all();
  }
  void finish_own() {
    finished_ = true;
    sh_.handoff_cv.notify_all();
  }
  void answer_own();

  Reply execute(Op op);
  Reply cache_store(Op op, std::string_view key);

  Shared &sh_;
  McClient &mc_;
  PgPool &pool_;
  Rng &rng_;
  const Job &job_;
  Request &r_;
  Op pending_ = Op::kNone;
  Time wait_ns_ = 0; // the pause a kWait asks for
  bool answered_ = false, finished_ = false;
  std::uint16_t cas_sent_ = 0;

public:
  Time calls_ns_ = 0; // time spent in this request's calls (the rest was the app's)
};

Reply RealContext::execute(Op op) {
  Reply reply;
  reply.op = op;
  char kbuf[24];
  const std::string_view key = internal::cache_key(r_.key, kbuf);
  switch (op) {
  case Op::kCacheGet:
  case Op::kCacheLeaseGet: {
    const bool lease = op == Op::kCacheLeaseGet;
    const Time t0 = sh_.now();
    // A lease get is mg KEY v f c t N<interval>: a miss creates the
    // placeholder and wins. Pages that expire are read with a meta get too,
    // which says how many seconds each has left (early needs the moment).
    const auto interval = static_cast<std::int64_t>(std::ceil(sh_.options.lease_interval_s));
    const std::optional<McClient::Item> item = lease          ? mc_.meta_get(key, interval)
                                               : sh_.expiring ? mc_.meta_get(key)
                                                              : mc_.get(key, sh_.options.cas);
    const Time rtt = sh_.now() - t0;
    calls_ns_ += rtt;
    // A lease's empty placeholder is no page.
    const bool page = item.has_value() && (!lease || !item->value.empty());
    reply.lease = item.has_value() && item->won;
    reply.stale = page && item->stale;
    reply.hit = page && !item->stale;
    reply.status = reply.hit ? McStatus::kOk : McStatus::kNotFound;
    if (item)
      r_.cas = item->cas;
    if (page)
      r_.page = Page::decode(
          std::string_view(item->value).substr(0, std::min(item->value.size(), kEncodedPageBytes)));
    if (reply.hit && sh_.expiring && item->ttl_s >= 0)
      reply.expires_at = sh_.expiry(t0, item->ttl_s);
    const std::lock_guard<std::mutex> lock(sh_.mu);
    sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
    sh_.m.cache_get(reply.hit);
    return reply;
  }
  case Op::kCacheDelete:
  case Op::kCacheInvalidate: { // delete, or md KEY I
    const Time t0 = sh_.now();
    reply.status = op == Op::kCacheDelete ? mc_.remove(key) : mc_.invalidate(key);
    const Time rtt = sh_.now() - t0;
    calls_ns_ += rtt;
    const std::lock_guard<std::mutex> lock(sh_.mu);
    sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
    sh_.m.cache_delete();
    return reply;
  }
  case Op::kWait: {
    const Time t0 = sh_.now();
    std::this_thread::sleep_for(std::chrono::nanoseconds(wait_ns_));
    calls_ns_ += sh_.now() - t0; // not the app's work
    reply.status = McStatus::kOk;
    return reply;
  }
  case Op::kCacheSet:
  case Op::kCacheAdd:
  case Op::kCacheCas:
  case Op::kCacheLeaseSet:
    return cache_store(op, key);
  case Op::kDbRead:
  case Op::kDbInsert: {
    const bool read = op == Op::kDbRead;
    const double hold_s = ns_to_seconds(
        (read ? sh_.scenario.db.query_latency : sh_.scenario.db.insert_latency).sample(rng_));
    {
      const std::lock_guard<std::mutex> lock(sh_.mu);
      sh_.m.db_queue_seen(pool_.waiting());
      const Time t = sh_.now(); // under the lock: the times only grow
      if (read)
        sh_.m.query_issued(r_.key, !r_.submit, t, t < sh_.end);
    }
    std::vector<std::int64_t> ids;
    std::int64_t id = 0;
    Time start = 0, done = 0;
    const Time issued = sh_.now();
    {
      PgPool::Lease conn = pool_.acquire();
      start = sh_.now();
      if (read)
        ids = read_page(conn.get(), r_.key, hold_s);
      else
        id = insert_post(conn.get(), r_.key, hold_s);
      done = sh_.now();
    }
    if (read)
      r_.page = page_of(sh_, ids, start);
    calls_ns_ += sh_.now() - issued;
    std::unique_lock<std::mutex> lock(sh_.mu);
    sh_.sample(read ? sh_.timings.db_read_s : sh_.timings.db_insert_s, ns_to_seconds(done - start));
    sh_.db_busy_ns += static_cast<double>(std::min(done, sh_.end) - std::min(start, sh_.end));
    if (read) {
      sh_.m.query_completed(r_.key, !r_.submit, done < sh_.end);
    } else {
      // Committed when the statement returned. Posts are numbered in the
      // order of their `seq` (taken as each insert's sleep ended, just before
      // its commit), the order the page query sorts by: an insert that
      // returns before one with a lower seq waits for it (microseconds), so
      // the commit log's numbers, times and the database's page agree.
      // Times are taken under the lock, so they only grow.
      sh_.returned.emplace(id, r_.key);
      for (auto next = sh_.returned.find(sh_.next_seq); next != sh_.returned.end();
           next = sh_.returned.find(sh_.next_seq)) {
        sh_.post_of_id[sh_.next_seq++] = sh_.m.insert_committed(next->second, sh_.now());
        sh_.returned.erase(next);
      }
      sh_.committed_cv.notify_all();
      if (!sh_.committed_cv.wait_for(lock, std::chrono::seconds(5),
                                     [&] { return sh_.post_of_id.count(id) > 0; }))
        throw ServiceError("an insert before post " + std::to_string(id) +
                           " never reported its commit");
      r_.post = sh_.post_of_id.at(id);
      if (done < sh_.end)
        sh_.m.insert_completed();
    }
    reply.status = McStatus::kOk;
    return reply;
  }
  case Op::kNone:
    break;
  }
  throw std::logic_error("RealContext: an operation it does not know");
}

Reply RealContext::cache_store(Op op, std::string_view key) {
  Reply reply;
  reply.op = op;
  const StoreMode mode = op == Op::kCacheSet   ? StoreMode::kSet
                         : op == Op::kCacheAdd ? StoreMode::kAdd
                                               : StoreMode::kCas;
  Page stored = r_.page;
  stored.stored_by = job_.serial;
  stored.stored_at = sh_.now();
  char vbuf[kEncodedPageBytes];
  std::string value(stored.encode(vbuf));
  // The item is as large as the scenario's (cache.item_bytes), as the model's is.
  if (value.size() < sh_.scenario.cache.item_bytes)
    value.resize(sh_.scenario.cache.item_bytes, '\0');
  std::unique_lock<std::mutex> in_order = sh_.write_order();
  const Time t0 = sh_.now();
  reply.status = mc_.store(mode, key, value, 0, sh_.strategy->cache_ttl_s(sh_.options), r_.cas);
  const Time rtt = sh_.now() - t0;
  calls_ns_ += rtt;
  const std::lock_guard<std::mutex> lock(sh_.mu);
  sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
  sh_.m.cache_set();
  if (op == Op::kCacheCas) {
    sh_.m.cas_sent(cas_sent_++ > 0);
    if (reply.status == McStatus::kExists)
      sh_.m.cas_refused();
  }
  if (op == Op::kCacheLeaseSet && reply.status != McStatus::kStored)
    sh_.m.lease_refused(); // a delete voided the token: the stale set prevented
  if (reply.status == McStatus::kStored)
    sh_.m.cache_written(r_.key, r_.server, r_.page, [](std::uint32_t) {});
  return reply;
}

void RealContext::answer_own() {
  Request &r = r_;
  if (answered_)
    throw std::logic_error("a request was answered twice");
  answered_ = true;
  // What a lost update is judged against: the page in the cache now (read
  // apart from the counted calls, as the model peeks at its node).
  std::optional<Page> cached;
  std::unique_lock<std::mutex> in_order = sh_.write_order();
  if (r.submit && sh_.strategy->updates_cache_on_submit() && r.post != 0) {
    char kbuf[24];
    if (const auto item = mc_.get(internal::cache_key(r.key, kbuf), false))
      cached = Page::decode(
          std::string_view(item->value).substr(0, std::min(item->value.size(), kEncodedPageBytes)));
  }
  const Time t = sh_.now();
  const std::lock_guard<std::mutex> lock(sh_.mu);
  if (t >= sh_.end)
    return; // the run is over: responses after its end are not counted (SPEC 6)
  const Time latency = t - job_.arrival;
  if (r.submit) {
    sh_.m.submit_answered(latency);
    if (sh_.strategy->updates_cache_on_submit() && sh_.m.on_page(r.key, r.post))
      sh_.m.submit_post_answered(r.key, r.post, r.server, cached ? &*cached : nullptr);
  } else {
    sh_.m.view_answered(latency, r.page, r.key, job_.arrival, job_.committed_at_arrival);
  }
}

/// 20 equal-weight bins of the sorted samples, each its mean.
std::optional<Distribution> empirical_of(std::vector<double> v) {
  if (v.empty())
    return std::nullopt;
  std::sort(v.begin(), v.end());
  constexpr std::size_t kBins = 20;
  const std::size_t bins = std::min(kBins, v.size());
  std::vector<std::pair<double, double>> pairs;
  for (std::size_t b = 0; b < bins; ++b) {
    const std::size_t from = b * v.size() / bins, to = (b + 1) * v.size() / bins;
    double sum = 0;
    for (std::size_t i = from; i < to; ++i)
      sum += v[i];
    pairs.emplace_back(sum / static_cast<double>(to - from), 1.0 / static_cast<double>(bins));
  }
  return Distribution::empirical(pairs);
}

} // namespace

Scenario calibrated(const Scenario &s, const RealTimings &t) {
  Scenario out = s;
  out.name = s.name + "-calibrated";
  out.description = s.description + " (calibrated: the latencies as measured by stampede reality)";
  if (auto d = empirical_of(t.db_read_s))
    out.db.query_latency = *d;
  if (auto d = empirical_of(t.db_insert_s))
    out.db.insert_latency = *d;
  if (auto d = empirical_of(t.cache_rtt_s))
    out.cache.rtt = *d;
  if (auto d = empirical_of(t.app_s))
    out.app.cpu = *d;
  return out;
}

std::string real_lab_refusal(const Scenario &s) {
  std::ostringstream why;
  if (s.workload.kind == WorkloadKind::kOpen && s.workload.rate > kMaxRealRate) {
    why << "workload.rate: the lab plays at most " << kMaxRealRate
        << " requests a second on this machine (its app servers are threads of one process), got "
        << s.workload.rate << "; try --set workload.rate=" << kMaxRealRate;
    return why.str();
  }
  if (s.workload.kind == WorkloadKind::kClosed) {
    if (s.workload.users > kMaxRealUsers) {
      why << "workload.users: the lab plays at most " << kMaxRealUsers
          << " users (a thread each), got " << s.workload.users;
      return why.str();
    }
    const double most = s.workload.users / s.workload.think_time.mean_s();
    if (most > kMaxRealRate) {
      why << "workload.users, workload.think_time: " << s.workload.users << " users thinking "
          << s.workload.think_time.mean_s() << " s on average can send up to " << most
          << " requests a second; the lab plays at most " << kMaxRealRate;
      return why.str();
    }
  }
  if (s.cache.memory_bytes % (1 << 20) != 0) {
    why << "cache.memory_bytes: memcached's -m takes whole megabytes (MiB), got "
        << s.cache.memory_bytes << "; try --set cache.memory_bytes="
        << std::max<std::uint64_t>(1, s.cache.memory_bytes >> 20) * (1 << 20);
    return why.str();
  }
  if (s.cache.gutter_nodes > 0 || s.cache.node_capacity > 0)
    return "cache.gutter_nodes, cache.node_capacity: the lab's memcached is a real one, with its "
           "own "
           "capacity and no gutter pool (the model's failover runs in the simulator)";
  if (s.cache.nodes != 1 || s.app.local_cache)
    return "cache.nodes: the lab runs one memcached shared by the app servers (cache.nodes 1, "
           "app.local_cache false)";
  for (const ScriptedEvent &e : s.events)
    if (e.kind != ScriptedEvent::Kind::kSubmitBurst && e.kind != ScriptedEvent::Kind::kViewBurst)
      return "events: the lab plays bursts of submits or views, not nodes or app servers that "
             "come and go";
  if (s.edge.enabled)
    return "edge.enabled: the lab has no front cache";
  return std::string();
}

Report run_real(const Scenario &s, const std::string &pg_conninfo, int memcached_port,
                RealTimings *timings) {
  if (const std::string why = real_lab_refusal(s); !why.empty())
    throw std::invalid_argument(why);
  Shared sh(s);
  sh.keep_timings = timings != nullptr;
  sh.options = normalize_strategy(s.strategy);
  sh.strategy = StrategyRegistry::global().make(s.strategy);
  sh.ordered_writes = sh.strategy->updates_cache_on_submit();
  const std::uint32_t workers = s.app.servers * s.app.workers;
  sh.contexts.assign(workers, nullptr);
  PgPool pool(pg_conninfo, s.db.connections);
  {
    PgPool::Lease c = pool.acquire();
    create_posts_table(c.get());
  }
  if (s.strategy.warm && sh.strategy->uses_cache()) {
    // Every key's (empty) page, as the model warms (SPEC section 3).
    McClient mc(memcached_port);
    char kbuf[24], vbuf[kEncodedPageBytes];
    std::string value(Page{}.encode(vbuf));
    value.resize(std::max<std::size_t>(value.size(), s.cache.item_bytes), '\0');
    for (std::uint32_t k = 0; k < s.workload.keys; ++k)
      mc.store(StoreMode::kSet, internal::cache_key(k, kbuf), value, 0,
               sh.strategy->cache_ttl_s(sh.options));
  }

  // memcached's evictions during the run (the warm-up's, as the model's,
  // are not counted).
  McClient observer(memcached_port);
  const auto evictions = [&observer] { return std::stoull(observer.stats().at("evictions")); };
  const std::uint64_t evictions_before = evictions();
  std::optional<Clock::time_point> tick;
  if (sh.strategy->uses_cache() && sh.strategy->cache_ttl_s(sh.options) > 0)
    tick = memcached_tick(observer);
  sh.t0 = Clock::now(); // the run's clock starts once the servers are set up
  if (tick) {
    sh.expiring = true;
    sh.tick = std::chrono::duration_cast<std::chrono::nanoseconds>(*tick - sh.t0).count();
  }

  std::vector<std::unique_ptr<ServerQueue>> servers;
  for (std::uint32_t i = 0; i < s.app.servers; ++i)
    servers.push_back(std::make_unique<ServerQueue>());
  std::mutex error_mu;
  std::string error;
  std::atomic<bool> failed{false};
  const auto fail = [&](const std::string &what) {
    const std::lock_guard<std::mutex> lock(error_mu);
    if (error.empty())
      error = what;
    failed = true;
  };
  const auto answered = [](User &u) {
    {
      const std::lock_guard<std::mutex> lock(u.mu);
      u.answered = true;
    }
    u.cv.notify_one();
  };
  std::vector<std::thread> threads;
  for (std::uint32_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      const std::uint32_t server = w / s.app.workers;
      ServerQueue &q = *servers[server];
      Rng rng = Rng::stream(s.seed, "reality worker", w);
      try {
        McClient mc(memcached_port);
        for (;;) {
          Job job;
          {
            std::unique_lock<std::mutex> lock(q.mu);
            ++q.idle;
            q.cv.wait(lock, [&] { return q.closed || !q.jobs.empty(); });
            --q.idle;
            if (q.jobs.empty())
              return;
            job = q.jobs.front();
            q.jobs.pop_front();
          }
          const Time began = sh.now();
          std::this_thread::sleep_for(std::chrono::nanoseconds(s.app.cpu.sample(rng)));
          Request r;
          r.id = w; // one request at a time per worker: a stable slot
          r.key = job.key;
          r.server = server;
          r.submit = job.submit;
          RealContext ctx(sh, mc, pool, rng, job, r);
          ctx.run();
          --q.load;
          if (job.user != nullptr)
            answered(*job.user);
          const Time app = sh.now() - began - ctx.calls_ns_;
          const std::lock_guard<std::mutex> lock(sh.mu);
          sh.sample(sh.timings.app_s, ns_to_seconds(std::max<Time>(0, app)));
        }
      } catch (const std::exception &e) {
        fail(e.what());
      }
    });
  }

  // Each arrival: a view or a submit by submit_ratio, a key by popularity,
  // sent to the server the balancer picks; refused when that server has
  // app.backlog requests waiting for a worker already. Users' threads and
  // the bursts arrive concurrently: one at a time, under arrive_mu.
  Rng mix = Rng::stream(s.seed, "reality mix", 0);
  Rng keys = Rng::stream(s.seed, "reality keys", 0);
  // The model's balancer, over the lab's servers.
  internal::Balancer balancer(s.balancer, Rng::stream(s.seed, "reality balancer", 0));
  for (std::uint32_t i = 0; i < s.app.servers; ++i)
    balancer.join(i);
  const std::vector<double> popularity = internal::zipf_cdf(s.workload.keys, s.workload.zipf_alpha);
  std::mutex arrive_mu;
  std::uint64_t serial = 0;
  // @return whether the request was taken (false: refused by the backlog).
  const auto arrive = [&](std::optional<bool> submit, User *user) {
    const std::lock_guard<std::mutex> arriving(arrive_mu);
    Job job;
    job.user = user;
    job.submit = submit ? *submit : mix.uniform01() < s.workload.submit_ratio;
    job.key = internal::key_of(popularity, keys.uniform01());
    job.arrival = sh.now();
    job.serial = ++serial;
    ServerQueue &q = *servers[balancer.choose(
        [&servers](std::uint32_t i) -> std::uint64_t { return servers[i]->load.load(); })];
    {
      const std::lock_guard<std::mutex> lock(sh.mu);
      job.committed_at_arrival = sh.m.log().committed(job.key);
      sh.m.arrival();
    }
    {
      const std::lock_guard<std::mutex> lock(q.mu);
      if (s.app.backlog > 0 && q.jobs.size() >= q.idle + s.app.backlog) {
        const std::lock_guard<std::mutex> counts(sh.mu);
        if (job.arrival < sh.end)
          sh.m.rejected();
        return false;
      }
      ++q.load;
      q.jobs.push_back(job);
    }
    q.cv.notify_one();
    return true;
  };

  // A closed workload: each user thinks, sends a request, and waits for its
  // answer (or its refusal) before thinking again (SPEC 2).
  const bool closed = s.workload.kind == WorkloadKind::kClosed;
  std::vector<std::thread> users;
  // Each user outlives every worker that may answer it.
  const std::unique_ptr<User[]> people(new User[closed ? s.workload.users : 0]);
  for (std::uint32_t u = 0; closed && u < s.workload.users; ++u) {
    users.emplace_back([&, u] {
      Rng think = Rng::stream(s.seed, "reality think", u);
      User &me = people[u];
      for (;;) {
        const Time at = sh.now() + s.workload.think_time.sample(think);
        if (at >= sh.end || failed)
          return;
        std::this_thread::sleep_until(sh.t0 + std::chrono::nanoseconds(at));
        me.answered = false;
        if (!arrive(std::nullopt, &me))
          continue;
        std::unique_lock<std::mutex> lock(me.mu);
        while (!me.cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return me.answered; }))
          if (failed)
            return;
      }
    });
  }

  // Scripted bursts, in time order; with an open workload, interleaved with
  // its Poisson arrivals at workload.rate.
  std::vector<ScriptedEvent> bursts = s.events;
  std::stable_sort(bursts.begin(), bursts.end(),
                   [](const ScriptedEvent &a, const ScriptedEvent &b) { return a.at < b.at; });
  std::size_t next_burst = 0;
  const auto bursts_until = [&](Time t) {
    for (; next_burst < bursts.size() && bursts[next_burst].at <= t && !failed; ++next_burst) {
      std::this_thread::sleep_until(sh.t0 + std::chrono::nanoseconds(bursts[next_burst].at));
      for (std::uint32_t k = 0; k < bursts[next_burst].value; ++k)
        arrive(bursts[next_burst].kind == ScriptedEvent::Kind::kSubmitBurst, nullptr);
    }
  };
  if (!closed) {
    Rng arrivals = Rng::stream(s.seed, "reality arrivals", 0);
    const Distribution gap = Distribution::exponential(1.0 / s.workload.rate);
    for (Time at = gap.sample(arrivals); at < sh.end && !failed; at += gap.sample(arrivals)) {
      bursts_until(at);
      std::this_thread::sleep_until(sh.t0 + std::chrono::nanoseconds(at));
      arrive(std::nullopt, nullptr);
    }
  }
  bursts_until(sh.end - 1);
  while (closed && !failed && sh.now() < sh.end)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (std::thread &t : users)
    t.join();
  for (auto &q : servers) {
    {
      const std::lock_guard<std::mutex> lock(q->mu);
      q->closed = true;
    }
    q->cv.notify_all();
  }
  for (std::thread &t : threads)
    t.join();
  if (!error.empty())
    throw ServiceError(error);
  if (timings != nullptr)
    *timings = std::move(sh.timings);

  // The report is the measurement's, as the model's is; the time measured
  // is the whole run (the lab has no warm-up).
  internal::StackGauges gauges;
  gauges.db_busy_area = sh.db_busy_ns;
  gauges.elapsed = sh.end;
  gauges.db_connections = s.db.connections;
  gauges.evictions = evictions() - evictions_before;
  Report r = sh.m.report(gauges);
  r.scenario = s.name;
  r.strategy = strategy_label(s.strategy);
  r.seed = s.seed;
  r.duration_s = s.duration_s;
  r.wall_s = ns_to_seconds(sh.now());
  r.events = r.arrivals;
  r.events_per_s = r.wall_s > 0 ? static_cast<double>(r.events) / r.wall_s : 0;
  return r;
}

} // namespace stampede::reality
