// The Sweep tab's worker, without Qt: a sweep's bad input is a message
// naming the field and the value, never a run; its rows come in the CSV's
// order with the numbers `stampede sweep` writes; a stop ends it at once.
// Runs under ThreadSanitizer too (the tsan preset).
#include <gtest/gtest.h>

#include <charconv>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "stampede/scenario_file.h"
#include "worker/sweep_runner.h"

namespace stampede::gui {
namespace {

Scenario load(std::string_view spec, std::vector<std::string> overrides = {}) {
  auto s = load_scenario(spec, overrides);
  EXPECT_TRUE(s) << s.error;
  return *s.value;
}

struct Log {
  std::mutex mu;
  std::vector<SweepRow> rows;
  std::vector<CompareDone> dones;
  SweepRunner runner() {
    return SweepRunner(
        [this](const SweepRow &r) {
          const std::lock_guard lock(mu);
          rows.push_back(r);
        },
        [this](const CompareDone &d) {
          const std::lock_guard lock(mu);
          dones.push_back(d);
        });
  }
};

// `stampede sweep ARGS` as the command line prints it: its CSV, split.
std::vector<std::vector<std::string>> stampede_sweep_csv(const std::vector<std::string> &args) {
  std::vector<const char *> argv{"stampede", "sweep"};
  for (const std::string &a : args)
    argv.push_back(a.c_str());
  std::ostringstream out;
  std::streambuf *old = std::cout.rdbuf(out.rdbuf());
  const int status = cli_main(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old);
  EXPECT_EQ(status, kExitOk) << out.str();
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    rows.emplace_back();
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, ',');)
      rows.back().push_back(f);
  }
  return rows;
}

