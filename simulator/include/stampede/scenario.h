/// @file scenario.h
/// A scenario: the typed, already-validated description of one run.
///
/// Scenario files are JSON (SPEC section 2); io/scenario_parser turns a file
/// into this struct and reports every bad field by its path. The model only
/// ever sees a Scenario, never JSON. Defaults here are the defaults of the
/// file format (docs/scenario.schema.json states the same values).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/distribution.h"
#include "stampede/time.h"

namespace stampede {

/// Most memcached nodes a run may have: `cache.nodes` plus the `add_node`
/// events that happen.
inline constexpr std::uint32_t kMaxCacheNodes = 1024;
/// Most app servers a run may have: `app.servers` and live additions.
inline constexpr std::uint32_t kMaxAppServers = 4096;
/// Most requests the bursts of one run may send, all `submit_burst` and
/// `view_burst` events that happen together.
inline constexpr std::uint64_t kMaxBurstRequests = 10000000;
/// Most requests that may wait for an app worker at once, over all servers.
/// A run that passes it stops as overloaded (Simulation::overload()): an open
/// workload beyond capacity queues without bound, and each waiting request
/// costs memory. 2^24 waiting requests hold about 128 MiB.
inline constexpr std::uint64_t kMaxQueuedRequests = std::uint64_t{1} << 24;

/// How users arrive.
enum class WorkloadKind : std::uint8_t {
  kOpen,  ///< Poisson arrivals at `rate` per second.
  kClosed ///< `users` users, each thinking for `think_time` between requests.
};

/// The users (SPEC section 2, `workload.*`).
struct WorkloadConfig {
  WorkloadKind kind = WorkloadKind::kOpen; ///< `workload.kind`.
  /// `workload.rate`, arrivals per second (open); 0 = only scripted arrivals
  /// (`submit_burst`, `view_burst`), for hand-built runs.
  double rate = 100;
  std::uint32_t users = 100;                                ///< `workload.users` (closed).
  Distribution think_time = Distribution::exponential(1.0); ///< `workload.think_time` (closed).
  double submit_ratio = 0.01; ///< `workload.submit_ratio`: probability a request is a submit.
  std::uint32_t keys = 1;     ///< `workload.keys`: 1 = the front page only.
  double zipf_alpha = 1.0;    ///< `workload.zipf_alpha`: popularity skew when keys > 1.
};

/// Load-balancer policies (`balancer.policy`).
enum class BalancerPolicy : std::uint8_t { kRoundRobin, kRandom, kLeastConnections };

/// The app tier (`app.*`).
struct AppConfig {
  std::uint32_t servers = 4;                        ///< `app.servers`.
  std::uint32_t workers = 8;                        ///< `app.workers`, per server.
  Distribution cpu = Distribution::constant(0.002); ///< `app.cpu`, per request.
  /// `app.local_cache`: each server caches in its own dictionary instead of
  /// memcached (not shared, zero latency).
  bool local_cache = false;
  /// `app.backlog`: most requests waiting for a worker on one server; an
  /// arrival beyond it is refused (`requests.rejected`). 0 = unlimited.
  std::uint32_t backlog = 0;
};

/// Key placement across memcached nodes (`cache.hashing`).
enum class Hashing : std::uint8_t {
  kModulo,     ///< `modulo`: the key's hash modulo the number of nodes up.
  kConsistent, ///< `consistent`: a ketama-style ring.
  kStudent     ///< `student:NAME`: a student's ring (stampede/student_hashing.h).
};

/// Eviction model of a memcached node (`cache.lru`, SPEC section 8).
enum class LruModel : std::uint8_t { kSegmented, kClassic, kPlain };

/// The eviction models' names, in LruModel's order: `cache.lru` and
/// `stampede memcached --lru` take them, `stats settings` shows them.
inline constexpr std::array<std::string_view, 3> kLruNames = {"segmented", "classic", "plain"};

/// @param m an eviction model. @return its name (kLruNames).
constexpr std::string_view lru_name(LruModel m) noexcept {
  return kLruNames[static_cast<std::size_t>(m)];
}

/// The memcached tier (`cache.*`).
struct CacheConfig {
  std::uint32_t nodes = 1;                           ///< `cache.nodes` at start.
  std::uint64_t memory_bytes = 64u << 20;            ///< `cache.memory_bytes`, per node.
  std::uint32_t item_bytes = 2048;                   ///< `cache.item_bytes`: size of a cached page.
  Distribution rtt = Distribution::constant(0.0005); ///< `cache.rtt`, per operation.
  Hashing hashing = Hashing::kConsistent;            ///< `cache.hashing`.
  LruModel lru = LruModel::kSegmented;               ///< `cache.lru`.
  /// `cache.timeout_s`: how long a client waits on a node that does not
  /// answer (a crashed one, or one with `node_capacity` queued past it) before it
  /// gives up. 0: a crash is noticed at once (its keys move, or go to the
  /// gutter, immediately) and a busy node's queue never times out.
  double timeout_s = 0;
  std::uint32_t gutter_nodes = 0; ///< `cache.gutter_nodes`: spare nodes for a failed node's keys.
  double gutter_ttl_s = 10;       ///< `cache.gutter_ttl_s`: how long a gutter entry lives.
  double node_capacity = 0;       ///< `cache.node_capacity`: a node's capacity; 0 = unlimited.
  /// `cache.fallback`: during a migration (`migrate_cache`) the clients read
  /// the new tier, then the old one on a miss (pymemcache's FallbackClient),
  /// and copy an old tier's hit into the new tier with `add` (Facebook's cold
  /// cluster warm-up; pymemcache copies nothing). Sets go to the new tier only.
  bool fallback = false;
  /// `cache.delete_holdoff_s`: a delete leaves the key held off that long
  /// (`md KEY I T<s>`, and an empty placeholder where the key was absent):
  /// gets miss, and an `add` of the key fails. 0: a plain delete.
  double delete_holdoff_s = 0;
  /// `cache.hashing` when it is kStudent: the ring's `student:NAME`.
  std::string student_ring;
};

/// The database (`db.*`).
struct DbConfig {
  std::uint32_t connections = 4;                              ///< `db.connections`.
  Distribution query_latency = Distribution::constant(0.1);   ///< `db.query_latency`: a page query.
  Distribution insert_latency = Distribution::constant(0.02); ///< `db.insert_latency`.
  /// `db.load_factor`: a query's latency is multiplied by
  /// 1 + load_factor * (other connections busy) / connections. 0 = no load dependence.
  double load_factor = 0;
};

/// The caching strategy (`strategy.*`, SPEC section 3).
struct StrategyConfig {
  std::string name = "clear";   ///< `strategy.name`: a SPEC name or `student:NAME`.
  double ttl_s = 0;             ///< `strategy.ttl_s`: 0 = cached pages never expire.
  bool warm = false;            ///< `strategy.warm`: fill the cache before the first request.
  bool cas = false;             ///< `strategy.cas`: gets/cas in `update`, add for fills.
  double lease_interval_s = 10; ///< `strategy.lease_interval_s`: a lease token's life (whole s).
  double lease_wait_s = 0.01;   ///< `strategy.lease_wait_s`: a lease loser's pause.
  bool lease_stale = false;     ///< `strategy.lease_stale`: losers serve an invalidated page.
};

/// A scripted event (`events[]`).
struct ScriptedEvent {
  /// What happens.
  enum class Kind : std::uint8_t {
    kCrashNode,       ///< `{"at": S, "crash_node": I}`: node I loses its data and leaves the ring.
    kAddNode,         ///< `{"at": S, "add_node": true}`: a new, empty node joins.
    kSubmitBurst,     ///< `{"at": S, "submit_burst": N}`: N submits arrive at once.
    kViewBurst,       ///< `{"at": S, "view_burst": N}`: N page views arrive at once.
    kAddAppServer,    ///< `{"at": S, "add_app_server": true}`: a new app server joins the pool.
    kRemoveAppServer, ///< `{"at": S, "remove_app_server": I}`: app server I leaves the pool.
    kMigrateCache,    ///< `{"at": S, "migrate_cache": N}`: a new, empty tier of N nodes beside the
                      ///< old.
    kRetireOldCache,  ///< `{"at": S, "retire_old_cache": true}`: the old tier is decommissioned.
  };
  Time at = 0;                ///< When, virtual ns from the start.
  Kind kind = Kind::kAddNode; ///< What.
  /// The node or app server index, the number of requests (burst) or of
  /// the new tier's nodes (migrate_cache).
  std::uint32_t value = 0;
};

/// One `expect` entry: PATH OP NUMBER.
struct Expectation {
  /// Comparison operators.
  enum class Op : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
  /// What is compared over replications (SPEC section 11): the value in
  /// every run (`PATH`), the mean (`mean(PATH)`) or the whole 95 %
  /// interval (`ci95(PATH)`). One run is its own mean and has no interval.
  enum class Over : std::uint8_t { kEachRun, kMean, kCi95 };
  std::string path;           ///< A numeric report field, dotted (`anomalies.stale_reads`).
  Op op = Op::kEq;            ///< The comparison.
  double value = 0;           ///< The number compared against.
  Over over = Over::kEachRun; ///< What of the runs is compared.
};

/// One `expect` string: one or more expectations joined with `and`.
struct ExpectClause {
  std::string text;               ///< As written in the file.
  std::vector<Expectation> terms; ///< All must hold.
};

/// A front HTTP cache before the load balancer (`edge.*`): Varnish, or a
/// CDN. It answers a page view from the copy of the page it holds, stored
/// when an app server last answered one and kept for `ttl_s`; submits pass
/// through and never invalidate it, since it cannot see them.
struct EdgeConfig {
  bool enabled = false; ///< `edge.enabled`.
  double ttl_s = 1;     ///< `edge.ttl_s`: seconds a stored page is served.
  Distribution latency = Distribution::constant(0.001); ///< `edge.latency`: a hit's answer.
};

/// Everything a run needs.
struct Scenario {
  std::string name = "unnamed";                          ///< `name`.
  std::string description;                               ///< `description`.
  WorkloadConfig workload;                               ///< `workload`.
  EdgeConfig edge;                                       ///< `edge`.
  BalancerPolicy balancer = BalancerPolicy::kRoundRobin; ///< `balancer.policy`.
  AppConfig app;                                         ///< `app`.
  CacheConfig cache;                                     ///< `cache`.
  DbConfig db;                                           ///< `db`.
  StrategyConfig strategy;                               ///< `strategy`.
  std::vector<ScriptedEvent> events;                     ///< `events`, in file order.
  double duration_s = 60;                                ///< `duration_s`.
  std::uint64_t seed = 1;                                ///< `seed`.
  std::vector<ExpectClause> expect;                      ///< `expect`.
};

/// @param op an operator.
/// @return its spelling: `==`, `!=`, `<`, `<=`, `>`, `>=`.
const char *op_name(Expectation::Op op) noexcept;

/// @param e an expectation.
/// @param actual the measured value.
/// @return whether `actual OP value` holds.
bool holds(const Expectation &e, double actual) noexcept;

} // namespace stampede
