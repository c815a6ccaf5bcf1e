// Exercise 07: an LRU cache with a byte limit and memcached's rules. You may
// change the private members; keep the public ones as they are (the tests
// call them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace exercise {

/// What every item costs beyond its key and value: memcached's item header
/// (48 bytes), its CAS unique (8), the NUL after the key (1) and the CRLF
/// after the value (2). Given; do not change.
inline constexpr std::size_t kItemOverheadBytes = 59;

/// The bytes an item is charged against the limit. Given; do not change.
inline std::size_t item_bytes(const std::string &key, const std::string &value) {
  return key.size() + value.size() + kItemOverheadBytes;
}

/// A cache of string keys and values, at most `limit_bytes` of items, that
/// evicts the least recently used item to make room. Time is whole seconds,
/// passed in on every call (the tests move the clock).
class LruCache {
public:
  /// @param limit_bytes the most bytes the items may take, all together.
  explicit LruCache(std::size_t limit_bytes) : limit_bytes_(limit_bytes) {}

  /// Stores `value` under `key`, replacing any old item, as the most recently
  /// used item; evicts least recently used items until it fits.
  /// @param ttl_s 0: never expires; otherwise the item expires at now_s + ttl_s.
  /// @param now_s the time now, seconds.
  /// @return false (and nothing stored) when the item alone is over the limit.
  bool set(const std::string &key, const std::string &value, std::int64_t ttl_s,
           std::int64_t now_s);

  /// @return the value of a live item (which becomes the most recently used),
  ///         or std::nullopt if there is none (an expired item is dropped).
  std::optional<std::string> get(const std::string &key, std::int64_t now_s);

  /// memcached's delete. @return whether a live item was there.
  bool remove(const std::string &key, std::int64_t now_s);

  /// @return the bytes the stored items are charged (item_bytes of each).
  std::size_t bytes_used() const;
  /// @return how many items are stored (expired ones not yet dropped count).
  std::size_t item_count() const;
  /// @return the stored keys, most recently used first, without bumping any.
  std::vector<std::string> keys_by_recency() const;
  /// @return the limit given to the constructor.
  std::size_t limit_bytes() const { return limit_bytes_; }

private:
  struct Item {
    std::string key;
    std::string value;
    std::optional<std::int64_t> expires_at_s; // none: never expires
  };
  /// Drops one item: out of the list and the index, its bytes given back.
  void drop(std::list<Item>::iterator it);

  std::size_t limit_bytes_;
  std::size_t used_bytes_ = 0;
  std::list<Item> items_; // most recently used at the front
  std::unordered_map<std::string, std::list<Item>::iterator> index_;
};

} // namespace exercise
