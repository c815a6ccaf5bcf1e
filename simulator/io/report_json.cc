// Report JSON (SPEC section 6): one table names every field once, in report
// order; writing, looking up by path, and listing paths all read that table.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stampede/expectations.h"
#include "stampede/replication.h"
#include "stampede/report_fields.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace {

/// What a field holds, and so how it is written and whether it is numeric.
enum class FieldKind : std::uint8_t { kText, kCount, kReal, kLatency };

/// One report field: its dotted path as SPEC section 6 spells it, and where
/// its value lives in Report. Exactly one member pointer is set, by kind.
struct Field {
  const char *path;
  FieldKind kind;
  std::string Report::*text = nullptr;
  std::uint64_t Report::*count = nullptr;
  double Report::*real = nullptr;
  LatencySummary Report::*latency = nullptr;
  double LatencySummary::*stat = nullptr;
  const char *label = nullptr; // the words people read (tables, panels); null: the path
  int digits = 0;              // decimals where people read it (a count: none)
};

/// `f` with the words people read it by, and how many decimals they see.
constexpr Field shown(Field f, const char *label, int digits = 0) {
  f.label = label;
  f.digits = digits;
  return f;
}

constexpr Field text(const char *path, std::string Report::*m) {
  return {path, FieldKind::kText, m};
}
constexpr Field count(const char *path, std::uint64_t Report::*m) {
  return {path, FieldKind::kCount, nullptr, m};
}
constexpr Field real(const char *path, double Report::*m) {
  return {path, FieldKind::kReal, nullptr, nullptr, m};
}
constexpr Field latency(const char *path, LatencySummary Report::*m, double LatencySummary::*s) {
  return {path, FieldKind::kLatency, nullptr, nullptr, nullptr, m, s};
}

// The report's fields, in the order they are written. `expectations` is not
// here: it is a list, written last.
constexpr std::array kFields = {
    text("scenario", &Report::scenario),
    text("strategy", &Report::strategy),
    count("seed", &Report::seed),
    real("duration_s", &Report::duration_s),
    shown(count("requests.page_views", &Report::page_views), "page views"),
    shown(count("requests.submits", &Report::submits), "submits"),
    count("requests.rejected", &Report::rejected),
    count("db.reads", &Report::db_reads),
    count("db.writes", &Report::db_writes),
    count("db.reads_by_page_views", &Report::db_reads_by_page_views),
    count("db.reads_by_submits", &Report::db_reads_by_submits),
    shown(real("db.reads_per_page_view", &Report::db_reads_per_page_view), "DB reads per view", 3),
    shown(real("db.reads_per_submit", &Report::db_reads_per_submit), "DB reads per submit", 2),
    count("db.max_queue", &Report::db_max_queue),
    shown(count("db.peak_reads_per_s", &Report::db_peak_reads_per_s), "busiest second, DB reads"),
    shown(real("db.utilization", &Report::db_utilization), "DB utilisation", 3),
    count("cache.gets", &Report::cache_gets),
    count("cache.hits", &Report::cache_hits),
    count("cache.misses", &Report::cache_misses),
    shown(real("cache.hit_ratio", &Report::cache_hit_ratio), "hit ratio", 3),
    count("cache.sets", &Report::cache_sets),
    count("cache.deletes", &Report::cache_deletes),
    shown(count("cache.evictions", &Report::cache_evictions), "evictions"),
    count("cache.cas_attempts", &Report::cas_attempts),
    shown(count("cache.cas_conflicts", &Report::cas_conflicts), "CAS conflicts"),
    count("cache.cas_retries", &Report::cas_retries),
    count("cache.lease_refusals", &Report::lease_refusals),
    shown(count("cache.timeouts", &Report::cache_timeouts), "cache timeouts"),
    shown(count("cache.gutter_gets", &Report::gutter_gets), "gutter gets"),
    count("cache.gutter_hits", &Report::gutter_hits),
    shown(count("cache.fallback_gets", &Report::fallback_gets), "fallback gets"),
    shown(count("cache.fallback_hits", &Report::fallback_hits), "fallback hits"),
    count("edge.hits", &Report::edge_hits),
    count("edge.misses", &Report::edge_misses),
    real("edge.hit_ratio", &Report::edge_hit_ratio),
    shown(count("anomalies.stale_reads", &Report::stale_reads), "stale reads"),
    real("anomalies.stale_read_ratio", &Report::stale_read_ratio),
    shown(real("anomalies.max_staleness_s", &Report::max_staleness_s), "max staleness, s", 3),
    shown(count("anomalies.redundant_db_reads", &Report::redundant_db_reads), "redundant DB reads"),
    shown(count("anomalies.stampedes", &Report::stampedes), "stampedes"),
    count("anomalies.peak_concurrent_same_key", &Report::peak_concurrent_same_key),
    shown(count("anomalies.lost_updates", &Report::lost_updates), "lost updates"),
    latency("latency_ms.page_view.mean", &Report::page_view_latency, &LatencySummary::mean),
    shown(latency("latency_ms.page_view.p50", &Report::page_view_latency, &LatencySummary::p50),
          "view p50, ms", 1),
    latency("latency_ms.page_view.p90", &Report::page_view_latency, &LatencySummary::p90),
    shown(latency("latency_ms.page_view.p99", &Report::page_view_latency, &LatencySummary::p99),
          "view p99, ms", 1),
    latency("latency_ms.page_view.max", &Report::page_view_latency, &LatencySummary::max),
    latency("latency_ms.submit.mean", &Report::submit_latency, &LatencySummary::mean),
    latency("latency_ms.submit.p50", &Report::submit_latency, &LatencySummary::p50),
    latency("latency_ms.submit.p90", &Report::submit_latency, &LatencySummary::p90),
    latency("latency_ms.submit.p99", &Report::submit_latency, &LatencySummary::p99),
    latency("latency_ms.submit.max", &Report::submit_latency, &LatencySummary::max),
    count("engine.events", &Report::events),
    real("engine.wall_s", &Report::wall_s),
    real("engine.events_per_s", &Report::events_per_s),
    count("engine.arrivals", &Report::arrivals),
};

