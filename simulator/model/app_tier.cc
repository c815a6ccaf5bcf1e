// The app tier's servers joining, and what their local caches evicted.
#include "model/app_tier.h"

namespace stampede::internal {

AppTier::AppTier(const Scenario &scenario, bool keys_at_arrival)
    : scenario_(scenario), cpu_(scenario.app.cpu),
      backlog_limit_(scenario.app.backlog > 0 ? scenario.app.backlog
                                              : std::numeric_limits<std::uint64_t>::max()),
      keys_at_arrival_(keys_at_arrival) {}

std::uint32_t AppTier::add_server(std::uint32_t first) {
  const std::uint32_t workers = scenario_.app.workers;
  const auto s = static_cast<std::uint32_t>(servers_.size());
  Server &server = servers_.emplace_back();
  // Its own stream: a server added live draws what it would have drawn had
  // it been there from the start, and adding one changes no other stream.
  server.cpu_rng = Rng::stream(scenario_.seed, "app", s);
  // Hand out the lowest-numbered worker first.
  for (std::uint32_t w = 0; w < workers; ++w)
    server.idle.push_back(first + workers - 1 - w);
  if (scenario_.app.local_cache) {
    McConfig local;
    local.memory_limit_bytes = scenario_.cache.memory_bytes;
    local.lru = scenario_.cache.lru;
    server.local = std::make_unique<MemcachedNode>(local);
  }
  return s;
}

std::uint64_t AppTier::local_evictions() const noexcept {
  std::uint64_t n = 0;
  for (const Server &s : servers_)
    if (s.local)
      n += s.local->stats().evictions;
  return n;
}

} // namespace stampede::internal
