// The reality lab's stack: a scenario's workload played on real servers (a
// PostgreSQL database and a memcached), by app workers that are threads
// running the same Strategy objects as the model, measured by the model's
// own measurement and balanced by its balancer.
#include "reality/real_stack.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "metrics/measurement.h"
#include "model/balancer.h"
#include "model/cache_tier.h"
#include "model/popularity.h"
#include "reality/clients.h"
#include "reality/database.h"
#include "reality/real_context.h"
#include "reality/services.h"
#include "stampede/distribution.h"
#include "stampede/page.h"
#include "stampede/rng.h"
#include "stampede/strategy.h"

namespace stampede::reality {

using stack::Clock;
using stack::Job;
using stack::RealContext;
using stack::ServerQueue;
using stack::Shared;
using stack::User;

namespace {

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

bool migrates(const Scenario &s) {
  return std::any_of(s.events.begin(), s.events.end(), [](const ScriptedEvent &e) {
    return e.kind == ScriptedEvent::Kind::kMigrateCache;
  });
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
  int migrations = 0;
  for (const ScriptedEvent &e : s.events) {
    if (e.kind == ScriptedEvent::Kind::kMigrateCache) {
      if (e.value != 1 || ++migrations > 1)
        return "events: the lab plays one migration to one new memcached (migrate_cache 1), as "
               "the tutorial's two ports do; more runs in the simulator";
      continue;
    }
    if (e.kind == ScriptedEvent::Kind::kRetireOldCache)
      continue;
    if (e.kind != ScriptedEvent::Kind::kSubmitBurst && e.kind != ScriptedEvent::Kind::kViewBurst)
      return "events: the lab plays bursts of submits or views and a migration, not nodes or app "
             "servers that come and go";
  }
  if (s.edge.enabled)
    return "edge.enabled: the lab has no front cache";
  return std::string();
}

namespace {

/// One play of a scenario on the real servers: its threads (app workers,
/// closed users), its arrivals, and what it reports.
class Play {
public:
  Play(const Scenario &s, const std::string &pg_conninfo, int memcached_port, int next_port,
       bool keep_timings)
      : s_(s), port_(memcached_port), next_port_(next_port), sh_(s),
        pool_(pg_conninfo, s.db.connections),
        balancer_(s.balancer, Rng::stream(s.seed, "reality balancer", 0)),
        mix_(Rng::stream(s.seed, "reality mix", 0)), keys_(Rng::stream(s.seed, "reality keys", 0)),
        popularity_(internal::zipf_cdf(s.workload.keys, s.workload.zipf_alpha)),
        observer_(memcached_port) {
    sh_.keep_timings = keep_timings;
    sh_.options = normalize_strategy(s.strategy);
    sh_.strategy = StrategyRegistry::global().make(s.strategy);
    sh_.ordered_writes = sh_.strategy->updates_cache_on_submit();
    sh_.contexts.assign(s.app.servers * s.app.workers, nullptr);
    for (std::uint32_t i = 0; i < s.app.servers; ++i) {
      servers_.push_back(std::make_unique<ServerQueue>());
      balancer_.join(i); // the model's balancer, over the lab's servers
    }
  }

  // A play cut short (a server failed while it set up, or arrivals threw)
  // still stops and joins its threads.
  ~Play() {
    failed_ = true;
    stop();
  }
  Play(const Play &) = delete;
  Play &operator=(const Play &) = delete;

  /// Plays the scenario: @return its report, `timings` filled when asked.
  Report run(RealTimings *timings) {
    prepare();
    start_workers();
    if (s_.workload.kind == WorkloadKind::kClosed)
      play_closed();
    else
      play_open();
    stop();
    if (!error_.empty())
      throw ServiceError(error_);
    if (timings != nullptr)
      *timings = std::move(sh_.timings);
    return report();
  }

private:
  /// The posts table; every key's (empty) page when the strategy warms, as
  /// the model warms (SPEC section 3); memcached's clock; then the run's
  /// clock starts.
  void prepare() {
    {
      PgPool::Lease c = pool_.acquire();
      create_posts_table(c.get());
    }
    if (s_.strategy.warm && sh_.strategy->uses_cache()) {
      McClient mc(port_);
      char kbuf[24], vbuf[kEncodedPageBytes];
      std::string value(Page{}.encode(vbuf));
      value.resize(std::max<std::size_t>(value.size(), s_.cache.item_bytes), '\0');
      for (std::uint32_t k = 0; k < s_.workload.keys; ++k)
        mc.store(StoreMode::kSet, internal::cache_key(k, kbuf), value, 0,
                 sh_.strategy->cache_ttl_s(sh_.options));
    }
    // memcached's evictions during the run (the warm-up's, as the model's,
    // are not counted).
    evictions_before_ = evictions();
    std::optional<Clock::time_point> tick;
    if (sh_.strategy->uses_cache() && sh_.strategy->cache_ttl_s(sh_.options) > 0)
      tick = memcached_tick(observer_);
    sh_.t0 = Clock::now(); // the run's clock starts once the servers are set up
    if (tick) {
      sh_.expiring = true;
      sh_.tick = std::chrono::duration_cast<std::chrono::nanoseconds>(*tick - sh_.t0).count();
    }
  }

