// Exercise 07's host: serves the graded test's calls (07-lru-cache/
// remote.h) with the student's LruCache.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exhost/host.h"
#include "lru_cache.h"

namespace {

using exercise::LruCache;
using exhost::json;
using exhost::text;

exhost::Objects<LruCache> caches;

json handle(const std::string &op, const json &r) {
  if (op == "new")
    return caches.add(std::make_unique<LruCache>(r.at("limit_bytes").get<std::size_t>()));
  if (op == "delete")
    return caches.remove(r);
  LruCache &c = caches.at(r);
  const LruCache &seen = c;
  if (op == "set")
    return c.set(text(r, "key"), text(r, "value"), r.at("ttl_s").get<std::int64_t>(),
                 r.at("now_s").get<std::int64_t>());
  if (op == "get") {
    const std::optional<std::string> v = c.get(text(r, "key"), r.at("now_s").get<std::int64_t>());
    return v ? exhost::encode_text(*v) : json();
  }
  if (op == "remove")
    return c.remove(text(r, "key"), r.at("now_s").get<std::int64_t>());
  if (op == "bytes_used")
    return seen.bytes_used();
  if (op == "item_count")
    return seen.item_count();
  if (op == "limit_bytes")
    return seen.limit_bytes();
  if (op == "keys_by_recency") {
    json out = json::array();
    for (const std::string &k : seen.keys_by_recency())
      out.push_back(exhost::encode_text(k));
    return out;
  }
  return exhost::unknown(op);
}

} // namespace

int main() { return exhost::serve(handle); }
