// The generator and distributions: exact samples for fixed seeds (a stability
// test: if these change, every recorded run changes), and statistical checks
// with a fixed seed and a stated tolerance.
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "stampede/distribution.h"
#include "stampede/rng.h"

namespace stampede {
namespace {

TEST(RngStability, SameSeedGivesTheRecordedSequence) {
  // Recorded from this implementation (xoshiro256** seeded by SplitMix64).
  Rng r(42);
  EXPECT_EQ(r.next(), 1546998764402558742ULL);
  EXPECT_EQ(r.next(), 6990951692964543102ULL);
  EXPECT_EQ(r.next(), 12544586762248559009ULL);
}

TEST(RngStability, StreamsDependOnComponentAndIndexOnly) {
  EXPECT_EQ(Rng::stream(7, "db", 0).next(), 6434974866610257576ULL);
  EXPECT_EQ(Rng::stream(7, "db", 1).next(), 6164571572851627355ULL);
  // Another component's stream differs from the database's.
  EXPECT_NE(Rng::stream(7, "app", 0).next(), Rng::stream(7, "db", 0).next());
}

TEST(DistributionStability, ExponentialNormalLognormalSamples) {
  // Recorded; they depend only on our portable_log/portable_exp and IEEE
  // arithmetic, so every platform must reproduce them bit for bit.
  Rng e(1);
  const auto exp = Distribution::exponential(0.1);
  EXPECT_EQ(exp.sample(e), 196849349);
  EXPECT_EQ(exp.sample(e), 212548986);
  EXPECT_EQ(exp.sample(e), 25451705);
  Rng n(1);
  const auto normal = Distribution::normal(0.1, 0.02);
  EXPECT_EQ(normal.sample(n), 137687922);
  EXPECT_EQ(normal.sample(n), 126041805);
  EXPECT_EQ(normal.sample(n), 108766418);
  Rng l(1);
  const auto lognormal = Distribution::lognormal(0.1, 0.5);
  EXPECT_EQ(lognormal.sample(l), 256561458);
  EXPECT_EQ(lognormal.sample(l), 191754386);
  EXPECT_EQ(lognormal.sample(l), 124503104);
}

TEST(PortableMath, LogAndExpAgreeWithTheLibraryWithinTwoUlps) {
  for (double x :
       {1e-300, 1e-10, 0.001, 0.3, 0.5, 0.9999, 1.0, 1.0001, 2.0, 10.0, 12345.678, 1e300}) {
    const double want = std::log(x);
    EXPECT_NEAR(portable_log(x), want, 2 * std::abs(want) * 2.3e-16 + 1e-300) << x;
  }
  for (double x : {-700.0, -20.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 20.0, 700.0}) {
    const double want = std::exp(x);
    EXPECT_NEAR(portable_exp(x), want, 2 * want * 2.3e-16) << x;
  }
  EXPECT_EQ(portable_log(1.0), 0.0);
  EXPECT_EQ(portable_exp(0.0), 1.0);
  EXPECT_TRUE(std::isinf(portable_exp(1000.0)));
  EXPECT_EQ(portable_exp(-1000.0), 0.0);
}

TEST(RngBelow, StaysInRangeAndHitsEveryValue) {
  Rng r(3);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t v = r.below(7);
    ASSERT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
}

// Sample mean within 4 standard errors of the distribution's mean: with a fixed
// seed this is a deterministic check, and 4 SE leaves room for any honest
// generator.
struct MeanCase {
  const char *name;
  Distribution dist;
  double mean_s, sd_s;
};

class DistributionMean : public ::testing::TestWithParam<MeanCase> {};

TEST_P(DistributionMean, SampleMeanWithinFourStandardErrors) {
  const MeanCase &c = GetParam();
  Rng r(2024);
  constexpr int kN = 200000;
  double sum = 0;
  for (int i = 0; i < kN; ++i) {
    const Time t = c.dist.sample(r);
    ASSERT_GE(t, 0);
    sum += ns_to_seconds(t);
  }
  const double se = c.sd_s / std::sqrt(kN);
  EXPECT_NEAR(sum / kN, c.mean_s, 4 * se + 1e-9);
  EXPECT_NEAR(c.dist.mean_s(), c.mean_s, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(
    Families, DistributionMean,
    ::testing::Values(
        MeanCase{"constant", Distribution::constant(0.002), 0.002, 0.0},
        MeanCase{"exponential", Distribution::exponential(0.1), 0.1, 0.1},
        MeanCase{"uniform", Distribution::uniform(0.05, 0.15), 0.1, 0.1 / std::sqrt(12.0)},
        // sd 0.02 around 0.1: truncation at 0 is 5 sd away, negligible.
        MeanCase{"normal", Distribution::normal(0.1, 0.02), 0.1, 0.02},
        // mean = median * exp(sigma^2 / 2); sd = mean * sqrt(exp(sigma^2) - 1).
        MeanCase{"lognormal", Distribution::lognormal(0.1, 0.5), 0.1 * std::exp(0.125),
                 0.1 * std::exp(0.125) * std::sqrt(std::exp(0.25) - 1)},
        // 0.05 or 0.2 with equal weights: mean 0.125, sd 0.075.
        MeanCase{"empirical", Distribution::empirical({{0.05, 0.5}, {0.2, 0.5}}), 0.125, 0.075}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(Empirical, DrawsOnlyTheTableValuesInProportion) {
  const auto d = Distribution::empirical({{0.01, 1}, {0.02, 3}});
  Rng r(5);
  int small = 0, large = 0;
  for (int i = 0; i < 40000; ++i) {
    const Time t = d.sample(r);
    if (t == 10'000'000)
      ++small;
    else if (t == 20'000'000)
      ++large;
    else
      FAIL() << "value not in the table: " << t;
  }
  // Expect 10,000 small draws; sd = sqrt(40000 * 0.25 * 0.75) = 86.6.
  EXPECT_NEAR(small, 10000, 4 * 86.6);
}

TEST(DistributionJson, SpellsEachFamilyAsTheScenarioFormat) {
  EXPECT_EQ(Distribution::constant(0.002).to_json(), "0.002");
  EXPECT_EQ(Distribution::exponential(0.1).to_json(), "{\"exp\": 0.1}");
  EXPECT_EQ(Distribution::uniform(0.05, 0.15).to_json(), "{\"uniform\": [0.05, 0.15]}");
  EXPECT_EQ(Distribution::normal(0.1, 0.02).to_json(),
            "{\"normal\": {\"mean\": 0.1, \"sd\": 0.02}}");
  EXPECT_EQ(Distribution::lognormal(0.1, 0.5).to_json(),
            "{\"lognormal\": {\"median\": 0.1, \"sigma\": 0.5}}");
  EXPECT_EQ(Distribution::empirical({{0.05, 0.5}, {0.2, 0.5}}).to_json(),
            "{\"empirical\": [[0.05, 0.5], [0.2, 0.5]]}");
}

} // namespace
} // namespace stampede

namespace stampede {
namespace {

TEST(Exponential, CdfMatchesOneMinusExpAtQuantilesAndInTheTail) {
  // P(X <= x) = 1 - exp(-x) for Exp(1). With n = 2,000,000 draws, the
  // fraction below x has sd sqrt(p (1 - p) / n); allow 4 sd. The points
  // cross layer boundaries, the wedges and the tail (x > 7.697).
  Rng r(77);
  constexpr int kN = 2'000'000;
  const double points[] = {0.01, 0.1, 0.5, 1.0, 2.0, 4.0, 7.0, 7.697, 9.0, 12.0};
  int below[std::size(points)] = {};
  double sum = 0, sum2 = 0;
  for (int n = 0; n < kN; ++n) {
    const double x = standard_exponential(r);
    ASSERT_GE(x, 0.0);
    sum += x;
    sum2 += x * x;
    for (std::size_t i = 0; i < std::size(points); ++i)
      below[i] += x <= points[i];
  }
  for (std::size_t i = 0; i < std::size(points); ++i) {
    const double p = 1 - std::exp(-points[i]);
    const double sd = std::sqrt(p * (1 - p) / kN);
    EXPECT_NEAR(static_cast<double>(below[i]) / kN, p, 4 * sd + 1e-7) << "x = " << points[i];
  }
  // Mean 1 (sd of the mean 1/sqrt(n)), variance 1.
  EXPECT_NEAR(sum / kN, 1.0, 4 / std::sqrt(double(kN)));
  EXPECT_NEAR(sum2 / kN - (sum / kN) * (sum / kN), 1.0, 0.01);
}

} // namespace
} // namespace stampede
