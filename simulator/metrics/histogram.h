// Streaming latency histograms: fixed memory whatever the run's length.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stampede/report.h"
#include "stampede/time.h"

namespace stampede::internal {

/// Log-linear histogram of non-negative nanosecond values (HdrHistogram's
/// layout): exact below 2^kSubBits ns, then 2^kSubBits sub-buckets per octave,
/// so a bucket is at most 2^-kSubBits (0.4 % at 8 bits) wide relative to its
/// values. Percentiles are nearest-rank, reported as the bucket's midpoint.
template <int kSubBits> class LogHistogram {
public:
  static constexpr std::uint64_t kSub = std::uint64_t{1} << kSubBits;
  static constexpr std::size_t kBuckets = kSub + (64 - kSubBits) * (kSub / 2);

  LogHistogram() : counts_(kBuckets, 0) {}

  void add(Time v) noexcept {
    ++counts_[index(v < 0 ? 0 : static_cast<std::uint64_t>(v))];
    ++n_;
    sum_ += static_cast<std::uint64_t>(v < 0 ? 0 : v);
    if (v > max_)
      max_ = v;
  }
  void clear() noexcept {
    if (n_ == 0)
      return;
    std::fill(counts_.begin(), counts_.end(), 0);
    n_ = sum_ = 0;
    max_ = 0;
  }
  std::uint64_t count() const noexcept { return n_; }
  Time max() const noexcept { return max_; }
  double mean() const noexcept {
    return n_ ? static_cast<double>(sum_) / static_cast<double>(n_) : 0.0;
  }

  /// @param p in (0, 1].
  /// @return the nearest-rank percentile, ns (bucket midpoint, capped at max).
  double percentile(double p) const noexcept {
    if (n_ == 0)
      return 0;
    auto rank = static_cast<std::uint64_t>(p * static_cast<double>(n_));
    if (static_cast<double>(rank) < p * static_cast<double>(n_))
      ++rank;
    if (rank < 1)
      rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const double mid = midpoint(i);
        return mid > static_cast<double>(max_) ? static_cast<double>(max_) : mid;
      }
    }
    return static_cast<double>(max_);
  }

  /// @return the width, ns, of the bucket that holds `v` ns: how finely a
  /// percentile near `v` is known (1 below 2^kSubBits ns).
  static double bucket_width(double v) noexcept {
    const auto n = v <= 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(v);
    if (n < kSub)
      return 1;
    const int msb = 63 - __builtin_clzll(n);
    return static_cast<double>(std::uint64_t{1} << (msb - kSubBits + 1));
  }

private:
  static std::size_t index(std::uint64_t v) noexcept {
    if (v < kSub)
      return static_cast<std::size_t>(v);
    const int msb = 63 - __builtin_clzll(v); // >= kSubBits
    const int shift = msb - kSubBits + 1;    // keep kSubBits significant bits
    return static_cast<std::size_t>(kSub + (shift - 1) * (kSub / 2) + ((v >> shift) - kSub / 2));
  }
  static double midpoint(std::size_t i) noexcept {
    if (i < kSub)
      return static_cast<double>(i);
    const std::size_t j = i - kSub;
    const int shift = static_cast<int>(j / (kSub / 2)) + 1;
    const std::uint64_t low = (j % (kSub / 2) + kSub / 2) << shift;
    return static_cast<double>(low) + static_cast<double>(std::uint64_t{1} << shift) / 2.0 - 0.5;
  }

  std::vector<std::uint64_t> counts_;
  std::uint64_t n_ = 0, sum_ = 0;
  Time max_ = 0;
};

/// The histogram behind a report's latencies (model and reality lab alike).
using LatencyHistogram = LogHistogram<8>;

/// A histogram of latencies (ns) as a report states them: milliseconds.
template <int kBits> LatencySummary latency_summary(const LogHistogram<kBits> &h) {
  LatencySummary l;
  l.mean = h.mean() / 1e6;
  l.p50 = h.percentile(0.50) / 1e6;
  l.p90 = h.percentile(0.90) / 1e6;
  l.p99 = h.percentile(0.99) / 1e6;
  l.max = static_cast<double>(h.max()) / 1e6;
  return l;
}

} // namespace stampede::internal
