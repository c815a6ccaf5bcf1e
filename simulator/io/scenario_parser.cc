// Scenario files: JSON text -> a typed, validated Scenario (SPEC section 2),
// and back (scenario_to_json), plus the JSON Schema, all from one field table.
//
// Every check reports "ORIGIN: PATH: expected WHAT, got FOUND", where ORIGIN is
// the file (or the `--set` override that supplied the value), PATH the dotted
// field path as it descends into objects and arrays, and FOUND the JSON value
// as written, truncated.
#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sys/stat.h>
#include <utility>

#include <nlohmann/json.hpp>

#include "io/field_table.h"
#include "io/student_loader.h"
#include "stampede/scenario_io.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"

namespace stampede {
namespace internal {
namespace {

using Json = nlohmann::ordered_json;

// Distribution parameters are seconds; the bound keeps every sample (and its
// conversion to integer nanoseconds) finite, and is the longest run.
constexpr double kMaxSeconds = 1e6;
constexpr double kMaxWeight = 1e12;
constexpr double kMaxSigma = 5;
// memcached reads an exptime above 30 days as an absolute Unix time.
constexpr double kMaxTtlS = 2592000;
constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kTiB = 1ull << 40;

constexpr std::string_view kStudentPrefix = "student:";

// The top level of a file, in order. Sections expand to their fields.
constexpr std::string_view kTopLevel[] = {
    "format", "name", "description", "workload", "edge",       "balancer", "app",
    "cache",  "db",   "strategy",    "events",   "duration_s", "seed",     "expect"};

// The distribution families a file may name, one row each (SPEC section 2):
// the parser, the writer and the schema read this table.
struct DistributionKind {
  std::string_view name;   // the object's one key: {"exp": 0.1}
  Distribution::Kind kind; // the family
  std::string_view a, b;   // an object's two members (normal, lognormal), else empty
  const char *description; // for the schema
};
constexpr DistributionKind kDistributionTable[] = {
    {"exp", Distribution::Kind::kExponential, "", "", "exponential with this mean, seconds"},
    {"uniform", Distribution::Kind::kUniform, "", "", "uniform on [LO, HI], seconds, LO <= HI"},
    {"normal", Distribution::Kind::kNormal, "mean", "sd",
     "normal (mean, sd seconds), truncated at 0"},
    {"lognormal", Distribution::Kind::kLogNormal, "median", "sigma",
     "lognormal with this median (seconds) and sigma (sd of the log)"},
    {"empirical", Distribution::Kind::kEmpirical, "", "",
     "[VALUE seconds, WEIGHT] pairs; a value is drawn by weight"},
};
constexpr std::array<std::string_view, std::size(kDistributionTable)> kDistributionKinds = [] {
  std::array<std::string_view, std::size(kDistributionTable)> names{};
  for (std::size_t i = 0; i < names.size(); ++i)
    names[i] = kDistributionTable[i].name;
  return names;
}();
/// The row of a family other than a constant.
constexpr const DistributionKind &distribution_kind(Distribution::Kind kind) {
  for (const DistributionKind &row : kDistributionTable)
    if (row.kind == kind)
      return row;
  return kDistributionTable[0];
}
constexpr std::uint64_t kMaxBurst = 1000000;

// The scripted events, one row each, in ScriptedEvent::Kind's order: the
// parser, the writer and the schema all read this table.
struct EventKind {
  std::string_view name;    // the field that names the kind: {"at": S, NAME: VALUE}
  ScriptedEvent::Kind kind; // what it does
  enum class Value : std::uint8_t { kTrue, kCount, kIndex } value; // what VALUE is
  const char *description;                                         // the event, for the schema
  const char *value_says; // a kCount's or kIndex's VALUE, for the schema
};
constexpr EventKind kEventTable[] = {
    {"crash_node", ScriptedEvent::Kind::kCrashNode, EventKind::Value::kIndex,
     "a memcached node crashes: it loses its data and leaves the ring",
     "index of a node that exists by then (cache.nodes plus nodes added before)"},
    {"add_node", ScriptedEvent::Kind::kAddNode, EventKind::Value::kTrue,
     "a new, empty memcached node joins", nullptr},
    {"submit_burst", ScriptedEvent::Kind::kSubmitBurst, EventKind::Value::kCount,
     "this many submits arrive at once", "number of submits"},
    {"view_burst", ScriptedEvent::Kind::kViewBurst, EventKind::Value::kCount,
     "this many page views arrive at once", "number of page views"},
    {"add_app_server", ScriptedEvent::Kind::kAddAppServer, EventKind::Value::kTrue,
     "a new app server joins the balancer's pool", nullptr},
    {"remove_app_server", ScriptedEvent::Kind::kRemoveAppServer, EventKind::Value::kIndex,
     "an app server leaves the balancer's pool; what it holds finishes there",
     "index of an app server in the pool then (app.servers plus servers added before)"},
};
constexpr std::size_t kEventKindCount = std::size(kEventTable);
static_assert(
    [] {
      for (std::size_t i = 0; i < kEventKindCount; ++i)
        if (static_cast<std::size_t>(kEventTable[i].kind) != i)
          return false;
      return true;
    }(),
    "kEventTable is in ScriptedEvent::Kind's order");

constexpr std::string_view event_name(ScriptedEvent::Kind kind) {
  return kEventTable[static_cast<std::size_t>(kind)].name;
}

constexpr std::array<std::string_view, kEventKindCount> kEventKinds = [] {
  std::array<std::string_view, kEventKindCount> names{};
  for (std::size_t i = 0; i < kEventKindCount; ++i)
    names[i] = kEventTable[i].name;
  return names;
}();
constexpr std::array<std::string_view, kEventKindCount + 1> kEventFields = [] {
  std::array<std::string_view, kEventKindCount + 1> names{"at"};
  for (std::size_t i = 0; i < kEventKindCount; ++i)
    names[i + 1] = kEventTable[i].name;
  return names;
}();
// Request slots (servers x workers) and scripted events are addressed by an
// event's 24-bit target; these bounds keep well inside it.
constexpr std::uint64_t kMaxSlots = std::uint64_t{1} << 20;
constexpr std::size_t kMaxEvents = 100000;
constexpr std::uint64_t kMaxEdgeKeys = 1000000;

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

NumberRange at_least(double lo) { return {lo, std::numeric_limits<double>::infinity()}; }
NumberRange between(double lo, double hi) { return {lo, hi}; }
NumberRange above(double lo, double hi) { return {lo, hi, true, false}; }

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

std::vector<Field> make_fields() {
  std::vector<Field> t;
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

  t.push_back(boolean(
      "edge.enabled", [](auto &s) -> auto & { return s.edge.enabled; },
      "a front HTTP cache (Varnish, a CDN) answers page views before the load balancer"));
  t.push_back(number(
      "edge.ttl_s", [](auto &s) -> auto & { return s.edge.ttl_s; }, above(0, 86400),
      "seconds the front cache serves a stored page; submits never invalidate it"));
  t.push_back(distribution(
      "edge.latency", [](auto &s) -> auto & { return s.edge.latency; },
      "seconds the front cache takes to answer a page view it holds"));

  t.push_back(choice(
      "balancer.policy", [](auto &s) -> auto & { return s.balancer; },
      {"round_robin", "random", "least_connections"}, "how the load balancer picks an app server"));

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
  t.push_back(std::move(name));
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
      "duration_s", [](auto &s) -> auto & { return s.duration_s; }, above(0, 1e6),
      "simulated seconds to run"));
  t.push_back(integer(
      "seed", [](auto &s) -> auto & { return s.seed; }, 0,
      std::numeric_limits<std::uint64_t>::max(), "random seed; same seed, same report"));
  return t;
}

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

// ---------------------------------------------------------------------------
// Messages

std::string format_number(double v) {
  if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 1e16)
    return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string dump_scalar(const Json &j) {
  return j.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

// Text as messages show it: on one line, control characters escaped the way
// JSON writes them.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      std::string escaped = dump_scalar(Json(std::string(1, c)));
      out += escaped.substr(1, escaped.size() - 2);
    } else {
      out += c;
    }
  }
  return out;
}

