// Exercise 07 as the graded test sees it: exercise::LruCache with the
// student's interface (exercises/07-lru-cache/lru_cache.h), run by the
// student's code in the exercise host (host/adapter.cc; exhost/parent.h
// says how).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exhost/parent.h"

// The proxies sit in an inline namespace: the tests name them exercise::X,
// and no symbol of theirs is the student's exercise::X.
namespace exercise {
inline namespace remote {

/// What every item costs beyond its key and value (lru_cache.h's, given):
/// memcached's item header (48 bytes), its CAS unique (8), the NUL after the
/// key (1) and the CRLF after the value (2).
inline constexpr std::size_t kItemOverheadBytes = 59;

/// The bytes an item is charged against the limit (lru_cache.h's, given).
inline std::size_t item_bytes(const std::string &key, const std::string &value) {
  return key.size() + value.size() + kItemOverheadBytes;
}

/// The student's LruCache, in the host.
class LruCache : exhost::Remote {
public:
  /// @param limit_bytes the most bytes the items may take, all together.
  explicit LruCache(std::size_t limit_bytes)
      : Remote("LruCache", std::to_string(limit_bytes),
               {{"op", "new"}, {"limit_bytes", limit_bytes}}) {}

  /// Stores `value` under `key` (ttl_s 0: never expires). @return whether it stored it.
  bool set(const std::string &key, const std::string &value, std::int64_t ttl_s,
           std::int64_t now_s) {
    return invoke(
        [&] {
          return "set(" + exhost::quoted(key) + ", " + exhost::quoted(value) + ", " +
                 std::to_string(ttl_s) + ", " + std::to_string(now_s) + ")";
        },
        {{"op", "set"},
         {"key", exhost::encode_text(key)},
         {"value", exhost::encode_text(value)},
         {"ttl_s", ttl_s},
         {"now_s", now_s}},
        [](const exhost::json &j) { return j.get<bool>(); });
  }

  /// @return the value of a live item under `key`, or std::nullopt.
  std::optional<std::string> get(const std::string &key, std::int64_t now_s) {
    return invoke([&] { return "get(" + exhost::quoted(key) + ", " + std::to_string(now_s) + ")"; },
                  {{"op", "get"}, {"key", exhost::encode_text(key)}, {"now_s", now_s}},
                  [](const exhost::json &j) -> std::optional<std::string> {
                    if (j.is_null())
                      return std::nullopt;
                    return exhost::decode_text(j);
                  });
  }

  /// memcached's delete. @return whether a live item was there.
  bool remove(const std::string &key, std::int64_t now_s) {
    return invoke(
        [&] { return "remove(" + exhost::quoted(key) + ", " + std::to_string(now_s) + ")"; },
        {{"op", "remove"}, {"key", exhost::encode_text(key)}, {"now_s", now_s}},
        [](const exhost::json &j) { return j.get<bool>(); });
  }

  /// @return the bytes the stored items are charged.
  std::size_t bytes_used() const { return size("bytes_used"); }
  /// @return how many items are stored.
  std::size_t item_count() const { return size("item_count"); }
  /// @return the limit given to the constructor.
  std::size_t limit_bytes() const { return size("limit_bytes"); }

  /// @return the stored keys, most recently used first.
  std::vector<std::string> keys_by_recency() const {
    return invoke([] { return std::string("keys_by_recency()"); }, {{"op", "keys_by_recency"}},
                  [](const exhost::json &j) {
                    std::vector<std::string> keys;
                    for (const exhost::json &k : j)
                      keys.push_back(exhost::decode_text(k));
                    return keys;
                  });
  }

private:
  // A const method that answers a size: bytes_used(), item_count(), limit_bytes().
  std::size_t size(const char *op) const {
    return invoke([&] { return std::string(op) + "()"; }, {{"op", op}},
                  [](const exhost::json &j) { return j.get<std::size_t>(); });
  }
};

} // namespace remote
} // namespace exercise
