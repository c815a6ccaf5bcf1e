// The report's one table of fields: report_to_json, report_value,
// report_paths and evaluate_expectations, linked directly.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stampede/expectations.h"
#include "stampede/report_fields.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

Expectation term(const char *path, Expectation::Op op, double value) { return {path, op, value}; }

TEST(ReportPaths, ListSpecNumericFieldsInReportOrder) {
  // SPEC section 6's numeric fields, in its order, plus our additions.
  const std::vector<std::string> spec = {"seed",
                                         "duration_s",
                                         "requests.page_views",
                                         "requests.submits",
                                         "requests.rejected",
                                         "db.reads",
                                         "db.writes",
                                         "db.reads_by_page_views",
                                         "db.reads_by_submits",
                                         "db.reads_per_page_view",
                                         "db.reads_per_submit",
                                         "db.max_queue",
                                         "db.peak_reads_per_s",
                                         "db.utilization",
                                         "cache.gets",
                                         "cache.hits",
                                         "cache.misses",
                                         "cache.hit_ratio",
                                         "cache.sets",
                                         "cache.deletes",
                                         "cache.evictions",
                                         "cache.cas_attempts",
                                         "cache.cas_conflicts",
                                         "anomalies.stale_reads",
                                         "anomalies.stale_read_ratio",
                                         "anomalies.max_staleness_s",
                                         "anomalies.redundant_db_reads",
                                         "anomalies.stampedes",
                                         "anomalies.peak_concurrent_same_key",
                                         "anomalies.lost_updates",
                                         "latency_ms.page_view.mean",
                                         "latency_ms.page_view.p50",
                                         "latency_ms.page_view.p90",
                                         "latency_ms.page_view.p99",
                                         "latency_ms.page_view.max",
                                         "latency_ms.submit.mean",
                                         "latency_ms.submit.p50",
                                         "latency_ms.submit.p90",
                                         "latency_ms.submit.p99",
                                         "latency_ms.submit.max",
                                         "engine.events",
                                         "engine.wall_s",
                                         "engine.events_per_s"};
  const std::vector<std::string> paths = report_paths();
  std::size_t last = 0;
  for (const std::string &p : spec) {
    const auto it = std::find(paths.begin(), paths.end(), p);
    ASSERT_NE(it, paths.end()) << p;
    const auto at = static_cast<std::size_t>(it - paths.begin());
    EXPECT_GE(at, last) << p << " out of report order";
    last = at;
  }
  for (const char *extra : {"cache.cas_retries", "engine.arrivals"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), extra), paths.end()) << extra;
  }
  // Text fields are not numeric paths.
  EXPECT_EQ(std::find(paths.begin(), paths.end(), "scenario"), paths.end());
  EXPECT_EQ(std::find(paths.begin(), paths.end(), "strategy"), paths.end());
}

TEST(ReportValue, ReadsEachKindOfField) {
  Report r;
  r.cache_hits = 7;
  r.db_utilization = 0.25;
  r.submit_latency.p99 = 12.5;
  r.seed = 42;
  EXPECT_EQ(report_value(r, "cache.hits"), 7.0);
  EXPECT_EQ(report_value(r, "db.utilization"), 0.25);
  EXPECT_EQ(report_value(r, "latency_ms.submit.p99"), 12.5);
  EXPECT_EQ(report_value(r, "latency_ms.page_view.p99"), 0.0);
  EXPECT_EQ(report_value(r, "seed"), 42.0);
}

TEST(ReportValue, NothingForTextUnknownAndPartialPaths) {
  const Report r;
  EXPECT_FALSE(report_value(r, "scenario"));
  EXPECT_FALSE(report_value(r, "cache.nope"));
  EXPECT_FALSE(report_value(r, "cache"));
  EXPECT_FALSE(report_value(r, "latency_ms.submit"));
  EXPECT_FALSE(report_value(r, ""));
}

