// Strings between a graded test and its exercise host, both ways. A JSON
// string must be UTF-8, and the tests' values run to 240,000 bytes of one
// padding letter, so a string travels as itself when it is short ASCII, and
// otherwise as pieces: ASCII text, or [byte, count] for a run of one byte
// (16 or more alike, or any byte above 127). Lossless for any bytes.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace exhost {

using nlohmann::json;

/// The longest string decode_text() makes: an answer longer than this is
/// not a value the tests stored, and would only exhaust the test's memory.
inline constexpr std::size_t kMaxTextBytes = 16u << 20;

/// @param s any bytes. @return them as JSON (see the file comment).
inline json encode_text(std::string_view s) {
  constexpr std::size_t kShort = 64, kRun = 16;
  if (s.size() <= kShort) {
    bool ascii = true;
    for (const char c : s)
      ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii)
      return std::string(s);
  }
  json pieces = json::array();
  std::string literal;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t end = i + 1;
    while (end < s.size() && s[end] == s[i])
      ++end;
    const auto byte = static_cast<unsigned char>(s[i]);
    if (end - i >= kRun || byte >= 0x80) {
      if (!literal.empty())
        pieces.push_back(std::exchange(literal, std::string()));
      pieces.push_back(json::array({byte, end - i}));
    } else {
      literal.append(end - i, s[i]);
    }
    i = end;
  }
  if (!literal.empty())
    pieces.push_back(literal);
  return pieces;
}

/// @param j what encode_text() made. @return the bytes.
/// @throws std::runtime_error (or a json error) when `j` is not such a value,
/// or makes more than kMaxTextBytes.
inline std::string decode_text(const json &j) {
  if (j.is_string())
    return j.get<std::string>();
  if (!j.is_array())
    throw std::runtime_error("expected a string, got " + std::string(j.type_name()));
  std::string out;
  for (const json &piece : j) {
    std::size_t n = 0;
    if (piece.is_string())
      n = piece.get_ref<const std::string &>().size();
    else
      n = piece.at(1).get<std::size_t>();
    if (n > kMaxTextBytes - out.size())
      throw std::runtime_error("a string of more than " + std::to_string(kMaxTextBytes) + " bytes");
    if (piece.is_string())
      out += piece.get_ref<const std::string &>();
    else
      out.append(n, static_cast<char>(piece.at(0).get<unsigned char>()));
  }
  return out;
}

} // namespace exhost
