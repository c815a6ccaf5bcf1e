/// @file portable.h
/// The few C++20 library pieces the simulator uses that an older standard
/// library lacks: the browser edition's (Debian's emscripten 3.1.6 ships a
/// libc++ without floating-point `std::to_chars` and `std::from_chars`, and
/// without `std::bit_cast`). Code that must build for WebAssembly calls
/// these instead of `std::`; natively they forward to `std::`, so nothing
/// changes there.
///
/// The fallbacks (`shortest_chars`, `parse_chars`) are compiled everywhere
/// so that their own test (tests/engine/portable_test.cc) holds them to the
/// native standard library on millions of values; the WebAssembly build's
/// test (web/engine/portable_check.cc) then proves musl's printf and strtod,
/// on which they stand, give the same text there.
#pragma once

#include <charconv>
#include <cstring>
#include <type_traits>

namespace stampede::portable {

/// The shortest text that reads back as exactly `v`, formatted as
/// `std::to_chars(first, last, v)` formats it: fixed or scientific,
/// whichever is shorter (fixed on a tie); "inf", "-inf", "nan", "-nan".
/// Built on `snprintf("%.*e")` and `strtod`.
/// @return the end of the text, or `last` with errc::value_too_large.
std::to_chars_result shortest_chars(char *first, char *last, double v);

/// Reads a number as `std::from_chars(first, last, v)` does (the general
/// format: an optional minus sign, digits with an optional point and
/// exponent, or inf, infinity, nan): no leading space or plus sign. Out of
/// range (overflow, or a non-zero number that rounds to zero) leaves `v` as
/// it was and says errc::result_out_of_range. Built on `strtod`.
std::from_chars_result parse_chars(const char *first, const char *last, double &v);

/// `std::to_chars` for a double: the shortest round-trip text.
inline std::to_chars_result to_chars(char *first, char *last, double v) {
#if defined(__EMSCRIPTEN__)
  return shortest_chars(first, last, v);
#else
  return std::to_chars(first, last, v);
#endif
}

/// `std::to_chars` for an integer (every standard library has it).
template <class Int>
requires std::is_integral_v<Int>
inline std::to_chars_result to_chars(char *first, char *last, Int v) {
  return std::to_chars(first, last, v);
}

/// `std::from_chars` for a double.
inline std::from_chars_result from_chars(const char *first, const char *last, double &v) {
#if defined(__EMSCRIPTEN__)
  return parse_chars(first, last, v);
#else
  return std::from_chars(first, last, v);
#endif
}

/// `std::bit_cast`, by memcpy (which compilers turn into a register move).
template <class To, class From>
requires(sizeof(To) == sizeof(From) && std::is_trivially_copyable_v<To> &&
         std::is_trivially_copyable_v<From>) inline To bit_cast(const From &from) noexcept {
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}

} // namespace stampede::portable