TEST(ReportValue, EveryPathReadsItsOwnMember) {
  // Give every numeric member a distinct value through the paths themselves:
  // each path must read a different member (no two table rows alias one).
  Report r;
  r.seed = 1;
  r.duration_s = 2;
  r.page_views = 3;
  r.submits = 4;
  r.rejected = 5;
  r.db_reads = 6;
  r.db_writes = 7;
  r.db_reads_by_page_views = 8;
  r.db_reads_by_submits = 9;
  r.db_reads_per_page_view = 10;
  r.db_reads_per_submit = 11;
  r.db_max_queue = 12;
  r.db_peak_reads_per_s = 13;
  r.db_utilization = 14;
  r.cache_gets = 15;
  r.cache_hits = 16;
  r.cache_misses = 17;
  r.cache_hit_ratio = 18;
  r.cache_sets = 19;
  r.cache_deletes = 20;
  r.cache_evictions = 21;
  r.cas_attempts = 22;
  r.cas_conflicts = 23;
  r.cas_retries = 24;
  r.lease_refusals = 25;
  r.cache_timeouts = 26;
  r.gutter_gets = 27;
  r.gutter_hits = 28;
  r.fallback_gets = 29;
  r.fallback_hits = 30;
  r.edge_hits = 31;
  r.edge_misses = 32;
  r.edge_hit_ratio = 33;
  r.stale_reads = 34;
  r.stale_read_ratio = 35;
  r.max_staleness_s = 36;
  r.redundant_db_reads = 37;
  r.stampedes = 38;
  r.peak_concurrent_same_key = 39;
  r.lost_updates = 40;
  r.page_view_latency = {41, 42, 43, 44, 45};
  r.submit_latency = {46, 47, 48, 49, 50};
  r.events = 51;
  r.wall_s = 52;
  r.events_per_s = 53;
  r.arrivals = 54;
  const std::vector<std::string> paths = report_paths();
  ASSERT_EQ(paths.size(), 54u);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(report_value(r, paths[i]), static_cast<double>(i + 1)) << paths[i];
  }
}

TEST(ReportToJson, FieldsInReportOrderWithIntegersAsIntegers) {
  Report r;
  r.scenario = "frontpage";
  r.strategy = "update+cas";
  r.page_views = 10;
  r.cache_hit_ratio = 0.1 + 0.2;
  const nlohmann::ordered_json j = report_to_json(r);
  std::vector<std::string> keys;
  for (const auto &[key, value] : j.items()) {
    keys.push_back(key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"scenario", "strategy", "seed", "duration_s",
                                            "requests", "db", "cache", "edge", "anomalies",
                                            "latency_ms", "engine", "expectations"}));
  EXPECT_TRUE(j["requests"]["page_views"].is_number_integer());
  EXPECT_TRUE(j["db"]["reads_per_page_view"].is_number_float());
  // Doubles are written as nlohmann writes them: shortest round trip.
  EXPECT_EQ(j["cache"]["hit_ratio"].dump(), "0.30000000000000004");
  EXPECT_EQ(j["strategy"], "update+cas");
  EXPECT_TRUE(j["expectations"].is_array());
  EXPECT_TRUE(j["expectations"].empty());
}

TEST(ReportToJson, NonFiniteNumbersBecomeNull) {
  Report r;
  r.db_reads_per_submit = std::nan("");
  const nlohmann::ordered_json j = report_to_json(r);
  EXPECT_TRUE(j["db"]["reads_per_submit"].is_null());
}

TEST(EvaluateExpectations, FillsResultsWithFirstFailingTermsValue) {
  Report r;
  r.page_views = 100;
  r.stale_reads = 3;
  const std::vector<ExpectClause> clauses = {
      {"requests.page_views > 0", {term("requests.page_views", Expectation::Op::kGt, 0)}},
      {"requests.page_views > 0 and anomalies.stale_reads == 0",
       {term("requests.page_views", Expectation::Op::kGt, 0),
        term("anomalies.stale_reads", Expectation::Op::kEq, 0)}},
  };
  EXPECT_FALSE(evaluate_expectations(r, clauses));
  ASSERT_EQ(r.expectations.size(), 2u);
  EXPECT_TRUE(r.expectations[0].ok);
  EXPECT_EQ(r.expectations[0].actual, 100); // the first term's value when all hold
  EXPECT_FALSE(r.expectations[1].ok);
  EXPECT_EQ(r.expectations[1].actual, 3); // the failing term's value
  EXPECT_EQ(r.expectations[1].expr, "requests.page_views > 0 and anomalies.stale_reads == 0");

  const nlohmann::ordered_json j = report_to_json(r);
  ASSERT_EQ(j["expectations"].size(), 2u);
  EXPECT_EQ(j["expectations"][1].dump(),
            R"({"expr":"requests.page_views > 0 and anomalies.stale_reads == 0","ok":false,)"
            R"("actual":3.0})");
}