// Prints compact JSON, stopping once past `limit` characters: a deeply nested
// value never recurses deeper than the limit.
void print_limited(const Json &j, std::string &out, std::size_t limit) {
  if (out.size() > limit)
    return;
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (auto it = j.begin(); it != j.end() && out.size() <= limit; ++it) {
      if (!first)
        out += ',';
      first = false;
      out += dump_scalar(Json(it.key()));
      out += ':';
      print_limited(it.value(), out, limit);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    bool first = true;
    for (auto it = j.begin(); it != j.end() && out.size() <= limit; ++it) {
      if (!first)
        out += ',';
      first = false;
      print_limited(*it, out, limit);
    }
    out += ']';
  } else {
    out += dump_scalar(j);
  }
}

std::string truncate(std::string s, std::size_t limit = 40) {
  if (s.size() <= limit)
    return s;
  std::size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n; // never cut a UTF-8 sequence
  s.resize(n);
  return s + "...";
}

std::string found(const Json &j) {
  std::string out;
  print_limited(j, out, 40);
  return truncate(std::move(out));
}

std::string quoted_list(const std::vector<std::string_view> &names) {
  std::string out;
  for (auto &n : names) {
    if (!out.empty())
      out += ", ";
    out += '"';
    out += n;
    out += '"';
  }
  return out;
}

template <class Names> std::string plain_list(const Names &names) {
  std::string out;
  for (auto &n : names) {
    if (!out.empty())
      out += ", ";
    out += n;
  }
  return out;
}

// What a number field expects. `lower` picks the bound to state: the lower one
// for a value of the wrong type or below it, the upper one above it (a range's
// other end is in the schema and docs; one bound keeps the message short).
std::string number_expectation(const char *what, bool lower, double lo, bool lo_ex, double hi,
                               bool hi_ex) {
  std::string out = what;
  if (lower)
    out += (lo_ex ? " > " : " >= ") + format_number(lo);
  else
    out += (hi_ex ? " < " : " <= ") + format_number(hi);
  return out;
}

// A problem found at a path; the origin is added at the top.
struct Problem {
  std::string path;
  std::string what;
};

std::string join_path(std::string_view base, std::string_view key) {
  if (base.empty())
    return printable(key);
  std::string out(base);
  out += '.';
  out += printable(key);
  return out;
}

