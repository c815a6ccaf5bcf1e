// Where a cache call goes when nodes fail or have a capacity: timeouts, the
// gutter pool, one call at a time per node.
#include "model/cache_routing.h"

#include <algorithm>
#include <cmath>

namespace stampede::internal {

CacheRouting::CacheRouting(const CacheConfig &config, std::uint32_t keys)
    : config_(config), keys_(keys), tier_(config, keys), gutter_ttl_s_(config.gutter_ttl_s),
      timeout_(seconds_to_ns(config.timeout_s)),
      service_(config.node_capacity > 0
                   ? std::max<Time>(1, seconds_to_ns(1.0 / config.node_capacity))
                   : 0) {
  // Only a scenario that asks pays for failures and capacity.
  if (timeout_ > 0 || service_ > 0 || config.gutter_nodes > 0) {
    state_.resize(tier_.size());
    McConfig spare;
    spare.memory_limit_bytes = config.memory_bytes;
    spare.lru = config.lru;
    for (std::uint32_t g = 0; g < config.gutter_nodes; ++g)
      gutter_.push_back(std::make_unique<MemcachedNode>(spare));
    gutter_busy_until_.assign(gutter_.size(), 0);
  }
}

bool CacheRouting::route(std::uint32_t key, std::string_view name, Time now, Route &out) {
  out = Route{};
  const std::int32_t n = tier_.node_of(key);
  if (n < 0)
    return true; // no node up: as without failures
  NodeState &state = state_[static_cast<std::uint32_t>(n)];
  Time *busy = &state.busy_until;
  if (state.to_gutter) {
    const auto g = static_cast<std::uint32_t>(stable_hash(name) % gutter_.size());
    out.node = gutter_[g].get();
    out.index = static_cast<std::int32_t>(tier_.size() + g); // after the tier's, for observers
    busy = &gutter_busy_until_[g];
  } else if (state.dead_since >= 0) {
    return false; // dead, and not noticed yet: the call times out
  } else {
    out.node = &tier_.node(static_cast<std::uint32_t>(n));
    out.index = n;
  }
  if (service_ > 0) {
    // One call at a time, in arrival order; past the timeout, the client
    // gives up (and the node never serves it).
    const Time start = std::max(now, *busy);
    if (timeout_ > 0 && start + service_ - now > timeout_)
      return false;
    *busy = start + service_;
    out.queued = *busy - now;
  }
  return true;
}

std::int64_t CacheRouting::store_ttl(std::int64_t ttl, bool gutter) const noexcept {
  if (!gutter)
    return ttl;
  const auto short_ttl = static_cast<std::int64_t>(std::ceil(gutter_ttl_s_));
  return ttl == 0 ? short_ttl : std::min(ttl, short_ttl);
}

// Without cache.timeout_s or a gutter pool the clients know at once and its
// keys move to the nodes that are up (rehash). Otherwise every call to it
// times out until the clients notice, timeout_s later; then its keys move
// (rehash) or, with gutter nodes, go to the gutter pool.
bool CacheRouting::fail(std::uint32_t node, Time now, std::int64_t now_s) {
  if (state_.empty()) {
    tier_.crash(node);
    return false;
  }
  if (node >= tier_.size() || !tier_.up(node) || state_[node].dead_since >= 0 ||
      state_[node].to_gutter)
    return false;
  state_[node].dead_since = now;
  tier_.node(node).flush_all(0, now_s); // its memory is gone with it
  return true;
}

void CacheRouting::noticed(std::uint32_t node) {
  // A migration since the failure started the states afresh: that node is gone.
  if (node >= state_.size() || state_[node].dead_since < 0)
    return;
  NodeState &n = state_[node];
  n.dead_since = -1;
  if (gutter_.empty())
    tier_.crash(node);
  else
    n.to_gutter = true; // its keys stay its own, served by the gutter
}

bool CacheRouting::add_node() {
  // Scripted additions are bounded by the parser; live ones (the GUI's
  // button) stop here.
  if (tier_.size() >= kMaxCacheNodes)
    return false;
  tier_.add();
  if (!state_.empty())
    state_.resize(tier_.size());
  return true;
}

bool CacheRouting::migrate(std::uint32_t nodes) {
  if (old_ || nodes == 0 || nodes > kMaxCacheNodes)
    return false;
  CacheConfig fresh = config_;
  fresh.nodes = nodes;
  CacheTier next(fresh, keys_); // may throw (a student's ring): the tiers stay as they were
  old_.emplace(std::move(tier_));
  tier_ = std::move(next);
  if (!state_.empty()) {
    // The new tier's nodes are all up; the gutter keeps what it holds and
    // expires it as before.
    state_.assign(tier_.size(), NodeState{});
  }
  return true;
}

bool CacheRouting::retire_old() {
  if (!old_)
    return false;
  retired_evictions_ += old_->evictions();
  old_.reset();
  return true;
}

std::uint64_t CacheRouting::evictions() const noexcept {
  return tier_.evictions() + (old_ ? old_->evictions() : 0) + retired_evictions_;
}

} // namespace stampede::internal
