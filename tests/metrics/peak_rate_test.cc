// db.peak_reads_per_s's counter (metrics/peak_rate.h): one-second buckets
// from the run's start, the busiest of them.
#include <gtest/gtest.h>

#include "metrics/peak_rate.h"

namespace stampede::internal {
namespace {

Time at(double s) { return seconds_to_ns(s); }

TEST(PeakRate, CountsTheBusiestSecondAlignedToTheStart) {
  PeakRate p;
  EXPECT_EQ(p.peak(), 0u);
  for (const double t : {0.1, 0.5, 0.99})
    p.add(at(t)); // second 0: 3
  for (const double t : {1.0, 1.2, 1.3, 1.4, 1.999})
    p.add(at(t)); // second 1: 5
  EXPECT_EQ(p.peak(), 5u) << "the current second counts";
  p.add(at(3.5)); // second 3: 1 (second 2 had none)
  EXPECT_EQ(p.peak(), 5u);
  // 0.9 .. 1.1 holds 4 events, but buckets are aligned: 1.999 and 2.0 do not
  // share one.
  p.clear();
  p.add(at(1.999));
  p.add(at(2.0));
  EXPECT_EQ(p.peak(), 1u);
}

} // namespace
} // namespace stampede::internal