std::string index_path(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

Problem expected(std::string path, const std::string &what, const Json &got) {
  return {std::move(path), "expected " + what + ", got " + found(got)};
}

// ---------------------------------------------------------------------------
// Numbers

// Reads a JSON number as a double (integers included).
std::optional<double> as_number(const Json &j) {
  if (!j.is_number())
    return std::nullopt;
  if (j.is_number_unsigned())
    return static_cast<double>(j.get<std::uint64_t>());
  if (j.is_number_integer())
    return static_cast<double>(j.get<std::int64_t>());
  return j.get<double>();
}

std::optional<Problem> read_number(const Json &j, const std::string &path, NumberRange r,
                                   double &out) {
  auto v = as_number(j);
  if (!v)
    return expected(
        path, number_expectation("a number", true, r.min, r.min_exclusive, r.max, r.max_exclusive),
        j);
  bool low = r.min_exclusive ? !(*v > r.min) : !(*v >= r.min);
  bool high = r.max_exclusive ? !(*v < r.max) : !(*v <= r.max);
  if (low || high)
    return expected(
        path, number_expectation("a number", low, r.min, r.min_exclusive, r.max, r.max_exclusive),
        j);
  out = *v;
  return std::nullopt;
}

std::string integer_expectation(bool lower, std::uint64_t lo, std::uint64_t hi) {
  if (lo == hi)
    return std::to_string(lo);
  return lower ? "an integer >= " + std::to_string(lo) : "an integer <= " + std::to_string(hi);
}

std::optional<Problem> read_integer(const Json &j, const std::string &path, std::uint64_t lo,
                                    std::uint64_t hi, std::uint64_t &out) {
  std::uint64_t v = 0;
  if (j.is_number_unsigned()) {
    v = j.get<std::uint64_t>();
  } else if (j.is_number_integer()) {
    // Negative (non-negative integers parse as unsigned): below every minimum.
    return expected(path, integer_expectation(true, lo, hi), j);
  } else if (j.is_number_float()) {
    double d = j.get<double>();
    if (std::floor(d) != d)
      return expected(path, integer_expectation(true, lo, hi), j);
    if (d < 0)
      return expected(path, integer_expectation(true, lo, hi), j);
    if (d >= 18446744073709551616.0)
      return expected(path, integer_expectation(false, lo, hi), j);
    v = static_cast<std::uint64_t>(d);
  } else {
    return expected(path, integer_expectation(true, lo, hi), j);
  }
  if (v < lo)
    return expected(path, integer_expectation(true, lo, hi), j);
  if (v > hi)
    return expected(path, integer_expectation(false, lo, hi), j);
  out = v;
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Distributions

std::string distribution_expectation() {
  return "a number >= 0 or an object with one of " + plain_list(kDistributionKinds);
}

std::optional<Problem> unknown_field(const std::string &path, std::string_view key,
                                     const std::string &expected_names) {
  return Problem{join_path(path, key), "unknown field, expected one of: " + expected_names};
}

// Reads an object with exactly the numeric members `names`, each in its range.
std::optional<Problem>
read_members(const Json &j, const std::string &path,
             const std::vector<std::pair<std::string_view, NumberRange>> &names,
             std::vector<double> &out) {
  std::string shape = "an object {";
  for (std::size_t i = 0; i < names.size(); ++i)
    shape += (i ? ", \"" : "\"") + std::string(names[i].first) + "\": NUMBER";
  shape += "}";
  if (!j.is_object())
    return expected(path, shape, j);
  std::vector<std::string_view> keys;
  for (auto &n : names)
    keys.push_back(n.first);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
      return unknown_field(path, it.key(), plain_list(keys));
  out.clear();
  for (auto &[key, range] : names) {
    auto child = join_path(path, key);
    auto it = j.find(std::string(key));
    if (it == j.end())
      return Problem{child, "required field is missing"};
    double v = 0;
    if (auto p = read_number(*it, child, range, v))
      return p;
    out.push_back(v);
  }
  return std::nullopt;
}

std::optional<Problem> read_distribution(const Json &j, const std::string &path,
                                         Distribution &out) {
  const NumberRange seconds = between(0, kMaxSeconds);
  if (j.is_number()) {
    double v = 0;
    if (auto p = read_number(j, path, seconds, v))
      return p;
    out = Distribution::constant(v);
    return std::nullopt;
  }
  if (!j.is_object())
    return expected(path, distribution_expectation(), j);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(std::begin(kDistributionKinds), std::end(kDistributionKinds), it.key()) ==
        std::end(kDistributionKinds))
      return unknown_field(path, it.key(), plain_list(kDistributionKinds));
  if (j.size() != 1)
    return expected(path, "exactly one of " + plain_list(kDistributionKinds), j);
  const std::string &name = j.begin().key();
  const Json &v = j.begin().value();
  const std::string child = join_path(path, name);
  const DistributionKind *row = nullptr;
  for (const DistributionKind &k : kDistributionTable)
    if (k.name == name)
      row = &k;
  const Distribution::Kind kind = row->kind;
  if (kind == Distribution::Kind::kExponential) {
    double mean = 0;
    if (auto p = read_number(v, child, above(0, kMaxSeconds), mean))
      return p;
    out = Distribution::exponential(mean);
  } else if (kind == Distribution::Kind::kUniform) {
    if (!v.is_array() || v.size() != 2)
      return expected(child, "an array [LO, HI]", v);
    double lo = 0, hi = 0;
    if (auto p = read_number(v[0], index_path(child, 0), seconds, lo))
      return p;
    if (auto p = read_number(v[1], index_path(child, 1), seconds, hi))
      return p;
    if (lo > hi)
      return expected(child, "[LO, HI] with LO <= HI", v);
    out = Distribution::uniform(lo, hi);
  } else if (kind == Distribution::Kind::kNormal) {
    std::vector<double> m;
    if (auto p = read_members(v, child, {{row->a, seconds}, {row->b, seconds}}, m))
      return p;
    out = Distribution::normal(m[0], m[1]);
  } else if (kind == Distribution::Kind::kLogNormal) {
    std::vector<double> m;
    if (auto p = read_members(
            v, child, {{row->a, above(0, kMaxSeconds)}, {row->b, between(0, kMaxSigma)}}, m))
      return p;
    out = Distribution::lognormal(m[0], m[1]);
  } else { // empirical
    if (!v.is_array() || v.empty())
      return expected(child, "a non-empty array of [VALUE, WEIGHT] pairs", v);
    std::vector<std::pair<double, double>> pairs;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string at = index_path(child, i);
      if (!v[i].is_array() || v[i].size() != 2)
        return expected(at, "a [VALUE, WEIGHT] pair", v[i]);
      double value = 0, weight = 0;
      if (auto p = read_number(v[i][0], index_path(at, 0), seconds, value))
        return p;
      if (auto p = read_number(v[i][1], index_path(at, 1), above(0, kMaxWeight), weight))
        return p;
      pairs.emplace_back(value, weight);
    }
    out = Distribution::empirical(pairs);
  }
  return std::nullopt;
}

Json distribution_json(const Distribution &d) {
  const DistributionKind &row = distribution_kind(d.kind);
  const std::string name(row.name), a(row.a), b(row.b);
  switch (d.kind) {
  case Distribution::Kind::kConstant:
    return d.a;
  case Distribution::Kind::kExponential:
    return Json{{name, d.a}};
  case Distribution::Kind::kUniform:
    return Json{{name, Json::array({d.a, d.b})}};
  case Distribution::Kind::kNormal:
  case Distribution::Kind::kLogNormal:
    return Json{{name, Json{{a, d.a}, {b, d.b}}}};
  case Distribution::Kind::kEmpirical: {
    // The weights come back as the steps of the cumulative table.
    Json pairs = Json::array();
    double previous = 0;
    for (std::size_t i = 0; i < d.values.size() && i < d.cumulative.size(); ++i) {
      // A weight too small to show in the normalised table still was positive.
      const double weight = d.cumulative[i] - previous;
      pairs.push_back(Json::array(
          {d.values[i], weight > 0 ? weight : std::numeric_limits<double>::denorm_min()}));
      previous = d.cumulative[i];
    }
    return Json{{name, pairs}};
  }
  }
  return d.a;
}

// ---------------------------------------------------------------------------
// Fields

std::optional<Problem> read_field(const Field &f, const Json &j, Scenario &s) {
  const std::string path(f.path);
  switch (f.kind) {
  case FieldKind::kInteger: {
    std::uint64_t v = 0;
    if (auto p = read_integer(j, path, f.int_min, f.int_max, v)) {
      if (f.int_min == f.int_max)
        p->what = "expected " + std::to_string(f.int_min) + " (the only version), got " + found(j);
      return p;
    }
    f.store(s, v);
    return std::nullopt;
  }
  case FieldKind::kNumber: {
    double v = 0;
    if (auto p = read_number(j, path, f.range, v))
      return p;
    f.store(s, v);
    return std::nullopt;
  }
  case FieldKind::kBoolean:
    if (!j.is_boolean())
      return expected(path, "true or false", j);
    f.store(s, j.get<bool>());
    return std::nullopt;
  case FieldKind::kEnum: {
    if (j.is_string()) {
      const auto &v = j.get_ref<const std::string &>();
      for (std::size_t i = 0; i < f.choices.size(); ++i)
        if (f.choices[i] == v) {
          f.store(s, static_cast<std::uint64_t>(i));
          return std::nullopt;
        }
    }
    return expected(path, "one of " + quoted_list(f.choices), j);
  }
  case FieldKind::kString: {
    if (!j.is_string())
      return expected(path, "a string", j);
    const auto &v = j.get_ref<const std::string &>();
    if (f.check)
      if (auto want = f.check(v))
        return expected(path, *want, j);
    f.store(s, v);
    return std::nullopt;
  }
  case FieldKind::kDistribution: {
    Distribution d;
    if (auto p = read_distribution(j, path, d))
      return p;
    f.store(s, d);
    return std::nullopt;
  }
  }
  return std::nullopt;
}

Json field_json(const Field &f, const FieldValue &v) {
  switch (f.kind) {
  case FieldKind::kInteger:
    return std::get<std::uint64_t>(v);
  case FieldKind::kNumber:
    return std::get<double>(v);
  case FieldKind::kBoolean:
    return std::get<bool>(v);
  case FieldKind::kEnum: {
    auto i = std::get<std::uint64_t>(v);
    return i < f.choices.size() ? Json(std::string(f.choices[i])) : Json();
  }
  case FieldKind::kString:
    return std::get<std::string>(v);
  case FieldKind::kDistribution:
    return distribution_json(std::get<Distribution>(v));
  }
  return Json();
}

