// `"cache.hashing": "student:NAME"` from the command line (SPEC section 10,
// exercise 06): a ring from the student library places the keys, and a
// name that no loaded library registers is the user's error, reported by
// its field path with exit 2, never a crash.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace {

using namespace stampede_cli_test;

class StudentHashingCli : public Cli {
protected:
  // Runs `stampede ARGS` with STAMPEDE_STUDENT_LIB=lib.
  Result stampede(const std::string &lib, const std::vector<std::string> &args) {
    env_ = {{"STAMPEDE_STUDENT_LIB", lib}};
    return run(args);
  }
};

// A report without what differs between two runs of the same placement: the
// wall-clock figures and the hashing's name in the scenario it ran.
nlohmann::json comparable(const std::string &report) {
  auto j = nlohmann::json::parse(report);
  j.erase("engine");
  j["run_scenario"]["cache"].erase("hashing");
  return j;
}

TEST_F(StudentHashingCli, ARingFromTheLibraryPlacesTheKeys) {
  // student:modulo is modulo written again: with a crash at 20 s and a node
  // joining at 40 s, builtin:many-keys must give the built-in's report.
  const Result mine =
      stampede(STAMPEDE_EXAMPLE_RING_LIB, {"run", "builtin:many-keys", "--set",
                                           "cache.hashing=student:modulo", "--report", "-"});
  ASSERT_EQ(mine.code, 0) << mine.err;
  EXPECT_EQ(nlohmann::json::parse(mine.out)["run_scenario"]["cache"]["hashing"], "student:modulo");
  const Result builtin =
      stampede(STAMPEDE_EXAMPLE_RING_LIB,
               {"run", "builtin:many-keys", "--set", "cache.hashing=modulo", "--report", "-"});
  ASSERT_EQ(builtin.code, 0) << builtin.err;
  EXPECT_EQ(comparable(mine.out), comparable(builtin.out));
  const Result consistent =
      stampede(STAMPEDE_EXAMPLE_RING_LIB, {"run", "builtin:many-keys", "--report", "-"});
  ASSERT_EQ(consistent.code, 0) << consistent.err;
  EXPECT_NE(comparable(mine.out), comparable(consistent.out)) << "the placement made no difference";
}

TEST_F(StudentHashingCli, WithoutALibraryTheFieldSaysWhereItLooked) {
  const Result r = stampede("/nonexistent/libstampede_student.so",
                            {"run", "builtin:many-keys", "--set", "cache.hashing=student:ring"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "--set cache.hashing=student:ring: cache.hashing: expected \"modulo\", "
                   "\"consistent\" or student:NAME, a ring the student library registers (no "
                   "student library at /nonexistent/libstampede_student.so), got "
                   "\"student:ring\"\n");
}

TEST_F(StudentHashingCli, AnUnknownRingNamesTheOnesThere) {
  const fs::path file = path("ring.json");
  spit(file, R"({"workload": {}, "cache": {"hashing": "student:ring"}})");
  const Result r = stampede(STAMPEDE_EXAMPLE_RING_LIB, {"validate", file.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, file.string() +
                       ": cache.hashing: expected \"modulo\", \"consistent\" or student:NAME, a "
                       "ring the student library registers (the student library registers "
                       "student:modulo, student:broken), got \"student:ring\"\n");
}

TEST_F(StudentHashingCli, ALibraryWithoutRingsSaysSo) {
  const Result r = stampede(STAMPEDE_EXAMPLE_STUDENT_LIB,
                            {"run", "builtin:many-keys", "--set", "cache.hashing=student:ring"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cache.hashing: expected \"modulo\", \"consistent\" or student:NAME, a ring "
                       "the student library registers (the student library registers no ring)"),
            std::string::npos)
      << r.err;
}

TEST_F(StudentHashingCli, ARingThatNamesNoNodeStopsTheRunSayingWhy) {
  // The student's bug, found when the tier first places the keys: a message,
  // not a crash or a key on a node that does not exist.
  const Result r = stampede(STAMPEDE_EXAMPLE_RING_LIB,
                            {"run", "builtin:many-keys", "--set", "cache.hashing=student:broken"});
  EXPECT_EQ(r.code, 2) << "bad input (the student library's), not an internal error: " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stampede: the student library: cache.hashing student:broken: "
                       "node_for(\"page:0\") returned 99, but the "
                       "nodes on the ring are 0, 1, 2, 3; node_for must name one of them"),
            std::string::npos)
      << r.err;
}

} // namespace
