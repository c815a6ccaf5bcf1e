// Where a cache call goes (SPEC section 2, `cache.*`): the tier's node for
// the key, and, when a scenario asks for failures and capacity
// (cache.timeout_s, cache.gutter_nodes, cache.node_capacity), a dead node's
// calls timing out until the clients notice, then its keys moving to the
// other nodes or to the gutter pool, and each node serving one call at a
// time. The core holds it by value; what a call does to a node is the core's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "model/cache_tier.h"
#include "stampede/memcached_node.h"
#include "stampede/scenario.h"
#include "stampede/time.h"

namespace stampede::internal {

class CacheRouting {
public:
  /// @param config the scenario's `cache`. @param keys how many keys there are.
  /// @throws as CacheTier's constructor.
  CacheRouting(const CacheConfig &config, std::uint32_t keys);

  /// The tier: its nodes and where each key lives.
  CacheTier &tier() noexcept { return tier_; }
  const CacheTier &tier() const noexcept { return tier_; }

  /// Whether failures or capacity are modelled: without them a call goes
  /// straight to its key's node, answered after the round trip.
  bool modelled() const noexcept { return !state_.empty(); }

  /// Where a call for a key goes when failures or capacity are modelled.
  struct Route {
    MemcachedNode *node = nullptr; ///< The node, or null when no node is up.
    std::int32_t index = -1;       ///< Its index for observers (a gutter node's past the tier's).
    Time queued = 0;               ///< The wait before it is served (node_capacity).
  };
  /// @param name the key's cache key (the gutter node is chosen by its hash).
  /// @return false when the call times out instead (a dead node not yet
  /// noticed, or a queue longer than the timeout).
  bool route(std::uint32_t key, std::string_view name, Time now, Route &out);

  /// Whether a call's node index (Route::index) is a gutter node.
  bool is_gutter(std::int32_t index) const noexcept {
    return !gutter_.empty() && index >= static_cast<std::int32_t>(tier_.size()) &&
           index < static_cast<std::int32_t>(tier_.size() + gutter_.size());
  }
  /// A store's TTL: a gutter entry's is short (cache.gutter_ttl_s).
  std::int64_t store_ttl(std::int64_t ttl, bool gutter) const noexcept;
  /// How long a client waits for a call never answered (cache.timeout_s).
  Time timeout() const noexcept { return timeout_; }

  /// Node `node` fails at `now` (`now_s` on memcached's clock). Unmodelled,
  /// the clients know at once and its keys move to the nodes that are up.
  /// @return true when the clients notice only timeout() later: call
  /// noticed(node) then.
  bool fail(std::uint32_t node, Time now, std::int64_t now_s);
  /// The clients noticed a failed node: its keys move (to the other nodes,
  /// or to the gutter pool when there is one).
  void noticed(std::uint32_t node);
  /// Adds an empty node to the tier. @return false past kMaxCacheNodes.
  bool add_node();

  /// A migration (`migrate_cache`): the tier becomes the old tier, and a new,
  /// empty tier of `nodes` nodes (placed as `cache.hashing` says) takes its
  /// place. Failures and the gutter go on applying to the tier in use (the new
  /// one); the old tier's nodes stay up until retired.
  /// @return false when a migration is already under way (or nodes is 0 or
  /// past kMaxCacheNodes).
  bool migrate(std::uint32_t nodes);
  /// Retires the old tier (`retire_old_cache`). @return false when none.
  bool retire_old();
  /// The old tier while a migration is under way, else null.
  CacheTier *old_tier() noexcept { return old_ ? &*old_ : nullptr; }
  const CacheTier *old_tier() const noexcept { return old_ ? &*old_ : nullptr; }
  /// A call's node index (Route::index) for the old tier's node `i`, after
  /// the tier's and the gutter's, for observers.
  std::int32_t old_index(std::uint32_t i) const noexcept {
    return static_cast<std::int32_t>(tier_.size() + gutter_.size() + i);
  }
  /// Evictions over every tier there has been (crashed nodes' included).
  std::uint64_t evictions() const noexcept;

  /// Whether node `i` has failed (dead, or its keys served by the gutter).
  bool failed(std::uint32_t i) const noexcept {
    return !state_.empty() && (state_[i].dead_since >= 0 || state_[i].to_gutter);
  }
  /// The gutter pool (cache.gutter_nodes).
  const std::vector<std::unique_ptr<MemcachedNode>> &gutter() const noexcept { return gutter_; }

private:
  // Per tier node: since when it is dead but not yet noticed (-1: not),
  // whether its keys go to the gutter, and when its queue frees.
  struct NodeState {
    Time dead_since = -1;
    bool to_gutter = false;
    Time busy_until = 0;
  };
  CacheConfig config_;
  std::uint32_t keys_;
  CacheTier tier_;
  std::optional<CacheTier> old_;        // a migration's old tier, until retired
  std::uint64_t retired_evictions_ = 0; // evictions of tiers since retired
  double gutter_ttl_s_;
  std::vector<NodeState> state_; // empty: failures and capacity not modelled
  std::vector<std::unique_ptr<MemcachedNode>> gutter_;
  std::vector<Time> gutter_busy_until_;
  Time timeout_ = 0, service_ = 0; // cache.timeout_s; 1 / cache.node_capacity (0: unlimited)
};

} // namespace stampede::internal
