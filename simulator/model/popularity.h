// Which page a request asks for (SPEC 2, `workload.keys`, `workload.zipf_alpha`):
// one table for the model and the reality lab, so both draw keys alike.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stampede/distribution.h"

namespace stampede::internal {

/// Zipf popularity over `keys` keys, P(rank k) proportional to 1 / k^alpha,
/// as a cumulative table; empty when there is one key.
inline std::vector<double> zipf_cdf(std::uint32_t keys, double alpha) {
  std::vector<double> cdf;
  if (keys <= 1)
    return cdf;
  cdf.resize(keys);
  double total = 0;
  for (std::uint32_t k = 0; k < keys; ++k) {
    total += 1.0 / portable_pow(static_cast<double>(k + 1), alpha);
    cdf[k] = total;
  }
  for (double &c : cdf)
    c /= total;
  cdf.back() = 1.0;
  return cdf;
}

/// @return the key a uniform draw `u` in [0, 1) falls on (0 with one key).
inline std::uint32_t key_of(const std::vector<double> &cdf, double u) noexcept {
  if (cdf.empty())
    return 0;
  return static_cast<std::uint32_t>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
}

} // namespace stampede::internal
