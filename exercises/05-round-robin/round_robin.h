// Exercise 05: a round-robin load balancer.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace exercise {

class RoundRobin {
public:
  /// @param servers at least one server's name.
  explicit RoundRobin(std::vector<std::string> servers) : servers_(std::move(servers)) {}
  /// @return the server for the next request.
  const std::string &next();

private:
  std::vector<std::string> servers_;
  std::size_t position_ = 0; // you may use this
};

} // namespace exercise
