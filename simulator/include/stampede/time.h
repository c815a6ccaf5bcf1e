/// @file time.h
/// Virtual time: integer nanoseconds. Scenario files speak seconds; the model
/// converts once, at load, so every comparison on the hot path is on integers
/// and the order of events never depends on floating-point rounding.
#pragma once

#include <cstdint>

namespace stampede {

/// A point or span of virtual time, in nanoseconds.
using Time = std::int64_t;

/// One second of virtual time.
inline constexpr Time kSecond = 1'000'000'000;

/// The simulated clock starts at this Unix time (SPEC section 2), so a
/// memcached absolute expiry time means the same here as on a server.
inline constexpr std::int64_t kEpochUnixS = 1'000'000'000;

/// Converts seconds to nanoseconds, rounding half away from zero.
/// @param s seconds; must be finite and within +-9.2e9.
/// @return the nearest whole number of nanoseconds.
constexpr Time seconds_to_ns(double s) {
  const double ns = s * 1e9;
  return static_cast<Time>(ns < 0 ? ns - 0.5 : ns + 0.5);
}

/// Converts nanoseconds to seconds.
/// @param t a time in nanoseconds.
/// @return the same time in seconds.
constexpr double ns_to_seconds(Time t) { return static_cast<double>(t) / 1e9; }

} // namespace stampede
