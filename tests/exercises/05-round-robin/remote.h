// Exercise 05 as the graded test sees it: exercise::RoundRobin with the
// student's interface (exercises/05-round-robin/round_robin.h), run by the
// student's code in the exercise host (host/adapter.cc; exhost/parent.h
// says how).
#pragma once

#include <string>
#include <vector>

#include "exhost/parent.h"

// The proxies sit in an inline namespace: the tests name them exercise::X,
// and no symbol of theirs is the student's exercise::X.
namespace exercise {
inline namespace remote {

/// The student's RoundRobin, in the host.
class RoundRobin : exhost::Remote {
public:
  /// @param servers at least one server's name.
  explicit RoundRobin(const std::vector<std::string> &servers)
      : Remote("RoundRobin", listed(servers), {{"op", "new"}, {"servers", encoded(servers)}}) {}

  /// @return the server for the next request.
  std::string next() {
    return invoke([] { return std::string("next()"); }, {{"op", "next"}},
                  [](const exhost::json &j) { return exhost::decode_text(j); });
  }

private:
  static std::string listed(const std::vector<std::string> &servers) {
    std::string out;
    for (const std::string &s : servers)
      out += (out.empty() ? "{" : ", ") + exhost::quoted(s);
    return out + "}";
  }
  static exhost::json encoded(const std::vector<std::string> &servers) {
    exhost::json out = exhost::json::array();
    for (const std::string &s : servers)
      out.push_back(exhost::encode_text(s));
    return out;
  }
};

} // namespace remote
} // namespace exercise
