// The values the portable charconv checks run through, the same natively and
// in WebAssembly: a splitmix64 stream (no <random>, whose distributions
// differ between standard libraries) turned into doubles of several shapes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace stampede::portable_sample {

inline std::uint64_t splitmix(std::uint64_t &state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// The i-th double of the sample: every fifth shape in turn, from any bit
/// pattern to the short decimals a report is full of.
inline double value(std::uint64_t &state, std::uint64_t i) {
  const std::uint64_t r = splitmix(state);
  switch (i % 5) {
  case 0: { // any finite bit pattern
    std::uint64_t bits = r;
    if (((bits >> 52) & 0x7ff) == 0x7ff)
      bits &= ~(std::uint64_t{1} << 62);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  case 1: { // a short decimal: k / 10^j
    double d = static_cast<double>(r % 1000000);
    for (std::uint64_t j = (r >> 40) % 12; j > 0; --j)
      d /= 10;
    return d;
  }
  case 2: // a ratio of counts, as rates and means are
    return static_cast<double>(r % 100000) / static_cast<double>(1 + (r >> 32) % 9999);
  case 3: { // a power of two times a small odd number: the lopsided intervals
    const int e = static_cast<int>((r >> 8) % 2000) - 1000;
    double d = static_cast<double>(1 + 2 * (r % 4));
    for (int n = 0; n < (e < 0 ? -e : e); ++n)
      d = e < 0 ? d / 2 : d * 2;
    return d;
  }
  default: // a large or tiny count
    return static_cast<double>(r >> (r % 60));
  }
}

/// FNV-1a over text, with a separator so "1" "23" differs from "12" "3".
inline void mix(std::uint64_t &h, const char *first, const char *last) {
  for (; first != last; ++first)
    h = (h ^ static_cast<unsigned char>(*first)) * 0x100000001b3ULL;
  h = (h ^ 0xff) * 0x100000001b3ULL;
}

} // namespace stampede::portable_sample
