/// @file distribution.h
/// Distributions of durations, as scenario files write them (SPEC section 2):
/// a constant, `exp`, `uniform`, `normal` (truncated at 0), `lognormal`, or an
/// `empirical` table of (value, weight) pairs.
///
/// Samples are integer nanoseconds. The transcendental functions they need are
/// computed by portable_log() and portable_exp(), written once here from
/// additions, multiplications and divisions only, so that every platform and
/// compiler produces the same bits (with -ffp-contract=off).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stampede/rng.h"
#include "stampede/time.h"

namespace stampede {

/// Natural logarithm, bit-identical on every IEEE-754 platform.
/// @param x a positive, finite value.
/// @return ln(x), within a few ulps of the true value.
double portable_log(double x) noexcept;

/// Exponential function, bit-identical on every IEEE-754 platform.
/// @param x the exponent; results overflow to infinity above about 709.
/// @return e^x, within a few ulps of the true value.
double portable_exp(double x) noexcept;

/// x raised to y for x > 0, as portable_exp(y * portable_log(x)).
/// @param x the base; must be positive.
/// @param y the exponent.
/// @return x^y.
double portable_pow(double x, double y) noexcept;

namespace internal {

/// Marsaglia and Tsang's ziggurat for the standard exponential ("The Ziggurat
/// Method for Generating Random Variables", 2000), with 256 layers. Here, not
/// in distribution.cc, only so that standard_exponential() can take its
/// common case inline: the tables are built there, once, from
/// portable_exp/portable_log, so they are the same bits everywhere.
/// The low 8 bits of a word pick the layer; the top 53 bits the position.
struct ExpZiggurat {
  std::array<std::uint64_t, 256> k; ///< Layer i accepts a position j < k[i] at once...
  std::array<double, 256> w;        ///< ... as the sample j * w[i].
  std::array<double, 256> f;        ///< exp(-x_i), for the wedges.

  /// Builds the tables.
  ExpZiggurat() noexcept;

  /// The rest of a draw whose first word `u` fell outside its layer's
  /// rectangle: the tail or a wedge, then new words as needed.
  /// @param u the draw's first word. @param rng the stream it came from.
  /// @return the sample.
  double sample_rest(std::uint64_t u, Rng &rng) const noexcept;
};

/// @return the tables, built on the first call.
inline const ExpZiggurat &exp_ziggurat() noexcept {
  static const ExpZiggurat table;
  return table;
}

} // namespace internal

/// A standard exponential draw (mean 1), by the ziggurat method: one 64-bit
/// word and a multiply for nearly every draw (inline: arrivals draw one each).
/// @param rng the stream to draw from.
/// @return one sample of Exp(1).
inline double standard_exponential(Rng &rng) noexcept {
  const internal::ExpZiggurat &z = internal::exp_ziggurat();
  const std::uint64_t u = rng.next();
  const std::size_t i = u & 0xff;
  const std::uint64_t j = u >> 11;
  if (j < z.k[i])
    return static_cast<double>(j) * z.w[i]; // inside the layer's rectangle: ~98.9 % of draws
  return z.sample_rest(u, rng);
}

/// A standard normal draw (Marsaglia's polar method; uses only portable_log
/// and the correctly rounded square root).
/// @param rng the stream to draw from.
/// @return one sample of N(0, 1).
double standard_normal(Rng &rng) noexcept;

/// A distribution of durations, parameterised in seconds.
struct Distribution {
  /// Which family.
  enum class Kind : std::uint8_t {
    kConstant,
    kExponential,
    kUniform,
    kNormal,
    kLogNormal,
    kEmpirical
  };

  Kind kind = Kind::kConstant; ///< The family.
  double a = 0; ///< constant value, exp mean, uniform low, normal mean, lognormal median.
  double b = 0; ///< uniform high, normal sd, lognormal sigma.
  std::vector<double> values;     ///< Empirical table: the values, seconds.
  std::vector<double> cumulative; ///< Empirical table: cumulative weights, normalised to 1.

  /// @param s seconds.
  /// @return a constant distribution.
  static Distribution constant(double s);
  /// @param mean_s the mean, seconds.
  /// @return an exponential distribution.
  static Distribution exponential(double mean_s);
  /// @param lo_s lower bound, seconds. @param hi_s upper bound, seconds.
  /// @return a uniform distribution on [lo_s, hi_s).
  static Distribution uniform(double lo_s, double hi_s);
  /// @param mean_s mean, seconds. @param sd_s standard deviation, seconds.
  /// @return a normal distribution truncated at 0 (negative draws are redrawn).
  static Distribution normal(double mean_s, double sd_s);
  /// @param median_s median, seconds. @param sigma shape (sd of the log).
  /// @return a lognormal distribution.
  static Distribution lognormal(double median_s, double sigma);
  /// @param pairs (value seconds, weight) pairs; weights positive.
  /// @return a discrete distribution over the values.
  static Distribution empirical(const std::vector<std::pair<double, double>> &pairs);

  /// Draws one duration.
  /// @param rng the component's stream.
  /// @return a non-negative duration in nanoseconds.
  Time sample(Rng &rng) const noexcept {
    // Constants are most of a scenario's durations, and exponential gaps
    // (open arrivals, think times) most of the rest: answer both inline.
    if (kind == Kind::kConstant)
      return a > 0 ? seconds_to_ns(a) : 0;
    if (kind == Kind::kExponential)
      return to_ns(a * standard_exponential(rng));
    return sample_random(rng);
  }

  /// Draws from the non-constant families (sample() without its fast path).
  /// @param rng the component's stream.
  /// @return a non-negative duration in nanoseconds.
  Time sample_random(Rng &rng) const noexcept;

  /// @return the distribution's mean in seconds (exact for every family but
  /// the truncated normal, for which it is the untruncated mean).
  double mean_s() const noexcept;

  /// @return the scenario-file spelling, e.g. `{"exp": 0.1}` or `0.002`.
  std::string to_json() const;

private:
  /// A drawn duration in seconds as a sample: 0 for anything not positive,
  /// capped at 9.2e9 s (within Time's range).
  static Time to_ns(double s) noexcept {
    if (!(s > 0))
      return 0;
    if (s > 9.2e9)
      return seconds_to_ns(9.2e9);
    return seconds_to_ns(s);
  }
};

} // namespace stampede
