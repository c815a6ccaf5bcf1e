// Exercise 01 as the graded test sees it: exercise::TinyCache and
// count_visit with the student's interface (exercises/01-tiny-memcached/
// tiny_cache.h), each call run by the student's code in the exercise host
// (host/adapter.cc; exhost/parent.h says how, and how a fault reads).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "exhost/parent.h"

// The proxies sit in an inline namespace: the tests name them exercise::X,
// and no symbol of theirs is the student's exercise::X.
namespace exercise {
inline namespace remote {

/// What `gets` returns: the value and the unique it had when read.
struct Versioned {
  std::string value;
  std::uint64_t unique = 0;
};

/// memcached's three answers to `cas` (the adapter sends their names).
enum class CasResult { kStored, kExists, kNotFound };

/// The student's TinyCache, in the host.
class TinyCache : exhost::Remote {
public:
  /// An empty cache, made in the host.
  TinyCache() : Remote("TinyCache", "", {{"op", "new"}}) {}

  /// Stores `value` under `key`, with a new unique.
  void set(const std::string &key, const std::string &value) {
    invoke(
        [&] { return "set(" + exhost::quoted(key) + ", " + exhost::quoted(value) + ")"; },
        {{"op", "set"}, {"key", exhost::encode_text(key)}, {"value", exhost::encode_text(value)}});
  }

  /// @return the value under `key`, or std::nullopt.
  std::optional<std::string> get(const std::string &key) const {
    return invoke([&] { return "get(" + exhost::quoted(key) + ")"; },
                  {{"op", "get"}, {"key", exhost::encode_text(key)}},
                  [](const exhost::json &j) -> std::optional<std::string> {
                    if (j.is_null())
                      return std::nullopt;
                    return exhost::decode_text(j);
                  });
  }

  /// Removes `key`. @return whether it was there.
  bool remove(const std::string &key) {
    return invoke([&] { return "remove(" + exhost::quoted(key) + ")"; },
                  {{"op", "remove"}, {"key", exhost::encode_text(key)}},
                  [](const exhost::json &j) { return j.get<bool>(); });
  }

  /// Removes every key.
  void flush() {
    invoke([] { return std::string("flush()"); }, {{"op", "flush"}});
  }

  /// @return the value under `key` and its unique, or std::nullopt.
  std::optional<Versioned> gets(const std::string &key) const {
    return invoke(
        [&] { return "gets(" + exhost::quoted(key) + ")"; },
        {{"op", "gets"}, {"key", exhost::encode_text(key)}},
        [](const exhost::json &j) -> std::optional<Versioned> {
          if (j.is_null())
            return std::nullopt;
          return Versioned{exhost::decode_text(j.at("value")), j.at("unique").get<std::uint64_t>()};
        });
  }

  /// Stores `value` only if `key` still has `unique`. @return memcached's answer.
  CasResult cas(const std::string &key, const std::string &value, std::uint64_t unique) {
    return invoke(
        [&] {
          return "cas(" + exhost::quoted(key) + ", " + exhost::quoted(value) + ", " +
                 std::to_string(unique) + ")";
        },
        {{"op", "cas"},
         {"key", exhost::encode_text(key)},
         {"value", exhost::encode_text(value)},
         {"unique", unique}},
        [](const exhost::json &j) {
          if (j.is_number_integer())
            return static_cast<CasResult>(j.get<int>()); // outside the enum, shown as such
          const std::string name = j.get<std::string>();
          if (name == "kStored")
            return CasResult::kStored;
          if (name == "kExists")
            return CasResult::kExists;
          if (name == "kNotFound")
            return CasResult::kNotFound;
          throw std::runtime_error("no CasResult " + name);
        });
  }

  /// count_visit(*this, key, between) in the host; between() runs here,
  /// called back once per time the student's code calls it.
  std::uint64_t count_visit(const std::string &key, const std::function<void()> &between) {
    const exhost::ScopedCallback serving("between", [&](const exhost::json &) {
      between();
      return exhost::json();
    });
    return invoke_as([&] { return "count_visit(cache, " + exhost::quoted(key) + ", between)"; },
                     {{"op", "count_visit"}, {"key", exhost::encode_text(key)}},
                     [](const exhost::json &j) { return j.get<std::uint64_t>(); });
  }
};

/// Adds one visit to the count stored under `key` (the student's
/// count_visit, in the host); `between` runs after each gets and before
/// each cas, as the student's code calls it.
inline std::uint64_t count_visit(TinyCache &cache, const std::string &key,
                                 const std::function<void()> &between) {
  return cache.count_visit(key, between);
}

} // namespace remote
} // namespace exercise
