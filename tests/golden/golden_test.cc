// Golden reports: every built-in scenario under every built-in strategy at
// seed 1, as `stampede run` writes them (the report JSON and the time series
// CSV), compared byte for byte with the files under tests/golden/reports/.
// Only the wall-clock lines (engine.wall_s, engine.events_per_s) are left out.
//
// A change that moves a number fails here and shows the first line that
// differs. When the change is meant to move it, regenerate with
// `./dev golden` and say in the commit message which numbers moved and why.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = fs::path(STAMPEDE_SOURCE_DIR) / "tests" / "golden" / "reports";

/// Set (to anything) by `./dev golden`: write the files instead of comparing.
bool updating() { return std::getenv("STAMPEDE_UPDATE_GOLDEN") != nullptr; }

struct Case {
  std::string scenario, strategy;
};

/// Every built-in strategy (the registry's, with `update+cas` after `update`).
std::vector<std::string> builtin_strategies() {
  std::vector<std::string> names;
  for (const std::string &n : stampede::StrategyRegistry::global().names()) {
    if (n.rfind("student:", 0) == 0) {
      continue;
    }
    names.push_back(n);
    if (n == "update") {
      names.push_back("update+cas");
    }
  }
  return names;
}

std::vector<Case> cases() {
  std::vector<Case> all;
  for (const stampede::BuiltinScenario &b : stampede::builtin_scenarios()) {
    for (const std::string &s : builtin_strategies()) {
      all.push_back({b.name, s});
    }
  }
  return all;
}

/// The stem of a case's files: `frontpage.update+cas` -> `frontpage.update_cas`.
std::string stem(const Case &c) {
  std::string s = c.scenario + "." + c.strategy;
  for (char &ch : s) {
    if (ch == '+') {
      ch = '_';
    }
  }
  return s;
}

std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path &p, const std::string &text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

/// The report without the lines that hold wall-clock figures.
std::string without_wall_clock(const std::string &report) {
  std::istringstream in(report);
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"wall_s\":") != std::string::npos ||
        line.find("\"events_per_s\":") != std::string::npos) {
      continue;
    }
    kept += line;
    kept += '\n';
  }
  return kept;
}

/// Where two texts first differ, as "line N: want ... / got ...".
std::string first_difference(const std::string &want, const std::string &got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int n = 1;; ++n) {
    const bool ha = static_cast<bool>(std::getline(a, la));
    const bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) {
      return "the same lines (a difference in line endings)";
    }
    if (ha != hb || la != lb) {
      return "line " + std::to_string(n) + ":\n  golden: " + (ha ? la : "(end of file)") +
             "\n  now:    " + (hb ? lb : "(end of file)");
    }
  }
}

/// Runs `stampede ARGS...` with stdin and stdout on /dev/null; its exit status.
int run_stampede(const std::vector<std::string> &args) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_RDWR);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0) {
      _exit(126);
    }
    std::vector<char *> argv{const_cast<char *>(STAMPEDE_BIN)};
    for (const std::string &a : args) {
      argv.push_back(const_cast<char *>(a.c_str()));
    }
    argv.push_back(nullptr);
    execv(STAMPEDE_BIN, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class Golden : public ::testing::TestWithParam<Case> {};

TEST_P(Golden, ReportAndTimeSeriesUnchanged) {
  const Case &c = GetParam();
  const fs::path tmp = fs::temp_directory_path() / ("stampede-golden-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  const fs::path report = tmp / (stem(c) + ".json"), series = tmp / (stem(c) + ".csv");
  // Expectations a built-in carries may fail under another strategy (exit 1).
  const int code =
      run_stampede({"run", "builtin:" + c.scenario, "--strategy", c.strategy, "--seed", "1",
                    "--report", report.string(), "--timeseries", series.string()});
  ASSERT_TRUE(code == 0 || code == 1) << "stampede run exited " << code;
  const std::string got_report = without_wall_clock(slurp(report));
  const std::string got_series = slurp(series);
  fs::remove_all(tmp);
  ASSERT_FALSE(got_report.empty());
  ASSERT_FALSE(got_series.empty());

  const fs::path want_report = kGoldenDir / (stem(c) + ".report.json");
  const fs::path want_series = kGoldenDir / (stem(c) + ".timeseries.csv");
  if (updating()) {
    spit(want_report, got_report);
    spit(want_series, got_series);
    return;
  }
  const std::string hint = "\nIf this change is meant to move the numbers, run ./dev golden and "
                           "say in the commit message which moved and why.";
  ASSERT_TRUE(fs::exists(want_report)) << want_report << " is missing." << hint;
  ASSERT_TRUE(fs::exists(want_series)) << want_series << " is missing." << hint;
  const std::string want_r = slurp(want_report), want_s = slurp(want_series);
  EXPECT_TRUE(got_report == want_r)
      << want_report.filename() << " differs at " << first_difference(want_r, got_report) << hint;
  EXPECT_TRUE(got_series == want_s)
      << want_series.filename() << " differs at " << first_difference(want_s, got_series) << hint;
}

INSTANTIATE_TEST_SUITE_P(Builtins, Golden, ::testing::ValuesIn(cases()), [](const auto &info) {
  std::string n = stem(info.param);
  for (char &ch : n) {
    if (ch == '-' || ch == '.' || ch == '+') {
      ch = '_';
    }
  }
  return n;
});

// A golden file whose case no longer exists (a renamed scenario or strategy)
// would otherwise sit there unchecked.
TEST(GoldenFiles, EveryFileHasItsCase) {
  if (updating()) {
    GTEST_SKIP() << "updating";
  }
  std::set<std::string> expected;
  for (const Case &c : cases()) {
    expected.insert(stem(c) + ".report.json");
    expected.insert(stem(c) + ".timeseries.csv");
  }
  for (const auto &entry : fs::directory_iterator(kGoldenDir)) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(expected.count(name) == 1)
        << "tests/golden/reports/" << name << " belongs to no built-in scenario and strategy";
  }
}

} // namespace
