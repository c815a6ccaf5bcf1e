// Exercise 06: consistent hashing, a ketama-style ring. You may add private
// members and helpers; keep the public ones as they are (the tests and the
// simulator call them).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stampede/stable_hash.h"

namespace exercise {

/// Where a name lands on the ring, 0 to 2^32 - 1: the simulator's own hash
/// (stampede::stable_hash: 64-bit FNV-1a, then a finaliser), cut to 32 bits.
/// Given: leave it as is.
inline std::uint32_t ring_hash(std::string_view s) {
  return static_cast<std::uint32_t>(stampede::stable_hash(s));
}

/// The name of point `p` of node `node`, e.g. point_name(3, 17) is
/// "node-3-17". Given.
inline std::string point_name(int node, int p) {
  return "node-" + std::to_string(node) + "-" + std::to_string(p);
}

/// Modulo placement, to compare with: the key's ring_hash modulo the number
/// of nodes.
/// @param nodes at least 1.
/// @return a node, 0 to nodes - 1.
int modulo_node(std::string_view key, int nodes);

/// A ketama-style consistent-hashing ring. Each node owns points_per_node
/// points on a circle of 2^32 positions; a key belongs to the node of the
/// first point at or after the key's position, going round past the top.
class Ring {
public:
  /// Hashes a name (a point's or a key's) to a position on the ring.
  using Hash = std::function<std::uint32_t(std::string_view)>;
  /// Points per node when none is given (the simulator's ring uses as many).
  static constexpr int kPointsPerNode = 160;

  /// An empty ring.
  /// @param points_per_node at least 1.
  /// @param hash where names land; the tests pass their own.
  explicit Ring(int points_per_node = kPointsPerNode, Hash hash = ring_hash)
      : points_per_node_(points_per_node), hash_(std::move(hash)) {}

  /// Puts a node's points on the ring. @param node not on the ring yet.
  void add_node(int node);
  /// Takes a node's points off the ring. @param node on the ring.
  void remove_node(int node);
  /// @return the node that holds `key`, or -1 when the ring has no node.
  int node_for(std::string_view key) const;

private:
  int points_per_node_;
  Hash hash_;
  // You may use this: (position, node) for every point, kept sorted.
  std::vector<std::pair<std::uint32_t, int>> points_;
};

} // namespace exercise
