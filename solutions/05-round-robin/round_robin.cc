#include "round_robin.h"

namespace exercise {

const std::string &RoundRobin::next() {
  const std::string &server = servers_[position_];
  position_ = position_ + 1 == servers_.size() ? 0 : position_ + 1;
  return server;
}

} // namespace exercise
