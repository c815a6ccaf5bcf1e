// Exercise 06: consistent hashing. Complete the TODOs.
#include "ring.h"

#include "stampede/student_hashing.h"

namespace exercise {

int modulo_node(std::string_view key, int nodes) {
  // TODO: the key's ring_hash modulo the number of nodes.
  (void)key;
  (void)nodes;
  return 0;
}

void Ring::add_node(int node) {
  // TODO: points_per_node_ points for the node, named point_name(node, 0),
  // point_name(node, 1), ..., each at the position hash_(name).
  (void)node;
}

void Ring::remove_node(int node) {
  // TODO: take the node's points off the ring, and only its own.
  (void)node;
}

int Ring::node_for(std::string_view key) const {
  // TODO: the node of the first point at or after hash_(key), going round
  // past the top; -1 when the ring is empty.
  (void)key;
  return -1;
}

} // namespace exercise

// Leave this line: it makes your ring the simulator's `cache.hashing`
// `student:ring` (see the README).
STAMPEDE_STUDENT_HASHING(ring, exercise::Ring,
                         "exercise 06: a ketama-style consistent-hashing ring");
