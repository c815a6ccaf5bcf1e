// The reality lab's stack (issue 14 item 2): a scenario's workload played
// against a real memcached and a real PostgreSQL by real app servers
// (threads: app.servers x app.workers, a FIFO queue per server, the
// scenario's balancer), each request driven by the unchanged Strategy
// objects through a Context whose calls go to the real servers; the same
// detectors as the model's, fed real timestamps, fill the same Report.
//
//     PostgresCluster pg = PostgresCluster::start(s.db.connections + 5);
//     MemcachedProcess mc = MemcachedProcess::start(64);
//     Report r = run_real(s, pg.conninfo(), mc.port());
#pragma once

#include <string>

#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede::reality {

/// The most requests a second the lab plays: its app servers are threads
/// of one process on a small machine, and past this they, not the stack,
/// would be what is measured.
inline constexpr double kMaxRealRate = 400;

/// @param s a scenario. @return why the lab cannot play it (empty: it can):
/// an open workload of at most kMaxRealRate requests a second, one cache
/// node shared by the app servers, no scripted events, no front cache.
std::string real_lab_refusal(const Scenario &s);

/// Plays `s` for its duration_s against the servers: creates the posts
/// table, warms the cache if the strategy asks, runs the load, waits for the
/// requests in flight, and reports (SPEC section 6; `engine.*` hold wall
/// figures). @throws ServiceError when a server fails, std::invalid_argument
/// when real_lab_refusal() is not empty.
Report run_real(const Scenario &s, const std::string &pg_conninfo, int memcached_port);

} // namespace stampede::reality
