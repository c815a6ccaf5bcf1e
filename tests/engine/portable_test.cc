// The fallback to_chars and from_chars (internal/portable.h) that the
// WebAssembly build uses, held to this machine's standard library.
#include "internal/portable.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../web/portable_sample.h"

namespace stampede {
namespace {

std::string native_text(double v) {
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return {buf.data(), r.ptr};
}

std::string fallback_text(double v) {
  std::array<char, 64> buf{};
  const auto r = portable::shortest_chars(buf.data(), buf.data() + buf.size(), v);
  EXPECT_EQ(r.ec, std::errc());
  return {buf.data(), r.ptr};
}

// A sample of each shape here; the WebAssembly check (tests/web) runs
// millions. Under the sanitizers (the debug suite) a tenth as many.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::uint64_t kValues = 20000;
#else
constexpr std::uint64_t kValues = 200000;
#endif

TEST(Portable, ShortestTextAgreesWithToCharsOnEveryShapeOfValue) {
  std::uint64_t state = 1;
  std::uint64_t wrong = 0;
  std::string first_wrong;
  for (std::uint64_t i = 0; i < kValues; ++i) {
    const double v = portable_sample::value(state, i);
    for (double x : {v, -v}) {
      const std::string want = native_text(x), got = fallback_text(x);
      if (want != got && wrong++ == 0)
        first_wrong = "bits " + std::to_string(std::bit_cast<std::uint64_t>(x)) + ": to_chars " +
                      want + ", fallback " + got;
    }
  }
  EXPECT_EQ(wrong, 0u) << "first: " << first_wrong;
}

TEST(Portable, ShortestTextAtTheEdges) {
  const double edges[] = {0.0,
                          -0.0,
                          1.0,
                          0.1,
                          1e21,
                          1e22,
                          1e23,
                          123456789012345680000.0,
                          0.0001,
                          0.00001,
                          5e-324,
                          std::numeric_limits<double>::min(),
                          std::numeric_limits<double>::max(),
                          std::numeric_limits<double>::infinity(),
                          -std::numeric_limits<double>::infinity(),
                          9007199254740993.0,
                          0x1p-1022,
                          0x1p1023,
                          2.2250738585072009e-308};
  for (double v : edges)
    EXPECT_EQ(fallback_text(v), native_text(v)) << "bits " << std::bit_cast<std::uint64_t>(v);
  EXPECT_EQ(fallback_text(std::numeric_limits<double>::quiet_NaN()), "nan");
  // Too small a buffer: as to_chars says it.
  std::array<char, 3> small{};
  const auto r = portable::shortest_chars(small.data(), small.data() + small.size(), 0.125);
  EXPECT_EQ(r.ec, std::errc::value_too_large);
  EXPECT_EQ(r.ptr, small.data() + small.size());
}

struct Parsed {
  std::errc ec;
  std::ptrdiff_t used;
  std::uint64_t bits;
};

Parsed native_parse(const std::string &s) {
  double v = 42;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return {r.ec, r.ptr - s.data(), std::bit_cast<std::uint64_t>(v)};
}

Parsed fallback_parse(const std::string &s) {
  double v = 42;
  const auto r = portable::parse_chars(s.data(), s.data() + s.size(), v);
  return {r.ec, r.ptr - s.data(), std::bit_cast<std::uint64_t>(v)};
}

void expect_same_parse(const std::string &s) {
  const Parsed want = native_parse(s), got = fallback_parse(s);
  EXPECT_EQ(got.ec, want.ec) << '"' << s << '"';
  EXPECT_EQ(got.used, want.used) << '"' << s << '"';
  // NaN's payload and sign are the library's own: compare that it is NaN.
  double w = std::bit_cast<double>(want.bits), g = std::bit_cast<double>(got.bits);
  if (std::isnan(w))
    EXPECT_TRUE(std::isnan(g)) << '"' << s << '"';
  else
    EXPECT_EQ(got.bits, want.bits) << '"' << s << '"';
}

TEST(Portable, ReadsBackEveryShortestText) {
  std::uint64_t state = 2;
  std::uint64_t wrong = 0;
  for (std::uint64_t i = 0; i < kValues / 2; ++i) {
    const double v = portable_sample::value(state, i);
    const std::string text = native_text(v);
    const Parsed want = native_parse(text), got = fallback_parse(text);
    wrong += (want.ec != got.ec || want.used != got.used || want.bits != got.bits) ? 1 : 0;
  }
  EXPECT_EQ(wrong, 0u);
}

TEST(Portable, ParsesAsFromCharsDoesOnAwkwardText) {
  for (const char *s : {"",
                        "-",
                        "+1",
                        " 1",
                        "1",
                        "-1",
                        "1.",
                        ".5",
                        "-.5",
                        ".",
                        "-.",
                        "1e",
                        "1e+",
                        "1e-",
                        "1e5",
                        "1E5",
                        "1e+05",
                        "1.5e-3x",
                        "0x10",
                        "00012",
                        "1e400",
                        "-1e400",
                        "1e-400",
                        "4e-324",
                        "2e-324",
                        "2.4703282292062328e-324",
                        "1.7976931348623158e308",
                        "1.7976931348623159e308",
                        "inf",
                        "-inf",
                        "INF",
                        "infinity",
                        "Infinity",
                        "infin",
                        "nan",
                        "NaN",
                        "nan(123)",
                        "nan(",
                        "nan(12",
                        "-nan",
                        "nanx",
                        "1,5",
                        "12abc",
                        "e5",
                        "-e5",
                        "0.000000000000000000000001",
                        "123456789012345678901234567890",
                        "3.14159265358979323846264338327950288"})
    expect_same_parse(s);
  // Random strings of a number's alphabet.
  std::uint64_t state = 3;
  const std::string alphabet = "0123456789.eE+-in";
  for (int n = 0; n < 200000; ++n) {
    const std::uint64_t r = portable_sample::splitmix(state);
    std::string s;
    for (std::uint64_t k = 0, len = r % 9; k < len; ++k)
      s += alphabet[(r >> (8 + 5 * k)) % alphabet.size()];
    expect_same_parse(s);
  }
}

TEST(Portable, BitCastIsStdBitCast) {
  for (double v : {0.0, -0.0, 1.5, 5e-324, std::numeric_limits<double>::infinity()})
    EXPECT_EQ(portable::bit_cast<std::uint64_t>(v), std::bit_cast<std::uint64_t>(v));
  EXPECT_EQ(portable::bit_cast<double>(std::uint64_t{0x3ff8000000000000}), 1.5);
}

} // namespace
} // namespace stampede