std::string top_level_names() { return plain_list(kTopLevel); }

std::string section_field_names(std::string_view section) {
  std::vector<std::string_view> names;
  for (auto &f : scenario_fields())
    if (section_of(f.path) == section)
      names.push_back(leaf_of(f.path));
  return plain_list(names);
}

// ---------------------------------------------------------------------------
// Events and expectations

/// The app server events in the order they happen (time, then file order):
/// an added server gets the next number; a removed one must be in the
/// balancer's pool then, and one server must stay. Fills in the indices of
/// `remove_app_server`.
std::optional<Problem> check_app_server_events(const Json &j, const Scenario &s,
                                               std::vector<ScriptedEvent> &events) {
  const std::string add = "." + std::string(event_name(ScriptedEvent::Kind::kAddAppServer));
  const std::string remove = "." + std::string(event_name(ScriptedEvent::Kind::kRemoveAppServer));
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < events.size(); ++k)
    if (events[k].kind == ScriptedEvent::Kind::kAddAppServer ||
        events[k].kind == ScriptedEvent::Kind::kRemoveAppServer)
      order.push_back(k);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return events[a].at < events[b].at; });
  std::uint64_t servers = s.app.servers;
  std::vector<std::size_t> removed_by(servers, SIZE_MAX); // event that removed each server
  std::uint64_t in_pool = servers;
  for (const std::size_t k : order) {
    const std::string path = index_path("events", k);
    if (events[k].kind == ScriptedEvent::Kind::kAddAppServer) {
      if (++servers > kMaxAppServers || servers * s.app.workers > kMaxSlots)
        return Problem{path + add,
                       "expected at most " + std::to_string(kMaxAppServers) + " app servers and " +
                           std::to_string(kMaxSlots) +
                           " workers in all (app.servers plus the add_app_server events, times "
                           "app.workers), got " +
                           std::to_string(servers) + " servers with this one"};
      removed_by.push_back(SIZE_MAX);
      ++in_pool;
      continue;
    }
    const Json &v = j[k][remove.substr(1)];
    std::uint64_t index = 0;
    if (read_integer(v, path + remove, 0, servers - 1, index))
      return expected(path + remove,
                      "an app server index < " + std::to_string(servers) +
                          " (app.servers plus servers added before then)",
                      v);
    if (removed_by[index] != SIZE_MAX)
      return Problem{path + remove, "app server " + std::to_string(index) +
                                        " has already left the pool (" +
                                        index_path("events", removed_by[index]) + ")"};
    if (in_pool == 1)
      return Problem{path + remove,
                     "expected one app server to stay in the pool, but this removes the last"};
    removed_by[index] = k;
    --in_pool;
    events[k].value = static_cast<std::uint32_t>(index);
  }
  return std::nullopt;
}

std::optional<Problem> read_events(const Json &j, Scenario &s) {
  if (!j.is_array())
    return expected("events", "an array of events", j);
  if (j.size() > kMaxEvents)
    return Problem{"events", "expected at most " + std::to_string(kMaxEvents) +
                                 " scripted events, got " + std::to_string(j.size())};
  std::vector<ScriptedEvent> events;
  std::vector<double> at_s;
  std::uint64_t nodes_then = s.cache.nodes, burst_requests = 0;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string path = index_path("events", i);
    const Json &e = j[i];
    if (!e.is_object())
      return expected(path, "an object {\"at\": SECONDS, ...}", e);
    for (auto it = e.begin(); it != e.end(); ++it)
      if (std::find(std::begin(kEventFields), std::end(kEventFields), it.key()) ==
          std::end(kEventFields))
        return unknown_field(path, it.key(), plain_list(kEventFields));
    auto at = e.find("at");
    if (at == e.end())
      return Problem{path + ".at", "required field is missing"};
    double seconds = 0;
    if (auto p = read_number(*at, path + ".at", at_least(0), seconds))
      return p;
    // An event at or after duration_s is valid and never happens (the run
    // stops first): `--duration` can shorten any scenario.
    int kinds = 0;
    for (auto k : kEventKinds)
      kinds += e.contains(std::string(k)) ? 1 : 0;
    if (kinds != 1)
      return expected(path, "exactly one of " + plain_list(kEventKinds), e);
    ScriptedEvent ev;
    ev.at = seconds_to_ns(seconds);
    const EventKind *kind = nullptr;
    for (const EventKind &k : kEventTable)
      if (e.contains(std::string(k.name)))
        kind = &k;
    const Json &value = e[std::string(kind->name)];
    const std::string value_path = path + "." + std::string(kind->name);
    ev.kind = kind->kind;
    switch (kind->value) {
    case EventKind::Value::kTrue:
      if (!value.is_boolean() || !value.get<bool>())
        return expected(value_path, "true", value);
      break;
    case EventKind::Value::kCount: {
      std::uint64_t n = 0;
      if (auto p = read_integer(value, value_path, 1, kMaxBurst, n))
        return p;
      ev.value = static_cast<std::uint32_t>(n);
      break;
    }
    case EventKind::Value::kIndex:
      break; // which nodes and servers exist then is checked below, in time order
    }
    // Only events before the end happen; those bound what the run holds.
    if (seconds < s.duration_s) {
      if (ev.kind == ScriptedEvent::Kind::kAddNode && ++nodes_then > kMaxCacheNodes)
        return Problem{path + "." + std::string(event_name(ScriptedEvent::Kind::kAddNode)),
                       "expected at most " + std::to_string(kMaxCacheNodes) +
                           " memcached nodes in all (cache.nodes plus the add_node events before "
                           "duration_s), got " +
                           std::to_string(nodes_then) + " with this one"};
      if (ev.kind == ScriptedEvent::Kind::kSubmitBurst ||
          ev.kind == ScriptedEvent::Kind::kViewBurst) {
        burst_requests += ev.value;
        if (burst_requests > kMaxBurstRequests)
          return Problem{path + "." + std::string(event_name(ev.kind)),
                         "expected at most " + std::to_string(kMaxBurstRequests) +
                             " burst requests in all (submit_burst plus view_burst over the events "
                             "before duration_s), got " +
                             std::to_string(burst_requests) + " with this one"};
      }
    }
    events.push_back(ev);
    at_s.push_back(seconds);
  }
  // A crash names a node that exists by then: one of the nodes at start or
  // one added earlier (at an earlier time, or at the same time earlier in the file).
  // Additions sorted by (time, file position), so counting those before a
  // crash is a binary search: a file with many events never takes quadratic time.
  std::vector<std::pair<Time, std::size_t>> additions;
  for (std::size_t k = 0; k < events.size(); ++k)
    if (events[k].kind == ScriptedEvent::Kind::kAddNode)
      additions.emplace_back(events[k].at, k);
  std::sort(additions.begin(), additions.end());
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto it = j[i].find(std::string(event_name(ScriptedEvent::Kind::kCrashNode)));
    if (it == j[i].end())
      continue;
    const auto added =
        std::lower_bound(additions.begin(), additions.end(), std::make_pair(events[i].at, i)) -
        additions.begin();
    const std::uint64_t nodes = s.cache.nodes + static_cast<std::uint64_t>(added);
    const std::string path =
        index_path("events", i) + "." + std::string(event_name(ScriptedEvent::Kind::kCrashNode));
    std::uint64_t index = 0;
    if (nodes == 0)
      return expected(path,
                      "a node that exists then, but none does (cache.nodes plus nodes added "
                      "before then is 0)",
                      *it);
    if (read_integer(*it, path, 0, nodes - 1, index))
      return expected(path,
                      "a node index < " + std::to_string(nodes) +
                          " (cache.nodes plus nodes added before then)",
                      *it);
    events[i].value = static_cast<std::uint32_t>(index);
  }
  if (auto p = check_app_server_events(j, s, events))
    return p;
  s.events = std::move(events);
  return std::nullopt;
}

