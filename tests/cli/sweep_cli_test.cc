// `stampede sweep` and `stampede merge` (SPEC section 11): the grid's CSV,
// the same for any --jobs; the emitted jobs run through GNU parallel and as
// a Slurm array task by task, merged into the same CSV byte for byte; the
// plot file; bad flags.
#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace {

using namespace stampede_cli_test;

const std::vector<std::string> kSweep = {"sweep",        "builtin:frontpage",
                                         "--vary",       "strategy.ttl_s=1,5",
                                         "--vary",       "db.connections=2,4",
                                         "--strategies", "naive,clear",
                                         "--seeds",      "3",
                                         "--duration",   "4"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string> &more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// The CSV's fields, split at commas (the test's values hold none).
std::vector<std::string> fields(const std::string &line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, ',');) {
    out.push_back(f);
  }
  if (!line.empty() && line.back() == ',') {
    out.emplace_back();
  }
  return out;
}

bool on_path(const std::string &tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

TEST_F(Cli, SweepWritesARowPerCellAndStrategyInGridOrder) {
  const Result r = run(with(kSweep, {"--jobs", "2", "--csv", "a.csv"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(slurp(path("a.csv")));
  ASSERT_EQ(lines.size(), 1u + 2 * 2 * 2) << slurp(path("a.csv"));
  const std::vector<std::string> head = fields(lines[0]);
  ASSERT_GE(head.size(), 8u);
  EXPECT_EQ(head[0], "strategy.ttl_s");
  EXPECT_EQ(head[1], "db.connections");
  EXPECT_EQ(head[2], "strategy");
  EXPECT_EQ(head[3], "seeds");
  EXPECT_EQ(head[4], "duration_s.mean");
  EXPECT_EQ(head[7], "duration_s.ci95_high");
  for (const std::string &h : head) {
    EXPECT_EQ(h.rfind("engine.", 0), std::string::npos) << h; // no wall clock
  }
  // The first axis changes slowest, then the second, then the strategy.
  const std::vector<std::string> expect = {"1,2,naive", "1,2,clear", "1,4,naive", "1,4,clear",
                                           "5,2,naive", "5,2,clear", "5,4,naive", "5,4,clear"};
  for (std::size_t k = 0; k < expect.size(); ++k) {
    EXPECT_EQ(lines[k + 1].rfind(expect[k] + ",3,", 0), 0u) << lines[k + 1];
  }

  // --jobs changes nothing.
  const Result one = run(with(kSweep, {"--jobs", "1", "--csv", "b.csv"}));
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(slurp(path("a.csv")), slurp(path("b.csv")));

  // A row is the replicated run of its cell.
  const Result cell = run({"run", "builtin:frontpage", "--duration", "4", "--strategy", "clear",
                           "--set", "strategy.ttl_s=5", "--set", "db.connections=2", "--set",
                           "strategy.cas=false", "--seeds", "3", "--report", "-"});
  ASSERT_EQ(cell.code, 0) << cell.err;
  const nlohmann::json j = nlohmann::json::parse(cell.out);
  const std::vector<std::string> row = fields(lines[6]); // 5,2,clear
  const auto at = [&](const std::string &column) {
    const auto it = std::find(head.begin(), head.end(), column);
    EXPECT_NE(it, head.end()) << column;
    return row.at(static_cast<std::size_t>(it - head.begin()));
  };
  EXPECT_EQ(std::stod(at("anomalies.stale_reads.mean")),
            j["mean"]["anomalies"]["stale_reads"].get<double>());
  EXPECT_EQ(std::stod(at("db.reads.ci95_high")), j["ci95_high"]["db"]["reads"].get<double>());
}

TEST_F(Cli, SweepOfOneSeedLeavesTheIntervalEmpty) {
  const Result r =
      run({"sweep", "builtin:frontpage", "--vary", "db.connections=1,2", "--duration", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  const std::vector<std::string> row = fields(lines[1]);
  EXPECT_EQ(row[1], "clear"); // the scenario's own strategy
  EXPECT_EQ(row[2], "1");
  EXPECT_EQ(row[4], "0"); // duration_s.sd
  EXPECT_EQ(row[5], "");  // no interval
  EXPECT_EQ(row[6], "");
}

TEST_F(Cli, EmittedJobsThroughGnuParallelMergeToTheSameCsv) {
  if (!on_path("parallel")) {
    GTEST_SKIP() << "GNU parallel is not installed (./dev installs it)";
  }
  ASSERT_EQ(run(with(kSweep, {"--csv", "direct.csv"})).code, 0);
  const Result emit = run(with(kSweep, {"--emit-jobs", "jobs"}));
  ASSERT_EQ(emit.code, 0) << emit.err;
  EXPECT_NE(emit.out.find("wrote 24 jobs"), std::string::npos) << emit.out;
  EXPECT_EQ(lines_of(slurp(path("jobs/jobs.txt"))).size(), 24u);
  const nlohmann::json plan = nlohmann::json::parse(slurp(path("jobs/sweep.json")));
  EXPECT_EQ(plan["strategies"], nlohmann::json::array({"naive", "clear"}));

  // Before the jobs ran, merge says what is missing.
  const Result early = run({"merge", "jobs"});
  EXPECT_EQ(early.code, 2);
  EXPECT_NE(early.err.find("24 of 24 runs have no report yet"), std::string::npos) << early.err;

  ASSERT_EQ(std::system(("JOBS=2 " + path("jobs/parallel.sh").string() + " >/dev/null").c_str()),
            0);
  EXPECT_TRUE(fs::exists(path("jobs/runs/3-clear-3.json")));
  const Result merged = run({"merge", "jobs", "--csv", "merged.csv"});
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_EQ(slurp(path("merged.csv")), slurp(path("direct.csv")));
}

TEST_F(Cli, SlurmArrayTasksRunOneLineEachAndMergeToTheSameCsv) {
  const std::vector<std::string> small = {
      "sweep",      "builtin:frontpage", "--vary", "db.connections=1,3", "--strategies",
      "none,clear", "--seeds",           "2",      "--duration",         "2"};
  ASSERT_EQ(run(with(small, {"--csv", "direct.csv"})).code, 0);
  ASSERT_EQ(run(with(small, {"--emit-jobs", "slurm"})).code, 0);
  const std::string script = slurp(path("slurm/slurm.sbatch"));
  EXPECT_NE(script.find("#SBATCH --array=1-8"), std::string::npos) << script;
  // As Slurm would: each task of the array with its SLURM_ARRAY_TASK_ID.
  for (int task = 1; task <= 8; ++task) {
    const std::string cmd = "SLURM_ARRAY_TASK_ID=" + std::to_string(task) + " bash " +
                            path("slurm/slurm.sbatch").string() + " >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  EXPECT_NE(std::system(("SLURM_ARRAY_TASK_ID=9 bash " + path("slurm/slurm.sbatch").string() +
                         " 2>/dev/null")
                            .c_str()),
            0); // no ninth line
  const Result merged = run({"merge", "slurm"});
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_EQ(merged.out, slurp(path("direct.csv")));

  // A report that is not this sweep's is named.
  spit(path("slurm/runs/0-none-1.json"), slurp(path("slurm/runs/0-none-2.json")));
  const Result wrong = run({"merge", "slurm"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("0-none-1.json: seed: expected 1, got 2"), std::string::npos)
      << wrong.err;
  spit(path("slurm/runs/0-none-1.json"), "{\"scenario\": ");
  EXPECT_NE(run({"merge", "slurm"}).err.find("not a report"), std::string::npos);
}

// Through a real Slurm, where one answers on this machine (a single-node
// cluster: slurmctld and slurmd); skipped elsewhere, CI included.
TEST_F(Cli, ARealSlurmRunsTheArrayWhenOneIsUp) {
  if (!on_path("sbatch") || std::system("timeout 5 sinfo -h -o %a 2>/dev/null | grep -q up") != 0) {
    GTEST_SKIP() << "no Slurm cluster answers here (sinfo)";
  }
  const std::vector<std::string> small = {
      "sweep", "builtin:frontpage", "--vary", "db.connections=2,4", "--strategies",
      "clear", "--seeds",           "2",      "--duration",         "2"};
  ASSERT_EQ(run(with(small, {"--csv", "direct.csv"})).code, 0);
  ASSERT_EQ(run(with(small, {"--emit-jobs", "real"})).code, 0);
  const std::string cmd =
      "timeout 300 sbatch --wait --quiet " + path("real/slurm.sbatch").string() + " >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const Result merged = run({"merge", "real"});
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_EQ(merged.out, slurp(path("direct.csv")));
}

#ifdef STAMPEDE_HAVE_PLOT
TEST_F(Cli, SweepPlotsPngAndSvg) {
  const std::vector<std::string> small = {
      "sweep",      "builtin:frontpage", "--vary", "db.connections=1,2,4", "--strategies",
      "none,clear", "--seeds",           "3",      "--duration",           "3"};
  const Result png =
      run(with(small, {"--plot", "p.png", "--y", "latency_ms.page_view.p99", "--csv", "p.csv"}));
  ASSERT_EQ(png.code, 0) << png.err;
  const std::string bytes = slurp(path("p.png"));
  ASSERT_GT(bytes.size(), 5000u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_FALSE(lines_of(slurp(path("p.csv"))).empty());

  const Result svg = run(with(small, {"--plot", "p.svg", "--y", "anomalies.stale_reads"}));
  ASSERT_EQ(svg.code, 0) << svg.err;
  const std::string text = slurp(path("p.svg"));
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("clear"), std::string::npos); // the legend names the lines
  EXPECT_TRUE(fs::exists(path("p.svg.csv")));       // the CSV it was drawn from
}
#endif

struct SweepFlagCase {
  std::vector<std::string> args;
  std::string needle;
};

class CliSweepFlags : public Cli, public ::testing::WithParamInterface<SweepFlagCase> {};

TEST_P(CliSweepFlags, ExitTwoNamingWhatIsWrong) {
  const Result r = run(GetParam().args);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(GetParam().needle), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Bad, CliSweepFlags,
    ::testing::Values(
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "db.conections=1,2"},
                      "db.conections"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "db.connections=1,x"},
                      "--vary db.connections=1,x: --set db.connections=x: db.connections: expected "
                      "an integer"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "db.connections=1,,2"},
                      "no empty value"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "seed=1,2"}, "--seeds N"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "strategy.name=a,b"},
                      "--strategies"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "db.connections=1", "--vary",
                       "db.connections=2"},
                      "varied twice"},
        SweepFlagCase{
            {"sweep", "builtin:frontpage", "--vary", "db.connections=1", "--strategies", "nope"},
            "unknown strategy \"nope\""},
        SweepFlagCase{
            {"sweep", "builtin:frontpage", "--vary", "db.connections=1", "--plot", "x.png"},
            "--plot: expected --y PATH too"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "db.connections=1", "--plot",
                       "x.gif", "--y", "db.reads"},
                      "ending in .png or .svg"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--vary", "db.connections=1", "--plot",
                       "x.png", "--y", "engine.wall_s"},
                      "--y: expected a numeric report path"},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--plot", "x.png", "--y", "db.reads"},
                      "give --vary PATH="},
        SweepFlagCase{{"sweep", "builtin:frontpage", "--jobs", "0"}, "--jobs"},
        SweepFlagCase{{"merge", "nowhere"}, "nowhere/sweep.json: cannot read the sweep's plan"}));

} // namespace