double number(const std::string &s) {
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

TEST(SweepRunner, RowsComeInGridOrderWithTheNumbersStampedeSweepWrites) {
  const Scenario base = load("builtin:frontpage", {"duration_s=10"});
  Parsed<SweepGrid> grid = plan_sweep(base, "strategy.ttl_s", "1, 30", {"naive", "early"}, 2);
  ASSERT_TRUE(grid) << grid.error;
  EXPECT_EQ(grid.value->rows.size(), 4u);
  Log log;
  SweepRunner runner = log.runner();
  const std::uint64_t id = runner.start(*grid.value);
  runner.wait();
  EXPECT_EQ(runner.threads(), 0u);
  ASSERT_EQ(log.rows.size(), 4u);
  ASSERT_EQ(log.dones.size(), 1u);
  EXPECT_EQ(log.dones[0].run, id);
  EXPECT_FALSE(log.dones[0].stopped);

  const auto csv =
      stampede_sweep_csv({"builtin:frontpage", "--set", "duration_s=10", "--vary",
                          "strategy.ttl_s=1,30", "--strategies", "naive,early", "--seeds", "2"});
  ASSERT_EQ(csv.size(), 5u); // the header and four rows
  const std::vector<std::string> &head = csv[0];
  const auto column = [&](const std::string &name) {
    return static_cast<std::size_t>(std::find(head.begin(), head.end(), name) - head.begin());
  };
  const std::vector<std::pair<std::string, std::string>> order = {
      {"1", "naive"}, {"1", "early"}, {"30", "naive"}, {"30", "early"}};
  for (std::size_t i = 0; i < 4; ++i) {
    const SweepRow &row = log.rows[i];
    SCOPED_TRACE("row " + std::to_string(i));
    EXPECT_EQ(row.index, i);
    EXPECT_EQ(row.count, 4u);
    EXPECT_EQ(row.value, order[i].first);
    EXPECT_EQ(row.strategy, order[i].second);
    EXPECT_TRUE(row.error.empty()) << row.error;
    EXPECT_EQ(row.replicated.seeds, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(csv[i + 1][0], order[i].first);
    EXPECT_EQ(csv[i + 1][1], order[i].second);
    for (const std::string path : {"anomalies.max_staleness_s", "db.reads_per_page_view"}) {
      const Spread *s = row.replicated.spread(path);
      ASSERT_NE(s, nullptr);
      EXPECT_DOUBLE_EQ(s->mean, number(csv[i + 1][column(path + ".mean")])) << path;
      ASSERT_TRUE(s->ci95_high.has_value());
      EXPECT_DOUBLE_EQ(*s->ci95_high, number(csv[i + 1][column(path + ".ci95_high")])) << path;
    }
  }
  // The value was applied: naive's pages live a TTL, so at 1 s none is
  // staler than a second, and at 30 s some are.
  EXPECT_LT(log.rows[0].replicated.spread("anomalies.max_staleness_s")->mean, 1.0);
  EXPECT_GT(log.rows[2].replicated.spread("anomalies.max_staleness_s")->mean, 1.0);
}

TEST(SweepRunner, AValueMayBeADistributionWithCommasInside) {
  EXPECT_EQ(split_values(R"( 0.05, {"uniform": [0.05, 0.15]} ,"a,b")"),
            (std::vector<std::string>{"0.05", R"({"uniform": [0.05, 0.15]})", R"("a,b")"}));
}

TEST(SweepRunner, AStopEndsTheSweepAtItsNextSlice) {
  const Scenario base = load("builtin:frontpage", {"duration_s=1000000"});
  Parsed<SweepGrid> grid = plan_sweep(base, "app.servers", "2, 4", {"clear"}, 3);
  ASSERT_TRUE(grid) << grid.error;
  Log log;
  {
    SweepRunner runner = log.runner();
    runner.start(*grid.value);
    EXPECT_TRUE(runner.running());
    runner.cancel();
    runner.wait();
    EXPECT_FALSE(runner.running());
  }
  EXPECT_TRUE(log.rows.empty());
  ASSERT_EQ(log.dones.size(), 1u);
  EXPECT_TRUE(log.dones[0].stopped);
}

// One bad input per case: what plan_sweep() is given, and words its message must hold.
struct BadSweep {
  const char *name;
  const char *path;
  const char *values;
  std::vector<std::string> strategies;
  std::size_t seeds;
  std::vector<std::string> said;
};

// The case's name, not its bytes, in the test's listing.
void PrintTo(const BadSweep &b, std::ostream *os) { *os << b.name; }

class SweepRunnerBadInput : public testing::TestWithParam<BadSweep> {};

TEST_P(SweepRunnerBadInput, IsAMessageNamingItAndNoGrid) {
  const BadSweep &b = GetParam();
  const Parsed<SweepGrid> grid =
      plan_sweep(load("builtin:frontpage"), b.path, b.values, b.strategies, b.seeds);
  ASSERT_FALSE(grid);
  for (const std::string &words : b.said)
    EXPECT_NE(grid.error.find(words), std::string::npos)
        << "expected \"" << words << "\" in: " << grid.error;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SweepRunnerBadInput,
    testing::Values(
        BadSweep{"UnknownField",
                 "strategy.tll_s",
                 "1, 2",
                 {"naive"},
                 1,
                 {"unknown field strategy.tll_s", "strategy.ttl_s"}},
        BadSweep{"NotANumber",
                 "strategy.ttl_s",
                 "1, abc",
                 {"naive"},
                 1,
                 {"strategy.ttl_s", "expected a number", "\"abc\""}},
        BadSweep{"OutOfRange", "strategy.ttl_s", "-1", {"naive"}, 1, {"strategy.ttl_s", "got -1"}},
        BadSweep{"EmptyValue", "strategy.ttl_s", "1,,2", {"naive"}, 1, {"no empty value"}},
        BadSweep{"NoPath", " ", "1", {"naive"}, 1, {"expected a scenario field's path"}},
        BadSweep{"TheSeed", "seed", "1, 2", {"naive"}, 1, {"Seeds"}},
        BadSweep{"TheStrategy", "strategy.name", "naive", {"naive"}, 1, {"Strategies"}},
        BadSweep{"UnknownStrategy",
                 "strategy.ttl_s",
                 "1",
                 {"naive", "nieve"},
                 1,
                 {"unknown strategy \"nieve\"", "naive"}},
        BadSweep{"NoStrategy", "strategy.ttl_s", "1", {}, 1, {"at least one strategy"}},
        BadSweep{"TooManySeeds", "strategy.ttl_s", "1", {"naive"}, 101, {"1 to 100", "101"}}),
    [](const testing::TestParamInfo<BadSweep> &info) { return std::string(info.param.name); });

} // namespace
} // namespace stampede::gui
