/// @file simulation.h
/// A run of a scenario: build it, drive it (all at once, to a time, or one
/// event at a time), watch it through an Observer, and read its Report.
///
/// A Simulation is single-threaded and owns everything it simulates. A GUI
/// drives it from a worker thread in slices (run_until / step) and copies
/// what it draws from state() and report() between slices; nothing here
/// knows about threads or Qt.
///
///     stampede::Simulation sim(scenario);
///     sim.run();
///     stampede::Report r = sim.report();
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "stampede/report.h"
#include "stampede/scenario.h"
#include "stampede/strategy.h"
#include "stampede/time.h"

namespace stampede {

/// RequestRecord::server (and id) of a page view the front cache answered
/// (`edge.enabled`): it reached no app server.
inline constexpr std::uint32_t kEdgeServer = 0xffffffffu;

/// A finished request, for observers (traces, the GUI's request list).
struct RequestRecord {
  std::uint32_t id; ///< Slot index (reused after the request ends).
  std::uint64_t
      serial;        ///< Unique number of the request in this run, in the order requests started.
  std::uint32_t key; ///< Key index.
  std::uint32_t server; ///< App server.
  bool submit;          ///< Submit or page view.
  bool stale;           ///< A page view that served a stale page.
  Time arrival;         ///< When it arrived.
  Time start;           ///< When a worker took it.
  Time response;        ///< When it was answered.
  double staleness_s;   ///< For a stale view: arrival minus the oldest missing post's commit.
};

/// One cache or DB call, for observers.
struct CallRecord {
  std::uint64_t serial; ///< The request's serial.
  std::uint32_t server; ///< The request's app server.
  Op op;                ///< Which call.
  McStatus status;      ///< Its outcome.
  bool hit;             ///< For gets.
  std::int32_t node;    ///< Memcached node (-1: local cache or DB).
  Time issue;           ///< When issued.
  Time reply;           ///< When its reply arrived.
  /// The CAS unique: a gets' hit returned it, a cas sent it (0: none).
  std::uint64_t unique = 0;
};

/// What a request holding an app worker is doing (ActivityRecord).
enum class Activity : std::uint8_t {
  kCpu,       ///< On its worker's CPU, from the worker taking it.
  kCacheCall, ///< A cache call out, from issue to its reply.
  kDbQueued,  ///< A database query waiting for a connection (until unknown).
  kDbRunning, ///< A database query on a connection, to its completion.
  kWait,      ///< Waiting without a call (Context::wait: a lease loser's pause).
  kDone,      ///< The request let go of its worker.
};

/// A request's activity began, for observers that draw what is in flight at
/// an instant (the GUI's diagram) or follow one request. Emitted when it
/// begins, with its end when the model already knows it; every activity of
/// a worker slot lasts until the slot's next record.
struct ActivityRecord {
  std::uint64_t serial; ///< The request.
  std::uint32_t slot;   ///< Its worker slot (server * workers + worker).
  std::uint32_t server; ///< Its app server.
  std::uint32_t key;    ///< Its key.
  bool submit;          ///< Submit or page view.
  Activity activity;    ///< What began.
  Op op;                ///< The call, for kCacheCall, kDbQueued and kDbRunning.
  std::int32_t node;    ///< Memcached node of a cache call (-1: the local cache).
  Time arrival;         ///< When the request arrived.
  Time from;            ///< When this activity began (now).
  Time until;           ///< When it ends, or -1 while unknown (a queued query).
  /// A cache get's outcome: whether it hit. The model decides it as the
  /// get is asked (the reply then travels back), so a diagram may colour
  /// the reply's way back.
  bool hit = false;
};

/// Kinds of anomaly an observer is told about as they happen.
enum class AnomalyKind : std::uint8_t {
  kStaleRead,
  kStampede,
  kCasConflict,
  kLostUpdate,
  /// Not an anomaly but one prevented: a `lease` fill refused because a
  /// delete voided its token (the stale set leases stop). Its cause is that
  /// delete; its snapshot, the refused page's query.
  kLeaseRefused,
};

/// @param kind an anomaly kind.
/// @return its name in words: `stale read`, `stampede`, `CAS conflict`, `lost update`,
/// `refused lease fill`.
const char *anomaly_label(AnomalyKind kind) noexcept;

/// An anomaly as it happens, with what caused it where the model knows.
struct AnomalyRecord {
  AnomalyKind kind;     ///< Which.
  Time at;              ///< When.
  std::uint64_t serial; ///< The request that showed it.
  std::uint32_t key;    ///< The key.
  /// Stale read: the oldest post the page lacked; lost update: the post
  /// lost; else 0.
  std::uint32_t post = 0;
  Time post_committed_at = -1; ///< When `post` committed (-1: no post).
  /// The request whose cache write caused it: for a stale read, the write
  /// that stored the page served (none: the page came from the view's own
  /// query, or the warm-up); for a lost update, the write that dropped the
  /// post; for a CAS conflict, the write that changed the unique.
  /// kNoSerial (page.h): none.
  std::uint64_t cause_serial = kNoSerial;
  Time cause_at = -1; ///< When that write was issued (-1: none).
  /// When the database query the page served (stale read) or written (lost
  /// update, CAS conflict) was built from began: its snapshot. -1: unknown
  /// or the warm-up.
  Time snapshot_at = -1;
  /// CAS conflict: the unique the request's gets returned, which its cas
  /// sent (0: not a conflict).
  std::uint64_t unique_sent = 0;
  /// CAS conflict: the key's unique when the cas arrived (0: not a conflict).
  std::uint64_t unique_now = 0;
  /// Stale read: the page served was copied from the old tier of a
  /// migration into the new one (cache.fallback's add, by request
  /// `cause_serial` at `cause_at`).
  bool from_old_tier = false;
  /// Stale read of a page copied from the old tier: the request whose delete
  /// the copy outlived (it read the old tier before that delete and stored
  /// after it), and when; kNoSerial and -1 when it outlived none.
  std::uint64_t outlived_delete = kNoSerial;
  Time outlived_delete_at = -1; ///< When that delete was issued (-1: none).
};

/// Counters over one interval of simulated time (a row of the time series).
struct IntervalRecord {
  Time start = 0;                       ///< The interval's start.
  Time end = 0;                         ///< The interval's end.
  std::uint64_t arrivals = 0;           ///< Requests that arrived.
  std::uint64_t page_views = 0;         ///< Views answered.
  std::uint64_t submits = 0;            ///< Submits answered.
  std::uint64_t db_reads = 0;           ///< Page queries completed.
  std::uint64_t db_writes = 0;          ///< Inserts completed.
  std::uint64_t cache_gets = 0;         ///< Gets issued.
  std::uint64_t cache_hits = 0;         ///< Of which hits.
  std::uint64_t stale_reads = 0;        ///< Stale views answered.
  std::uint64_t redundant_db_reads = 0; ///< Redundant page queries issued.
  std::uint64_t cas_conflicts = 0;      ///< cas EXISTS replies.
  std::uint64_t lost_updates = 0;       ///< Lost updates found.
  std::uint64_t evictions = 0;          ///< Cache evictions.
  std::uint32_t db_queue = 0;           ///< DB queue length at the interval's end.
  std::uint32_t db_queue_max = 0;       ///< Longest DB queue in the interval.
  double db_utilization = 0;            ///< Busy share of connections in the interval.
  std::uint64_t app_backlog = 0;        ///< Requests waiting for a worker at the end.
  double view_p50_ms = 0;               ///< Page-view latency median, views answered in it.
  double view_p99_ms = 0;               ///< Page-view latency p99.
};

/// Watches a run. Every hook has an empty default; a run without an observer
/// pays one pointer test per hook site.
class Observer {
public:
  virtual ~Observer() = default;
  /// A request was answered. @param r what happened.
  virtual void on_request(const RequestRecord &r) { (void)r; }
  /// A cache or DB call's reply arrived. @param c what happened.
  virtual void on_call(const CallRecord &c) { (void)c; }
  /// An anomaly happened. @param a what.
  virtual void on_anomaly(const AnomalyRecord &a) { (void)a; }
  /// An interval of simulated time ended. @param i its counters.
  virtual void on_interval(const IntervalRecord &i) { (void)i; }
  /// A request's activity began (see ActivityRecord). @param a what and when.
  virtual void on_activity(const ActivityRecord &a) { (void)a; }
};

/// Live state of the stack, for a diagram.
struct StackState {
  Time now = 0;                            ///< Virtual time.
  std::vector<std::uint32_t> busy_workers; ///< Per app server.
  std::vector<std::uint64_t> app_queue;    ///< Per app server: waiting for a worker.
  /// Per app server: in the balancer's pool (false once removed live; it
  /// still finishes what it holds).
  std::vector<bool> app_in_pool;
  /// Per memcached node (0 when down): the tier's nodes, then the gutter
  /// pool's (`cache.gutter_nodes`).
  std::vector<std::uint64_t> cache_items;
  std::vector<bool> cache_up;     ///< Per node, as cache_items (a failed node is down at once).
  std::uint32_t gutter_nodes = 0; ///< How many of them, at the end, are gutter nodes.
  /// During a migration (`migrate_cache`), the old tier's nodes' items (a
  /// call to the old tier's node i names node cache_items.size() + i);
  /// empty when no migration is under way.
  std::vector<std::uint64_t> old_cache_items;
  std::uint32_t db_busy = 0;  ///< Connections in use.
  std::uint32_t db_queue = 0; ///< Queries waiting.
  std::string strategy;       ///< Current strategy label.
};

class SimulationCore; // the model (model/core.h)

/// One run.
class Simulation {
public:
  /// Builds the stack, warms the cache if asked, and schedules the first arrivals.
  /// @param scenario a validated scenario.
  /// @param registry where strategy names are looked up (at the start and at
  ///        each switch_strategy): it must outlive the simulation.
  /// @throws std::invalid_argument when the strategy is unknown.
  explicit Simulation(const Scenario &scenario,
                      const StrategyRegistry &registry = StrategyRegistry::global());
  ~Simulation();
  Simulation(const Simulation &) = delete;
  Simulation &operator=(const Simulation &) = delete;

