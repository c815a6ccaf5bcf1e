// Private to io/: what the scenario files' reader, writer and schema share.
//
// Scenario files: JSON text -> a typed, validated Scenario (SPEC section 2),
// and back (scenario_to_json), plus the JSON Schema, all from one field table
// (field_table.h). The work is split by concern:
//   scenario_fields.cc  the field table: make_fields, scenario_fields, find_field
//   scenario_values.cc  messages, and reading one value: a number, an integer,
//                       a distribution, a field
//   scenario_json.cc    JSON text: reading a file, the duplicate-key SAX pass,
//                       syntax messages, parse_json_document
//   scenario_parser.cc  a whole document: events, expectations, whole-scenario
//                       checks, `--set` overrides, parse_scenario, load_scenario
//   scenario_write.cc   scenario_to_json
//   scenario_schema.cc  scenario_schema
//
// Every check reports "ORIGIN: PATH: expected WHAT, got FOUND", where ORIGIN is
// the file (or the `--set` override that supplied the value), PATH the dotted
// field path as it descends into objects and arrays, and FOUND the JSON value
// as written, truncated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "io/field_table.h"
#include "stampede/distribution.h"
#include "stampede/scenario.h"

namespace stampede::internal {

using Json = nlohmann::ordered_json;

// Distribution parameters are seconds; the bound keeps every sample (and its
// conversion to integer nanoseconds) finite, and is the longest run.
inline constexpr double kMaxSeconds = 1e6;
inline constexpr double kMaxWeight = 1e12;
inline constexpr double kMaxSigma = 5;

// The top level of a file, in order. Sections expand to their fields.
inline constexpr std::string_view kTopLevel[] = {
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
inline constexpr DistributionKind kDistributionTable[] = {
    {"exp", Distribution::Kind::kExponential, "", "", "exponential with this mean, seconds"},
    {"uniform", Distribution::Kind::kUniform, "", "", "uniform on [LO, HI], seconds, LO <= HI"},
    {"normal", Distribution::Kind::kNormal, "mean", "sd",
     "normal (mean, sd seconds), truncated at 0"},
    {"lognormal", Distribution::Kind::kLogNormal, "median", "sigma",
     "lognormal with this median (seconds) and sigma (sd of the log)"},
    {"empirical", Distribution::Kind::kEmpirical, "", "",
     "[VALUE seconds, WEIGHT] pairs; a value is drawn by weight"},
};
inline constexpr std::array<std::string_view, std::size(kDistributionTable)> kDistributionKinds =
    [] {
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
inline constexpr std::uint64_t kMaxBurst = 1000000;

// The scripted events, one row each, in ScriptedEvent::Kind's order: the
// parser, the writer and the schema all read this table.
struct EventKind {
  std::string_view name;    // the field that names the kind: {"at": S, NAME: VALUE}
  ScriptedEvent::Kind kind; // what it does
  enum class Value : std::uint8_t { kTrue, kCount, kIndex, kNodes } value; // what VALUE is
  const char *description; // the event, for the schema
  const char *value_says;  // a kCount's, kIndex's or kNodes' VALUE, for the schema
};
inline constexpr EventKind kEventTable[] = {
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
    {"migrate_cache", ScriptedEvent::Kind::kMigrateCache, EventKind::Value::kNodes,
     "a new, empty memcached tier of this many nodes comes up beside the old one: sets go to "
     "it, deletes to both, and with cache.fallback a get reads it, then the old tier",
     "number of nodes in the new tier"},
    {"retire_old_cache", ScriptedEvent::Kind::kRetireOldCache, EventKind::Value::kTrue,
     "the old memcached tier of a migration is decommissioned", nullptr},
};
inline constexpr std::size_t kEventKindCount = std::size(kEventTable);
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

inline constexpr std::array<std::string_view, kEventKindCount> kEventKinds = [] {
  std::array<std::string_view, kEventKindCount> names{};
  for (std::size_t i = 0; i < kEventKindCount; ++i)
    names[i] = kEventTable[i].name;
  return names;
}();
inline constexpr std::array<std::string_view, kEventKindCount + 1> kEventFields = [] {
  std::array<std::string_view, kEventKindCount + 1> names{"at"};
  for (std::size_t i = 0; i < kEventKindCount; ++i)
    names[i + 1] = kEventTable[i].name;
  return names;
}();

// ---------------------------------------------------------------------------
// scenario_fields.cc

NumberRange at_least(double lo);
NumberRange between(double lo, double hi);
NumberRange above(double lo, double hi);

std::string_view section_of(std::string_view path);
std::string_view leaf_of(std::string_view path);
bool is_section(std::string_view name);

// ---------------------------------------------------------------------------
// scenario_values.cc

// A problem found at a path; the origin is added at the top.
struct Problem {
  std::string path;
  std::string what;
};

std::string printable(std::string_view text);
// printable(), cut after 200 bytes with the length said: a command line's
// 100 KB path is not echoed whole into its error.
std::string printable_cut(std::string_view text);
std::string truncate(std::string s, std::size_t limit = 40);
// A JSON value as a message shows it: compact, truncated.
std::string found(const Json &j);
std::string quoted_list(const std::vector<std::string_view> &names);

template <class Names> std::string plain_list(const Names &names) {
  std::string out;
  for (auto &n : names) {
    if (!out.empty())
      out += ", ";
    out += n;
  }
  return out;
}

std::string join_path(std::string_view base, std::string_view key);
std::string index_path(std::string_view base, std::size_t i);
Problem expected(std::string path, const std::string &what, const Json &got);

std::optional<Problem> read_number(const Json &j, const std::string &path, NumberRange r,
                                   double &out);
std::optional<Problem> read_integer(const Json &j, const std::string &path, std::uint64_t lo,
                                    std::uint64_t hi, std::uint64_t &out);
std::optional<Problem> unknown_field(const std::string &path, std::string_view key,
                                     const std::string &expected_names);
std::optional<Problem> read_field(const Field &f, const Json &j, Scenario &s);
std::string top_level_names();
std::string section_field_names(std::string_view section);

// ---------------------------------------------------------------------------
// scenario_json.cc

struct Document {
  std::optional<Json> json;
  std::string error; // without origin
};

// Parses JSON text, refusing duplicate keys; the error names no origin.
Document parse_json(std::string_view text);

// ---------------------------------------------------------------------------
// scenario_write.cc

Json field_json(const Field &f, const FieldValue &v);

} // namespace stampede::internal