  // Over both tiers of a migration.
  std::uint64_t evictions() {
    std::uint64_t n = std::stoull(observer_.stats().at("evictions"));
    if (next_port_ != 0) {
      McClient next(next_port_);
      n += std::stoull(next.stats().at("evictions"));
    }
    return n;
  }

  void fail(const std::string &what) {
    const std::lock_guard<std::mutex> lock(error_mu_);
    if (error_.empty())
      error_ = what;
    failed_ = true;
  }

  void start_workers() {
    const std::uint32_t workers = s_.app.servers * s_.app.workers;
    for (std::uint32_t w = 0; w < workers; ++w)
      workers_.emplace_back([this, w] {
        try {
          work(w);
        } catch (const std::exception &e) {
          fail(e.what());
        }
      });
  }

  /// App worker `w`: takes its server's requests one at a time, spends the
  /// request's CPU time, and drives it through the strategy.
  void work(std::uint32_t w) {
    const std::uint32_t server = w / s_.app.workers;
    ServerQueue &q = *servers_[server];
    Rng rng = Rng::stream(s_.seed, "reality worker", w);
    McClient mc(port_);
    std::optional<McClient> next; // a migration's new tier
    if (next_port_ != 0)
      next.emplace(next_port_);
    Job job;
    while (next_job(q, job)) {
      const Time began = sh_.now();
      std::this_thread::sleep_for(std::chrono::nanoseconds(s_.app.cpu.sample(rng)));
      Request r;
      r.id = w; // one request at a time per worker: a stable slot
      r.key = job.key;
      r.server = server;
      r.submit = job.submit;
      RealContext ctx(sh_, mc, next ? &*next : nullptr, pool_, rng, job, r);
      ctx.run();
      --q.load;
      if (job.user != nullptr)
        answered(*job.user);
      const Time app = sh_.now() - began - ctx.calls_ns_;
      const std::lock_guard<std::mutex> lock(sh_.mu);
      sh_.sample(sh_.timings.app_s, ns_to_seconds(std::max<Time>(0, app)));
    }
  }

  /// Waits for a request at `q`: @return false once the queue is closed and empty.
  static bool next_job(ServerQueue &q, Job &job) {
    std::unique_lock<std::mutex> lock(q.mu);
    ++q.idle;
    q.cv.wait(lock, [&] { return q.closed || !q.jobs.empty(); });
    --q.idle;
    if (q.jobs.empty())
      return false;
    job = q.jobs.front();
    q.jobs.pop_front();
    return true;
  }

  static void answered(User &u) {
    {
      const std::lock_guard<std::mutex> lock(u.mu);
      u.answered = true;
    }
    u.cv.notify_one();
  }

  /// One arrival: a view or a submit by submit_ratio (unless given), a key
  /// by popularity, sent to the server the balancer picks; refused when that
  /// server has app.backlog requests waiting for a worker already. Users'
  /// threads and the bursts arrive concurrently: one at a time.
  /// @return whether the request was taken (false: refused by the backlog).
  bool arrive(std::optional<bool> submit, User *user) {
    const std::lock_guard<std::mutex> arriving(arrive_mu_);
    Job job;
    job.user = user;
    job.submit = submit ? *submit : mix_.uniform01() < s_.workload.submit_ratio;
    job.key = internal::key_of(popularity_, keys_.uniform01());
    job.arrival = sh_.now();
    job.serial = ++serial_;
    ServerQueue &q = *servers_[balancer_.choose(
        [this](std::uint32_t i) -> std::uint64_t { return servers_[i]->load.load(); })];
    {
      const std::lock_guard<std::mutex> lock(sh_.mu);
      job.committed_at_arrival = sh_.m.log().committed(job.key);
      sh_.m.arrival();
    }
    {
      const std::lock_guard<std::mutex> lock(q.mu);
      if (s_.app.backlog > 0 && q.jobs.size() >= q.idle + s_.app.backlog) {
        const std::lock_guard<std::mutex> counts(sh_.mu);
        if (job.arrival < sh_.end)
          sh_.m.rejected();
        return false;
      }
      ++q.load;
      q.jobs.push_back(job);
    }
    q.cv.notify_one();
    return true;
  }

  /// A closed workload: each user thinks, sends a request, and waits for
  /// its answer (or its refusal) before thinking again (SPEC 2).
  void play_closed() {
    people_ = std::make_unique<User[]>(s_.workload.users);
    for (std::uint32_t u = 0; u < s_.workload.users; ++u)
      users_.emplace_back([this, u] { be_user(u); });
    bursts_until(sh_.end - 1);
    while (!failed_ && sh_.now() < sh_.end)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  void be_user(std::uint32_t u) {
    Rng think = Rng::stream(s_.seed, "reality think", u);
    User &me = people_[u];
    for (;;) {
      const Time at = sh_.now() + s_.workload.think_time.sample(think);
      if (at >= sh_.end || failed_)
        return;
      std::this_thread::sleep_until(sh_.t0 + std::chrono::nanoseconds(at));
      me.answered = false;
      if (!arrive(std::nullopt, &me))
        continue;
      std::unique_lock<std::mutex> lock(me.mu);
      while (!me.cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return me.answered; }))
        if (failed_)
          return;
    }
  }