constexpr const char *kExpectationsKey = "expectations";

/// @return a field's value as a number, or nothing for text fields.
std::optional<double> numeric_value(const Field &f, const Report &r) {
  switch (f.kind) {
  case FieldKind::kText:
    return std::nullopt;
  case FieldKind::kCount:
    return static_cast<double>(r.*f.count);
  case FieldKind::kReal:
    return r.*f.real;
  case FieldKind::kLatency:
    return (r.*f.latency).*f.stat;
  }
  return std::nullopt;
}

/// A double as JSON; NaN and infinities (which JSON cannot hold, and a
/// ratio over zero requests must never produce) are written as null.
nlohmann::ordered_json real_json(double v) {
  if (!std::isfinite(v)) {
    return nullptr;
  }
  return v;
}

/// @return the object at the dotted prefix of `path` (created in order as
/// needed) and, through `leaf`, the last component.
nlohmann::ordered_json &parent_of(nlohmann::ordered_json &root, std::string_view path,
                                  std::string &leaf) {
  nlohmann::ordered_json *node = &root;
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.')) {
    node = &(*node)[std::string(path.substr(0, dot))];
    path.remove_prefix(dot + 1);
  }
  leaf.assign(path);
  return *node;
}

/// @return the table's row for `path`, or null.
const Field *find(std::string_view path) {
  for (const Field &f : kFields)
    if (path == f.path)
      return &f;
  return nullptr;
}

} // namespace

std::string report_label(std::string_view path) {
  const Field *f = find(path);
  if (f == nullptr)
    return std::string();
  return f->label != nullptr ? f->label : f->path;
}

std::string report_text(const Report &r, std::string_view path) {
  const Field *f = find(path);
  if (f == nullptr)
    return std::string();
  if (f->kind == FieldKind::kText)
    return r.*f->text;
  // A hit ratio over no gets is no number at all (the `none` strategy).
  if (f->real == &Report::cache_hit_ratio && r.cache_gets == 0)
    return "-";
  const double v = *numeric_value(*f, r);
  if (f->kind == FieldKind::kCount)
    return std::to_string(r.*f->count);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", f->digits, v);
  return buf;
}

nlohmann::ordered_json report_to_json(const Report &r) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  std::string leaf;
  for (const Field &f : kFields) {
    nlohmann::ordered_json &parent = parent_of(root, f.path, leaf);
    switch (f.kind) {
    case FieldKind::kText:
      parent[leaf] = r.*f.text;
      break;
    case FieldKind::kCount:
      parent[leaf] = r.*f.count;
      break;
    case FieldKind::kReal:
      parent[leaf] = real_json(r.*f.real);
      break;
    case FieldKind::kLatency:
      parent[leaf] = real_json((r.*f.latency).*f.stat);
      break;
    }
  }
  nlohmann::ordered_json expectations = nlohmann::ordered_json::array();
  for (const ExpectationResult &e : r.expectations) {
    nlohmann::ordered_json item = nlohmann::ordered_json::object();
    item["expr"] = e.expr;
    item["ok"] = e.ok;
    item["actual"] = real_json(e.actual);
    expectations.push_back(std::move(item));
  }
  root[kExpectationsKey] = std::move(expectations);
  return root;
}

