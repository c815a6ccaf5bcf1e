// Student code is the student's (SPEC sections 5 and 10): a strategy from
// the student library runs in a process of its own, and each way it can
// break the strategy contract ends the run with exit 2 and a sentence that
// names `student:NAME`, the callback, the request and its step. A library
// that cannot load breaks only the commands that use it.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace {

using namespace stampede_cli_test;

class StudentFaults : public Cli {
protected:
  // `stampede run builtin:frontpage --strategy student:NAME` for 15 s of
  // simulated time (a view left unanswered is noticed after 10 s).
  Result run_strategy(const std::string &name,
                      const std::string &lib = STAMPEDE_HOSTILE_STUDENT_LIB) {
    env_ = {{"STAMPEDE_STUDENT_LIB", lib}};
    const auto t0 = std::chrono::steady_clock::now();
    Result r =
        run({"run", "builtin:frontpage", "--strategy", "student:" + name, "--duration", "15"});
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }
  double seconds_ = 0;
};

#define EXPECT_FAULT(result, words)                                                                \
  do {                                                                                             \
    EXPECT_EQ((result).code, 2) << (result).err;                                                   \
    EXPECT_NE((result).err.find(words), std::string::npos) << (result).err;                        \
    EXPECT_EQ((result).err.find("internal error"), std::string::npos) << (result).err;             \
  } while (0)

TEST_F(StudentFaults, AHostedStrategyGivesTheBuiltInsReport) {
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_HOSTILE_STUDENT_LIB}};
  const Result mine =
      run({"run", "builtin:frontpage", "--strategy", "student:naive", "--report", "-"});
  ASSERT_EQ(mine.code, 0) << mine.err;
  const Result builtin = run({"run", "builtin:frontpage", "--strategy", "naive", "--report", "-"});
  ASSERT_EQ(builtin.code, 0) << builtin.err;
  auto a = nlohmann::json::parse(mine.out), b = nlohmann::json::parse(builtin.out);
  for (auto *j : {&a, &b}) {
    j->erase("engine");
    j->erase("strategy");
    (*j)["run_scenario"]["strategy"].erase("name");
  }
  EXPECT_EQ(a, b);
}

TEST_F(StudentFaults, AnsweringTwice) {
  EXPECT_FAULT(run_strategy("twice"), "stampede: student:twice: view() of request #0 (step 0) "
                                      "answered it twice");
}

TEST_F(StudentFaults, NeverAnswering) {
  EXPECT_FAULT(run_strategy("never"),
               "student:never: view() of request #0 (step 0) returned without an operation or an "
               "answer, and nothing answered it in the 10 s that followed (");
}

TEST_F(StudentFaults, TwoOperationsInOneCallback) {
  EXPECT_FAULT(run_strategy("two_ops"),
               "student:two_ops: view() of request #0 (step 0) issued two operations (cache get, "
               "then db read)");
}

TEST_F(StudentFaults, ASegfault) {
  EXPECT_FAULT(run_strategy("segfault"),
               "student:segfault: crashed (SIGSEGV) in resume() of request #0 after its cache get "
               "(step 1)");
}

TEST_F(StudentFaults, AThrow) {
  EXPECT_FAULT(run_strategy("throws"), "student:throws: view() of request #0 (step 0) threw int");
}

TEST_F(StudentFaults, AnAbort) {
  EXPECT_FAULT(run_strategy("aborts"),
               "student:aborts: crashed (SIGABRT) in view() of request #0 (step 0)");
}

TEST_F(StudentFaults, AnExit) {
  EXPECT_FAULT(run_strategy("exits"),
               "student:exits: exited (status 0) in view() of request #0 (step 0)");
}

TEST_F(StudentFaults, AnEndlessLoopWithinTheTimeLimit) {
  EXPECT_FAULT(run_strategy("loops"),
               "student:loops: did not return from view() of request #0 within 2 s (an endless "
               "loop?)");
  EXPECT_LT(seconds_, 10.0);
}

TEST_F(StudentFaults, ForgedFields) {
  EXPECT_FAULT(run_strategy("forges_key"),
               "student:forges_key: view() of request #0 (step 0) changed r.key (0 to 4294967295), "
               "which only the simulator may set");
  EXPECT_FAULT(run_strategy("forges_server"),
               "student:forges_server: view() of request #0 (step 0) changed r.server (0 to 7)");
  EXPECT_FAULT(run_strategy("forges_page"),
               "student:forges_page: view() of request #0 (step 0) put a page into r.page that no "
               "cache call or query returned");
}

