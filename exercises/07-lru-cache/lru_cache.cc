#include "lru_cache.h"

namespace exercise {

void LruCache::drop(std::list<Item>::iterator it) {
  // TODO (a helper for the others, if you like): take the item out of items_
  // and index_, and give its bytes back.
  (void)it;
}

bool LruCache::set(const std::string &key, const std::string &value, std::int64_t ttl_s,
                   std::int64_t now_s) {
  // TODO: drop any old item under `key` first. An item over the limit on its
  // own is refused (return false). Otherwise evict from the least recently
  // used end until item_bytes(key, value) fits, then store the item as the
  // most recently used, with its expiry (ttl_s 0: never).
  (void)key;
  (void)value;
  (void)ttl_s;
  (void)now_s;
  return false;
}

std::optional<std::string> LruCache::get(const std::string &key, std::int64_t now_s) {
  // TODO: no item: std::nullopt. An expired item (its expiry <= now_s) is
  // dropped and is a miss. Otherwise move it to the most recently used end
  // and return its value.
  (void)key;
  (void)now_s;
  return std::nullopt;
}

bool LruCache::remove(const std::string &key, std::int64_t now_s) {
  // TODO: drop the item under `key`; true only if it was there and live.
  (void)key;
  (void)now_s;
  return false;
}

std::size_t LruCache::bytes_used() const {
  // TODO: the sum of item_bytes over the stored items.
  return 0;
}

std::size_t LruCache::item_count() const {
  // TODO: how many items are stored.
  return 0;
}

std::vector<std::string> LruCache::keys_by_recency() const {
  // TODO: the keys, most recently used first.
  return {};
}

} // namespace exercise
