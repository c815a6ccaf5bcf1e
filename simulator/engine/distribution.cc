// The distributions of durations (constant, exp, uniform, normal, lognormal, empirical)
// and the one portable log and exp they use, so every platform draws the same bits.
#include "stampede/distribution.h"

#include "internal/portable.h"
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <string_view>

namespace stampede {
namespace {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's constants).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kSqrtHalf = 0.70710678118654752440;

// 1/k, correctly rounded (IEEE division at compile time is the same as at run
// time), so the series below multiply instead of divide.
constexpr auto kInverse = [] {
  std::array<double, 28> inv{};
  for (int k = 1; k < 28; ++k)
    inv[k] = 1.0 / k;
  return inv;
}();

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Shorter spelling when it reads back the same.
  for (int digits = 1; digits < 17; ++digits) {
    char shorter[64];
    std::snprintf(shorter, sizeof shorter, "%.*g", digits, v);
    if (std::strtod(shorter, nullptr) == v)
      return shorter;
  }
  return buf;
}

// Concatenation without operator+ on temporaries (GCC 12 raises a false
// -Wrestrict on that pattern at -O2).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view p : parts)
    out.append(p);
  return out;
}

} // namespace

double portable_log(double x) noexcept {
  if (std::isnan(x) || x < 0)
    return std::numeric_limits<double>::quiet_NaN();
  if (x == 0)
    return -std::numeric_limits<double>::infinity();
  if (std::isinf(x))
    return x;
  // x = m * 2^e exactly, read off the IEEE-754 bits, with m in [sqrt(1/2), sqrt(2)).
  int e = 0;
  if (x < 0x1p-1022) { // subnormal: scale into the normal range first (exact)
    x *= 0x1p54;
    e = -54;
  }
  const auto bits = portable::bit_cast<std::uint64_t>(x);
  e += static_cast<int>((bits >> 52) & 0x7ff) - 1022;
  double m = portable::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3fe0000000000000ULL);
  if (m < kSqrtHalf) {
    m *= 2;
    --e;
  }
  // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: the odd series
  // s + s^3/3 + ... reaches double precision by s^23 (the next term is below
  // 2^-60 of the sum). Horner's scheme, from the smallest term up.
  const double s = (m - 1) / (m + 1);
  const double s2 = s * s;
  double series = kInverse[23];
  for (int k = 21; k >= 1; k -= 2)
    series = kInverse[k] + s2 * series;
  const double ed = static_cast<double>(e);
  return ed * kLn2Hi + (2 * s * series + ed * kLn2Lo);
}

double portable_exp(double x) noexcept {
  if (std::isnan(x))
    return x;
  if (x > 709.782712893384)
    return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412)
    return 0;
  // x = k ln2 + r, |r| <= ln2 / 2; e^r by its Taylor series to r^17.
  const double kd = std::nearbyint(x / (kLn2Hi + kLn2Lo));
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  // Horner's scheme: 1 + r (1 + r/2 (1 + r/3 (...))).
  double sum = 1;
  for (int k = 17; k >= 1; --k)
    sum = 1 + r * sum * kInverse[k];
  return std::ldexp(sum, static_cast<int>(kd));
}

double portable_pow(double x, double y) noexcept { return portable_exp(y * portable_log(x)); }

namespace internal {
namespace {
constexpr double kR = 7.69711747013104972;  // start of the tail
constexpr double kV = 3.949659822581572e-3; // area of each layer
constexpr double kScale = 0x1p53;
} // namespace

// A draw needs one 64-bit word and a multiply, and takes a logarithm in under
// 2 % of draws (the base layer's tail and the wedges).
ExpZiggurat::ExpZiggurat() noexcept {
  double de = kR, tde = kR;
  const double q = kV / portable_exp(-de);
  k[0] = static_cast<std::uint64_t>((de / q) * kScale);
  k[1] = 0;
  w[0] = q / kScale;
  w[255] = de / kScale;
  f[0] = 1.0;
  f[255] = portable_exp(-de);
  for (int i = 254; i >= 1; --i) {
    de = -portable_log(kV / de + portable_exp(-de));
    k[i + 1] = static_cast<std::uint64_t>((de / tde) * kScale);
    tde = de;
    f[i] = portable_exp(-de);
    w[i] = de / kScale;
  }
}

double ExpZiggurat::sample_rest(std::uint64_t u, Rng &rng) const noexcept {
  for (;;) {
    const std::size_t i = u & 0xff;
    const std::uint64_t j = u >> 11;
    const double x = static_cast<double>(j) * w[i];
    if (j < k[i])
      return x; // inside the layer's rectangle (a later word)
    if (i == 0)
      return kR - portable_log(rng.uniform01_open_low()); // the tail
    // A wedge: accept under the curve.
    if (f[i] + rng.uniform01() * (f[i - 1] - f[i]) < portable_exp(-x))
      return x;
    u = rng.next();
  }
}

} // namespace internal

