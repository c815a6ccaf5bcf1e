/// @file protocol_text.h
/// What every memcached command parses and prints: memcached's tokenizer,
/// its number parsing (util.c's safe_strto*, quirks included) and exptime
/// rule, and decimal output. Private to stampede_server.
#pragma once

#include <charconv>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stampede::internal {

/// KEY_MAX_LENGTH.
constexpr std::size_t kMaxKeyBytes = 250;
/// MAX_TOKENS: the tokenizer stops after 23 tokens plus the terminal one.
constexpr std::size_t kMaxTokens = 24;
/// REALTIME_MAXDELTA: larger exptimes are absolute Unix times.
constexpr std::int64_t kRelativeMaxS = 60 * 60 * 24 * 30;

/// isspace in the C locale, as memcached's strtol calls see it.
inline bool c_isspace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/// strtoull/strtoll's common part on a token: leading white space, a sign,
/// decimal digits. Sets `*neg`, `*mag` (saturated flag in `*range`) and
/// returns the index after the digits, or 0 when there were none.
inline std::size_t scan_number(std::string_view s, bool *neg, std::uint64_t *mag, bool *range) {
  std::size_t i = 0;
  while (i < s.size() && c_isspace(s[i])) {
    ++i;
  }
  *neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    *neg = s[i] == '-';
    ++i;
  }
  const std::size_t start = i;
  std::uint64_t v = 0;
  *range = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) {
      *range = true;
    } else {
      v = v * 10 + d;
    }
  }
  *mag = v;
  return i == start ? 0 : i;
}

/// util.c's endptr rule: the number must end the token or be followed by white space.
inline bool number_ends(std::string_view s, std::size_t end) {
  return end == s.size() || c_isspace(s[end]);
}

/// memcached's safe_strtoull.
inline bool safe_strtoull(std::string_view s, std::uint64_t *out) {
  bool neg = false;
  bool range = false;
  std::uint64_t mag = 0;
  const std::size_t end = scan_number(s, &neg, &mag, &range);
  if (end == 0 || range || !number_ends(s, end)) {
    return false;
  }
  const std::uint64_t v = neg ? 0 - mag : mag;
  // A negative number that wrapped to below 2^63 passes, as in memcached.
  if (static_cast<std::int64_t>(v) < 0 && neg) {
    return false;
  }
  *out = v;
  return true;
}

/// memcached's safe_strtoul: strtoul on a 64-bit long, then truncated to 32 bits.
inline bool safe_strtoul(std::string_view s, std::uint32_t *out) {
  std::uint64_t v = 0;
  if (!safe_strtoull(s, &v)) {
    return false;
  }
  *out = static_cast<std::uint32_t>(v);
  return true;
}

/// memcached's safe_strtol: strtol on a 64-bit long, then truncated to 32 bits.
inline bool safe_strtol(std::string_view s, std::int32_t *out) {
  bool neg = false;
  bool range = false;
  std::uint64_t mag = 0;
  const std::size_t end = scan_number(s, &neg, &mag, &range);
  if (end == 0 || range || !number_ends(s, end)) {
    return false;
  }
  if ((!neg && mag > static_cast<std::uint64_t>(INT64_MAX)) ||
      (neg && mag > static_cast<std::uint64_t>(INT64_MAX) + 1)) {
    return false; // ERANGE for a long
  }
  const std::uint64_t v = neg ? 0 - mag : mag;
  *out = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return true;
}

/// tokenize_command: split on ' ' only; at most 23 tokens; `rest` is set
/// when text remains after the 23rd.
inline void tokenize(std::string_view line, bool *rest, std::vector<std::string_view> &tok) {
  tok.clear();
  std::size_t i = 0;
  *rest = false;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t j = line.find(' ', i);
    if (j == std::string_view::npos) {
      j = line.size();
    }
    tok.push_back(line.substr(i, j - i));
    i = j;
    if (tok.size() == kMaxTokens - 1) {
      *rest = i + 1 < line.size();
      break;
    }
  }
}

/// Appends `v` in decimal.
inline void append_u64(std::string &out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

/// Appends `v` in decimal, with its sign.
inline void append_i64(std::string &out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

/// realtime(EXPTIME_TO_POSITIVE_TIME(e)) made absolute: what the node stores.
/// Relative times are fixed when the command arrives, as memcached does.
inline std::int64_t exptime_at(std::int32_t e, std::int64_t now_s) {
  if (e > 0 && e <= kRelativeMaxS) {
    return now_s + e;
  }
  return e;
}

} // namespace stampede::internal
