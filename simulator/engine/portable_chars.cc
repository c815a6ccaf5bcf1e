// Floating-point to_chars and from_chars for a standard library without
// them (internal/portable.h), on the C library's correctly rounded printf and
// strtod.
#include "internal/portable.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace stampede::portable {
namespace {

/// A decimal: `digits` (no leading zero, no trailing zero but for "0") times
/// 10^(exponent - digits.size() + 1), so `exponent` is the power of the first.
struct Decimal {
  std::string digits;
  int exponent = 0;
};

/// `v` (finite, positive) correctly rounded to `precision` significant digits.
Decimal rounded(double v, int precision) {
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*e", precision - 1, v);
  Decimal d;
  const char *p = buf.data();
  for (; *p != 'e'; ++p) {
    if (*p != '.')
      d.digits.push_back(*p);
  }
  d.exponent = std::atoi(p + 1);
  return d;
}

/// The decimal one unit of its last digit away (up or down), same length
/// where it can be: 1.99 + 1 = 2.00, 1.00 - 1 = 0.999 (one digit longer).
Decimal neighbour(Decimal d, bool up) {
  std::string &s = d.digits;
  int i = static_cast<int>(s.size()) - 1;
  if (up) {
    while (i >= 0 && s[static_cast<std::size_t>(i)] == '9')
      s[static_cast<std::size_t>(i--)] = '0';
    if (i < 0) {
      s.insert(s.begin(), '1');
      s.pop_back();
      ++d.exponent;
    } else {
      ++s[static_cast<std::size_t>(i)];
    }
  } else {
    while (i >= 0 && s[static_cast<std::size_t>(i)] == '0')
      s[static_cast<std::size_t>(i--)] = '9';
    if (i < 0)
      return d; // from 0: no neighbour below; reads back as something else
    --s[static_cast<std::size_t>(i)];
    if (s.front() == '0' && s.size() > 1) {
      s.erase(s.begin());
      s.push_back('9');
      --d.exponent;
    }
  }
  return d;
}

double read_back(const Decimal &d) {
  std::string text = d.digits;
  text += 'e';
  text += std::to_string(d.exponent - static_cast<int>(d.digits.size()) + 1);
  return std::strtod(text.c_str(), nullptr);
}

void trim(Decimal &d) {
  while (d.digits.size() > 1 && d.digits.back() == '0')
    d.digits.pop_back();
}

/// Of the decimals of `precision` significant digits, the nearest `v` that
/// reads back as `v` (finite, positive), if one does: the correctly rounded
/// one, or else one of its neighbours (the interval that reads back as `v`
/// is lopsided at a power of two, so the nearest may fall outside it while
/// the next one up lies inside).
std::optional<Decimal> reading_back(double v, int precision) {
  Decimal d = rounded(v, precision);
  if (read_back(d) == v)
    return d;
  for (bool up : {true, false}) {
    Decimal n = neighbour(d, up);
    if (n.digits.size() == d.digits.size() && read_back(n) == v)
      return n;
  }
  return std::nullopt;
}

/// The fewest significant digits that read back as `v` (finite, positive);
/// of those, the one nearest `v`, as the standard asks of to_chars. Whether
/// some decimal of p digits reads back only grows with p (append a zero), so
/// a binary search over 1..17 finds the fewest; 17 always reads back.
Decimal shortest(double v) {
  int lo = 1, hi = 17;
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (reading_back(v, mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  Decimal d = reading_back(v, lo).value_or(rounded(v, 17));
  trim(d);
  return d;
}

/// `v` (finite, positive) in fixed notation, from its shortest digits `d`.
std::string fixed_text(const Decimal &d, double v) {
  const int n = static_cast<int>(d.digits.size());
  if (d.exponent >= 0) {
    // An integer past its shortest digits is written whole, as printf's %f
    // writes it (to_chars does so too): 2^70 is 1180591620717411303424.
    if (n <= d.exponent + 1) {
      std::array<char, 320> buf{};
      const int len = std::snprintf(buf.data(), buf.size(), "%.0f", v);
      return {buf.data(), static_cast<std::size_t>(len)};
    }
    return d.digits.substr(0, static_cast<std::size_t>(d.exponent + 1)) + "." +
           d.digits.substr(static_cast<std::size_t>(d.exponent + 1));
  }
  return "0." + std::string(static_cast<std::size_t>(-d.exponent - 1), '0') + d.digits;
}

std::string scientific_text(const Decimal &d) {
  std::string out = d.digits.substr(0, 1);
  if (d.digits.size() > 1)
    out += "." + d.digits.substr(1);
  out += d.exponent < 0 ? "e-" : "e+";
  const int e = d.exponent < 0 ? -d.exponent : d.exponent;
  if (e < 10)
    out += '0';
  out += std::to_string(e);
  return out;
}

std::to_chars_result put(char *first, char *last, const std::string &text) {
  if (static_cast<std::size_t>(last - first) < text.size())
    return {last, std::errc::value_too_large};
  std::memcpy(first, text.data(), text.size());
  return {first + text.size(), std::errc()};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Case-insensitive prefix match of `word` at [p, last).
bool starts_with_word(const char *p, const char *last, const char *word) {
  for (; *word != '\0'; ++word, ++p) {
    if (p == last || (*p | 0x20) != *word)
      return false;
  }
  return true;
}

} // namespace

std::to_chars_result shortest_chars(char *first, char *last, double v) {
  std::string text = std::signbit(v) ? "-" : "";
  if (std::isnan(v)) {
    text += "nan";
  } else if (std::isinf(v)) {
    text += "inf";
  } else if (v == 0) {
    text += "0";
  } else {
    const Decimal d = shortest(std::fabs(v));
    const std::string fixed = fixed_text(d, std::fabs(v));
    const std::string scientific = scientific_text(d);
    text += fixed.size() <= scientific.size() ? fixed : scientific;
  }
  return put(first, last, text);
}

std::from_chars_result parse_chars(const char *first, const char *last, double &v) {
  const char *p = first;
  std::string text;
  if (p != last && *p == '-') {
    text += '-';
    ++p;
  }
  const char *body = p;
  if (starts_with_word(p, last, "infinity")) {
    p += 8;
    text += "inf";
  } else if (starts_with_word(p, last, "inf")) {
    p += 3;
    text += "inf";
  } else if (starts_with_word(p, last, "nan")) {
    p += 3;
    // nan(n-char-sequence): taken whole when closed, else just "nan".
    if (p != last && *p == '(') {
      const char *q = p + 1;
      while (q != last && (is_digit(*q) || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || *q == '_'))
        ++q;
      if (q != last && *q == ')')
        p = q + 1;
    }
    text += "nan";
  } else {
    bool any = false;
    for (; p != last && is_digit(*p); ++p, any = true)
      text += *p;
    if (p != last && *p == '.') {
      text += '.';
      for (++p; p != last && is_digit(*p); ++p, any = true)
        text += *p;
    }
    if (!any)
      return {first, std::errc::invalid_argument};
    // An exponent counts only when it has digits: "1e" reads as 1, ending at 'e'.
    if (p != last && (*p | 0x20) == 'e') {
      const char *q = p + 1;
      std::string exponent = "e";
      if (q != last && (*q == '+' || *q == '-'))
        exponent += *q++;
      if (q != last && is_digit(*q)) {
        for (; q != last && is_digit(*q); ++q)
          exponent += *q;
        text += exponent;
        p = q;
      }
    }
  }
  if (p == body)
    return {first, std::errc::invalid_argument};
  errno = 0;
  const double value = std::strtod(text.c_str(), nullptr);
  if (errno == ERANGE) {
    // Overflow, or underflow: strtod's ERANGE for a result that is not
    // exact in the normal range; only what rounds to zero or infinity is out
    // of range for from_chars.
    if (std::isinf(value) || value == 0)
      return {p, std::errc::result_out_of_range};
  }
  v = value;
  return {p, std::errc()};
}

} // namespace stampede::portable
