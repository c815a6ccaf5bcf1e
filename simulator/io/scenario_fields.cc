// The one table of scenario fields (field_table.h): each scalar field's path,
// kind, range, description, and how it is stored into and read from a Scenario.
#include <algorithm>
#include <limits>

#include "io/scenario_internal.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"
#include "stampede/student_loader.h"

namespace stampede::internal {
namespace {

// memcached reads an exptime above 30 days as an absolute Unix time.
constexpr double kMaxTtlS = 2592000;
constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kTiB = 1ull << 40;

constexpr std::string_view kStudentPrefix = "student:";

// Accessors written once per field: `Get` is a generic lambda returning a
// reference into a Scenario (const or not).
template <class Get>
Field integer(std::string_view path, Get get, std::uint64_t lo, std::uint64_t hi,
              std::string_view description) {
  Field f;
  f.path = path;
  f.kind = FieldKind::kInteger;
  f.int_min = lo;
  f.int_max = hi;
  f.description = description;
  f.store = [get](Scenario &s, const FieldValue &v) {
    auto &member = get(s);
    member = static_cast<std::remove_reference_t<decltype(member)>>(std::get<std::uint64_t>(v));
  };
  f.load = [get](const Scenario &s) { return FieldValue{static_cast<std::uint64_t>(get(s))}; };
  return f;
}

template <class Get>
Field number(std::string_view path, Get get, NumberRange range, std::string_view description) {
  Field f;
  f.path = path;
  f.kind = FieldKind::kNumber;
  f.range = range;
  f.description = description;
  f.store = [get](Scenario &s, const FieldValue &v) { get(s) = std::get<double>(v); };
  f.load = [get](const Scenario &s) { return FieldValue{static_cast<double>(get(s))}; };
  return f;
}

template <class Get> Field boolean(std::string_view path, Get get, std::string_view description) {
  Field f;
  f.path = path;
  f.kind = FieldKind::kBoolean;
  f.description = description;
  f.store = [get](Scenario &s, const FieldValue &v) { get(s) = std::get<bool>(v); };
  f.load = [get](const Scenario &s) { return FieldValue{static_cast<bool>(get(s))}; };
  return f;
}

template <class Get>
Field choice(std::string_view path, Get get, std::vector<std::string_view> choices,
             std::string_view description) {
  Field f;
  f.path = path;
  f.kind = FieldKind::kEnum;
  f.choices = std::move(choices);
  f.description = description;
  f.store = [get](Scenario &s, const FieldValue &v) {
    auto &member = get(s);
    member = static_cast<std::remove_reference_t<decltype(member)>>(std::get<std::uint64_t>(v));
  };
  f.load = [get](const Scenario &s) { return FieldValue{static_cast<std::uint64_t>(get(s))}; };
  return f;
}

template <class Get> Field text(std::string_view path, Get get, std::string_view description) {
  Field f;
  f.path = path;
  f.kind = FieldKind::kString;
  f.description = description;
  f.max_bytes = kMaxTextBytes;
  f.check = [](std::string_view v) -> std::optional<std::string> {
    if (v.size() > kMaxTextBytes)
      return "a string of at most " + std::to_string(kMaxTextBytes) + " bytes (got " +
             std::to_string(v.size()) + ")";
    return std::nullopt;
  };
  f.store = [get](Scenario &s, const FieldValue &v) { get(s) = std::get<std::string>(v); };
  f.load = [get](const Scenario &s) { return FieldValue{std::string(get(s))}; };
  return f;
}

template <class Get>
Field distribution(std::string_view path, Get get, std::string_view description) {
  Field f;
  f.path = path;
  f.kind = FieldKind::kDistribution;
  f.description = description;
  f.store = [get](Scenario &s, const FieldValue &v) { get(s) = std::get<Distribution>(v); };
  f.load = [get](const Scenario &s) { return FieldValue{get(s)}; };
  return f;
}

} // namespace

NumberRange at_least(double lo) { return {lo, std::numeric_limits<double>::infinity()}; }
NumberRange between(double lo, double hi) { return {lo, hi}; }
NumberRange above(double lo, double hi) { return {lo, hi, true, false}; }

namespace {

// The strategy names the schema lists: the registry's, with `update+cas`
// after `update`, and never a student's (those depend on what is built).
std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (auto &name : StrategyRegistry::global().names()) {
    if (name.starts_with(kStudentPrefix))
      continue;
    names.push_back(name);
    if (name == "update")
      names.push_back("update+cas");
  }
  if (std::find(names.begin(), names.end(), "update+cas") == names.end() &&
      StrategyRegistry::global().contains("update+cas"))
    names.push_back("update+cas");
  return names;
}

// `cache.hashing`: a built-in placement, or a student's ring (student:NAME)
// that the loaded student library registers. Unlike strategy.name, the name
// is checked here, where the message can still name the file and the field:
// the tier has no way to place keys without it.
constexpr std::string_view kHashings[] = {"modulo", "consistent"};

std::string rings_hint() {
  const std::vector<std::string> names = HashingRegistry::global().names();
  if (!names.empty()) {
    std::string out = "the student library registers ";
    for (std::size_t i = 0; i < names.size(); ++i)
      out += (i == 0 ? "" : ", ") + names[i];
    return out;
  }
  const std::string why = student_load_hint();
  return why.empty() ? "the student library registers no ring" : why;
}

Field hashing_field() {
  Field f;
  f.path = "cache.hashing";
  f.kind = FieldKind::kString;
  f.description = "key placement across nodes: modulo, consistent (ketama-style), or "
                  "student:NAME, a ring from the student library";
  f.store = [](Scenario &s, const FieldValue &v) {
    const auto &name = std::get<std::string>(v);
    s.cache.student_ring.clear();
    if (name == kHashings[0]) {
      s.cache.hashing = Hashing::kModulo;
    } else if (name == kHashings[1]) {
      s.cache.hashing = Hashing::kConsistent;
    } else {
      s.cache.hashing = Hashing::kStudent;
      s.cache.student_ring = name;
    }
  };
  f.load = [](const Scenario &s) {
    switch (s.cache.hashing) {
    case Hashing::kModulo:
      return FieldValue{std::string(kHashings[0])};
    case Hashing::kConsistent:
      return FieldValue{std::string(kHashings[1])};
    case Hashing::kStudent:
      break;
    }
    return FieldValue{s.cache.student_ring};
  };
  f.check = [](std::string_view v) -> std::optional<std::string> {
    if (v == kHashings[0] || v == kHashings[1])
      return std::nullopt;
    const bool student = v.starts_with(kStudentPrefix) && v.size() > kStudentPrefix.size();
    if (student && HashingRegistry::global().contains(v))
      return std::nullopt;
    std::string expected = "\"modulo\", \"consistent\" or student:NAME, a ring the student "
                           "library registers";
    return student ? expected + " (" + rings_hint() + ")" : expected;
  };
  f.schema_names = [] {
    return std::vector<std::string>(std::begin(kHashings), std::end(kHashings));
  };
  f.schema_pattern = "^student:.+$";
  return f;
}

/// `strategy.name`: a registered strategy or student:NAME.
Field strategy_name_field() {
  Field name = text(
      "strategy.name", [](auto &s) -> auto & { return s.strategy.name; },
      "caching strategy: a SPEC name, update+cas, or student:NAME");
  name.check = [](std::string_view v) -> std::optional<std::string> {
    if (v.starts_with(kStudentPrefix) && v.size() > kStudentPrefix.size())
      return std::nullopt;
    if (!v.starts_with(kStudentPrefix) && StrategyRegistry::global().contains(v))
      return std::nullopt;
    std::string expected = "a strategy (";
    for (auto &n : strategy_names())
      expected += n + ", ";
    return expected + "or student:NAME)";
  };
  name.schema_names = strategy_names;
  name.schema_pattern = "^student:.+$";
  return name;
}

/// The file's own fields, outside any section: format, name, description.
void file_fields(std::vector<Field> &t) {
  // `format` versions the file; it is checked but not stored.
  Field format;
  format.path = "format";
  format.kind = FieldKind::kInteger;
  format.int_min = format.int_max = 1;
  format.description = "file format version; must be 1";
  format.store = [](Scenario &, const FieldValue &) {};
  format.load = [](const Scenario &) { return FieldValue{std::uint64_t{1}}; };
  t.push_back(std::move(format));
  t.push_back(text(
      "name", [](auto &s) -> auto & { return s.name; }, "scenario name, shown in reports"));
  t.push_back(text(
      "description", [](auto &s) -> auto & { return s.description; },
      "one line saying what the scenario shows"));
}

/// The `workload` section.
void workload_fields(std::vector<Field> &t) {
  t.push_back(choice(
      "workload.kind", [](auto &s) -> auto & { return s.workload.kind; }, {"open", "closed"},
      "open: Poisson arrivals at `rate`; closed: `users` users with `think_time`"));
  t.push_back(number(
      "workload.rate", [](auto &s) -> auto & { return s.workload.rate; }, between(0, 1e7),
      "arrivals per second (open workload); 0 = only scripted bursts"));
  t.push_back(integer(
      "workload.users", [](auto &s) -> auto & { return s.workload.users; }, 1, 10000000,
      "number of users (closed workload)"));
  t.push_back(distribution(
      "workload.think_time", [](auto &s) -> auto & { return s.workload.think_time; },
      "seconds a user thinks between requests (closed workload)"));
  t.push_back(number(
      "workload.submit_ratio", [](auto &s) -> auto & { return s.workload.submit_ratio; },
      between(0, 1), "probability that a request is a submit (a write); 0 to 1"));
  t.push_back(integer(
      "workload.keys", [](auto &s) -> auto & { return s.workload.keys; }, 1, 10000000,
      "number of pages (keys); 1 = the front page only"));
  t.push_back(number(
      "workload.zipf_alpha", [](auto &s) -> auto & { return s.workload.zipf_alpha; },
      between(0, 10), "Zipf popularity skew of the keys when keys > 1 (0 = uniform)"));
}

/// The `edge` section.
void edge_fields(std::vector<Field> &t) {
  t.push_back(boolean(
      "edge.enabled", [](auto &s) -> auto & { return s.edge.enabled; },
      "a front HTTP cache (Varnish, a CDN) answers page views before the load balancer"));
  t.push_back(number(
      "edge.ttl_s", [](auto &s) -> auto & { return s.edge.ttl_s; }, above(0, 86400),
      "seconds the front cache serves a stored page; submits never invalidate it"));
  t.push_back(distribution(
      "edge.latency", [](auto &s) -> auto & { return s.edge.latency; },
      "seconds the front cache takes to answer a page view it holds"));
}

/// The `balancer` section.
void balancer_fields(std::vector<Field> &t) {
  t.push_back(choice(
      "balancer.policy", [](auto &s) -> auto & { return s.balancer; },
      {"round_robin", "random", "least_connections"}, "how the load balancer picks an app server"));
}

/// The `app` section.
void app_fields(std::vector<Field> &t) {
  t.push_back(integer(
      "app.servers", [](auto &s) -> auto & { return s.app.servers; }, 1, kMaxAppServers,
      "number of app servers"));
  t.push_back(integer(
      "app.workers", [](auto &s) -> auto & { return s.app.workers; }, 1, 100000,
      "workers per app server (requests it serves at once)"));
  t.push_back(distribution(
      "app.cpu", [](auto &s) -> auto & { return s.app.cpu; },
      "CPU seconds per request on an app server"));
  t.push_back(boolean(
      "app.local_cache", [](auto &s) -> auto & { return s.app.local_cache; },
      "each server caches in its own dictionary instead of memcached (not shared)"));
  t.push_back(integer(
      "app.backlog", [](auto &s) -> auto & { return s.app.backlog; }, 0, kMaxQueuedRequests,
      "most requests waiting for a worker on one server; beyond it arrivals are refused "
      "(requests.rejected); 0 = unlimited"));
}

/// The `cache` section.
void cache_fields(std::vector<Field> &t) {
  t.push_back(integer(
      "cache.nodes", [](auto &s) -> auto & { return s.cache.nodes; }, 0, kMaxCacheNodes,
      "memcached nodes at start (0 = no memcached tier)"));
  t.push_back(integer(
      "cache.memory_bytes", [](auto &s) -> auto & { return s.cache.memory_bytes; }, kMiB, kTiB,
      "memory limit per memcached node, bytes (1 MiB to 1 TiB)"));
  t.push_back(integer(
      "cache.item_bytes", [](auto &s) -> auto & { return s.cache.item_bytes; }, 1, 1048576,
      "size of a cached page, bytes"));
  t.push_back(distribution(
      "cache.rtt", [](auto &s) -> auto & { return s.cache.rtt; },
      "network round trip of a cache operation, seconds"));
  t.push_back(hashing_field());
  t.push_back(choice(
      "cache.lru", [](auto &s) -> auto & { return s.cache.lru; },
      {kLruNames.begin(), kLruNames.end()},
      "eviction model of a node: segmented (memcached 1.6), classic, plain LRU"));
  t.push_back(number(
      "cache.timeout_s", [](auto &s) -> auto & { return s.cache.timeout_s; }, between(0, 60),
      "seconds a client waits on a node that does not answer (crashed, or queued past it) "
      "before it gives up; 0 = a crash is noticed at once"));
  t.push_back(integer(
      "cache.gutter_nodes", [](auto &s) -> auto & { return s.cache.gutter_nodes; }, 0, 64,
      "spare nodes that take a failed node's keys (Facebook's gutter pool); 0 = its keys move "
      "to the nodes that are up"));
  t.push_back(number(
      "cache.gutter_ttl_s", [](auto &s) -> auto & { return s.cache.gutter_ttl_s; },
      between(1, 86400),
      "seconds a gutter entry lives (whole seconds); gutter entries are never "
      "invalidated"));
  t.push_back(number(
      "cache.node_capacity", [](auto &s) -> auto & { return s.cache.node_capacity; },
      between(0, 1e9), "operations a second one node serves, in arrival order; 0 = unlimited"));
  t.push_back(boolean(
      "cache.fallback", [](auto &s) -> auto & { return s.cache.fallback; },
      "during a migration (migrate_cache) a get reads the new tier, then the old one on a miss, "
      "and copies an old tier's hit into the new tier with add; sets go to the new tier only"));
  t.push_back(number(
      "cache.delete_holdoff_s", [](auto &s) -> auto & { return s.cache.delete_holdoff_s; },
      between(0, 3600),
      "seconds a delete holds the key off (whole seconds, md KEY I T): gets miss and an add of "
      "it fails; 0 = a plain delete"));
}

/// The `db` section.
void db_fields(std::vector<Field> &t) {
  t.push_back(integer(
      "db.connections", [](auto &s) -> auto & { return s.db.connections; }, 1, 100000,
      "database connection pool size"));
  t.push_back(distribution(
      "db.query_latency", [](auto &s) -> auto & { return s.db.query_latency; },
      "seconds a page query holds a connection"));
  t.push_back(distribution(
      "db.insert_latency", [](auto &s) -> auto & { return s.db.insert_latency; },
      "seconds an insert holds a connection"));
  t.push_back(number(
      "db.load_factor", [](auto &s) -> auto & { return s.db.load_factor; }, between(0, 1000),
      "DB latency (queries and inserts) x (1 + load_factor x busy others / connections); 0 = "
      "none"));
}

/// The `strategy` section.
void strategy_fields(std::vector<Field> &t) {
  t.push_back(strategy_name_field());
  t.push_back(number(
      "strategy.ttl_s", [](auto &s) -> auto & { return s.strategy.ttl_s; }, between(0, kMaxTtlS),
      "seconds a cached page lives; 0 = never expires (at most 30 days)"));
  t.push_back(boolean(
      "strategy.warm", [](auto &s) -> auto & { return s.strategy.warm; },
      "fill the cache before the first request (not counted in the report)"));
  t.push_back(boolean(
      "strategy.cas", [](auto &s) -> auto & { return s.strategy.cas; },
      "use gets/cas for update and add for fills"));
  t.push_back(number(
      "strategy.lease_interval_s", [](auto &s) -> auto & { return s.strategy.lease_interval_s; },
      between(1, kMaxTtlS),
      "lease: how long a lease token lives, whole seconds (memcached's TTLs are whole seconds)"));
  t.push_back(number(
      "strategy.lease_wait_s", [](auto &s) -> auto & { return s.strategy.lease_wait_s; },
      above(0, 60), "lease: how long a request without the lease waits before it asks again"));
  t.push_back(boolean(
      "strategy.lease_stale", [](auto &s) -> auto & { return s.strategy.lease_stale; },
      "lease: a request without the lease serves the page a delete invalidated, if any"));
}

/// How long the run lasts and its seed, outside any section.
void run_fields(std::vector<Field> &t) {
  t.push_back(number(
      "duration_s", [](auto &s) -> auto & { return s.duration_s; }, above(0, 1e6),
      "simulated seconds to run"));
  t.push_back(integer(
      "seed", [](auto &s) -> auto & { return s.seed; }, 0,
      std::numeric_limits<std::uint64_t>::max(), "random seed; same seed, same report"));
}

/// The whole table, section by section: its order is the order
/// scenario_to_json writes the fields in and the schema lists them.
std::vector<Field> make_fields() {
  std::vector<Field> t;
  file_fields(t);
  workload_fields(t);
  edge_fields(t);
  balancer_fields(t);
  app_fields(t);
  cache_fields(t);
  db_fields(t);
  strategy_fields(t);
  run_fields(t);
  return t;
}

} // namespace

std::string_view section_of(std::string_view path) {
  auto dot = path.find('.');
  return dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot);
}

std::string_view leaf_of(std::string_view path) {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

bool is_section(std::string_view name) {
  for (auto &s : scenario_sections())
    if (s.name == name)
      return true;
  return false;
}

const std::vector<Section> &scenario_sections() {
  static const std::vector<Section> sections = {
      {"workload", "the users: who arrives, how often, what they ask for", true},
      {"edge", "a front HTTP cache before the load balancer (off unless enabled)", false},
      {"balancer", "the load balancer in front of the app servers", false},
      {"app", "the app servers", false},
      {"cache", "the memcached tier", false},
      {"db", "the database", false},
      {"strategy", "the caching strategy (SPEC section 3)", false},
  };
  return sections;
}

const std::vector<Field> &scenario_fields() {
  static const std::vector<Field> fields = make_fields();
  return fields;
}

const Field *find_field(std::string_view path) {
  for (auto &f : scenario_fields())
    if (f.path == path)
      return &f;
  return nullptr;
}

} // namespace stampede::internal