std::optional<Problem> read_expect(const Json &j, Scenario &s) {
  if (!j.is_array())
    return expected("expect", "an array of strings", j);
  std::vector<ExpectClause> clauses;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string path = index_path("expect", i);
    if (!j[i].is_string())
      return expected(path, "a string \"PATH OP NUMBER\"", j[i]);
    auto clause = parse_expect(j[i].get_ref<const std::string &>());
    if (!clause)
      return Problem{path, clause.error};
    clauses.push_back(std::move(*clause.value));
  }
  s.expect = std::move(clauses);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Whole-scenario checks

// Whether every draw of `d` is 0 ns, or so nearly that the clock (whole
// nanoseconds) would hardly move: a mean that rounds to 0 ns.
bool zero_time(const Distribution &d) {
  switch (d.kind) {
  case Distribution::Kind::kNormal:
    // Truncated at 0: a positive sd draws positive times even around mean 0.
    return seconds_to_ns(d.a) == 0 && seconds_to_ns(d.b) == 0;
  default:
    return seconds_to_ns(d.mean_s()) == 0;
  }
}

// A closed workload's users send their next request when the last one is
// answered plus a think time. With no think time, no CPU time and a request
// path that takes no time (a cache hit at zero round trip, or a database at
// zero latency), a user's cycle takes 0 ns and the run repeats it at the
// same instant forever. Refuse that instead of hanging.
std::optional<Problem> check_zero_time_cycle(const Json &root, const Scenario &s) {
  // A view the front cache answers touches no app server: app.cpu does not help.
  if (s.workload.kind == WorkloadKind::kClosed && zero_time(s.workload.think_time) &&
      s.edge.enabled && zero_time(s.edge.latency))
    return Problem{"edge.latency",
                   "expected a latency above 0 (or a think time above 0): the front cache "
                   "would answer a closed workload's users at once and they would send "
                   "requests at the same instant forever, got 0"};
  if (s.workload.kind != WorkloadKind::kClosed || !zero_time(s.workload.think_time) ||
      !zero_time(s.app.cpu))
    return std::nullopt;
  std::vector<std::string> instant;
  if (s.app.local_cache)
    instant.emplace_back("app.local_cache true (local hits take no time)");
  else if (zero_time(s.cache.rtt))
    instant.emplace_back("cache.rtt 0");
  if (zero_time(s.db.query_latency))
    instant.emplace_back("db.query_latency 0");
  if (zero_time(s.db.insert_latency))
    instant.emplace_back("db.insert_latency 0");
  if (instant.empty())
    return std::nullopt;
  const Json *think = nullptr;
  if (auto w = root.find("workload"); w != root.end() && w->is_object())
    if (auto t = w->find("think_time"); t != w->end())
      think = &*t;
  return Problem{"workload.think_time",
                 "expected a think time above 0 (or app.cpu above 0): with app.cpu 0 and " +
                     plain_list(instant) +
                     ", a closed workload's users would send requests at the same instant "
                     "forever, got " +
                     (think ? found(*think) : std::string("0"))};
}

// ---------------------------------------------------------------------------
// JSON text

// A SAX pass before the DOM parse: nlohmann's DOM parser keeps the last of
// two equal keys silently, and its callback parser rescans the enclosing
// array at every object's end (quadratic in the number of events), so
// duplicates are found here, with the path of the second occurrence, in
// linear time and without building anything.
class DuplicateFinder {
public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  std::string duplicate; // the path, once found
  std::string error;     // nlohmann's message for a syntax error
  std::size_t error_byte = 0;
  bool syntax_error = false;

  bool null() { return element(); }
  bool boolean(bool) { return element(); }
  bool number_integer(number_integer_t) { return element(); }
  bool number_unsigned(number_unsigned_t) { return element(); }
  bool number_float(number_float_t, const string_t &) { return element(); }
  bool string(string_t &) { return element(); }
  bool binary(binary_t &) { return element(); }
  bool start_object(std::size_t) {
    element();
    frames_.push_back({});
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    element();
    frames_.push_back({true, 0, {}, {}});
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool key(string_t &key) {
    Frame &top = frames_.back();
    if (!top.keys.insert(key).second) {
      duplicate = path_to(key);
      return false;
    }
    top.key = key;
    return true;
  }
  bool parse_error(std::size_t byte, const std::string &, const nlohmann::detail::exception &e) {
    syntax_error = dynamic_cast<const nlohmann::json::parse_error *>(&e) != nullptr;
    error = e.what();
    error_byte = byte;
    error_path = current_path();
    return false;
  }

  std::string error_path; // where the value that failed would have gone

private:
  struct Frame {
    bool array = false;
    std::size_t index = 0; // elements begun so far (arrays)
    std::string key;       // the current key (objects)
    std::set<std::string> keys;
  };

  bool element() {
    if (!frames_.empty() && frames_.back().array)
      ++frames_.back().index;
    return true;
  }
  // The path of the value being read now: the current key of the innermost
  // object, or the next index of the innermost array.
  std::string current_path() const {
    if (frames_.empty())
      return {};
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const auto &f = frames_[i];
      p = f.array ? index_path(p, f.index - 1) : join_path(p, f.key);
    }
    const Frame &top = frames_.back();
    return top.array ? index_path(p, top.index) : join_path(p, top.key);
  }
  std::string path_to(const std::string &key) const {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const auto &f = frames_[i];
      p = f.array ? index_path(p, f.index - 1) : join_path(p, f.key);
    }
    return join_path(p, key);
  }

  std::vector<Frame> frames_;
};

