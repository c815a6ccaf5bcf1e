// The compare view's worker, without Qt: rows in order with the numbers
// `stampede compare [--seeds N]` prints, and stops and restarts that never
// wait for a simulation and leave no thread behind. Runs under ThreadSanitizer too
// (./dev test, the tsan preset).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli.h"
#include "stampede/compare_table.h"
#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"
#include "worker/compare_runner.h"

namespace stampede::gui {
namespace {

Scenario load(std::string_view spec, std::vector<std::string> overrides = {}) {
  auto s = load_scenario(spec, overrides);
  EXPECT_TRUE(s) << s.error;
  return *s.value;
}

// What the runner reports, in the order it arrives, from its threads. With
// `gate` closed, the first row's callback blocks until open() (the runner
// is then mid-run, deterministically).
struct Log {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events; // "1 row 0 none", "1 seed 0 2/3", "1 done 6", "1 stopped 1"
  std::vector<CompareRow> rows;
  std::vector<CompareDone> dones;
  bool gate_closed = false;
  bool blocked = false;      // a row's callback waits at the gate
  bool gate_on_seed = false; // the gate is at the first seed's end, not the first row

  void row(const CompareRow &r) {
    std::unique_lock lock(mu);
    events.push_back(std::to_string(r.run) + " row " + std::to_string(r.index) + " " + r.strategy);
    rows.push_back(r);
    if (!gate_on_seed)
      wait_at_gate(lock);
  }
  void seed(const CompareProgress &p) {
    std::unique_lock lock(mu);
    events.push_back(std::to_string(p.run) + " seed " + std::to_string(p.index) + " " +
                     std::to_string(p.seeds_done) + "/" + std::to_string(p.seeds));
    if (gate_on_seed)
      wait_at_gate(lock);
  }
  // Caller holds the lock.
  void wait_at_gate(std::unique_lock<std::mutex> &lock) {
    if (gate_closed) {
      blocked = true;
      cv.notify_all();
      cv.wait(lock, [this] { return !gate_closed; });
      blocked = false;
    }
  }
  void done(const CompareDone &d) {
    const std::lock_guard lock(mu);
    events.push_back(std::to_string(d.run) + (d.stopped ? " stopped " : " done ") +
                     std::to_string(d.rows));
    dones.push_back(d);
    cv.notify_all();
  }
  void wait_blocked() {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return blocked; });
  }
  void open() {
    const std::lock_guard lock(mu);
    gate_closed = false;
    cv.notify_all();
  }
  std::vector<std::string> seen() {
    const std::lock_guard lock(mu);
    return events;
  }
  CompareRunner runner() {
    return CompareRunner([this](const CompareRow &r) { row(r); },
                         [this](const CompareDone &d) { done(d); });
  }
  CompareRunner runner_with_seeds() {
    return CompareRunner([this](const CompareRow &r) { row(r); },
                         [this](const CompareDone &d) { done(d); },
                         [this](const CompareProgress &p) { seed(p); });
  }
};

std::string stampede_compare_stdout(const std::vector<std::string> &args) {
  std::vector<const char *> argv{"stampede", "compare"};
  for (const std::string &a : args)
    argv.push_back(a.c_str());
  std::ostringstream out;
  std::streambuf *old = std::cout.rdbuf(out.rdbuf());
  const int status = cli_main(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old);
  EXPECT_EQ(status, kExitOk) << out.str();
  return out.str();
}

TEST(CompareRunner, RowsArriveInOrderWithTheNumbersStampedeComparePrints) {
  Log log;
  CompareRunner runner = log.runner();
  const std::uint64_t id = runner.start(load("builtin:frontpage"), lecture_strategies());
  runner.wait();
  EXPECT_FALSE(runner.running());
  EXPECT_EQ(runner.threads(), 0u);

  const auto &names = lecture_strategies();
  ASSERT_EQ(log.rows.size(), names.size());
  std::vector<Report> reports;
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(log.rows[i].run, id);
    EXPECT_EQ(log.rows[i].index, i);
    EXPECT_EQ(log.rows[i].count, names.size());
    EXPECT_EQ(log.rows[i].strategy, names[i]);
    EXPECT_EQ(log.rows[i].report.strategy, names[i]); // `update` ran without cas
    reports.push_back(log.rows[i].report);
  }
  ASSERT_EQ(log.dones.size(), 1u);
  EXPECT_EQ(log.dones[0].run, id);
  EXPECT_EQ(log.dones[0].rows, names.size());
  EXPECT_FALSE(log.dones[0].stopped);
  // The same table, cell for cell, as `stampede compare builtin:frontpage`.
  const std::string table = format_compare_table(reports);
  const std::string printed = stampede_compare_stdout({"builtin:frontpage", "--table"});
  EXPECT_NE(printed.find(table), std::string::npos) << "runner:\n"
                                                    << table << "stampede compare:\n"
                                                    << printed;
  EXPECT_EQ(compare_cells(reports[2])[6], "99"); // clear's stampedes, as in the README
}