  /// Processes the next event, if it is before the end.
  /// @return false when the run is over (nothing left before `duration_s`).
  bool step();
  /// Processes every event before `t` (and before the end).
  /// @param t a virtual time.
  void run_until(Time t);
  /// Processes every event before the end.
  void run();
  /// @return true once no event before the end remains.
  bool finished() const noexcept;
  /// @return the current virtual time (the last event's).
  Time now() const noexcept;
  /// @return the end of the run, `duration_s` in ns.
  Time end() const noexcept;
  /// @return events processed so far.
  std::uint64_t events() const noexcept;

  /// The report so far (at the end: the run's report). Expectations are not
  /// evaluated here (io does that); engine.wall_s covers time spent in
  /// step/run_until/run.
  /// @return the report.
  Report report() const;

  /// @return a copy of the stack's live state.
  StackState state() const;

  /// Attaches an observer (not owned; null detaches).
  /// @param observer the observer, which must outlive its attachment.
  void set_observer(Observer *observer) noexcept;
  /// Sets the length of the intervals reported to the observer (default 1 s).
  /// @param length positive virtual time.
  void set_interval(Time length);

  /// Discards every statistic of the first `length` of virtual time (the
  /// transient, as JMT removes it; SPEC section 11): the report's counts,
  /// latencies, anomalies, maxima and DB utilisation cover [length, end).
  /// The time series and observers are not affected.
  /// @param length virtual time, 0 (none) up to below end().
  /// @throws std::invalid_argument outside that range; std::logic_error
  ///         once the run has started.
  void set_warmup(Time length);

