// A whole scenario document: events and expectations, the checks that span
// fields, `--set` overrides, then parse_scenario and load_scenario, which
// name the origin of every problem (scenario_internal.h).
#include <algorithm>
#include <utility>

#include "io/scenario_internal.h"
#include "stampede/expectations.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace stampede {
namespace internal {
namespace {

// Request slots (servers x workers) and scripted events are addressed by an
// event's 24-bit target; these bounds keep well inside it.
constexpr std::uint64_t kMaxSlots = std::uint64_t{1} << 20;
constexpr std::size_t kMaxEvents = 100000;
constexpr std::uint64_t kMaxEdgeKeys = 1000000;

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

/// Reads events[i] (at `path`) into `ev`, its time in seconds into `seconds`:
/// known fields only, `at`, and exactly one kind with its value. Node and
/// server indices are checked later, in time order.
std::optional<Problem> read_event(const Json &e, const std::string &path, ScriptedEvent &ev,
                                  double &seconds) {
  if (!e.is_object())
    return expected(path, "an object {\"at\": SECONDS, ...}", e);
  for (auto it = e.begin(); it != e.end(); ++it)
    if (std::find(std::begin(kEventFields), std::end(kEventFields), it.key()) ==
        std::end(kEventFields))
      return unknown_field(path, it.key(), plain_list(kEventFields));
  auto at = e.find("at");
  if (at == e.end())
    return Problem{path + ".at", "required field is missing"};
  // Up to the longest duration_s there is (1e6 s): later could never
  // happen, and past 9.2e9 s it would not fit the nanosecond clock.
  if (auto p = read_number(*at, path + ".at", between(0, 1e6), seconds))
    return p;
  // An event at or after duration_s is valid and never happens (the run
  // stops first): `--duration` can shorten any scenario.
  int kinds = 0;
  for (auto k : kEventKinds)
    kinds += e.contains(std::string(k)) ? 1 : 0;
  if (kinds != 1)
    return expected(path, "exactly one of " + plain_list(kEventKinds), e);
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
  case EventKind::Value::kNodes: {
    std::uint64_t n = 0;
    if (auto p = read_integer(value, value_path, 1, kMaxCacheNodes, n))
      return p;
    ev.value = static_cast<std::uint32_t>(n);
    break;
  }
  }
  return std::nullopt;
}

/// What the events before the end add up to, in file order: the nodes
/// there are and the burst requests sent.
struct EventTotals {
  std::uint64_t nodes = 0;
  std::uint64_t burst_requests = 0;
};

/// Only events before the end happen; those bound what the run holds: the
/// memcached nodes and the burst requests, counted in `totals`.
std::optional<Problem> check_event_totals(const ScriptedEvent &ev, double seconds,
                                          const Scenario &s, const std::string &path,
                                          EventTotals &totals) {
  if (seconds >= s.duration_s)
    return std::nullopt;
  if (ev.kind == ScriptedEvent::Kind::kAddNode && ++totals.nodes > kMaxCacheNodes)
    return Problem{path + "." + std::string(event_name(ScriptedEvent::Kind::kAddNode)),
                   "expected at most " + std::to_string(kMaxCacheNodes) +
                       " memcached nodes in all (cache.nodes plus the add_node events before "
                       "duration_s), got " +
                       std::to_string(totals.nodes) + " with this one"};
  if (ev.kind == ScriptedEvent::Kind::kSubmitBurst || ev.kind == ScriptedEvent::Kind::kViewBurst) {
    totals.burst_requests += ev.value;
    if (totals.burst_requests > kMaxBurstRequests)
      return Problem{path + "." + std::string(event_name(ev.kind)),
                     "expected at most " + std::to_string(kMaxBurstRequests) +
                         " burst requests in all (submit_burst plus view_burst over the events "
                         "before duration_s), got " +
                         std::to_string(totals.burst_requests) + " with this one"};
  }
  return std::nullopt;
}

/// The memcached tier's events in the order they happen (time, then file
/// order): a crash names a node of the tier then (the nodes at start, or of
/// the last migration's new tier, plus those added since); a migration needs
/// a memcached tier (not app.local_cache) and none under way; a retirement
/// needs one. Fills in the indices of `crash_node`.
std::optional<Problem> check_tier_events(const Json &j, const Scenario &s,
                                         std::vector<ScriptedEvent> &events) {
  using K = ScriptedEvent::Kind;
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < events.size(); ++k)
    if (events[k].kind == K::kAddNode || events[k].kind == K::kCrashNode ||
        events[k].kind == K::kMigrateCache || events[k].kind == K::kRetireOldCache)
      order.push_back(k);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return events[a].at < events[b].at; });
  std::uint64_t nodes = s.cache.nodes;
  std::size_t migration = SIZE_MAX; // the migration under way, if any
  bool migrated = false;            // the tier is a migration's new one
  for (const std::size_t k : order) {
    const std::string path =
        index_path("events", k) + "." + std::string(event_name(events[k].kind));
    const std::string tier_says = migrated ? " (the new tier's nodes plus nodes added since)"
                                           : " (cache.nodes plus nodes added before then)";
    switch (events[k].kind) {
    case K::kAddNode:
      // Bounded over the whole file by check_event_totals; a migration's
      // tier counts from its own size.
      if (migrated && ++nodes > kMaxCacheNodes)
        return Problem{path, "expected at most " + std::to_string(kMaxCacheNodes) +
                                 " memcached nodes in the tier (migrate_cache's nodes plus the "
                                 "add_node events after it), got " +
                                 std::to_string(nodes) + " with this one"};
      if (!migrated)
        ++nodes;
      break;
    case K::kCrashNode: {
      const Json &v = j[k][std::string(event_name(K::kCrashNode))];
      std::uint64_t index = 0;
      if (nodes == 0)
        return expected(path,
                        "a node that exists then, but none does" +
                            (migrated ? std::string(" (the tier then has no node)")
                                      : std::string(" (cache.nodes plus nodes added before "
                                                    "then is 0)")),
                        v);
      if (read_integer(v, path, 0, nodes - 1, index))
        return expected(path, "a node index < " + std::to_string(nodes) + tier_says, v);
      events[k].value = static_cast<std::uint32_t>(index);
      break;
    }
    case K::kMigrateCache:
      if (s.app.local_cache)
        return Problem{path, "a migration moves a memcached tier, but app.local_cache is true "
                             "(each app server caches in its own memory)"};
      if (migration != SIZE_MAX)
        return Problem{path, "a migration is already under way (" +
                                 index_path("events", migration) +
                                 "): retire_old_cache before the next migrate_cache"};
      migration = k;
      migrated = true;
      nodes = events[k].value;
      break;
    case K::kRetireOldCache:
      if (migration == SIZE_MAX)
        return Problem{path, "expected a migrate_cache event before it: there is no old tier "
                             "to retire"};
      migration = SIZE_MAX;
      break;
    default:
      break;
    }
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
  EventTotals totals{s.cache.nodes, 0};
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string path = index_path("events", i);
    ScriptedEvent ev;
    double seconds = 0;
    if (auto p = read_event(j[i], path, ev, seconds))
      return p;
    if (auto p = check_event_totals(ev, seconds, s, path, totals))
      return p;
    events.push_back(ev);
  }
  if (auto p = check_tier_events(j, s, events))
    return p;
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
  const std::string origin = "--set " + printable_cut(text);
  auto eq = text.find('=');
  if (eq == std::string::npos)
    return origin + ": expected PATH=VALUE (no '=')";
  std::string path = text.substr(0, eq);
  std::string value = text.substr(eq + 1);
  const Field *field = find_field(path);
  bool whole_array = path == "events" || path == "expect";
  if (!field && !whole_array)
    return origin + ": unknown field " + printable_cut(path) + ", expected one of " +
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
        where = "--set " + printable_cut(it->text);
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

} // namespace stampede