nlohmann::ordered_json report_with_scenario(const Report &r, const Scenario &s, double warmup_s) {
  nlohmann::ordered_json j = report_to_json(r);
  if (warmup_s > 0) {
    j["warmup_s"] = warmup_s;
  }
  j["run_scenario"] = nlohmann::ordered_json::parse(scenario_to_json(s));
  return j;
}

Parsed<Report> report_from_json(const nlohmann::json &j) {
  Parsed<Report> out;
  Report r;
  for (const Field &f : kFields) {
    const nlohmann::json *node = &j;
    std::string_view rest = f.path;
    for (std::size_t dot = rest.find('.');; dot = rest.find('.')) {
      const std::string part(rest.substr(0, dot));
      if (!node->is_object() || !node->contains(part)) {
        node = nullptr;
        break;
      }
      node = &(*node)[part];
      if (dot == std::string_view::npos)
        break;
      rest.remove_prefix(dot + 1);
    }
    const bool is_real = f.kind == FieldKind::kReal || f.kind == FieldKind::kLatency;
    const bool ok =
        node != nullptr && (f.kind == FieldKind::kText    ? node->is_string()
                            : f.kind == FieldKind::kCount ? node->is_number_unsigned()
                                                          : node->is_number() || node->is_null());
    if (!ok) {
      out.error = std::string(f.path) + ": expected " +
                  (f.kind == FieldKind::kText    ? "a string"
                   : f.kind == FieldKind::kCount ? "a non-negative integer"
                                                 : "a number or null") +
                  (node == nullptr ? ", got nothing" : ", got " + node->dump());
      return out;
    }
    // null stands for a number JSON cannot hold (report_to_json's real_json).
    const double real = is_real && node->is_number() ? node->get<double>() : NAN;
    switch (f.kind) {
    case FieldKind::kText:
      r.*f.text = node->get<std::string>();
      break;
    case FieldKind::kCount:
      r.*f.count = node->get<std::uint64_t>();
      break;
    case FieldKind::kReal:
      r.*f.real = real;
      break;
    case FieldKind::kLatency:
      (r.*f.latency).*f.stat = real;
      break;
    }
  }
  out.value = std::move(r);
  return out;
}

std::optional<double> report_value(const Report &r, std::string_view path) {
  for (const Field &f : kFields) {
    if (path == f.path) {
      return numeric_value(f, r);
    }
  }
  return std::nullopt;
}

std::vector<std::string> report_paths() {
  std::vector<std::string> paths;
  paths.reserve(kFields.size());
  for (const Field &f : kFields) {
    if (f.kind != FieldKind::kText) {
      paths.emplace_back(f.path);
    }
  }
  return paths;
}

bool evaluate_expectations(Report &r, const std::vector<ExpectClause> &clauses) {
  // One run is a replication of one: its own mean, with no interval.
  ReplicatedReport one = replicate({r}, 0);
  const bool all = evaluate_expectations(one, clauses);
  r.expectations = std::move(one.expectations);
  return all;
}

std::string spread_text(const ReplicatedReport &r, std::string_view path) {
  const Field *f = find(path);
  const Spread *s = r.spread(path);
  if (f == nullptr || r.runs.empty())
    return std::string();
  if (f->kind == FieldKind::kText || s == nullptr)
    return report_text(r.runs.front(), path);
  const Spread *gets = r.spread("cache.gets");
  if (f->real == &Report::cache_hit_ratio && gets != nullptr && gets->mean == 0)
    return "-";
  // A count's mean is shown whole from 100 up and with one decimal below
  // (0.3 lost updates per run is not 0), unless every run measured the same.
  const bool varies = r.runs.size() > 1 && s->sd > 0;
  int digits = f->digits;
  if (f->kind == FieldKind::kCount)
    digits = std::fabs(s->mean) >= 100 || (!varies && s->mean == std::floor(s->mean)) ? 0 : 1;
  char buf[96];
  if (varies)
    std::snprintf(buf, sizeof buf, "%.*f +- %.*f", digits, s->mean, digits, s->half_width());
  else
    std::snprintf(buf, sizeof buf, "%.*f", digits, s->mean);
  return buf;
}

} // namespace stampede
