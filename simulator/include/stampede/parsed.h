/// @file parsed.h
/// Parsed<T>: what every function that reads user input returns, a value or
/// the message saying why there is none. The message names the file, the
/// field path and what was expected, e.g.
///
///     lessons/02-stale/naive.json: cache.memory_bytes: expected a positive integer, got -64
///
/// Such functions never throw for bad input.
#pragma once

#include <optional>
#include <string>

namespace stampede {

/// A value or the message saying why there is none.
template <class T> struct Parsed {
  std::optional<T> value; ///< Set on success.
  std::string error;      ///< Set on failure: "ORIGIN: PATH: expected ..., got ...".
  /// @return whether parsing succeeded.
  explicit operator bool() const noexcept { return value.has_value(); }
};

} // namespace stampede
