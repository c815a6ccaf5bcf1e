// The smallest stacks the model tests build by hand (STYLE.md section 7):
// one app server, no CPU time, no arrivals but scripted ones; page queries
// take 100 ms, inserts 20 ms, the cache answers in 0.5 ms; 16 workers and
// 16 database connections.
#pragma once

#include "stampede/simulation.h"

namespace stampede::testing {

inline Scenario hand_built(const char *strategy, bool warm, std::uint32_t servers = 1) {
  Scenario s;
  s.name = "hand-built";
  s.workload.rate = 0;
  s.app.servers = servers;
  s.app.workers = 16;
  s.app.cpu = Distribution::constant(0);
  s.cache.rtt = Distribution::constant(0.0005);
  s.db.connections = 16;
  s.db.query_latency = Distribution::constant(0.1);
  s.db.insert_latency = Distribution::constant(0.02);
  s.strategy.name = strategy;
  s.strategy.warm = warm;
  s.duration_s = 5;
  return s;
}

/// Schedules `n` of `kind` (a burst, a crash...) at `t` seconds.
inline void at(Scenario &s, double t, ScriptedEvent::Kind kind, std::uint32_t n) {
  s.events.push_back(ScriptedEvent{seconds_to_ns(t), kind, n});
}

inline Report run(const Scenario &s) {
  Simulation sim(s);
  sim.run();
  return sim.report();
}

} // namespace stampede::testing
