#include "round_robin.h"

namespace exercise {

const std::string &RoundRobin::next() {
  // TODO: the servers in turn, starting with the first, wrapping around.
  return servers_.front();
}

} // namespace exercise
