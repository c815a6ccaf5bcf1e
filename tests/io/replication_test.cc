// Replications (SPEC section 11): the statistics, expectations over seeds,
// the warm-up, and an M/M/c queue whose interval must cover the value
// queueing theory gives.
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stampede/expectations.h"
#include "stampede/replication.h"
#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace {

using namespace stampede;

TEST(Replication, TQuantilesAreStudents) {
  // Tables of t(0.975, df).
  EXPECT_NEAR(student_t975(1), 12.7062, 1e-4);
  EXPECT_NEAR(student_t975(2), 4.3027, 1e-4);
  EXPECT_NEAR(student_t975(9), 2.2622, 1e-4);
  EXPECT_NEAR(student_t975(29), 2.0452, 1e-4);
  EXPECT_NEAR(student_t975(100000), 1.95998, 1e-4);
  EXPECT_THROW(student_t975(0), std::invalid_argument);
}

TEST(Replication, AConstantOutputHasAnIntervalOfZeroWidth) {
  const std::vector<double> same(10, 0.1 + 0.2);
  const Spread s = spread_of(same);
  EXPECT_EQ(s.mean, 0.1 + 0.2);
  EXPECT_EQ(s.sd, 0);
  ASSERT_TRUE(s.ci95_low && s.ci95_high);
  EXPECT_EQ(*s.ci95_low, s.mean);
  EXPECT_EQ(*s.ci95_high, s.mean);
  EXPECT_EQ(s.half_width(), 0);
}

TEST(Replication, IntervalIsMeanPlusMinusTSdOverRootN) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  const Spread s = spread_of(v);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(2.5)); // sample sd, n - 1
  const double half = 2.7764451051977987 * std::sqrt(2.5) / std::sqrt(5.0);
  EXPECT_NEAR(*s.ci95_low, 3 - half, 1e-12);
  EXPECT_NEAR(*s.ci95_high, 3 + half, 1e-12);
}

TEST(Replication, OneRunHasNoInterval) {
  const std::vector<double> one = {42};
  const Spread s = spread_of(one);
  EXPECT_EQ(s.mean, 42);
  EXPECT_EQ(s.sd, 0);
  EXPECT_FALSE(s.ci95_low.has_value());
  EXPECT_EQ(s.half_width(), 0);
}

Report with_stale(std::uint64_t seed, std::uint64_t stale) {
  Report r;
  r.seed = seed;
  r.scenario = "hand-made";
  r.strategy = "clear";
  r.stale_reads = stale;
  r.page_views = 100;
  return r;
}

ExpectClause clause(const std::string &text) {
  Parsed<ExpectClause> c = parse_expect(text);
  EXPECT_TRUE(c) << text << ": " << c.error;
  return c ? *c.value : ExpectClause{};
}

TEST(Replication, ExpectationsOverSeedsFollowSpecEleven) {
  ReplicatedReport r = replicate({with_stale(1, 10), with_stale(2, 20), with_stale(3, 30)}, 0);
  EXPECT_EQ(r.seeds, (std::vector<std::uint64_t>{1, 2, 3}));
  ASSERT_NE(r.spread("anomalies.stale_reads"), nullptr);
  EXPECT_EQ(r.spread("seed"), nullptr);                              // listed, not summarised
  const double high = *r.spread("anomalies.stale_reads")->ci95_high; // 20 + 4.30 * 10 / 1.73
  EXPECT_NEAR(high, 20 + 4.302652729911275 * 10 / std::sqrt(3.0), 1e-9);

  const auto check = [&](const std::string &text) {
    return check_term(clause(text).terms.front(), r);
  };
  EXPECT_TRUE(check("mean(anomalies.stale_reads) == 20").ok);
  EXPECT_TRUE(check("anomalies.stale_reads >= 10").ok); // every run
  EXPECT_FALSE(check("anomalies.stale_reads < 30").ok); // not in seed 3's run
  EXPECT_EQ(check("anomalies.stale_reads < 30").actual, 30);
  EXPECT_NE(check("anomalies.stale_reads < 30").note.find("seed 3"), std::string::npos);
  EXPECT_TRUE(check("ci95(anomalies.stale_reads) < 45").ok);  // upper end ~44.8
  EXPECT_FALSE(check("ci95(anomalies.stale_reads) < 44").ok); // the mean is, the interval not
  EXPECT_TRUE(check("mean(anomalies.stale_reads) < 44").ok);
  EXPECT_NEAR(check("ci95(anomalies.stale_reads) < 44").actual, high, 1e-9);
  EXPECT_TRUE(check("ci95(anomalies.stale_reads) > -5").ok); // lower end ~ -4.8
  EXPECT_FALSE(check("ci95(anomalies.stale_reads) > 0").ok);
  EXPECT_TRUE(check("ci95(anomalies.stale_reads) != 100").ok);
  EXPECT_FALSE(check("ci95(anomalies.stale_reads) != 20").ok);

  EXPECT_TRUE(evaluate_expectations(r, {clause("mean(anomalies.stale_reads) > 19 and "
                                               "ci95(requests.page_views) <= 100")}));
  ASSERT_EQ(r.expectations.size(), 1u);
  EXPECT_TRUE(r.expectations.front().ok);
}

