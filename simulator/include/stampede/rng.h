/// @file rng.h
/// The random generator every component draws from.
///
/// Stampede writes its own generator and distributions (distribution.h) rather
/// than using the standard library's, whose distributions differ between
/// implementations: the same seed must give the same run on every machine.
///
/// Each component owns a stream derived from (seed, component name, index), so
/// adding an app server does not change what the database draws (the idea of
/// ns-3's RngStream).
#pragma once

#include <cstdint>
#include <string_view>

namespace stampede {

/// xoshiro256** seeded through SplitMix64: small, fast, and well tested
/// (Blackman and Vigna). Not cryptographic.
class Rng {
public:
  /// Seeds the generator from one 64-bit value (expanded with SplitMix64).
  /// @param seed any value, including 0.
  explicit Rng(std::uint64_t seed = 0) noexcept;

  /// A stream for one component: its own sequence, independent of the others.
  /// @param seed the scenario's seed.
  /// @param component a stable name, such as "arrivals" or "db".
  /// @param index the component's index (an app server's number), 0 if single.
  /// @return a generator whose sequence depends only on these three values.
  static Rng stream(std::uint64_t seed, std::string_view component,
                    std::uint64_t index = 0) noexcept;

  /// @return the next 64 random bits.
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// @return a double uniform in [0, 1), with 53 random bits.
  double uniform01() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// @return a double uniform in (0, 1]: safe to take the logarithm of.
  double uniform01_open_low() noexcept {
    return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53;
  }

  /// An integer uniform in [0, n) without modulo bias (Lemire's method).
  /// @param n the bound; must be at least 1.
  /// @return a value in [0, n).
  std::uint64_t below(std::uint64_t n) noexcept;

private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

} // namespace stampede
