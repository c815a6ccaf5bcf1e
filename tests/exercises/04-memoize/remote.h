// Exercise 04 as the graded test sees it: exercise::Memo with the student's
// interface (exercises/04-memoize/memo.h), run by the student's code in the
// exercise host (host/adapter.cc; exhost/parent.h says how). The given slow
// computation runs here, in the test: the host's complex_computation calls
// back for each answer, so only the test counts the computations, and a
// memo cannot compute one without its being counted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>

#include "exhost/parent.h"

// The proxies sit in an inline namespace: the tests name them exercise::X,
// and no symbol of theirs is the student's exercise::X.
namespace exercise {
inline namespace remote {

namespace given {
inline std::uint64_t calls = 0;
} // namespace given

/// The slow computation (exercises/04-memoize/computation.cc, given): the
/// same arguments always give the same answer.
inline std::int64_t complex_computation(std::int64_t a, std::int64_t b) {
  ++given::calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(2)); // "slow"
  return a * 31 + b * 17 + (a ^ b);
}

/// @return how many times complex_computation has run, the student's
/// code's runs (in the host) and the test's own alike.
inline std::uint64_t computation_calls() { return given::calls; }

/// The student's Memo, in the host.
class Memo : exhost::Remote {
public:
  /// An empty memo, made in the host.
  Memo() : Remote("Memo", "", {{"op", "new"}}) {
    // The host's complex_computation and computation_calls, served here.
    static const bool served = [] {
      exhost::set_callback("complex_computation", [](const exhost::json &r) -> exhost::json {
        return complex_computation(r.at("a").get<std::int64_t>(), r.at("b").get<std::int64_t>());
      });
      exhost::set_callback("computation_calls", [](const exhost::json &) -> exhost::json {
        return computation_calls();
      });
      return true;
    }();
    (void)served;
  }

  /// @return complex_computation(a, b), as the student's memo answers it.
  std::int64_t compute(std::int64_t a, std::int64_t b) {
    return invoke([&] { return "compute(" + std::to_string(a) + ", " + std::to_string(b) + ")"; },
                  {{"op", "compute"}, {"a", a}, {"b", b}},
                  [](const exhost::json &j) { return j.get<std::int64_t>(); });
  }

  /// @return how many answers the memo says it stores.
  std::size_t size() const {
    return invoke([] { return std::string("size()"); }, {{"op", "size"}},
                  [](const exhost::json &j) { return j.get<std::size_t>(); });
  }
};

} // namespace remote
} // namespace exercise