TEST(Replication, AnIntervalOfOneRunHoldsNothing) {
  Report one = with_stale(7, 0);
  EXPECT_FALSE(evaluate_expectations(one, {clause("ci95(anomalies.stale_reads) < 5")}));
  ASSERT_EQ(one.expectations.size(), 1u);
  EXPECT_NE(one.expectations.front().expr.find("two or more seeds"), std::string::npos)
      << one.expectations.front().expr;
  // One run is its own mean.
  EXPECT_TRUE(evaluate_expectations(one, {clause("mean(anomalies.stale_reads) == 0")}));
}

TEST(Replication, ParserReadsMeanAndCi95AndRefusesAnEqualInterval) {
  const ExpectClause c = clause("ci95( latency_ms.page_view.p99 ) < 20 and mean(db.reads) > 1");
  ASSERT_EQ(c.terms.size(), 2u);
  EXPECT_EQ(c.terms[0].over, Expectation::Over::kCi95);
  EXPECT_EQ(c.terms[0].path, "latency_ms.page_view.p99");
  EXPECT_EQ(c.terms[1].over, Expectation::Over::kMean);
  EXPECT_EQ(clause("db.reads > 1").terms[0].over, Expectation::Over::kEachRun);

  for (const auto &[text, needle] : std::vector<std::pair<std::string, std::string>>{
           {"ci95(db.reads) == 3", "never equal"},
           {"median(db.reads) < 3", "expected mean(PATH), ci95(PATH)"},
           {"mean(db.reads < 3", "expected \")\""},
           {"mean() < 3", "expected a report path inside mean"},
           {"mean(db.readz) < 3", "expected a numeric report path, got \"db.readz\""},
       }) {
    const Parsed<ExpectClause> bad = parse_expect(text);
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error.find(needle), std::string::npos) << text << ": " << bad.error;
  }
}

TEST(Replication, ReplicatedJsonHasSpecElevenShape) {
  ReplicatedReport r = replicate({with_stale(1, 10), with_stale(2, 20)}, 5);
  evaluate_expectations(r, {clause("mean(anomalies.stale_reads) == 15")});
  const nlohmann::ordered_json j = replicated_to_json(r);
  EXPECT_EQ(j["replications"], 2);
  EXPECT_EQ(j["seeds"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(j["warmup_s"], 5);
  EXPECT_EQ(j["mean"]["anomalies"]["stale_reads"], 15);
  EXPECT_NEAR(j["sd"]["anomalies"]["stale_reads"].get<double>(), std::sqrt(50.0), 1e-12);
  EXPECT_LT(j["ci95_low"]["anomalies"]["stale_reads"].get<double>(), 15);
  EXPECT_GT(j["ci95_high"]["anomalies"]["stale_reads"].get<double>(), 15);
  EXPECT_FALSE(j["mean"].contains("seed"));
  EXPECT_FALSE(j["mean"].contains("scenario"));
  EXPECT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][1]["seed"], 2);
  EXPECT_EQ(j["expectations"][0]["ok"], true);

  const nlohmann::ordered_json single = replicated_to_json(replicate({with_stale(1, 10)}, 0));
  EXPECT_TRUE(single["ci95_low"].is_null());
  EXPECT_TRUE(single["ci95_high"].is_null());
}

TEST(Replication, SpreadTextIsMeanPlusMinusHalfWidth) {
  const ReplicatedReport r =
      replicate({with_stale(1, 10), with_stale(2, 20), with_stale(3, 30)}, 0);
  EXPECT_EQ(spread_text(r, "anomalies.stale_reads"), "20.0 +- 24.8");
  EXPECT_EQ(spread_text(r, "requests.page_views"), "100"); // the same in every run
  EXPECT_EQ(spread_text(r, "cache.hit_ratio"), "-");       // no gets at all
  const ReplicatedReport one = replicate({with_stale(1, 10)}, 0);
  EXPECT_EQ(spread_text(one, "anomalies.stale_reads"),
            report_text(one.runs.front(), "anomalies.stale_reads"));
}

/// Runs a scenario once per seed, with a warm-up.
ReplicatedReport run_seeds(const Scenario &base, std::uint64_t n, double warmup_s) {
  std::vector<Report> runs;
  for (std::uint64_t seed = 1; seed <= n; ++seed) {
    Scenario s = base;
    s.seed = seed;
    Simulation sim(s);
    sim.set_warmup(seconds_to_ns(warmup_s));
    sim.run();
    runs.push_back(sim.report());
  }
  return replicate(std::move(runs), warmup_s);
}

