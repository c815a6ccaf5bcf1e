#include "lru_cache.h"

namespace exercise {

namespace {

/// memcached's test in do_item_get: an item is gone from the second its
/// exptime is reached (exptime <= now), not one second later.
bool expired(const std::optional<std::int64_t> &expires_at_s, std::int64_t now_s) {
  return expires_at_s && *expires_at_s <= now_s;
}

} // namespace

void LruCache::drop(std::list<Item>::iterator it) {
  used_bytes_ -= item_bytes(it->key, it->value);
  index_.erase(it->key);
  items_.erase(it);
}

bool LruCache::set(const std::string &key, const std::string &value, std::int64_t ttl_s,
                   std::int64_t now_s) {
  // The old item goes first, whatever happens next: a set that fails must not
  // leave the old value to be read as if it were current (memcached does the
  // same), and a replaced item's bytes are free for the new one.
  if (auto old = index_.find(key); old != index_.end()) {
    drop(old->second);
  }
  const std::size_t bytes = item_bytes(key, value);
  if (bytes > limit_bytes_) {
    return false; // evicting everything would not make room: evict nothing
  }
  // Evict from the back (least recently used), expired or not, until it fits.
  while (used_bytes_ + bytes > limit_bytes_) {
    drop(std::prev(items_.end()));
  }
  Item item{key, value, std::nullopt};
  if (ttl_s != 0) {
    item.expires_at_s = now_s + ttl_s; // negative: already expired
  }
  items_.push_front(std::move(item));
  index_[key] = items_.begin();
  used_bytes_ += bytes;
  return true;
}

std::optional<std::string> LruCache::get(const std::string &key, std::int64_t now_s) {
  auto found = index_.find(key);
  if (found == index_.end()) {
    return std::nullopt;
  }
  auto it = found->second;
  if (expired(it->expires_at_s, now_s)) {
    drop(it); // lazy expiry: an expired item goes when it is next looked at
    return std::nullopt;
  }
  items_.splice(items_.begin(), items_, it); // the bump: now most recently used
  return it->value;
}

bool LruCache::remove(const std::string &key, std::int64_t now_s) {
  auto found = index_.find(key);
  if (found == index_.end()) {
    return false;
  }
  const bool live = !expired(found->second->expires_at_s, now_s);
  drop(found->second);
  return live; // memcached answers NOT_FOUND for an expired item
}

std::size_t LruCache::bytes_used() const { return used_bytes_; }

std::size_t LruCache::item_count() const { return items_.size(); }

std::vector<std::string> LruCache::keys_by_recency() const {
  std::vector<std::string> keys;
  keys.reserve(items_.size());
  for (const Item &item : items_) {
    keys.push_back(item.key);
  }
  return keys;
}

} // namespace exercise
