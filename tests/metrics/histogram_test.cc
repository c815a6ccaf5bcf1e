// The latency histogram (metrics/histogram.h): percentiles as bucket
// midpoints, and how wide the bucket behind a percentile is.
#include <gtest/gtest.h>

#include "metrics/histogram.h"

namespace stampede::internal {
namespace {

TEST(LatencyHistogram, APercentileLiesWithinHalfABucketOfTheTrueValue) {
  for (const double ms : {0.0001, 2.1, 2.5, 53.0, 53.1, 812.0}) {
    LatencyHistogram h;
    const auto ns = static_cast<Time>(ms * 1e6);
    for (int i = 0; i < 100; ++i)
      h.add(ns);
    h.add(ns * 10); // the max: the percentile is not capped at ns
    const double width = LatencyHistogram::bucket_width(static_cast<double>(ns));
    EXPECT_NEAR(h.percentile(0.5), static_cast<double>(ns), width / 2) << ms << " ms";
  }
}

TEST(LatencyHistogram, BucketsAreExactBelow256nsThenUnderHalfAPercentWide) {
  EXPECT_EQ(LatencyHistogram::bucket_width(0), 1);
  EXPECT_EQ(LatencyHistogram::bucket_width(255), 1);
  EXPECT_EQ(LatencyHistogram::bucket_width(256), 2);
  EXPECT_EQ(LatencyHistogram::bucket_width(511), 2);
  EXPECT_EQ(LatencyHistogram::bucket_width(512), 4);
  // 53 ms lies in the octave [2^25, 2^26) ns: buckets of 2^18 ns, 0.26 ms.
  EXPECT_EQ(LatencyHistogram::bucket_width(53e6), 262144);
  for (const double v : {300.0, 1e4, 2.1e6, 53e6, 9e8})
    EXPECT_LE(LatencyHistogram::bucket_width(v) / v, 1.0 / 128);
  // Two values a bucket apart land in neighbouring buckets.
  LatencyHistogram a, b;
  a.add(53'000'000);
  b.add(53'000'000 + 262'144);
  EXPECT_NEAR(b.percentile(1) - a.percentile(1), 262144, 1);
}

} // namespace
} // namespace stampede::internal
