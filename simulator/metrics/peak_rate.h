// The busiest second (SPEC 6, `db.peak_reads_per_s`): events counted in
// one-second buckets aligned to the run's start, streamed, so memory does
// not grow with the run.
#pragma once

#include <algorithm>
#include <cstdint>

#include "stampede/time.h"

namespace stampede::internal {

class PeakRate {
public:
  /// One event at `t` (t never decreases from one call to the next).
  void add(Time t) noexcept {
    const std::int64_t bucket = t / kSecond;
    if (bucket != bucket_) {
      peak_ = std::max(peak_, count_);
      bucket_ = bucket;
      count_ = 0;
    }
    ++count_;
  }
  /// @return the most events in any one second so far (the current one included).
  std::uint64_t peak() const noexcept { return std::max(peak_, count_); }
  /// Forgets everything (a warm-up's end).
  void clear() noexcept { *this = PeakRate(); }

private:
  std::int64_t bucket_ = -1;
  std::uint64_t count_ = 0, peak_ = 0;
};

} // namespace stampede::internal