TEST(EvaluateExpectations, AllHoldingReturnsTrueAndReplacesOldResults) {
  Report r;
  r.expectations.push_back({"old", false, 1});
  EXPECT_TRUE(
      evaluate_expectations(r, {{"db.reads == 0", {term("db.reads", Expectation::Op::kEq, 0)}}}));
  ASSERT_EQ(r.expectations.size(), 1u);
  EXPECT_EQ(r.expectations[0].expr, "db.reads == 0");
  EXPECT_TRUE(evaluate_expectations(r, {}));
  EXPECT_TRUE(r.expectations.empty());
}

TEST(EvaluateExpectations, UnknownPathNeverHolds) {
  Report r;
  EXPECT_FALSE(
      evaluate_expectations(r, {{"nope.x != 1", {term("nope.x", Expectation::Op::kNe, 1)}}}));
  EXPECT_FALSE(r.expectations[0].ok);
}

} // namespace
} // namespace stampede

namespace stampede {
namespace {

// One wording per field wherever people read it (issue 9, item 4): the
// command line's table and the window's panels both ask the report's table.
TEST(ReportLabel, EachFieldHasOneLabelAndItsDecimals) {
  std::set<std::string> labels;
  for (const std::string &path : report_paths())
    EXPECT_TRUE(labels.insert(report_label(path)).second) << path << ": " << report_label(path);
  EXPECT_EQ(report_label("db.reads_per_page_view"), "DB reads per view");
  EXPECT_EQ(report_label("engine.events"), "engine.events") << "no label: the path";
  EXPECT_EQ(report_label("db.nope"), "");
  Report r;
  r.strategy = "clear";
  r.db_reads_per_page_view = 0.09326;
  r.page_view_latency.p99 = 53.08;
  r.stale_reads = 741;
  EXPECT_EQ(report_text(r, "strategy"), "clear");
  EXPECT_EQ(report_text(r, "db.reads_per_page_view"), "0.093");
  EXPECT_EQ(report_text(r, "latency_ms.page_view.p99"), "53.1");
  EXPECT_EQ(report_text(r, "anomalies.stale_reads"), "741");
  EXPECT_EQ(report_text(r, "cache.hit_ratio"), "-") << "no gets: no ratio";
  r.cache_gets = 10;
  r.cache_hit_ratio = 0.9;
  EXPECT_EQ(report_text(r, "cache.hit_ratio"), "0.900");
}

// `stampede merge` reads the jobs' reports back: every field survives the
// trip through JSON exactly, and a wrong field is named.
TEST(ReportFromJson, ReadsBackWhatReportToJsonWrote) {
  Parsed<Scenario> s = load_scenario("builtin:frontpage", {"duration_s=3"});
  ASSERT_TRUE(s) << s.error;
  Simulation sim(*s.value);
  sim.run();
  const Report r = sim.report();
  const nlohmann::json j = nlohmann::json::parse(report_to_json(r).dump());
  Parsed<Report> back = report_from_json(j);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(report_to_json(*back.value).dump(), report_to_json(r).dump());
  for (const std::string &path : report_paths()) {
    EXPECT_EQ(report_value(*back.value, path), report_value(r, path)) << path;
  }

  nlohmann::json bad = j;
  bad["db"]["reads"] = -1;
  EXPECT_EQ(report_from_json(bad).error, "db.reads: expected a non-negative integer, got -1");
  bad = j;
  bad["latency_ms"]["page_view"].erase("p99");
  EXPECT_EQ(report_from_json(bad).error,
            "latency_ms.page_view.p99: expected a number or null, got nothing");
  bad = j;
  bad["cache"]["hit_ratio"] = nullptr; // JSON's stand-in for a number it cannot hold
  Parsed<Report> nan = report_from_json(bad);
  ASSERT_TRUE(nan) << nan.error;
  EXPECT_TRUE(std::isnan(nan.value->cache_hit_ratio));
}

} // namespace
} // namespace stampede
