// The reality lab as `stampede reality` plays it: fresh PostgreSQL and
// memcached servers for one run, the scenario played on them, and its
// latencies as a calibrated scenario when asked.
#include "reality/lab.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "reality/real_stack.h"
#include "reality/services.h"

namespace stampede::reality {

RealPlay play_real(const Scenario &s, bool calibrate) {
  if (const std::string why = real_lab_refusal(s); !why.empty())
    throw std::invalid_argument(why);
  PostgresCluster pg = PostgresCluster::start(static_cast<int>(s.db.connections) + 5);
  const std::uint64_t megabytes = std::max<std::uint64_t>(1, s.cache.memory_bytes >> 20);
  MemcachedProcess mc = MemcachedProcess::start(megabytes);
  // A migration moves to a second memcached, as the tutorial's two ports.
  std::optional<MemcachedProcess> next;
  if (migrates(s))
    next.emplace(MemcachedProcess::start(megabytes));
  RealPlay out;
  out.report = run_real(s, pg.conninfo(), mc.port(), calibrate ? &out.timings : nullptr,
                        next ? next->port() : 0);
  out.calibrated = calibrate ? calibrated(s, out.timings) : s;
  return out;
}

} // namespace stampede::reality
