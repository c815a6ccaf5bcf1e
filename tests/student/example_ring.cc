// A student library with key placements (cache.hashing student:NAME), as
// ./dev grade builds one from exercise 06: `student:modulo` places keys as
// the built-in `modulo` does (the CLI test checks the reports agree), and
// `student:broken` names a node that does not exist.
#include <cstdint>
#include <set>
#include <string_view>

#include "stampede/stable_hash.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"

namespace {

// The simulator's own hash, as exercise 06's ring_hash uses it.
std::uint64_t hash(std::string_view s) { return stampede::stable_hash(s); }

// The key's hash modulo the number of nodes up, counted in index order.
class Modulo {
public:
  void add_node(int node) { nodes_.insert(node); }
  void remove_node(int node) { nodes_.erase(node); }
  int node_for(std::string_view key) const {
    if (nodes_.empty())
      return -1;
    auto it = nodes_.begin();
    for (auto k = hash(key) % nodes_.size(); k > 0; --k)
      ++it;
    return *it;
  }

private:
  std::set<int> nodes_;
};

class Broken {
public:
  void add_node(int) {}
  void remove_node(int) {}
  int node_for(std::string_view) const { return 99; }
};

} // namespace

extern "C" void stampede_register_strategies(stampede::StrategyRegistry &) {}

extern "C" void stampede_register_hashings(stampede::HashingRegistry &r) {
  r.add("student:modulo", &stampede::student::make_ring<Modulo>, "modulo, written again");
  r.add("student:broken", &stampede::student::make_ring<Broken>, "always node 99");
}
