// The memcached tier: nodes, and which node a key lives on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stampede/memcached_node.h"
#include "stampede/scenario.h"
#include "stampede/stable_hash.h"
#include "stampede/student_hashing.h"

namespace stampede::internal {

/// Nodes and key placement (`cache.hashing`): `modulo` (hash mod the number of
/// live nodes: adding a node moves almost every key) or `consistent` (a
/// ketama-style ring, kPointsPerNode points per node: adding a node moves
/// about 1/n of the keys).
///
/// Cost of a node joining or crashing: modulo re-places every key, O(keys).
/// Consistent hashing keeps the ring sorted and merges or removes only the
/// node's own points, O(ring) memory moves plus O(log) per key that moves,
/// found through the keys sorted by hash (built at the first node event).
/// So a run's node events cost time linear in their number, never a rebuild
/// of the whole ring each.
///
/// A student's ring (`student:NAME`, stampede/student_hashing.h) is told of
/// each node that joins or leaves and asked again for every key after each,
/// O(keys) calls per node event, as modulo; its answers are checked.
class CacheTier {
public:
  static constexpr int kPointsPerNode = 160;

  /// @throws std::invalid_argument for a `student:NAME` ring not in
  /// HashingRegistry::global(), std::runtime_error when a student's ring
  /// names a node that is not up.
  CacheTier(const CacheConfig &config, std::uint32_t keys);

  /// @return the node a key maps to, or -1 when no node is up.
  std::int32_t node_of(std::uint32_t key) const noexcept { return placement_[key]; }
  MemcachedNode &node(std::uint32_t i) noexcept { return nodes_[i]; }
  /// @return the node a key maps to, or null when no node is up.
  MemcachedNode *home(std::uint32_t key) noexcept {
    return placement_[key] < 0 ? nullptr : &nodes_[static_cast<std::uint32_t>(placement_[key])];
  }
  const MemcachedNode *home(std::uint32_t key) const noexcept {
    return placement_[key] < 0 ? nullptr : &nodes_[static_cast<std::uint32_t>(placement_[key])];
  }
  const MemcachedNode &node(std::uint32_t i) const noexcept { return nodes_[i]; }
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(nodes_.size()); }
  bool up(std::uint32_t i) const noexcept { return up_[i]; }

  /// Crashes node i: its data is lost and it leaves the ring. No-op if down.
  /// @throws std::runtime_error as the constructor.
  void crash(std::uint32_t i);
  /// Adds an empty node to the ring.
  /// @throws std::runtime_error as the constructor.
  void add();
  /// Evictions over every node, crashed nodes' included.
  std::uint64_t evictions() const noexcept;

private:
  using Point = std::pair<std::uint32_t, std::uint32_t>; // (point on the ring, node)
  void place();
  void points_of(std::uint32_t node, std::vector<Point> &out) const;
  std::int32_t ring_lookup(std::uint32_t hash) const noexcept;
  std::int32_t student_lookup(std::uint32_t key) const;
  void sort_keys_by_hash();
  // Calls f(key, hash) for every key in the arc that ends at point `to`.
  template <class F> void for_keys_in(std::uint32_t from, std::uint32_t to, bool wraps, F f) const;

  CacheConfig config_;
  std::uint32_t keys_;
  std::vector<MemcachedNode> nodes_;
  std::vector<bool> up_;
  std::vector<std::int32_t> placement_; // key -> node
  std::vector<Point> ring_;             // consistent: live nodes' points, sorted
  std::vector<Point> keys_by_hash_;     // (hash, key), sorted; empty until a node event
  std::unique_ptr<HashRing> student_;   // Hashing::kStudent: the student's ring
  std::uint32_t live_ = 0;              // nodes up
  std::uint64_t lost_evictions_ = 0;    // evictions of nodes since crashed
};

/// Formats the cache key of a page key index, e.g. "page:42", into `buf`.
std::string_view cache_key(std::uint32_t key, char (&buf)[24]) noexcept;

/// The cache keys of the first kNamed key indices, formatted once, for the
/// model's cache calls (one per call). Zipf popularity ranks keys by index,
/// so these take most calls; the rest are formatted on each call.
class CacheKeyNames {
public:
  static constexpr std::uint32_t kNamed = 4096;

  /// @param keys how many keys there are.
  explicit CacheKeyNames(std::uint32_t keys);

  /// @return cache_key(key): the stored name, or one formatted into `buf`.
  std::string_view operator()(std::uint32_t key, char (&buf)[24]) const noexcept {
    return key < names_.size() ? names_[key] : cache_key(key, buf);
  }

private:
  std::string text_;                    // the names, end to end
  std::vector<std::string_view> names_; // into text_, by key index
};

} // namespace stampede::internal
