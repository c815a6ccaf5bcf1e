// Exercise 06: the student's ring as the memcached tier's key placement
// (`"cache.hashing": "student:ring"`), in a run with a node crash and a node
// joining. With 160 points and ring_hash, a correct ring places every key
// where the built-in `consistent` does, so the reports must be the same.
#include <stdexcept>
#include <string>

#include "graded.h"
#include "stampede/student_hashing.h"
#include "strategy_runs.h"

namespace exercise {
/// The likely bug the small rings of ring_test.cc (the same binary) show, as
/// a hint, or "": the run in the tier shows a symptom, they show the cause.
std::string likely_ring_bug();
} // namespace exercise

namespace {

const char *kScenario = "builtin:many-keys"; // 4 nodes, node 1 crashes at 20 s, a 5th at 40 s

// Runs the scenario with `hashing`; the student's rings are registered
// (graded::registry() loads the exercise's library, in its host, as
// `stampede` does). On an exception, `error` says why.
nlohmann::ordered_json run_with(const std::string &hashing, std::string &error) {
  try {
    graded::registry();
    return graded::comparable(graded::run(kScenario, "clear", {"cache.hashing=" + hashing}));
  } catch (const std::exception &e) {
    error = e.what();
    return {};
  }
}

/// The likely bug the small rings show, or else `hint`.
std::string or_else(const std::string &hint) {
  const std::string bug = exercise::likely_ring_bug();
  return bug.empty() ? hint : bug;
}

TEST(RingInTheTier, KeysLandWhereTheBuiltInRingPutsThem) {
  POINTS(2);
  std::string error;
  const auto builtin = run_with("consistent", error);
  const auto modulo = run_with("modulo", error);
  ASSERT_EQ(error, "") << "the built-in placements should run";
  ASSERT_NE(graded::differences(modulo, builtin), "")
      << "on " << kScenario << ", modulo and consistent should give different reports";
  const auto mine = run_with("student:ring", error);
  ASSERT_TRUE(error.empty()) << "the run with cache.hashing student:ring should finish; it "
                                "stopped: "
                             << error
                             << or_else(graded::hint("once nodes are added, node_for must "
                                                     "name one of them (not -1), also for a key "
                                                     "past the last point"));
  EXPECT_EQ(graded::differences(mine, builtin), "")
      << "on " << kScenario << " (a crash at 20 s, a new node at 40 s), student:ring should "
      << "give the built-in consistent ring's report"
      << or_else(graded::hint("each node has 160 points, each at the hash of its own name; a key "
                              "goes to the node of the first point at or after its hash, ties "
                              "to the lower node",
                              "points_per_node_ points named point_name(node, p) at "
                              "hash_(name), sorted; node_for: std::lower_bound for "
                              "{hash_(key), INT_MIN}, going round to points_.begin()"));
}

} // namespace