TEST_F(StudentFaults, CompareKeepsTheOtherRows) {
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_HOSTILE_STUDENT_LIB}};
  const Result r = run({"compare", "builtin:frontpage", "--strategies", "naive,student:twice,clear",
                        "--duration", "5", "--table"});
  EXPECT_FAULT(r, "student:twice: view() of request #0 (step 0) answered it twice");
  EXPECT_NE(r.out.find("naive"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("clear"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("student:twice: FAILED"), std::string::npos) << r.out;
}

TEST_F(StudentFaults, SweepNamesTheRun) {
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_HOSTILE_STUDENT_LIB}};
  const Result r = run({"sweep", "builtin:frontpage", "--vary", "db.connections=2,4",
                        "--strategies", "student:segfault", "--duration", "2", "--csv", "out.csv"});
  EXPECT_FAULT(r, "(student:segfault, seed 1): student:segfault: crashed (SIGSEGV) in resume()");
}

TEST_F(StudentFaults, TestErrsOnTheStudentsCaseAndRunsTheOthers) {
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_HOSTILE_STUDENT_LIB}};
  std::filesystem::create_directory(path("cases"));
  // small_scenario() runs clear: the same file under the student's strategies.
  const auto with = [](const std::string &strategy) {
    std::string text = small_scenario(R"(, "expect": ["requests.page_views > 0"])");
    const std::string clear = R"("name": "clear")";
    return text.replace(text.find(clear), clear.size(), R"("name": ")" + strategy + "\"");
  };
  spit(path("cases/a-twice.json"), with("student:twice"));
  spit(path("cases/b-naive.json"), with("student:naive"));
  const Result r = run({"test", "cases"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("ERROR"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("student:twice: view() of request #"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 passed"), std::string::npos) << r.out;
}

TEST_F(StudentFaults, ABrokenLibraryBreaksOnlyTheCommandsThatUseIt) {
  for (const char *lib : {STAMPEDE_THROWING_STUDENT_LIB, STAMPEDE_CRASHING_STUDENT_LIB}) {
    env_ = {{"STAMPEDE_STUDENT_LIB", lib}};
    const Result version = run({"--version"});
    EXPECT_EQ(version.code, 0) << version.err;
    const Result builtin = run({"run", "builtin:frontpage", "--duration", "2"});
    EXPECT_EQ(builtin.code, 0) << builtin.err;
    const Result student = run({"run", "builtin:frontpage", "--strategy", "student:x"});
    EXPECT_EQ(student.code, 2) << student.err;
    EXPECT_NE(student.err.find("the student library did not load"), std::string::npos)
        << student.err;
  }
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_THROWING_STUDENT_LIB}};
  EXPECT_NE(run({"run", "builtin:frontpage", "--strategy", "student:x"})
                .err.find("threw std::runtime_error: my registration failed while it was loaded"),
            std::string::npos);
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_CRASHING_STUDENT_LIB}};
  EXPECT_NE(
      run({"run", "builtin:frontpage", "--strategy", "student:x"}).err.find("crashed (SIGSEGV)"),
      std::string::npos);
}

TEST_F(StudentFaults, TheSandboxKeepsTheFileSystemReadOnly) {
  const std::string mark = path("escaped").string();
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_HOSTILE_STUDENT_LIB}, {"STAMPEDE_ESCAPE_FILE", mark}};
  const Result r =
      run({"run", "builtin:frontpage", "--strategy", "student:escapes", "--duration", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  if (r.err.find("without a sandbox") != std::string::npos)
    GTEST_SKIP() << "bubblewrap cannot start here: " << r.err;
  EXPECT_FALSE(std::filesystem::exists(mark)) << "the student's code wrote " << mark;
}

TEST_F(StudentFaults, WithoutTheSandboxRootsHostRunsAsNobody) {
  if (geteuid() != 0)
    GTEST_SKIP() << "only root's hosts change user";
  namespace fs = std::filesystem;
  for (fs::path at = STAMPEDE_HOSTILE_STUDENT_LIB; at != at.root_path(); at = at.parent_path())
    if ((fs::status(at).permissions() & fs::perms::others_read) == fs::perms::none)
      GTEST_SKIP() << at << " is not readable by nobody: the host keeps root's user";
  const std::string mark = path("escaped").string(); // in a folder only root may write
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_HOSTILE_STUDENT_LIB},
          {"STAMPEDE_ESCAPE_FILE", mark},
          {"STAMPEDE_NO_SANDBOX", "1"}};
  const Result r =
      run({"run", "builtin:frontpage", "--strategy", "student:escapes", "--duration", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("as the user nobody where it can read the code"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(mark)) << "the student's code wrote " << mark;
}

TEST_F(StudentFaults, WithoutTheSandboxTheLimitsStillHold) {
  env_ = {{"STAMPEDE_STUDENT_LIB", STAMPEDE_HOSTILE_STUDENT_LIB}, {"STAMPEDE_NO_SANDBOX", "1"}};
  const Result r =
      run({"run", "builtin:frontpage", "--strategy", "student:segfault", "--duration", "2"});
  EXPECT_FAULT(r, "student:segfault: crashed (SIGSEGV) in resume()");
  EXPECT_NE(r.err.find("student code runs without a sandbox: STAMPEDE_NO_SANDBOX=1 is set"),
            std::string::npos)
      << r.err;
}

} // namespace
