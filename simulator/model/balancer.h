// The load balancer (SPEC section 2, `balancer`): which app server in its
// pool takes the next request, by round robin, at random or by least
// connections. The model's core holds one by value; the reality lab plays
// its arrivals through the same class, so both worlds balance alike.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stampede/rng.h"
#include "stampede/scenario.h"

namespace stampede::internal {

class Balancer {
public:
  /// @param policy the scenario's `balancer`. @param rng the random policy's
  /// stream (the balancer's own: STYLE.md section 6).
  Balancer(BalancerPolicy policy, Rng rng) : policy_(policy), rng_(rng) {}

  /// An app server joins the pool (after those already in it).
  void join(std::uint32_t server) { pool_.push_back(server); }

  /// An app server leaves the pool: it is sent nothing more. @return false
  /// when it is not in the pool or is the last one (a pool is never empty).
  bool leave(std::uint32_t server) {
    const auto it = std::find(pool_.begin(), pool_.end(), server);
    if (it == pool_.end() || pool_.size() == 1)
      return false;
    pool_.erase(it);
    if (next_ >= pool_.size())
      next_ = 0;
    return true;
  }

  /// The servers in the pool, in the order they joined.
  const std::vector<std::uint32_t> &pool() const noexcept { return pool_; }

  /// @return the server that takes the next request. @param load a
  /// server's requests in service and waiting (least connections: the
  /// fewest wins, ties to the earliest joined).
  template <class Load> std::uint32_t choose(Load &&load) {
    const auto n = static_cast<std::uint32_t>(pool_.size());
    switch (policy_) {
    case BalancerPolicy::kRoundRobin: {
      // A wrapping counter rather than `arrivals % n`: no division per arrival.
      const auto server = static_cast<std::uint32_t>(next_);
      next_ = next_ + 1 == n ? 0 : next_ + 1;
      return pool_[server];
    }
    case BalancerPolicy::kRandom:
      return pool_[static_cast<std::uint32_t>(rng_.below(n))];
    case BalancerPolicy::kLeastConnections: {
      std::uint32_t best = pool_[0];
      std::uint64_t best_load = ~std::uint64_t{0};
      for (const std::uint32_t i : pool_) {
        const std::uint64_t l = load(i);
        if (l < best_load) {
          best_load = l;
          best = i;
        }
      }
      return best;
    }
    }
    return pool_[0];
  }

private:
  BalancerPolicy policy_;
  Rng rng_;
  std::uint64_t next_ = 0; // round robin: the index into pool_ of the next server
  std::vector<std::uint32_t> pool_;
};

} // namespace stampede::internal