  /// Switches strategy for requests that start from now on; requests in
  /// flight finish with the strategy they started with.
  /// @param config the new strategy and options.
  /// @throws std::invalid_argument when the name is unknown.
  void switch_strategy(const StrategyConfig &config);
  /// Makes `count` submits arrive now.
  /// @param count how many.
  void submit_burst(std::uint32_t count);
  /// Crashes a memcached node: its items are lost and it leaves the ring.
  /// @param node the node's index; ignored if out of range or already down.
  void crash_node(std::uint32_t node);
  /// Adds an empty memcached node to the ring, unless the tier already has
  /// kMaxCacheNodes nodes (scenario.h), crashed ones included.
  /// @return whether a node was added.
  bool add_node();
  /// A migration, live (the window's button; `migrate_cache` in a scenario):
  /// a new, empty tier of `nodes` nodes beside the old one.
  /// @return false when one is already under way, or nodes is 0 or past
  /// kMaxCacheNodes, or the servers cache locally (`app.local_cache`).
  bool migrate_cache(std::uint32_t nodes);
  /// Retires the old tier of a migration (`retire_old_cache`).
  /// @return false when no migration is under way.
  bool retire_old_cache();

  /// Adds an app server (as `app.servers` describes them) to the balancer's
  /// pool, the lecture's stateless app servers scaling out live; it has
  /// stream, workers and (with `app.local_cache`) an empty cache of its own.
  /// @return false when the stack already has kMaxAppServers servers
  ///         (removed ones included) or no room for their worker slots.
  bool add_server();
  /// Takes an app server out of the balancer's pool: it gets no new
  /// requests, and finishes what it holds (nothing is lost: app servers keep
  /// no state but a local cache).
  /// @param server its index.
  /// @return false when it is not in the pool, or it is the last one.
  bool remove_server(std::uint32_t server);

  /// @return the scenario this run was built from.
  const Scenario &scenario() const noexcept;

  /// Whether the run stopped early because the stack was overloaded: more
  /// than kMaxQueuedRequests requests (scenario.h) waited for an app worker.
  /// The run then ends at that moment (finished() is true) and its report
  /// covers the time until then.
  /// @return the virtual time it stopped, or nothing.
  std::optional<Time> overloaded_at() const noexcept;

private:
  std::unique_ptr<SimulationCore> core_;
  Time warmup_ = 0;             // set_warmup
  bool warmup_pending_ = false; // the warm-up has not ended yet
};

} // namespace stampede
