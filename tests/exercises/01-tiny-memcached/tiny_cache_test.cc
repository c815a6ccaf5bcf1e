// Exercise 01: the tiny memcached. Each test is worth the points it records.
#include <set>

#include "graded.h"
#include "tiny_cache.h"

namespace exercise {
namespace {

TEST(TinyMemcached, SetThenGetReturnsTheLatestValue) {
  POINTS(1);
  TinyCache c;
  EXPECT_FALSE(c.get("front").has_value()) << "get of a key never set should find nothing";
  c.set("front", "page v1");
  ASSERT_TRUE(c.get("front").has_value()) << "get after set should find the value";
  EXPECT_EQ(*c.get("front"), "page v1") << "get should return what set stored";
  c.set("front", "page v2");
  EXPECT_EQ(c.get("front").value_or(""), "page v2") << "a second set should replace the value";
}

TEST(TinyMemcached, DeleteRemovesOnlyThatKey) {
  POINTS(1);
  TinyCache c;
  c.set("a", "1");
  c.set("b", "2");
  EXPECT_TRUE(c.remove("a")) << "remove of a stored key should return true";
  EXPECT_FALSE(c.get("a").has_value()) << "get after remove should find nothing";
  EXPECT_EQ(c.get("b").value_or(""), "2") << "remove(\"a\") should leave \"b\" alone";
  EXPECT_FALSE(c.remove("a")) << "removing a key that is gone should return false";
}

TEST(TinyMemcached, FlushEmptiesTheCache) {
  POINTS(1);
  TinyCache c;
  for (const char *k : {"x", "y", "z"})
    c.set(k, k);
  ASSERT_TRUE(c.get("y").has_value()) << "get after set should find the value";
  c.flush();
  for (const char *k : {"x", "y", "z"})
    EXPECT_FALSE(c.get(k).has_value()) << "after flush, \"" << k << "\" should be gone";
  c.set("x", "again");
  EXPECT_EQ(c.get("x").value_or(""), "again") << "the cache should work after a flush";
}

TEST(TinyMemcached, GetsGivesAUniqueThatChangesOnEveryWrite) {
  POINTS(2);
  TinyCache c;
  c.set("k", "same");
  const auto first = c.gets("k");
  ASSERT_TRUE(first.has_value()) << "gets after set should find the value";
  EXPECT_EQ(first->value, "same") << "gets should return the stored value";
  c.set("k", "same");
  const auto second = c.gets("k");
  ASSERT_TRUE(second.has_value()) << "gets after set should find the value";
  EXPECT_NE(first->unique, second->unique)
      << "setting the same value again must change the unique (memcached counts "
         "modifications; it does not hash values)";
  c.set("other", "same");
  EXPECT_NE(c.gets("other")->unique, second->unique)
      << "two different items should not share a unique";
  EXPECT_EQ(c.gets("k")->unique, second->unique) << "reading must not change the unique";
}

TEST(TinyMemcached, CasStoresWhenNobodyWroteInBetween) {
  POINTS(2);
  TinyCache c;
  c.set("k", "old");
  const auto read = c.gets("k");
  ASSERT_TRUE(read.has_value()) << "gets after set should find the value";
  EXPECT_EQ(c.cas("k", "new", read->unique), CasResult::kStored)
      << "cas with the unique just read should store";
  EXPECT_EQ(c.get("k").value_or(""), "new") << "after a stored cas, get should see its value";
  EXPECT_NE(c.gets("k")->unique, read->unique) << "a stored cas is a write: a new unique";
  EXPECT_EQ(c.cas("k", "newer", read->unique), CasResult::kExists)
      << "the same unique cannot be used twice: the first cas changed it";
}

TEST(TinyMemcached, CasRefusesAfterAnotherClientWrote) {
  POINTS(2);
  TinyCache c;
  c.set("k", "v");
  const auto mine = c.gets("k");
  ASSERT_TRUE(mine.has_value()) << "gets after set should find the value";
  c.set("k", "v"); // another client writes the very same value
  EXPECT_EQ(c.cas("k", "mine", mine->unique), CasResult::kExists)
      << "cas must fail with kExists after another write, even of the same value";
  EXPECT_EQ(c.get("k").value_or(""), "v") << "a refused cas must not change the value";
}

TEST(TinyMemcached, CasOnAMissingKeyIsNotFound) {
  POINTS(1);
  TinyCache c;
  c.set("k", "v");
  const auto read = c.gets("k");
  ASSERT_TRUE(read.has_value()) << "gets after set should find the value";
  ASSERT_TRUE(c.remove("k")) << "remove of a stored key should return true";
  EXPECT_EQ(c.cas("k", "w", read->unique), CasResult::kNotFound)
      << "cas on a key that was deleted should say kNotFound";
  EXPECT_FALSE(c.get("k").has_value()) << "cas must not create a missing key";
}

TEST(TinyMemcached, VisitorCounterNeverLosesAVisit) {
  POINTS(2);
  TinyCache c;
  EXPECT_EQ(count_visit(c, "visits", [] {}), 1u) << "the first visit should count 1";
  EXPECT_EQ(count_visit(c, "visits", [] {}), 2u) << "the second visit should count 2";
  c.set("visits", "41");
  // Another client counts a visit between our gets and our cas, once.
  int interruptions = 0;
  const std::uint64_t n = count_visit(c, "visits", [&] {
    if (interruptions++ == 0)
      c.set("visits", std::to_string(std::stoull(*c.get("visits")) + 1));
  });
  EXPECT_EQ(n, 43u) << "41, plus the other client's visit, plus ours: the retry must "
                       "re-read and recompute, not reuse the value computed before";
  EXPECT_EQ(c.get("visits").value_or(""), "43") << "the stored count should be 43";
  EXPECT_EQ(interruptions, 2) << "between() should run once per attempt: two attempts here";
}

} // namespace
} // namespace exercise
