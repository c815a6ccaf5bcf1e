#include "tiny_cache.h"

namespace exercise {

void TinyCache::set(const std::string &key, const std::string &value) {
  // TODO: store `value` under `key`, replacing any old value, with a new unique.
  (void)key;
  (void)value;
}

std::optional<std::string> TinyCache::get(const std::string &key) const {
  // TODO: the value stored under `key`, or std::nullopt.
  (void)key;
  return std::nullopt;
}

bool TinyCache::remove(const std::string &key) {
  // TODO: remove `key`; return whether it was there.
  (void)key;
  return false;
}

void TinyCache::flush() {
  // TODO: remove every key.
}

std::optional<Versioned> TinyCache::gets(const std::string &key) const {
  // TODO: the value and its unique, or std::nullopt.
  (void)key;
  return std::nullopt;
}

CasResult TinyCache::cas(const std::string &key, const std::string &value, std::uint64_t unique) {
  // TODO: store only if `key` is there with this unique (then it gets a new
  // unique); kExists if its unique changed; kNotFound if it is absent.
  (void)key;
  (void)value;
  (void)unique;
  return CasResult::kNotFound;
}

std::uint64_t count_visit(TinyCache &cache, const std::string &key,
                          const std::function<void()> &between) {
  // TODO: gets, compute the new count from what you read, between(), cas;
  // on kExists go round again. A missing key starts the count at 1.
  (void)cache;
  (void)key;
  (void)between;
  return 0;
}

} // namespace exercise
