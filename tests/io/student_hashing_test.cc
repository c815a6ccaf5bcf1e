// `"cache.hashing": "student:NAME"` in the parser and the tier (exercise 06):
// a registered ring parses, writes back as written, and places the keys; a
// name no library registers is a field error; a ring's wrong answer is
// reported with the key and the answer.
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/cache_tier.h"
#include "stampede/scenario_file.h"
#include "stampede/student_hashing.h"

namespace stampede {
namespace {

// Every key on the lowest node up: easy to predict.
class Lowest final : public HashRing {
public:
  void add_node(int node) override { nodes_.insert(node); }
  void remove_node(int node) override { nodes_.erase(node); }
  int node_for(std::string_view) const override { return nodes_.empty() ? -1 : *nodes_.begin(); }

private:
  std::set<int> nodes_;
};

// Always node 7.
class Seven final : public HashRing {
public:
  void add_node(int) override {}
  void remove_node(int) override {}
  int node_for(std::string_view) const override { return 7; }
};

std::unique_ptr<HashRing> make_lowest() { return std::make_unique<Lowest>(); }
std::unique_ptr<HashRing> make_seven() { return std::make_unique<Seven>(); }

void register_rings() {
  HashingRegistry::global().add("student:lowest", &make_lowest, "every key on the lowest node");
  HashingRegistry::global().add("student:seven", &make_seven, "always node 7");
}

CacheConfig student_cache(const char *ring, std::uint32_t nodes) {
  CacheConfig c;
  c.nodes = nodes;
  c.hashing = Hashing::kStudent;
  c.student_ring = ring;
  return c;
}

TEST(StudentHashing, UnknownRingIsAFieldError) {
  // Before any library is loaded (this test binary loads none).
  const auto r =
      parse_scenario(R"({"workload": {}, "cache": {"hashing": "student:nope"}})", "t.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "t.json: cache.hashing: expected \"modulo\", \"consistent\" or student:NAME, "
                     "a ring the student library registers (no student library was loaded), got "
                     "\"student:nope\"");
}

TEST(StudentHashing, MisspelledBuiltInIsAFieldError) {
  const auto r = parse_scenario(R"({"workload": {}, "cache": {"hashing": "ketama"}})", "t.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "t.json: cache.hashing: expected \"modulo\", \"consistent\" or student:NAME, "
                     "a ring the student library registers, got \"ketama\"");
}

TEST(StudentHashing, RegisteredRingParsesAndWritesBack) {
  register_rings();
  const auto r = load_scenario("builtin:many-keys", {"cache.hashing=student:lowest"});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->cache.hashing, Hashing::kStudent);
  EXPECT_EQ(r.value->cache.student_ring, "student:lowest");
  const auto written = nlohmann::json::parse(scenario_to_json(*r.value));
  EXPECT_EQ(written["cache"]["hashing"], "student:lowest");
  const auto again = parse_scenario(scenario_to_json(*r.value), "again.json");
  ASSERT_TRUE(again) << again.error;
  EXPECT_EQ(again.value->cache.student_ring, "student:lowest");
  // The later --set wins, and leaves no ring name behind.
  const auto modulo =
      load_scenario("builtin:many-keys", {"cache.hashing=student:lowest", "cache.hashing=modulo"});
  ASSERT_TRUE(modulo) << modulo.error;
  EXPECT_EQ(modulo.value->cache.hashing, Hashing::kModulo);
  EXPECT_EQ(modulo.value->cache.student_ring, "");
}

TEST(StudentHashing, TheTierPlacesKeysWhereTheRingSays) {
  register_rings();
  internal::CacheTier tier(student_cache("student:lowest", 3), 50);
  for (std::uint32_t k = 0; k < 50; ++k)
    ASSERT_EQ(tier.node_of(k), 0) << "key " << k << ": the ring says node 0";
  tier.crash(0); // the lowest up is now 1
  for (std::uint32_t k = 0; k < 50; ++k)
    ASSERT_EQ(tier.node_of(k), 1) << "key " << k << " after node 0 crashed";
  tier.crash(1);
  tier.crash(2);
  EXPECT_EQ(tier.node_of(0), -1) << "no node up";
  tier.add(); // node 3
  EXPECT_EQ(tier.node_of(0), 3) << "the node that joined";
}

TEST(StudentHashing, ARingNamingANodeNotUpIsReported) {
  register_rings();
  try {
    internal::CacheTier tier(student_cache("student:seven", 3), 10);
    FAIL() << "a ring answering node 7 of 3 should be refused";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(), "cache.hashing student:seven: node_for(\"page:0\") returned 7, but the "
                           "nodes on the ring are 0, 1, 2; node_for must name one of them");
  }
}

TEST(StudentHashing, AnUnregisteredRingCannotBuildATier) {
  EXPECT_THROW(internal::CacheTier(student_cache("student:absent", 2), 10), std::invalid_argument);
}

} // namespace
} // namespace stampede
