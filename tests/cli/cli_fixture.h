// What the command-line suites share: running the built `stampede` in a
// temporary directory with its stdout, stderr and exit status captured, and
// small helpers for files and reports.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace stampede_cli_test {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void spit(const fs::path &p, const std::string &text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

inline std::vector<std::string> lines_of(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

/// Each test gets its own directory and runs the binary there.
class Cli : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "stampede-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// Runs `stampede ARGS...` in the test's directory, stdin from `stdin_from`;
  /// stdout goes to `stdout_to` when given (e.g. /dev/full), else is captured.
  Result run(const std::vector<std::string> &args, const std::string &stdout_to = "",
             const std::string &stdin_from = "/dev/null") const {
    const fs::path out = stdout_to.empty() ? dir_ / ".stdout" : fs::path(stdout_to);
    const fs::path err = dir_ / ".stderr";
    const pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) {
        _exit(126);
      }
      const int in = open(stdin_from.c_str(), O_RDONLY);
      const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) {
        _exit(126);
      }
      for (const auto &[name, value] : env_) {
        setenv(name.c_str(), value.c_str(), 1);
      }
      std::vector<char *> argv;
      argv.push_back(const_cast<char *>(STAMPEDE_BIN));
      for (const std::string &a : args) {
        argv.push_back(const_cast<char *>(a.c_str()));
      }
      argv.push_back(nullptr);
      execv(STAMPEDE_BIN, argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = stdout_to.empty() ? slurp(out) : "";
    r.err = slurp(err);
    return r;
  }

  fs::path path(const std::string &name) const { return dir_ / name; }

  fs::path dir_;
  /// Environment variables set for the runs (the student library's path, say).
  std::vector<std::pair<std::string, std::string>> env_;
};

// The smallest scenario that runs: 100 requests/s for 1 s, milliseconds of work.
inline std::string small_scenario(const std::string &extra = "") {
  return R"({"format": 1, "name": "small", "workload": {"kind": "open", "rate": 100, "submit_ratio": 0.05},
             "strategy": {"name": "clear", "warm": true}, "duration_s": 1, "seed": 3)" +
         extra + "}";
}

/// The node at a dotted path of a JSON document, or null.
inline const nlohmann::json *at_path(const nlohmann::json &j, const std::string &path) {
  const nlohmann::json *node = &j;
  std::istringstream parts(path);
  for (std::string part; std::getline(parts, part, '.');) {
    if (!node->is_object() || !node->contains(part)) {
      return nullptr;
    }
    node = &(*node)[part];
  }
  return node;
}

} // namespace stampede_cli_test