  /// An open workload: Poisson arrivals at workload.rate, interleaved with
  /// the scripted bursts.
  void play_open() {
    Rng arrivals = Rng::stream(s_.seed, "reality arrivals", 0);
    const Distribution gap = Distribution::exponential(1.0 / s_.workload.rate);
    for (Time at = gap.sample(arrivals); at < sh_.end && !failed_; at += gap.sample(arrivals)) {
      bursts_until(at);
      std::this_thread::sleep_until(sh_.t0 + std::chrono::nanoseconds(at));
      arrive(std::nullopt, nullptr);
    }
    bursts_until(sh_.end - 1);
  }

  /// Plays the scripted bursts and the migration's moves due by `t`, in time order.
  void bursts_until(Time t) {
    if (bursts_.empty() && !s_.events.empty()) {
      bursts_ = s_.events;
      std::stable_sort(bursts_.begin(), bursts_.end(),
                       [](const ScriptedEvent &a, const ScriptedEvent &b) { return a.at < b.at; });
    }
    for (; next_burst_ < bursts_.size() && bursts_[next_burst_].at <= t && !failed_;
         ++next_burst_) {
      const ScriptedEvent &e = bursts_[next_burst_];
      std::this_thread::sleep_until(sh_.t0 + std::chrono::nanoseconds(e.at));
      if (e.kind == ScriptedEvent::Kind::kMigrateCache) {
        sh_.tier_phase = 1; // the second memcached in use, the first the old tier
        continue;
      }
      if (e.kind == ScriptedEvent::Kind::kRetireOldCache) {
        sh_.tier_phase = 2;
        continue;
      }
      for (std::uint32_t k = 0; k < e.value; ++k)
        arrive(e.kind == ScriptedEvent::Kind::kSubmitBurst, nullptr);
    }
  }

  /// The users stop, the queues close, the workers finish what they hold.
  /// Once stopped, stopping again does nothing.
  void stop() {
    for (std::thread &t : users_)
      if (t.joinable())
        t.join();
    for (auto &q : servers_) {
      {
        const std::lock_guard<std::mutex> lock(q->mu);
        q->closed = true;
      }
      q->cv.notify_all();
    }
    for (std::thread &t : workers_)
      if (t.joinable())
        t.join();
  }

  /// The report is the measurement's, as the model's is; the time measured
  /// is the whole run (the lab has no warm-up).
  Report report() {
    internal::StackGauges gauges;
    gauges.db_busy_area = sh_.db_busy_ns;
    gauges.elapsed = sh_.end;
    gauges.db_connections = s_.db.connections;
    gauges.evictions = evictions() - evictions_before_;
    Report r = sh_.m.report(gauges);
    r.scenario = s_.name;
    r.strategy = strategy_label(s_.strategy);
    r.seed = s_.seed;
    r.duration_s = s_.duration_s;
    r.wall_s = ns_to_seconds(sh_.now());
    r.events = r.arrivals;
    r.events_per_s = r.wall_s > 0 ? static_cast<double>(r.events) / r.wall_s : 0;
    return r;
  }

  const Scenario &s_;
  const int port_;
  const int next_port_; // a migration's second memcached (0: none)
  Shared sh_;
  PgPool pool_;
  internal::Balancer balancer_;
  std::vector<std::unique_ptr<ServerQueue>> servers_;
  std::vector<std::thread> workers_, users_;
  std::unique_ptr<User[]> people_; // outlives every worker that may answer a user

  std::mutex arrive_mu_; // one arrival at a time: the streams below are drawn under it
  Rng mix_, keys_;
  std::vector<double> popularity_;
  std::uint64_t serial_ = 0;
  std::vector<ScriptedEvent> bursts_; // the scripted bursts, in time order
  std::size_t next_burst_ = 0;

  McClient observer_; // reads memcached's stats (evictions) and clock
  std::uint64_t evictions_before_ = 0;
  std::mutex error_mu_;
  std::string error_;
  std::atomic<bool> failed_{false};
};

} // namespace

Report run_real(const Scenario &s, const std::string &pg_conninfo, int memcached_port,
                RealTimings *timings, int next_memcached_port) {
  if (const std::string why = real_lab_refusal(s); !why.empty())
    throw std::invalid_argument(why);
  if (migrates(s) && next_memcached_port == 0)
    throw std::invalid_argument("events: migrate_cache needs a second memcached to migrate to");
  Play play(s, pg_conninfo, memcached_port, migrates(s) ? next_memcached_port : 0,
            timings != nullptr);
  return play.run(timings);
}

} // namespace stampede::reality
