// The exercise host's side of a class exercise (exhost/parent.h is the
// test's): an adapter's main() serves the test's calls, `{"op": ..., ...}`
// as JSON, by calling the student's class, which is compiled into this
// process and no other. The host runs sandboxed; what the student's code
// does here (crash, loop, throw, exit) reaches the test as a fault of the
// call it was serving.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "exhost/text.h"
#include "hosting/json_peer.h"

namespace exhost {

/// The student's objects of one class, by the handles the test knows them by.
template <typename T> class Objects {
public:
  /// Keeps a new object. @return its handle.
  json add(std::unique_ptr<T> object) {
    live_.emplace(next_, std::move(object));
    return next_++;
  }

  /// @param request a call naming an object as "obj". @return the object.
  /// @throws std::logic_error when there is none such (the harness's bug).
  T &at(const json &request) {
    const auto it = live_.find(request.at("obj").get<int>());
    if (it == live_.end())
      throw std::logic_error("the exercise host has no object " + request.at("obj").dump());
    return *it->second;
  }

  /// Deletes the object the request names (the student's destructor runs).
  json remove(const json &request) {
    // Out of the map first, then destroyed (the extracted node, at the end
    // of the statement).
    live_.extract(request.at("obj").get<int>());
    return nullptr;
  }

private:
  // A std::map: a call in progress keeps its object's address while a
  // callback makes or deletes others.
  std::map<int, std::unique_ptr<T>> live_;
  int next_ = 1;
};

/// A request's string field `name`. @throws on a malformed request.
inline std::string text(const json &request, const char *name) {
  return decode_text(request.at(name));
}

/// Calls the test back from inside a call it made (it waits as long as the
/// test takes). @param request `{"op": ...}` the test's Callback serves.
/// @return its answer. @throws stampede::hosting::PeerFault when the test's
/// callback threw: let it through the student's code, back to the test.
inline json call_back(const json &request) {
  return stampede::hosting::host_peer().call(request, -1);
}

/// Serves the test's calls until it goes: a host's main().
/// @param handler serves one call: its "op" and the whole request.
/// @return the exit status.
inline int serve(std::function<json(const std::string &op, const json &request)> handler) {
  return stampede::hosting::serve_exercise_host([handler](const json &request) -> json {
    const std::string op = request.at("op").get<std::string>();
    if (op == "hello")
      return "hello";
    return handler(op, request);
  });
}

/// What an adapter throws for an op it does not know (the harness's bug).
inline json unknown(const std::string &op) {
  throw std::logic_error("the exercise host knows no call \"" + op + "\"");
}

} // namespace exhost
