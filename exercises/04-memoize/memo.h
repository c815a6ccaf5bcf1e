// Exercise 04: a cache in front of a slow computation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

namespace exercise {

/// The slow computation (given; do not change). Deterministic: the same
/// arguments always give the same answer.
std::int64_t complex_computation(std::int64_t a, std::int64_t b);
/// @return how many times complex_computation has run.
std::uint64_t computation_calls();

class Memo {
public:
  /// @return complex_computation(a, b), computed at most once per (a, b).
  std::int64_t compute(std::int64_t a, std::int64_t b);
  /// @return how many answers are stored.
  std::size_t size() const;

private:
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> cache_;
};

} // namespace exercise
