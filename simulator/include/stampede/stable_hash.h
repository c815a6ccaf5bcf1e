/// @file stable_hash.h
/// The simulator's hash of a name, the same on every machine and compiler:
/// where the memcached tier places a key (`page:42`) and a ring point
/// (`node-3-17`), which gutter node takes a failed node's key, and the seed
/// of each component's random stream. Exercise 06's ring_hash is it, cut to
/// 32 bits, so a student's ring and the built-in `consistent` agree.
#pragma once

#include <cstdint>
#include <string_view>

namespace stampede {

/// 64-bit FNV-1a of `s`.
/// @param s any bytes. @return the hash.
constexpr std::uint64_t fnv1a64(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// FNV-1a, then a finaliser (MurmurHash3's first mixing steps) so that
/// names differing in their last byte land far apart.
/// @param s a key or a point's name. @return the hash.
constexpr std::uint64_t stable_hash(std::string_view s) noexcept {
  std::uint64_t h = fnv1a64(s);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

} // namespace stampede