double standard_normal(Rng &rng) noexcept {
  // Marsaglia's polar method; the second variate is dropped so that a draw
  // consumes a fixed pattern of the stream whatever came before.
  for (;;) {
    const double u = 2 * rng.uniform01() - 1;
    const double v = 2 * rng.uniform01() - 1;
    const double s = u * u + v * v;
    if (s > 0 && s < 1)
      return u * std::sqrt(-2 * portable_log(s) / s);
  }
}

Distribution Distribution::constant(double s) { return {Kind::kConstant, s, 0, {}, {}}; }
Distribution Distribution::exponential(double mean_s) {
  return {Kind::kExponential, mean_s, 0, {}, {}};
}
Distribution Distribution::uniform(double lo_s, double hi_s) {
  return {Kind::kUniform, lo_s, hi_s, {}, {}};
}
Distribution Distribution::normal(double mean_s, double sd_s) {
  return {Kind::kNormal, mean_s, sd_s, {}, {}};
}
Distribution Distribution::lognormal(double median_s, double sigma) {
  return {Kind::kLogNormal, median_s, sigma, {}, {}};
}
Distribution Distribution::empirical(const std::vector<std::pair<double, double>> &pairs) {
  Distribution d{Kind::kEmpirical, 0, 0, {}, {}};
  double total = 0;
  for (const auto &[value, weight] : pairs)
    total += weight;
  double running = 0;
  for (const auto &[value, weight] : pairs) {
    running += weight;
    d.values.push_back(value);
    d.cumulative.push_back(running / total);
  }
  if (!d.cumulative.empty())
    d.cumulative.back() = 1.0;
  return d;
}

Time Distribution::sample_random(Rng &rng) const noexcept {
  double s = 0;
  switch (kind) {
  case Kind::kConstant:
    s = a;
    break;
  case Kind::kExponential:
    s = a * standard_exponential(rng);
    break;
  case Kind::kUniform:
    s = a + (b - a) * rng.uniform01();
    break;
  case Kind::kNormal:
    // Truncated at 0: redraw negatives. A mean far below 0 is rejected by the
    // parser (mean >= 0), so at least half the mass is kept and this ends.
    do {
      s = a + b * standard_normal(rng);
    } while (s < 0);
    break;
  case Kind::kLogNormal:
    s = a * portable_exp(b * standard_normal(rng));
    break;
  case Kind::kEmpirical: {
    const double u = rng.uniform01();
    std::size_t lo = 0, hi = cumulative.size() - 1;
    while (lo < hi) { // first index with cumulative > u
      const std::size_t mid = (lo + hi) / 2;
      if (cumulative[mid] > u)
        hi = mid;
      else
        lo = mid + 1;
    }
    s = values[lo];
    break;
  }
  }
  return to_ns(s);
}

double Distribution::mean_s() const noexcept {
  switch (kind) {
  case Kind::kConstant:
  case Kind::kExponential:
  case Kind::kNormal:
    return a;
  case Kind::kUniform:
    return (a + b) / 2;
  case Kind::kLogNormal:
    return a * portable_exp(b * b / 2);
  case Kind::kEmpirical: {
    double mean = 0, previous = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      mean += values[i] * (cumulative[i] - previous);
      previous = cumulative[i];
    }
    return mean;
  }
  }
  return a;
}

std::string Distribution::to_json() const {
  switch (kind) {
  case Kind::kConstant:
    return number(a);
  case Kind::kExponential:
    return cat({"{\"exp\": ", number(a), "}"});
  case Kind::kUniform:
    return cat({"{\"uniform\": [", number(a), ", ", number(b), "]}"});
  case Kind::kNormal:
    return cat({"{\"normal\": {\"mean\": ", number(a), ", \"sd\": ", number(b), "}}"});
  case Kind::kLogNormal:
    return cat({"{\"lognormal\": {\"median\": ", number(a), ", \"sigma\": ", number(b), "}}"});
  case Kind::kEmpirical: {
    std::string out = "{\"empirical\": [";
    double previous = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i)
        out += ", ";
      out += cat({"[", number(values[i]), ", ", number(cumulative[i] - previous), "]"});
      previous = cumulative[i];
    }
    return out + "]}";
  }
  }
  return number(a);
}

} // namespace stampede