// Turns nlohmann's "parse error at line L, column C: syntax error while
// parsing CONTEXT - LEXER; last read: 'X'; expected E" into
// "line L, column C: expected E, got X". The position is that of the last
// character read that is not whitespace (nlohmann counts the newline that
// ended a bad literal as column 0 of the next line).
std::string syntax_message(const std::string &what, std::string_view text, std::size_t byte) {
  std::string rest = what;
  if (auto colon = rest.find(": ", rest.find("parse error")); colon != std::string::npos)
    rest = rest.substr(colon + 2);
  const std::string syntax = "syntax error while parsing ";
  std::string context;
  if (rest.starts_with(syntax)) {
    auto dash = rest.find(" - ");
    context = rest.substr(syntax.size(), dash - syntax.size());
    rest = dash == std::string::npos ? "" : rest.substr(dash + 3);
  }
  std::string want = "a JSON " + context;
  if (auto e = rest.rfind("; expected "); e != std::string::npos) {
    want = rest.substr(e + 11);
    rest.resize(e);
  }
  std::string got = rest;
  if (auto lr = rest.find("; last read: '"); lr != std::string::npos) {
    std::string token = rest.substr(lr + 14);
    if (!token.empty() && token.back() == '\'')
      token.pop_back();
    // The window nlohmann shows may start before the offending token and end
    // with the whitespace that ended it.
    const std::string separators[] = {" ", "<U+000A>", "<U+0009>", "<U+000D>"};
    for (bool trimmed = true; trimmed;) {
      trimmed = false;
      for (const auto &sep : separators)
        if (token.size() > sep.size() && token.ends_with(sep)) {
          token.resize(token.size() - sep.size());
          trimmed = true;
        }
    }
    for (const auto &sep : separators)
      if (auto sp = token.rfind(sep); sp != std::string::npos && sp + sep.size() < token.size())
        token = token.substr(sp + sep.size());
    got = rest.substr(0, lr);
    if (got == "invalid literal" || got == "invalid number") {
      // A literal holds no structural character: the window may still show
      // the key before it (`"rate":N`).
      if (auto sp = token.find_last_of(":,[{"); sp != std::string::npos && sp + 1 < token.size())
        token = token.substr(sp + 1);
      got = "'" + truncate(token) + "'";
    } else
      got += " '" + truncate(token) + "'";
  } else if (got.starts_with("unexpected ")) {
    got = got.substr(11);
  }
  std::string position;
  if (!text.empty()) {
    std::size_t i = std::min(byte == 0 ? 0 : byte - 1, text.size() - 1);
    while (i > 0 && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
      --i;
    const std::size_t line_start =
        text.rfind('\n', i) == std::string_view::npos ? 0 : text.rfind('\n', i) + 1;
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(i), '\n');
    // At the end of input, point just past the last character.
    const std::size_t column = i - line_start + (byte > text.size() ? 2 : 1);
    position = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  return position + "expected " + want + ", got " + got;
}

struct Document {
  std::optional<Json> json;
  std::string error; // without origin
};

Document parse_json(std::string_view text) {
  Document d;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    d.error = "expected a JSON object, got an empty file";
    return d;
  }
  DuplicateFinder finder;
  if (!Json::sax_parse(text.begin(), text.end(), &finder)) {
    if (!finder.duplicate.empty()) {
      d.error = finder.duplicate + ": duplicate field (each field may appear once)";
    } else if (finder.syntax_error) {
      d.error = syntax_message(finder.error, text, finder.error_byte);
    } else if (auto q = finder.error.find("parsing '");
               q != std::string::npos && finder.error.back() == '\'') {
      // Numbers too large for a double: "number overflow parsing '1e400'".
      d.error = (finder.error_path.empty() ? "" : finder.error_path + ": ") +
                "expected a finite number, got " +
                truncate(finder.error.substr(q + 9, finder.error.size() - q - 10));
    } else {
      d.error = finder.error;
    }
    return d;
  }
  // The text is valid JSON without duplicates: this parse cannot fail.
  d.json = Json::parse(text.begin(), text.end(), nullptr, false);
  if (d.json->is_discarded()) {
    d.json.reset();
    d.error = "expected JSON, got text nlohmann::json rejects";
  }
  return d;
}

// ---------------------------------------------------------------------------
// Overrides

struct Override {
  std::string text; // "PATH=VALUE" as given
  std::string path;
};

bool covers(const std::string &override_path, const std::string &path) {
  if (!path.starts_with(override_path))
    return false;
  return path.size() == override_path.size() || path[override_path.size()] == '.' ||
         path[override_path.size()] == '[';
}

// The paths `--set` accepts near an unknown one: the fields of its section
// (`cache.nodez`, or `cache` alone), else the top level with sections as `cache.*`.
std::string expected_paths_near(const std::string &path) {
  std::string section(section_of(path));
  if (section.empty() && is_section(path))
    section = path;
  std::vector<std::string> names;
  if (!section.empty() && is_section(section)) {
    for (auto &f : scenario_fields())
      if (section_of(f.path) == section)
        names.emplace_back(f.path);
  } else {
    for (auto name : kTopLevel)
      names.push_back(is_section(name) ? std::string(name) + ".*" : std::string(name));
  }
  return plain_list(names);
}

// Applies `PATH=VALUE` to the document; returns an error message (with its
// origin) or nothing.
std::optional<std::string> apply_override(Json &root, const std::string &text,
                                          std::vector<Override> &applied) {
  const std::string origin = "--set " + printable(text);
  auto eq = text.find('=');
  if (eq == std::string::npos)
    return origin + ": expected PATH=VALUE (no '=')";
  std::string path = text.substr(0, eq);
  std::string value = text.substr(eq + 1);
  const Field *field = find_field(path);
  bool whole_array = path == "events" || path == "expect";
  if (!field && !whole_array)
    return origin + ": unknown field " + printable(path) + ", expected one of " +
           expected_paths_near(path);
  Json parsed = Json::parse(value, nullptr, false);
  if (parsed.is_discarded())
    parsed = value;
  // A name or a choice stays the text as typed: `--set name=2024`.
  if (field && (field->kind == FieldKind::kString || field->kind == FieldKind::kEnum) &&
      !parsed.is_string())
    parsed = value;
  auto section = std::string(section_of(path));
  if (section.empty()) {
    root[path] = std::move(parsed);
  } else {
    auto it = root.find(section);
    if (it == root.end())
      root[section] = Json::object();
    else if (!it->is_object())
      return std::nullopt; // the file's own error about `section` is reported
    root[section][std::string(leaf_of(path))] = std::move(parsed);
  }
  applied.push_back({text, path});
  return std::nullopt;
}

} // namespace

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

