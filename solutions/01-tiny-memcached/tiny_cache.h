// A tiny in-memory memcached: the lecture's dictionary, plus gets and cas
// with memcached's kind of unique. You may add private members.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

namespace exercise {

/// What `gets` returns: the value and the unique it had when read.
struct Versioned {
  std::string value;
  std::uint64_t unique = 0;
};

/// memcached's three answers to `cas`.
enum class CasResult { kStored, kExists, kNotFound };

class TinyCache {
public:
  void set(const std::string &key, const std::string &value);
  std::optional<std::string> get(const std::string &key) const;
  bool remove(const std::string &key);
  void flush();
  std::optional<Versioned> gets(const std::string &key) const;
  CasResult cas(const std::string &key, const std::string &value, std::uint64_t unique);

private:
  struct Item {
    std::string value;
    std::uint64_t unique = 0;
  };
  std::unordered_map<std::string, Item> items_;
  std::uint64_t last_unique_ = 0; // the counter memcached keeps
};

/// Adds one visit to the count stored as text under `key` and returns the new
/// count, using gets and cas so that concurrent visits are never lost.
/// `between` runs after each gets and before each cas.
std::uint64_t count_visit(TinyCache &cache, const std::string &key,
                          const std::function<void()> &between);

} // namespace exercise
