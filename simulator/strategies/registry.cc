// The strategy registry (every strategy under its SPEC name, `NAME+cas` for writing with
// CAS), the lecture's six in their order, and what Context does for a strategy.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "strategies/builtin.h"

namespace stampede {

namespace {
constexpr std::string_view kCasSuffix = "+cas";

bool has_cas_suffix(std::string_view name) {
  return name.size() > kCasSuffix.size() &&
         name.substr(name.size() - kCasSuffix.size()) == kCasSuffix;
}
} // namespace

StrategyRegistry &StrategyRegistry::global() {
  static StrategyRegistry registry = [] {
    // SPEC section 3's names, in the lecture's order.
    StrategyRegistry r;
    r.add("none", internal::make_none, "no cache: every page view queries the database");
    r.add("naive", internal::make_naive,
          "cache the page on a miss; a submit only inserts (the cache goes stale)");
    r.add("clear", internal::make_clear, "as naive; a submit inserts, then deletes the page");
    r.add("refresh", internal::make_refresh,
          "as naive; a submit inserts, then re-reads the page and sets it");
    r.add("update", internal::make_update,
          "as naive; a submit inserts, then adds its post to the cached page (get, set; "
          "gets/cas with cas: true)");
    // Beyond the lecture.
    r.add("coalesce", internal::make_coalesce,
          "as clear; a view that misses while its app server already queries the page waits "
          "for that query (one query per key per app server)");
    r.add("early", internal::make_early,
          "as naive with ttl_s; a view that hits may recompute the page before it expires, "
          "more likely as expiry nears (probabilistic early recomputation, XFetch)");
    r.add("stale_while_revalidate", internal::make_stale_while_revalidate,
          "as naive; after ttl_s a page is stale but still served at once, while one request "
          "re-reads it in the background");
    r.add("lease", internal::make_lease,
          "as clear, with memcached leases (Facebook's): one view per miss gets the lease and "
          "fills, the others wait and ask again; a submit invalidates, voiding older tokens");
    return r;
  }();
  return registry;
}

void StrategyRegistry::add(std::string name, StrategyFactory factory, std::string description) {
  for (Entry &e : entries_) {
    if (e.name == name) {
      e.factory = factory;
      e.description = std::move(description);
      return;
    }
  }
  entries_.push_back(Entry{std::move(name), std::move(description), factory});
}

bool StrategyRegistry::contains(std::string_view name) const {
  if (has_cas_suffix(name))
    name.remove_suffix(kCasSuffix.size());
  for (const Entry &e : entries_)
    if (e.name == name)
      return true;
  return false;
}

std::unique_ptr<Strategy> StrategyRegistry::make(const StrategyConfig &config) const {
  const StrategyConfig normal = normalize_strategy(config);
  for (const Entry &e : entries_)
    if (e.name == normal.name)
      return e.factory(normal);
  throw std::invalid_argument("unknown strategy: " + config.name);
}

std::vector<std::string> StrategyRegistry::names() const {
  std::vector<std::string> out;
  for (const Entry &e : entries_)
    out.push_back(e.name);
  return out;
}

StrategyFactory StrategyRegistry::factory(std::string_view name) const {
  for (const Entry &e : entries_)
    if (e.name == name)
      return e.factory;
  return nullptr;
}

std::string StrategyRegistry::description(std::string_view name) const {
  for (const Entry &e : entries_)
    if (e.name == name)
      return e.description;
  return {};
}

StrategyConfig normalize_strategy(StrategyConfig config) {
  if (has_cas_suffix(config.name)) {
    config.name.resize(config.name.size() - kCasSuffix.size());
    config.cas = true;
  }
  return config;
}

StrategyConfig with_strategy(StrategyConfig options, std::string_view name) {
  options.name = std::string(name);
  options.cas = false;
  return normalize_strategy(std::move(options));
}

std::string strategy_label(const StrategyConfig &config) {
  const StrategyConfig normal = normalize_strategy(config);
  return normal.cas && normal.name == "update" ? "update+cas" : normal.name;
}

const std::vector<std::string> &lecture_strategies() {
  static const std::vector<std::string> names = {"none",    "naive",  "clear",
                                                 "refresh", "update", "update+cas"};
  return names;
}

void Context::wait(Request &r, double seconds) {
  if (!(seconds > 0) || seconds > 3600)
    throw std::invalid_argument("Context::wait: expected a pause of more than 0 s and at most an "
                                "hour, got " +
                                std::to_string(seconds));
  pause(r, std::max<Time>(1, seconds_to_ns(seconds)));
}

const char *op_label(Op op) noexcept {
  switch (op) {
  case Op::kNone:
    return "none";
  case Op::kCacheGet:
    return "cache get";
  case Op::kCacheSet:
    return "cache set";
  case Op::kCacheAdd:
    return "cache add";
  case Op::kCacheCas:
    return "cache cas";
  case Op::kCacheDelete:
    return "cache delete";
  case Op::kDbRead:
    return "db read";
  case Op::kDbInsert:
    return "db insert";
  case Op::kCacheLeaseGet:
    return "cache lease get";
  case Op::kCacheLeaseSet:
    return "cache lease set";
  case Op::kCacheInvalidate:
    return "cache invalidate";
  case Op::kWait:
    return "wait";
  case Op::kCacheGetOld:
    return "cache get old";
  }
  return "call";
}

} // namespace stampede