namespace {

Parsed<Scenario> failure(std::string message) {
  Parsed<Scenario> r;
  r.error = std::move(message);
  return r;
}

std::optional<Problem> read_document(const Json &root, Scenario &s) {
  // Pass 1, in file order: unknown fields and every scalar field. Events and
  // expectations wait for duration_s and cache.nodes.
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string &key = it.key();
    if (is_section(key)) {
      if (!it->is_object())
        return expected(key, "an object", *it);
      for (auto jt = it->begin(); jt != it->end(); ++jt) {
        const Field *f = find_field(join_path(key, jt.key()));
        if (!f)
          return unknown_field(key, jt.key(), section_field_names(key));
        if (auto p = read_field(*f, *jt, s))
          return p;
      }
    } else if (key == "events" || key == "expect") {
      continue;
    } else if (const Field *f = find_field(key); f && section_of(f->path).empty()) {
      if (auto p = read_field(*f, *it, s))
        return p;
    } else {
      return unknown_field("", key, top_level_names());
    }
  }
  for (auto &section : scenario_sections())
    if (section.required && !root.contains(std::string(section.name)))
      return Problem{std::string(section.name), "required field is missing"};
  // Every worker is a request slot that events address by index.
  if (const std::uint64_t slots = std::uint64_t{s.app.servers} * s.app.workers; slots > kMaxSlots)
    return Problem{"app.workers",
                   "expected app.servers x app.workers at most " + std::to_string(kMaxSlots) +
                       ", got " + std::to_string(s.app.servers) + " x " +
                       std::to_string(s.app.workers) + " = " + std::to_string(slots)};
  // The front cache keeps one page per key.
  if (s.edge.enabled && s.workload.keys > kMaxEdgeKeys)
    return Problem{"edge.enabled", "expected workload.keys at most " +
                                       std::to_string(kMaxEdgeKeys) +
                                       " with a front cache (it holds a page per key), got " +
                                       std::to_string(s.workload.keys)};
  if (auto it = root.find("events"); it != root.end())
    if (auto p = read_events(*it, s))
      return p;
  if (auto it = root.find("expect"); it != root.end())
    if (auto p = read_expect(*it, s))
      return p;
  if (auto p = check_zero_time_cycle(root, s))
    return p;
  s.strategy = normalize_strategy(s.strategy);
  return std::nullopt;
}

Json schema_for(const Field &f) {
  Json j;
  j["description"] = std::string(f.description);
  switch (f.kind) {
  case FieldKind::kInteger:
    j["type"] = "integer";
    j["minimum"] = f.int_min;
    j["maximum"] = f.int_max;
    break;
  case FieldKind::kNumber:
    j["type"] = "number";
    j[f.range.min_exclusive ? "exclusiveMinimum" : "minimum"] = f.range.min;
    if (std::isfinite(f.range.max))
      j[f.range.max_exclusive ? "exclusiveMaximum" : "maximum"] = f.range.max;
    break;
  case FieldKind::kBoolean:
    j["type"] = "boolean";
    break;
  case FieldKind::kEnum: {
    j["type"] = "string";
    Json e = Json::array();
    for (auto c : f.choices)
      e.push_back(std::string(c));
    j["enum"] = e;
    break;
  }
  case FieldKind::kString:
    j["type"] = "string";
    if (f.schema_names) {
      Json any = Json::array();
      any.push_back(Json{{"enum", f.schema_names()}});
      if (!f.schema_pattern.empty())
        any.push_back(Json{{"pattern", std::string(f.schema_pattern)}});
      j["anyOf"] = any;
    }
    break;
  case FieldKind::kDistribution:
    j["$ref"] = "#/$defs/distribution";
    break;
  }
  j["default"] = field_json(f, f.load(Scenario{}));
  return j;
}

Json seconds_schema(bool positive) {
  Json j{{"type", "number"}};
  j[positive ? "exclusiveMinimum" : "minimum"] = 0;
  j["maximum"] = kMaxSeconds;
  return j;
}

Json distribution_schema() {
  auto object_with = [](const char *key, Json value) {
    return Json{{"type", "object"},
                {"properties", Json{{key, std::move(value)}}},
                {"required", Json::array({key})},
                {"additionalProperties", false}};
  };
  auto members = [](const char *a, Json sa, const char *b, Json sb) {
    return Json{{"type", "object"},
                {"properties", Json{{a, std::move(sa)}, {b, std::move(sb)}}},
                {"required", Json::array({a, b})},
                {"additionalProperties", false}};
  };
  Json one_of = Json::array();
  Json constant = seconds_schema(false);
  constant["description"] = "a constant, seconds";
  one_of.push_back(constant);
  Json sigma{{"type", "number"}, {"minimum", 0}, {"maximum", kMaxSigma}};
  Json weight{{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", kMaxWeight}};
  Json pair{{"type", "array"},
            {"prefixItems", Json::array({seconds_schema(false), weight})},
            {"items", false},
            {"minItems", 2}};
  for (const DistributionKind &row : kDistributionTable) {
    const std::string name(row.name), a(row.a), b(row.b);
    Json value;
    switch (row.kind) {
    case Distribution::Kind::kConstant:
    case Distribution::Kind::kExponential:
      value = seconds_schema(true);
      break;
    case Distribution::Kind::kUniform:
      value = Json{{"type", "array"},
                   {"prefixItems", Json::array({seconds_schema(false), seconds_schema(false)})},
                   {"items", false},
                   {"minItems", 2}};
      break;
    case Distribution::Kind::kNormal:
      value = members(a.c_str(), seconds_schema(false), b.c_str(), seconds_schema(false));
      break;
    case Distribution::Kind::kLogNormal:
      value = members(a.c_str(), seconds_schema(true), b.c_str(), sigma);
      break;
    case Distribution::Kind::kEmpirical:
      value = Json{{"type", "array"}, {"items", pair}, {"minItems", 1}};
      break;
    }
    Json family = object_with(name.c_str(), std::move(value));
    family["description"] = row.description;
    one_of.push_back(std::move(family));
  }
  return Json{{"description", "a duration in seconds: a number (constant) or a distribution"},
              {"oneOf", one_of}};
}

Json event_schema() {
  Json at{{"type", "number"},
          {"minimum", 0},
          {"description",
           "when, seconds from the start (an event at or after duration_s never happens)"}};
  auto kind = [&](const char *key, Json value) {
    return Json{{"type", "object"},
                {"properties", Json{{"at", at}, {key, std::move(value)}}},
                {"required", Json::array({"at", key})},
                {"additionalProperties", false}};
  };
  Json one_of = Json::array();
  for (const EventKind &k : kEventTable) {
    Json value;
    switch (k.value) {
    case EventKind::Value::kTrue:
      value = Json{{"const", true}};
      break;
    case EventKind::Value::kCount:
      value = Json{{"type", "integer"},
                   {"minimum", 1},
                   {"maximum", kMaxBurst},
                   {"description", k.value_says}};
      break;
    case EventKind::Value::kIndex:
      value = Json{{"type", "integer"}, {"minimum", 0}, {"description", k.value_says}};
      break;
    }
    Json event = kind(std::string(k.name).c_str(), std::move(value));
    event["description"] = k.description;
    one_of.push_back(std::move(event));
  }
  return Json{{"oneOf", std::move(one_of)}};
}

} // namespace
} // namespace internal

using internal::Json;