// An M/M/2 queue: Poisson page views at 30/s, each one query (strategy
// none) held for an exponential 50 ms on one of 2 connections; app work and
// cache cost nothing. Erlang C: a = 1.5, rho = 0.75, P0 = 1/7, C = 9/14,
// Wq = C / (c mu - lambda) = 9/140 s, W = Wq + 1/mu = 0.1142857 s.
TEST(Replication, MMcIntervalCoversQueueingTheory) {
  Parsed<Scenario> s = parse_scenario(
      R"({"format": 1, "name": "M/M/2",
          "workload": {"kind": "open", "rate": 30, "submit_ratio": 0},
          "app": {"servers": 1, "workers": 1000, "cpu": 0},
          "cache": {"rtt": 0},
          "db": {"connections": 2, "query_latency": {"exp": 0.05}},
          "strategy": {"name": "none"}, "duration_s": 400})",
      "mmc");
  ASSERT_TRUE(s) << s.error;
  const ReplicatedReport r = run_seeds(*s.value, 20, 20);
  const Spread &w = *r.spread("latency_ms.page_view.mean");
  const double theory_ms = (9.0 / 140 + 0.05) * 1000;
  EXPECT_LE(*w.ci95_low, theory_ms) << "mean " << w.mean << " +- " << w.half_width();
  EXPECT_GE(*w.ci95_high, theory_ms) << "mean " << w.mean << " +- " << w.half_width();
  // A narrow interval, or covering would prove nothing.
  EXPECT_LT(w.half_width(), 0.05 * theory_ms);
  // The utilisation: lambda / (c mu) = 0.75.
  const Spread &u = *r.spread("db.utilization");
  EXPECT_LE(*u.ci95_low, 0.75);
  EXPECT_GE(*u.ci95_high, 0.75);
}

TEST(Replication, WarmupDiscardsTheStartOfEveryStatistic) {
  Parsed<Scenario> s = load_scenario("builtin:frontpage", {"duration_s=20", "seed=4"});
  ASSERT_TRUE(s) << s.error;
  Simulation whole(*s.value);
  whole.run();
  const Report all = whole.report();

  Simulation warm(*s.value);
  warm.set_warmup(seconds_to_ns(5));
  warm.run();
  const Report late = warm.report();

  // The same events happened; a quarter of the time is left out.
  EXPECT_EQ(late.events, all.events);
  EXPECT_LT(late.page_views, all.page_views);
  EXPECT_NEAR(static_cast<double>(late.page_views) / static_cast<double>(all.page_views), 0.75,
              0.03);
  EXPECT_LT(late.db_reads, all.db_reads);
  EXPECT_LE(late.stale_reads, all.stale_reads);
  EXPECT_LE(late.max_staleness_s, all.max_staleness_s);
  EXPECT_LE(late.page_view_latency.max, all.page_view_latency.max);
  EXPECT_GT(late.db_utilization, 0);
  EXPECT_LE(late.db_utilization, 1);

  // Stepping event by event reaches the same report as running.
  Simulation stepped(*s.value);
  stepped.set_warmup(seconds_to_ns(5));
  while (stepped.step()) {
  }
  const Report by_step = stepped.report();
  EXPECT_EQ(by_step.page_views, late.page_views);
  EXPECT_EQ(by_step.stale_reads, late.stale_reads);
  EXPECT_EQ(by_step.db_utilization, late.db_utilization);
  EXPECT_EQ(by_step.page_view_latency.p99, late.page_view_latency.p99);

  // A warm-up of 0 changes nothing.
  Simulation zero(*s.value);
  zero.set_warmup(0);
  zero.run();
  EXPECT_EQ(zero.report().page_views, all.page_views);
  EXPECT_EQ(zero.report().db_utilization, all.db_utilization);

  Simulation bad(*s.value);
  EXPECT_THROW(bad.set_warmup(seconds_to_ns(20)), std::invalid_argument);
  EXPECT_THROW(bad.set_warmup(-1), std::invalid_argument);
  bad.step();
  EXPECT_THROW(bad.set_warmup(seconds_to_ns(1)), std::logic_error);
}

// The M/M/2 queue starts empty: the first seconds' queries wait less than
// the steady state's. With a warm-up the mean wait is closer to theory.
TEST(Replication, WarmupRemovesTheEmptyStartOfAQueue) {
  Parsed<Scenario> s = parse_scenario(
      R"({"format": 1, "name": "M/M/2 short",
          "workload": {"kind": "open", "rate": 38, "submit_ratio": 0},
          "app": {"servers": 1, "workers": 1000, "cpu": 0}, "cache": {"rtt": 0},
          "db": {"connections": 2, "query_latency": {"exp": 0.05}},
          "strategy": {"name": "none"}, "duration_s": 30})",
      "mmc-short");
  ASSERT_TRUE(s) << s.error;
  const ReplicatedReport cold = run_seeds(*s.value, 20, 0);
  const ReplicatedReport warm = run_seeds(*s.value, 20, 10);
  // rho = 0.95: the queue takes many seconds to fill, so the cold start
  // pulls the mean down.
  EXPECT_LT(cold.spread("latency_ms.page_view.mean")->mean,
            warm.spread("latency_ms.page_view.mean")->mean);
}

} // namespace
