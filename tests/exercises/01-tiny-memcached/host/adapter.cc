// Exercise 01's host: serves the graded test's calls (01-tiny-memcached/
// remote.h) with the student's TinyCache and count_visit.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "exhost/host.h"
#include "tiny_cache.h"

namespace {

using exercise::TinyCache;
using exhost::json;
using exhost::text;

exhost::Objects<TinyCache> caches;

// A CasResult by its name; a value outside the enum as its number.
json cas_words(exercise::CasResult r) {
  switch (r) {
  case exercise::CasResult::kStored:
    return "kStored";
  case exercise::CasResult::kExists:
    return "kExists";
  case exercise::CasResult::kNotFound:
    return "kNotFound";
  }
  return static_cast<int>(r);
}

json handle(const std::string &op, const json &r) {
  if (op == "new")
    return caches.add(std::make_unique<TinyCache>());
  if (op == "delete")
    return caches.remove(r);
  TinyCache &c = caches.at(r);
  if (op == "set") {
    c.set(text(r, "key"), text(r, "value"));
    return nullptr;
  }
  if (op == "get") {
    const std::optional<std::string> v = std::as_const(c).get(text(r, "key"));
    return v ? exhost::encode_text(*v) : json();
  }
  if (op == "remove")
    return c.remove(text(r, "key"));
  if (op == "flush") {
    c.flush();
    return nullptr;
  }
  if (op == "gets") {
    const std::optional<exercise::Versioned> v = std::as_const(c).gets(text(r, "key"));
    if (!v)
      return nullptr;
    return {{"value", exhost::encode_text(v->value)}, {"unique", v->unique}};
  }
  if (op == "cas")
    return cas_words(c.cas(text(r, "key"), text(r, "value"), r.at("unique").get<std::uint64_t>()));
  if (op == "count_visit")
    return exercise::count_visit(c, text(r, "key"), [] { exhost::call_back({{"op", "between"}}); });
  return exhost::unknown(op);
}

} // namespace

int main() { return exhost::serve(handle); }
