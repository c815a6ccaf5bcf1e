// The reality lab's stack: a scenario's workload played against a real
// memcached and a real PostgreSQL by real app servers (threads:
// app.servers x app.workers, a FIFO queue per server, the model's balancer),
// each request driven by the unchanged Strategy objects through a Context
// whose calls go to the real servers; the model's own measurement
// (metrics/measurement.h), fed real timestamps, fills the same Report.
//
//     PostgresCluster pg = PostgresCluster::start(s.db.connections + 5);
//     MemcachedProcess mc = MemcachedProcess::start(64);
//     Report r = run_real(s, pg.conninfo(), mc.port());
#pragma once

#include <string>
#include <vector>

#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede::reality {

/// The most requests a second the lab plays: its app servers are threads
/// of one process on a small machine, and past this they, not the stack,
/// would be what is measured.
inline constexpr double kMaxRealRate = 400;
/// The most users a closed workload may have in the lab (a thread each).
inline constexpr std::uint32_t kMaxRealUsers = 1000;

/// @param s a scenario. @return why the lab cannot play it (empty: it can):
/// it plays open workloads of at most kMaxRealRate requests a second and
/// closed ones of at most kMaxRealUsers users that could not send more, any
/// number of keys, one cache node shared by the app servers, bursts of
/// submits or views and one migration to one new memcached (migrate_cache
/// 1, retire_old_cache) as its only scripted events, and no front cache.
std::string real_lab_refusal(const Scenario &s);

/// @param s a scenario. @return whether it migrates to a new tier
/// (migrate_cache): the lab then needs a second memcached.
bool migrates(const Scenario &s);

/// What the real stack took, sample by sample (seconds), for calibration:
/// how long each query kind held its connection, each cache call's round
/// trip, and each request's time in an app worker outside its calls (its
/// CPU time and the work between calls that the model does not charge).
struct RealTimings {
  std::vector<double> db_read_s, db_insert_s, cache_rtt_s, app_s;
};

/// The measured latencies as a scenario's distributions: each an empirical
/// distribution of 20 equal-weight quantile bins (`{"empirical": ...}`).
/// @param s the scenario played. @param t what it measured.
/// @return `s` with db.query_latency, db.insert_latency, cache.rtt and app.cpu
/// replaced by what was measured (a field without samples is kept), named
/// NAME-calibrated and its description saying so.
Scenario calibrated(const Scenario &s, const RealTimings &t);

/// Plays `s` for its duration_s against the servers: creates the posts
/// table, warms the cache if the strategy asks, runs the load, waits for the
/// requests in flight, and reports (SPEC section 6; `engine.*` hold wall
/// figures). @throws ServiceError when a server fails, std::invalid_argument
/// when real_lab_refusal() is not empty.
/// @param timings when given, filled with every latency measured.
/// @param next_memcached_port a second memcached, the new tier a migration
/// (migrate_cache) moves to; the first (`memcached_port`) is then the old
/// tier, warmed at the start and retired by retire_old_cache. Needed when
/// migrates(s), ignored otherwise.
Report run_real(const Scenario &s, const std::string &pg_conninfo, int memcached_port,
                RealTimings *timings = nullptr, int next_memcached_port = 0);

} // namespace stampede::reality
