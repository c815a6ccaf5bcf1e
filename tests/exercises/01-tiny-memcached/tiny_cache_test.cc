// Exercise 01: the tiny memcached. Each test is worth the points it records;
// each check says what it expected, the grader adds what it saw, and a hint
// names the likely bug (chosen from what was seen, when that tells).
#include <functional>
#include <optional>
#include <ostream>
#include <set>

#include "graded.h"
#include "remote.h"

namespace exercise {

/// How the grader prints a CasResult (gtest finds it by argument lookup).
inline void PrintTo(CasResult r, std::ostream *os) {
  *os << (r == CasResult::kStored ? "kStored" : r == CasResult::kExists ? "kExists" : "kNotFound");
}

namespace {

/// A hint (and its fix) only when the symptom `seen` points at this bug.
std::string hint_if(bool seen, const std::string &text, const std::string &fix = "") {
  return !seen ? "" : fix.empty() ? graded::hint(text) : graded::hint(text, fix);
}

/// The unique `gets` returns, or 0 when it finds nothing.
std::uint64_t unique_of(const TinyCache &c, const std::string &key) {
  const std::optional<Versioned> v = c.gets(key);
  return v ? v->unique : 0;
}

TEST(TinyMemcached, SetThenGetReturnsTheLatestValue) {
  POINTS(1);
  TinyCache c;
  EXPECT_FALSE(c.get("front").has_value())
      << "get of a key never set should find nothing"
      << graded::hint("a key that was never set has no value: get answers with nothing",
                      "return std::nullopt when items_.find(key) == items_.end()");
  c.set("front", "page v1");
  ASSERT_TRUE(c.get("front").has_value())
      << "get after set should find the value"
      << graded::hint("set should keep the value under its key in the cache's table, and get "
                      "look the key up there",
                      "set: items_[key] = ...; get: items_.find(key)");
  EXPECT_EQ(c.get("front").value_or("(nothing)"), "page v1") << "get should return what set stored";
  c.set("front", "page v2");
  const std::string second = c.get("front").value_or("(nothing)");
  EXPECT_EQ(second, "page v2") << "a second set should replace the value"
                               << hint_if(second == "page v1",
                                          "the second set kept the first value: set must replace "
                                          "the value of a key already there",
                                          "items_[key] = ..., not items_.emplace or insert, "
                                          "which keep the old one");
}

TEST(TinyMemcached, DeleteRemovesOnlyThatKey) {
  POINTS(1);
  TinyCache c;
  c.set("a", "1");
  c.set("b", "2");
  const bool removed = c.remove("a");
  EXPECT_TRUE(removed) << "remove of a stored key should return true"
                       << graded::hint("remove answers whether the key was there",
                                       "return items_.erase(key) > 0: erase says how many it "
                                       "erased");
  const bool still_there = c.get("a").has_value();
  EXPECT_FALSE(still_there) << "get after remove should find nothing"
                            << graded::hint(removed ? "remove answered true but left the key: "
                                                      "it must erase it from items_"
                                                    : "remove must erase the key from items_");
  EXPECT_EQ(c.get("b").value_or("(nothing)"), "2")
      << "remove(\"a\") should leave \"b\" alone"
      << hint_if(removed, "erase only the one key, not the whole map");
  EXPECT_FALSE(c.remove("a")) << "removing a key that is gone should return false"
                              << hint_if(!still_there, "return true only when a key was erased");
}

TEST(TinyMemcached, FlushEmptiesTheCache) {
  POINTS(1);
  TinyCache c;
  for (const char *k : {"x", "y", "z"})
    c.set(k, k);
  ASSERT_TRUE(c.get("y").has_value()) << "get after set should find the value";
  c.flush();
  int left = 0;
  for (const char *k : {"x", "y", "z"}) {
    const bool there = c.get(k).has_value();
    left += there ? 1 : 0;
    EXPECT_FALSE(there) << "after flush, \"" << k << "\" should be gone"
                        << hint_if(left == 1, "flush should remove every key, not only one",
                                   "items_.clear()");
  }
  c.set("x", "again");
  EXPECT_EQ(c.get("x").value_or("(nothing)"), "again") << "the cache should work after a flush";
}

TEST(TinyMemcached, GetsGivesAUniqueThatChangesOnEveryWrite) {
  POINTS(2);
  TinyCache c;
  c.set("k", "same");
  const auto first = c.gets("k");
  ASSERT_TRUE(first.has_value()) << "gets after set should find the value"
                                 << graded::hint(
                                        "gets is get plus the unique: it finds whatever get finds",
                                        "return Versioned{value, unique} of the item found");
  EXPECT_EQ(first->value, "same") << "gets should return the stored value";
  c.set("k", "same");
  const auto second = c.gets("k");
  ASSERT_TRUE(second.has_value()) << "gets after set should find the value";
  EXPECT_NE(first->unique, second->unique)
      << "setting the same value again must change the unique (memcached counts "
         "modifications; it does not hash values)"
      << graded::hint("every set gives the item a new unique from the cache's counter: never a "
                      "hash of the value, and never the unique the key had before",
                      "the item's unique = ++last_unique_ on every set");
  c.set("other", "same");
  const std::uint64_t other = unique_of(c, "other");
  EXPECT_NE(other, second->unique)
      << "two different items should not share a unique"
      << graded::hint(first->unique == second->unique
                          ? "the same value gets the same unique: that is a hash of the value; "
                            "take the next number of the cache's counter instead"
                          : "one counter for the whole cache (last_unique_), not one per key",
                      "the item's unique = ++last_unique_, a member of the cache");
  const std::uint64_t reread = unique_of(c, "k");
  EXPECT_EQ(reread, second->unique)
      << "reading must not change the unique"
      << hint_if(reread > second->unique, "gets should only read: increase the counter on "
                                          "writes (set, a stored cas), not on reads");
}

TEST(TinyMemcached, CasStoresWhenNobodyWroteInBetween) {
  POINTS(2);
  TinyCache c;
  c.set("k", "old");
  const auto read = c.gets("k");
  ASSERT_TRUE(read.has_value()) << "gets after set should find the value";
  const CasResult stored = c.cas("k", "new", read->unique);
  EXPECT_EQ(stored, CasResult::kStored)
      << "cas with the unique just read should store"
      << graded::hint(stored == CasResult::kExists
                          ? "cas compares the unique it is given with the item's: equal means "
                            "nobody wrote in between, so store"
                          : "cas on a key that is there, with its current unique, answers "
                            "kStored");
  EXPECT_EQ(c.get("k").value_or("(nothing)"), "new")
      << "after a stored cas, get should see its value"
      << hint_if(stored == CasResult::kStored, "cas answered kStored but did not store the value");
  EXPECT_NE(unique_of(c, "k"), read->unique)
      << "a stored cas is a write: a new unique"
      << graded::hint("a cas that stores is a write: it gives the item a new unique, as set "
                      "does",
                      "unique = ++last_unique_ when cas stores");
  EXPECT_EQ(c.cas("k", "newer", read->unique), CasResult::kExists)
      << "the same unique cannot be used twice: the first cas changed it"
      << graded::hint("store only when the unique matches; a unique from before the last write "
                      "gets kExists");
}

TEST(TinyMemcached, CasRefusesAfterAnotherClientWrote) {
  POINTS(2);
  TinyCache c;
  c.set("k", "v");
  const auto mine = c.gets("k");
  ASSERT_TRUE(mine.has_value()) << "gets after set should find the value";
  c.set("k", "v"); // another client writes the very same value
  const CasResult answer = c.cas("k", "mine", mine->unique);
  EXPECT_EQ(answer, CasResult::kExists)
      << "cas must fail with kExists after another write, even of the same value"
      << graded::hint(answer == CasResult::kStored
                          ? "the other client's set must have given the item a new unique; "
                            "compare uniques, never values"
                          : "when the key is there but its unique is not the one given, "
                            "answer kExists");
  EXPECT_EQ(c.get("k").value_or("(nothing)"), "v")
      << "a refused cas must not change the value"
      << hint_if(answer != CasResult::kStored, "return before storing when the unique differs");
}

TEST(TinyMemcached, CasOnAMissingKeyIsNotFound) {
  POINTS(1);
  TinyCache c;
  c.set("k", "v");
  const auto read = c.gets("k");
  ASSERT_TRUE(read.has_value()) << "gets after set should find the value";
  ASSERT_TRUE(c.remove("k")) << "remove of a stored key should return true";
  const bool remove_left_it = c.get("k").has_value();
  const CasResult answer = c.cas("k", "w", read->unique);
  EXPECT_EQ(answer, CasResult::kNotFound)
      << "cas on a key that was deleted should say kNotFound"
      << graded::hint(remove_left_it ? "remove(\"k\") answered true but left the key: erase it "
                                       "from items_"
                                     : "look the key up first: no item, kNotFound, before "
                                       "comparing uniques");
  EXPECT_FALSE(c.get("k").has_value())
      << "cas must not create a missing key"
      << hint_if(!remove_left_it,
                 "cas created the key it did not find: cas must look the key up without adding "
                 "it",
                 "items_[key] creates the key when it is absent: look it up with "
                 "items_.find(key)");
}

/// Thrown by the tests' between() to stop an endless retry loop.
struct TooManyAttempts {};

/// count_visit(c, "visits", between), stopped after 100 attempts (an endless
/// retry would hang the grader): the count, or nothing when stopped.
std::optional<std::uint64_t> visit(TinyCache &c, const std::function<void()> &between) {
  int attempts = 0;
  try {
    return count_visit(c, "visits", [&] {
      if (++attempts > 100)
        throw TooManyAttempts{};
      between();
    });
  } catch (const TooManyAttempts &) {
    return std::nullopt;
  }
}

const char *kEndless = "count_visit should finish: it went round 100 times and its cas never "
                       "stored";
const char *kEndlessHint = "each attempt must gets again and cas with the unique that gets just "
                           "returned; a cas with an older unique answers kExists for ever";

TEST(TinyMemcached, VisitorCounterNeverLosesAVisit) {
  POINTS(2);
  TinyCache c;
  const std::optional<std::uint64_t> first = visit(c, [] {});
  ASSERT_TRUE(first.has_value()) << kEndless << graded::hint(kEndlessHint);
  EXPECT_EQ(*first, 1u) << "the first visit should count 1"
                        << graded::hint("a missing key starts the count: store \"1\", return 1");
  const std::optional<std::uint64_t> second = visit(c, [] {});
  ASSERT_TRUE(second.has_value()) << kEndless << graded::hint(kEndlessHint);
  EXPECT_EQ(*second, 2u)
      << "the second visit should count 2"
      << graded::hint("each visit reads the count with gets, adds one to the number read, and "
                      "writes it back with cas",
                      "std::to_string(std::stoull(read->value) + 1), then cas it with "
                      "read->unique");
  c.set("visits", "41");
  // Another client counts a visit between our gets and our cas, once.
  int interruptions = 0;
  const std::optional<std::uint64_t> counted = visit(c, [&] {
    if (interruptions++ == 0)
      c.set("visits", std::to_string(std::stoull(c.get("visits").value_or("0")) + 1));
  });
  ASSERT_TRUE(counted.has_value()) << kEndless << graded::hint(kEndlessHint);
  const std::uint64_t n = *counted;
  EXPECT_EQ(n, 43u) << "41, plus the other client's visit, plus ours: the retry must "
                       "re-read and recompute, not reuse the value computed before"
                    << graded::hint(n == 42 ? "after kExists, go round again: gets, recompute "
                                              "from what this gets read, then cas (42 is the "
                                              "first attempt's value, or a plain set)"
                                            : "loop: gets, compute from what it read, "
                                              "between(), cas; stop when cas says kStored");
  EXPECT_EQ(c.get("visits").value_or("(nothing)"), "43")
      << "the stored count should be 43" << hint_if(n == 43, "return the count you stored");
  EXPECT_EQ(interruptions, 2) << "between() should run once per attempt: two attempts here"
                              << graded::hint(interruptions < 2
                                                  ? "call between() after each gets and "
                                                    "before each cas, on every attempt"
                                                  : "stop retrying once cas says kStored");
}

} // namespace
} // namespace exercise
