#include "tiny_cache.h"

namespace exercise {

void TinyCache::set(const std::string &key, const std::string &value) {
  items_[key] = Item{value, ++last_unique_};
}

std::optional<std::string> TinyCache::get(const std::string &key) const {
  auto it = items_.find(key);
  if (it == items_.end())
    return std::nullopt;
  return it->second.value;
}

bool TinyCache::remove(const std::string &key) { return items_.erase(key) > 0; }

void TinyCache::flush() { items_.clear(); }

std::optional<Versioned> TinyCache::gets(const std::string &key) const {
  auto it = items_.find(key);
  if (it == items_.end())
    return std::nullopt;
  return Versioned{it->second.value, it->second.unique};
}

CasResult TinyCache::cas(const std::string &key, const std::string &value, std::uint64_t unique) {
  auto it = items_.find(key);
  if (it == items_.end())
    return CasResult::kNotFound;
  if (it->second.unique != unique)
    return CasResult::kExists;
  it->second = Item{value, ++last_unique_};
  return CasResult::kStored;
}

std::uint64_t count_visit(TinyCache &cache, const std::string &key,
                          const std::function<void()> &between) {
  for (;;) {
    const std::optional<Versioned> read = cache.gets(key);
    if (!read) {
      // No count yet: start it. (A real client would use add, which refuses
      // if another client created the key first.)
      cache.set(key, "1");
      return 1;
    }
    // The new value comes from what this round read, never from an earlier one.
    const std::uint64_t next = std::stoull(read->value) + 1;
    between();
    if (cache.cas(key, std::to_string(next), read->unique) == CasResult::kStored)
      return next;
  }
}

} // namespace exercise