Parsed<Scenario> parse_scenario(std::string_view text, std::string_view origin_view,
                                const std::vector<std::string> &overrides) {
  using namespace internal;
  const std::string origin(origin_view);
  Document doc = parse_json(text);
  if (!doc.json)
    return failure(origin + ": " + doc.error);
  Json &root = *doc.json;
  if (!root.is_object())
    return failure(origin + ": expected a JSON object at the top level, got " + found(root));
  std::vector<Override> applied;
  for (auto &o : overrides)
    if (auto error = apply_override(root, o, applied))
      return failure(*error);
  Scenario s;
  if (auto p = read_document(root, s)) {
    std::string where = origin;
    // The last override that wrote this path (or an enclosing one) supplied the value.
    for (auto it = applied.rbegin(); it != applied.rend(); ++it)
      if (covers(it->path, p->path)) {
        where = "--set " + printable(it->text);
        break;
      }
    return failure(where + ": " + (p->path.empty() ? "" : p->path + ": ") + p->what);
  }
  Parsed<Scenario> r;
  r.value = std::move(s);
  return r;
}

Parsed<Scenario> load_scenario(std::string_view spec_view,
                               const std::vector<std::string> &overrides) {
  const std::string spec(spec_view);
  constexpr std::string_view kBuiltin = "builtin:";
  if (spec.starts_with(kBuiltin)) {
    const std::string name = spec.substr(kBuiltin.size());
    std::vector<std::string> names;
    for (auto &b : builtin_scenarios()) {
      if (b.name == name)
        return parse_scenario(b.json, spec, overrides);
      names.push_back(b.name);
    }
    return internal::failure(
        spec + ": unknown built-in scenario, expected one of: " + internal::plain_list(names));
  }
  Parsed<std::string> text = read_input_file(spec);
  if (!text)
    return internal::failure(text.error);
  // A report carries the scenario it ran (SPEC 6, run_scenario): running
  // the report runs that scenario again; a compare report, its first run's.
  const std::string_view body = *text.value;
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body.find("\"run_scenario\"") != std::string_view::npos) {
    Parsed<nlohmann::ordered_json> doc = parse_json_document(body, spec);
    if (doc) {
      const nlohmann::ordered_json *report = &*doc.value;
      std::string where = "run_scenario";
      if (report->is_array() && !report->empty()) {
        report = &(*report)[0];
        where = "[0].run_scenario";
      }
      if (report->is_object() && report->contains("run_scenario")) {
        const nlohmann::ordered_json &scenario = (*report)["run_scenario"];
        if (!scenario.is_object())
          return internal::failure(spec + ": " + where +
                                   ": expected the scenario the report ran (an object), got " +
                                   std::string(scenario.type_name()));
        return parse_scenario(scenario.dump(), spec + ": " + where, overrides);
      }
    }
  }
  return parse_scenario(*text.value, spec, overrides);
}

Parsed<std::string> read_input_file(const std::string &path) {
  Parsed<std::string> r;
  const auto fail = [&](const char *why) {
    r.error = path + ": cannot read file: " + why;
    return r;
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail(std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return fail(std::strerror(EISDIR));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(std::strerror(errno));
  // Read at most the bound, so that a device such as /dev/zero is an error,
  // not a hang; pipes (`<(...)`) still work.
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxInputBytes)
      return fail("larger than 64 MiB");
  }
  if (in.bad())
    return fail(std::strerror(errno));
  r.value = std::move(text);
  return r;
}

Parsed<nlohmann::ordered_json> parse_json_document(std::string_view text, std::string_view origin) {
  internal::Document doc = internal::parse_json(text);
  Parsed<nlohmann::ordered_json> r;
  if (!doc.json)
    r.error = std::string(origin) + ": " + doc.error;
  else
    r.value = std::move(*doc.json);
  return r;
}

std::string scenario_to_json(const Scenario &s) {
  using namespace internal;
  Json root = Json::object();
  for (auto top : kTopLevel) {
    if (top == "events") {
      Json events = Json::array();
      for (auto &e : s.events) {
        Json j{{"at", ns_to_seconds(e.at)}};
        const EventKind &kind = kEventTable[static_cast<std::size_t>(e.kind)];
        if (kind.value == EventKind::Value::kTrue)
          j[std::string(kind.name)] = true;
        else
          j[std::string(kind.name)] = e.value;
        events.push_back(std::move(j));
      }
      root["events"] = std::move(events);
    } else if (top == "expect") {
      Json expect = Json::array();
      for (auto &c : s.expect)
        expect.push_back(c.text);
      root["expect"] = std::move(expect);
    } else if (is_section(top)) {
      Json section = Json::object();
      for (auto &f : scenario_fields())
        if (section_of(f.path) == top)
          section[std::string(leaf_of(f.path))] = field_json(f, f.load(s));
      root[std::string(top)] = std::move(section);
    } else if (const Field *f = find_field(top)) {
      root[std::string(top)] = field_json(*f, f->load(s));
    }
  }
  // The fold of update+cas is written as its parts (name update, cas true).
  return root.dump(2, ' ', false, nlohmann::detail::error_handler_t::replace) + "\n";
}

std::string scenario_schema() {
  using namespace internal;
  Json properties = Json::object();
  for (auto top : kTopLevel) {
    if (top == "events") {
      properties["events"] = Json{{"description", "scripted node crashes and additions, submit "
                                                  "and page-view bursts, app servers joining "
                                                  "and leaving, in any order"},
                                  {"type", "array"},
                                  {"items", Json{{"$ref", "#/$defs/event"}}},
                                  {"default", Json::array()}};
    } else if (top == "expect") {
      properties["expect"] =
          Json{{"description", "expectations on the report: PATH OP NUMBER (OP one of == != < <= > "
                               ">=), joined with and; PATH a numeric report field"},
               {"type", "array"},
               {"items", Json{{"type", "string"}}},
               {"default", Json::array()}};
    } else if (is_section(top)) {
      Json section_props = Json::object();
      for (auto &f : scenario_fields())
        if (section_of(f.path) == top)
          section_props[std::string(leaf_of(f.path))] = schema_for(f);
      std::string description;
      for (auto &s : scenario_sections())
        if (s.name == top)
          description = s.description;
      properties[std::string(top)] = Json{{"description", description},
                                          {"type", "object"},
                                          {"properties", section_props},
                                          {"additionalProperties", false}};
    } else if (const Field *f = find_field(top)) {
      properties[std::string(top)] = schema_for(*f);
    }
  }
  Json required = Json::array();
  for (auto &s : scenario_sections())
    if (s.required)
      required.push_back(std::string(s.name));
  Json schema{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"$id", "https://stampede.invalid/scenario.schema.json"},
              {"title", "Stampede scenario"},
              {"description", "A scenario file for the Stampede simulator (SPEC section 2). "
                              "Generated by stampede::scenario_schema(); do not edit."},
              {"type", "object"},
              {"properties", properties},
              {"required", required},
              {"additionalProperties", false},
              {"$defs", Json{{"distribution", distribution_schema()}, {"event", event_schema()}}}};
  return schema.dump(2) + "\n";
}

} // namespace stampede