TEST(CompareRunner, OneSeedIsOneRunWhoseReplicatedReportIsItsReport) {
  Log log;
  CompareRunner runner = log.runner();
  runner.start(load("builtin:frontpage", {"duration_s=5"}), {"clear"});
  runner.wait();
  ASSERT_EQ(log.rows.size(), 1u);
  const CompareRow &row = log.rows[0];
  ASSERT_EQ(row.replicated.runs.size(), 1u);
  EXPECT_EQ(row.replicated.seeds, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(report_value(row.report, "anomalies.stale_reads"),
            report_value(row.replicated.runs[0], "anomalies.stale_reads"));
  // One run: no interval, so the table's cells are the report's own.
  EXPECT_FALSE(row.replicated.spread("anomalies.stale_reads")->ci95_low.has_value());
}

TEST(CompareRunner, ThreeSeedsGiveTheSpreadsStampedeCompareSeeds3Prints) {
  Log log;
  CompareRunner runner = log.runner_with_seeds();
  const std::uint64_t id =
      runner.start(load("builtin:frontpage", {"duration_s=10"}), {"naive", "clear"}, 3);
  runner.wait();
  ASSERT_EQ(log.rows.size(), 2u);
  std::vector<ReplicatedReport> reports;
  for (const CompareRow &row : log.rows) {
    // Seeds 1, 2, 3: the scenario's seed counting up, as --seeds 3 runs them.
    EXPECT_EQ(row.replicated.seeds, (std::vector<std::uint64_t>{1, 2, 3}));
    ASSERT_EQ(row.replicated.runs.size(), 3u);
    EXPECT_EQ(row.report.seed, 1u); // the first seed's report
    EXPECT_EQ(row.replicated.strategy, row.strategy);
    reports.push_back(row.replicated);
  }
  // A seed's end is reported before its row, three per row.
  EXPECT_EQ(log.seen(), (std::vector<std::string>{"1 seed 0 1/3", "1 seed 0 2/3", "1 seed 0 3/3",
                                                  "1 row 0 naive", "1 seed 1 1/3", "1 seed 1 2/3",
                                                  "1 seed 1 3/3", "1 row 1 clear", "1 done 2"}));
  EXPECT_EQ(log.dones.at(0).run, id);
  // The same table, cell for cell, as the command line over the same seeds.
  const std::string table = format_compare_table(reports);
  const std::string printed =
      stampede_compare_stdout({"builtin:frontpage", "--set", "duration_s=10", "--strategies",
                               "naive,clear", "--seeds", "3", "--table"});
  EXPECT_NE(printed.find(table), std::string::npos) << "runner:\n"
                                                    << table << "stampede compare:\n"
                                                    << printed;
  // The seeds differ, so clear's stale reads have an interval of some width.
  EXPECT_NE(compare_cells(reports[1])[3].find(" +- "), std::string::npos);
}

TEST(CompareRunner, AStopBetweenSeedsLeavesNoRowForTheSeedsCutShort) {
  Log log;
  CompareRunner runner = log.runner_with_seeds();
  log.gate_on_seed = true;
  log.gate_closed = true;
  runner.start(load("builtin:frontpage", {"duration_s=5"}), {"naive", "clear"}, 3);
  log.wait_blocked(); // the first seed of naive has ended; its second has not begun
  runner.cancel();
  log.open();
  runner.wait();
  EXPECT_EQ(log.seen(), (std::vector<std::string>{"1 seed 0 1/3", "1 stopped 0"}));
}

TEST(CompareRunner, JobsCarryTheirLabelAndRunTheirOwnScenario) {
  Log log;
  CompareRunner runner = log.runner();
  Scenario one = load("builtin:frontpage", {"duration_s=2"});
  Scenario two = load("builtin:frontpage", {"duration_s=4", "seed=7"});
  runner.start({CompareJob{"clear", one, "a"}, CompareJob{"clear", two, "b"}}, 2);
  runner.wait();
  ASSERT_EQ(log.rows.size(), 2u);
  EXPECT_EQ(log.rows[0].label, "a");
  EXPECT_EQ(log.rows[1].label, "b");
  EXPECT_EQ(log.rows[1].replicated.seeds, (std::vector<std::uint64_t>{7, 8}));
  EXPECT_EQ(log.rows[0].report.duration_s, 2.0);
  EXPECT_EQ(log.rows[1].report.duration_s, 4.0);
}

TEST(CompareRunner, AStrategyThatThrowsIsARowNamingItAndTheNextStillRuns) {
  Log log;
  CompareRunner runner = log.runner();
  runner.start(load("builtin:frontpage", {"duration_s=2"}), {"no-such", "naive"});
  runner.wait();
  ASSERT_EQ(log.rows.size(), 2u);
  EXPECT_EQ(log.rows[0].report.strategy, "no-such: unknown strategy: no-such");
  EXPECT_TRUE(log.rows[0].failed());
  EXPECT_EQ(log.rows[1].report.strategy, "naive");
  EXPECT_FALSE(log.rows[1].failed());
  EXPECT_GT(log.rows[1].report.page_views, 0u);
  EXPECT_EQ(log.seen().back(), "1 done 2");
}

// A strategy that breaks the contract in its first view as a student's
// (hosted) strategy is reported: a StudentFault, whose sentence names it.
class FaultsAtOnce final : public Strategy {
public:
  void view(Context &, Request &r) override {
    throw StudentFault("test:faults: view() of request #", r.id, " (step 0) answered it twice");
  }
  void submit(Context &ctx, Request &r) override { ctx.db_insert(r); }
  void resume(Context &ctx, Request &r, const Reply &) override { ctx.respond(r); }
};

TEST(CompareRunner, AStudentsFaultIsItsRowsSentenceAndTheOthersStillRun) {
  StrategyRegistry::global().add(
      "test:faults",
      [](const StrategyConfig &) -> std::unique_ptr<Strategy> {
        return std::make_unique<FaultsAtOnce>();
      },
      "breaks the contract in its first view");
  Log log;
  CompareRunner runner = log.runner();
  runner.start(load("builtin:frontpage", {"duration_s=2"}), {"naive", "test:faults", "clear"});
  runner.wait();
  ASSERT_EQ(log.rows.size(), 3u);
  EXPECT_FALSE(log.rows[0].failed());
  EXPECT_TRUE(log.rows[1].failed());
  // The sentence as the run threw it (its request named by serial), and
  // the strategy's name once, not twice.
  EXPECT_EQ(log.rows[1].error, "test:faults: view() of request #0 (step 0) answered it twice");
  EXPECT_EQ(log.rows[1].report.strategy, log.rows[1].error);
  EXPECT_FALSE(log.rows[2].failed());
  EXPECT_TRUE(log.rows[2].error.empty());
  EXPECT_GT(log.rows[2].report.page_views, 0u);
}

TEST(CompareRunner, CancelReturnsAtOnceAndLeavesNoThreadRunning) {
  Log log;
  CompareRunner runner = log.runner();
  log.gate_closed = true;
  runner.start(load("builtin:frontpage", {"duration_s=5"}), lecture_strategies());
  log.wait_blocked(); // the runner's thread is inside the first row's callback
  runner.cancel();    // and cancel does not wait for it
  EXPECT_TRUE(runner.running());
  log.open();
  runner.wait();
  EXPECT_FALSE(runner.running());
  EXPECT_EQ(runner.threads(), 0u);
  EXPECT_EQ(log.seen(), (std::vector<std::string>{"1 row 0 none", "1 stopped 1"}));
}

TEST(CompareRunner, CancelStopsALongRunAtItsNextSlice) {
  // A million simulated seconds would take minutes; a stop ends it within
  // one slice (a simulated second, milliseconds of wall time).
  Log log;
  CompareRunner runner = log.runner();
  runner.start(load("builtin:frontpage", {"duration_s=1000000"}), {"clear"});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto t0 = std::chrono::steady_clock::now();
  runner.cancel();
  runner.wait();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("stopped in %.3f s\n", s);
  EXPECT_LT(s, 10.0); // generous: a loaded 2-core machine under ThreadSanitizer
  EXPECT_EQ(runner.threads(), 0u);
  EXPECT_EQ(log.seen(), (std::vector<std::string>{"1 stopped 0"})); // no row for a cut run
}

TEST(CompareRunner, DestroyingItStopsTheRunAndJoins) {
  Log log;
  {
    CompareRunner runner = log.runner();
    runner.start(load("builtin:frontpage", {"duration_s=1000000"}), {"none", "naive"});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(log.seen(), (std::vector<std::string>{"1 stopped 0"}));
}

TEST(CompareRunner, StartingAgainStopsTheOldRunWithoutWaitingAndRunsOneAtATime) {
  Log log;
  CompareRunner runner = log.runner();
  const Scenario s = load("builtin:frontpage", {"duration_s=5"});
  log.gate_closed = true;
  EXPECT_EQ(runner.start(s, lecture_strategies()), 1u);
  log.wait_blocked();
  // Run 1's thread is stuck in its first row; starting again returns anyway.
  EXPECT_EQ(runner.start(s, {"naive", "clear"}), 2u);
  EXPECT_TRUE(runner.running());
  EXPECT_EQ(runner.threads(), 2u);
  log.open();
  runner.wait();
  EXPECT_EQ(runner.threads(), 0u);
  // Run 2 began only once run 1 had ended: never two simulations at once.
  EXPECT_EQ(log.seen(), (std::vector<std::string>{"1 row 0 none", "1 stopped 1", "2 row 0 naive",
                                                  "2 row 1 clear", "2 done 2"}));
}

} // namespace
} // namespace stampede::gui
