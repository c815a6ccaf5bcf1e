// Exercise 06 as the graded test sees it: exercise::Ring and modulo_node
// with the student's interface (exercises/06-consistent-hashing/ring.h),
// run by the student's code in the exercise host (host/adapter.cc;
// exhost/parent.h says how). A Ring made with the test's own hash calls
// back here for each name it hashes; one made without uses the student's
// ring_hash, in the host. nodes_for and modulo_nodes ask about many keys in
// one call each (the student's node_for, once per key, in the host).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exhost/parent.h"
#include "stampede/stable_hash.h"

// The proxies sit in an inline namespace: the tests name them exercise::X,
// and no symbol of theirs is the student's exercise::X.
namespace exercise {
inline namespace remote {

/// Where a name lands on the ring (ring.h's, given): the simulator's
/// stable_hash, cut to 32 bits.
inline std::uint32_t ring_hash(std::string_view s) {
  return static_cast<std::uint32_t>(stampede::stable_hash(s));
}

/// The name of point `p` of node `node`, e.g. point_name(3, 17) is
/// "node-3-17" (ring.h's, given).
inline std::string point_name(int node, int p) {
  return "node-" + std::to_string(node) + "-" + std::to_string(p);
}

namespace batch {

/// Keys asked about in one call: each call's share of the host's 2 s stays
/// small even for a ring that is slow but right.
inline constexpr std::size_t kKeysPerCall = 10000;

/// Asks about `keys` in slices: `one_call(slice, words, read)` asks about
/// one slice; `words(call)` names it in a fault, as `call("page:0"), ...,
/// call("page:9999") (10000 keys in one call)`; `read` reads the answer,
/// one node per key. @return the answers, in the keys' order.
template <typename Call>
std::vector<int> in_slices(const std::vector<std::string> &keys, const Call &one_call) {
  std::vector<int> out;
  out.reserve(keys.size());
  for (std::size_t first = 0; first < keys.size(); first += kKeysPerCall) {
    const std::size_t end = std::min(keys.size(), first + kKeysPerCall);
    exhost::json slice = exhost::json::array();
    for (std::size_t k = first; k < end; ++k)
      slice.push_back(exhost::encode_text(keys[k]));
    const auto words = [&](const std::function<std::string(const std::string &)> &call) {
      return call(keys[first]) + ", ..., " + call(keys[end - 1]) + " (" +
             std::to_string(end - first) + " keys in one call)";
    };
    const auto read = [n = end - first](const exhost::json &j) {
      std::vector<int> nodes = j.get<std::vector<int>>();
      if (nodes.size() != n)
        throw std::runtime_error(std::to_string(nodes.size()) + " answers for " +
                                 std::to_string(n) + " keys");
      return nodes;
    };
    const std::vector<int> answers = one_call(slice, words, read);
    out.insert(out.end(), answers.begin(), answers.end());
  }
  return out;
}

} // namespace batch

/// Modulo placement (the student's). @param nodes at least 1.
inline int modulo_node(std::string_view key, int nodes) {
  return exhost::answer(
      [&] { return "modulo_node(" + exhost::quoted(key) + ", " + std::to_string(nodes) + ")"; },
      {{"op", "modulo_node"}, {"key", exhost::encode_text(key)}, {"nodes", nodes}},
      [](const exhost::json &j) { return j.get<int>(); });
}

/// Modulo placement (the student's), for many keys at once.
/// @param nodes at least 1. @return modulo_node(key, nodes) for each key.
inline std::vector<int> modulo_nodes(const std::vector<std::string> &keys, int nodes) {
  return batch::in_slices(
      keys, [&](const exhost::json &slice, const auto &words, const auto &read) {
        return exhost::answer(
            [&] {
              return words([&](const std::string &key) {
                return "modulo_node(" + exhost::quoted(key) + ", " + std::to_string(nodes) + ")";
              });
            },
            {{"op", "modulo_node_each"}, {"keys", slice}, {"nodes", nodes}}, read);
      });
}

/// The student's Ring, in the host.
class Ring : exhost::Remote {
public:
  /// Hashes a name (a point's or a key's) to a position on the ring.
  using Hash = std::function<std::uint32_t(std::string_view)>;
  /// Points per node when none is given (ring.h's).
  static constexpr int kPointsPerNode = 160;

  /// An empty ring.
  /// @param points_per_node at least 1.
  /// @param hash where names land, called back from the host; none: the
  /// student's ring_hash, in the host.
  explicit Ring(int points_per_node = kPointsPerNode, Hash hash = nullptr)
      : Ring(made(points_per_node, std::move(hash))) {}

  Ring(Ring &&other) noexcept : Remote(std::move(other)), id_(std::exchange(other.id_, 0)) {}
  Ring &operator=(Ring &&other) noexcept {
    if (this != &other) {
      Remote::operator=(std::move(other));
      hashes().erase(id_);
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  ~Ring() { hashes().erase(id_); }

  /// Puts a node's points on the ring. @param node not on the ring yet.
  void add_node(int node) {
    invoke([&] { return "add_node(" + std::to_string(node) + ")"; },
           {{"op", "add_node"}, {"node", node}});
  }

  /// Takes a node's points off the ring. @param node on the ring.
  void remove_node(int node) {
    invoke([&] { return "remove_node(" + std::to_string(node) + ")"; },
           {{"op", "remove_node"}, {"node", node}});
  }

  /// @return the node that holds `key`, or -1 when the ring has no node.
  int node_for(std::string_view key) const {
    return invoke([&] { return "node_for(" + exhost::quoted(key) + ")"; },
                  {{"op", "node_for"}, {"key", exhost::encode_text(key)}},
                  [](const exhost::json &j) { return j.get<int>(); });
  }

  /// @return node_for(key) for each key, asked in a few calls.
  std::vector<int> nodes_for(const std::vector<std::string> &keys) const {
    return batch::in_slices(keys,
                            [&](const exhost::json &slice, const auto &words, const auto &read) {
                              return invoke(
                                  [&] {
                                    return words([](const std::string &key) {
                                      return "node_for(" + exhost::quoted(key) + ")";
                                    });
                                  },
                                  {{"op", "node_for_each"}, {"keys", slice}}, read);
                            });
  }

private:
  // A ring to make: the request, the constructor's arguments as words, and
  // the id its hash is served under (0: none).
  struct Made {
    exhost::json request;
    std::string args;
    int id = 0;
  };
  explicit Ring(Made m) : Remote("Ring", m.args, m.request), id_(m.id) {}

  // The tests' hashes, by the id the host's rings call back with.
  static std::map<int, Hash> &hashes() {
    static std::map<int, Hash> all;
    return all;
  }

  static Made made(int points_per_node, Hash hash) {
    static const bool served = [] {
      exhost::set_callback("hash", [](const exhost::json &r) -> exhost::json {
        const auto it = hashes().find(r.at("ring").get<int>());
        if (it == hashes().end())
          throw std::logic_error("a hash for a ring the test has no more");
        return it->second(exhost::decode_text(r.at("name")));
      });
      return true;
    }();
    (void)served;
    static int last_id = 0;
    Made m;
    m.request = {{"op", "new"}, {"points_per_node", points_per_node}};
    m.args = std::to_string(points_per_node);
    if (hash) {
      m.id = ++last_id;
      hashes()[m.id] = std::move(hash);
      m.request["hash"] = m.id;
      m.args += ", the test's hash";
    }
    return m;
  }

  int id_ = 0;
};

} // namespace remote
} // namespace exercise
