// Exercise 04: the memo cache. The computation counts its own calls; each
// check says what it expected, the grader adds what it saw, and a hint names
// the likely bug (chosen from what was seen, when that tells).
#include "graded.h"
#include "remote.h"

namespace exercise {
namespace {

const std::string kShared = graded::hint("this memo holds answers it never computed: keep them in "
                                         "the member cache_, not in a static or global map that "
                                         "every Memo shares");
const std::string kNeverStores =
    graded::hint("nothing is stored: after computing, put the answer in cache_",
                 "cache_.emplace(std::make_pair(a, b), answer)");
const std::string kSize =
    graded::hint("size() should count the answers stored", "return cache_.size();");

TEST(Memoize, ASecondCallIsAHit) {
  POINTS(2);
  Memo memo;
  const std::uint64_t before = computation_calls();
  const std::int64_t first = memo.compute(3, 4);
  EXPECT_EQ(first, complex_computation(3, 4))
      << "compute should return the computation's answer"
      << graded::hint("on a miss, compute returns the computation's own answer",
                      "return the value complex_computation(a, b) returned");
  const std::uint64_t after_first = computation_calls();
  const std::size_t stored = memo.size();
  const std::int64_t again = memo.compute(3, 4);
  EXPECT_EQ(again, first) << "a hit should return the stored answer"
                          << graded::hint("return the answer found in cache_, not a new one");
  const std::uint64_t computed_again = computation_calls() - after_first;
  EXPECT_EQ(computed_again, 0u)
      << "asking (3, 4) again must not run the slow computation again"
      << (stored == 0 ? kNeverStores
                      : graded::hint("look (a, b) up in cache_ first, and return the stored "
                                     "answer when it is there",
                                     "if (auto it = cache_.find(std::make_pair(a, b)); it != "
                                     "cache_.end()) return it->second;"));
  EXPECT_EQ(after_first - before, 2u)
      << "the first call (and our own check) should compute"
      << graded::hint(after_first - before > 2
                          ? "a miss should run the computation once, store its answer and "
                            "return it (not run it again to return)"
                          : "a miss must run the computation");
}

TEST(Memoize, EachPairIsComputedOnce) {
  POINTS(2);
  Memo memo;
  const std::uint64_t before = computation_calls();
  for (int round = 0; round < 3; ++round)
    for (std::int64_t a = 0; a < 5; ++a)
      for (std::int64_t b = 0; b < 5; ++b)
        memo.compute(a, b);
  const std::uint64_t computed = computation_calls() - before;
  const std::size_t stored = memo.size();
  EXPECT_EQ(computed, 25u)
      << "75 questions about 25 different pairs should run the computation 25 times"
      << (stored >= 25 && computed < 25 ? kShared
          : computed == 75 ? graded::hint("every question ran the computation: the memo never "
                                          "finds a stored answer (does it store one?)")
          : computed < 25  ? graded::hint("some pairs shared an answer: the key must be the pair "
                                           "(a, b), not a alone, b alone or a + b",
                                          "key cache_ by std::make_pair(a, b)")
                           : graded::hint("store each answer under its pair (a, b), and look it "
                                           "up before computing",
                                          "cache_.find(std::make_pair(a, b)) first; "
                                           "cache_.emplace(std::make_pair(a, b), answer) after "
                                           "computing"));
  EXPECT_EQ(stored, 25u) << "25 different pairs: 25 stored answers"
                         << (stored >= 25 && computed < 25   ? kShared
                             : stored == 0 && computed == 75 ? kNeverStores
                             : stored == 0                   ? kSize
                                           : graded::hint("store one answer per pair (a, b), "
                                                          "under that pair, and count them in "
                                                          "size()"));
}

TEST(Memoize, TheOrderOfTheArgumentsMatters) {
  POINTS(1);
  Memo memo;
  const std::int64_t ab = memo.compute(1, 2);
  const std::int64_t ba = memo.compute(2, 1);
  const std::string symmetric =
      graded::hint("(1, 2) and (2, 1) got one answer: the key must keep the order of the "
                   "arguments",
                   "key cache_ by std::make_pair(a, b), not by the smaller and the larger, or "
                   "a + b");
  EXPECT_EQ(ab, complex_computation(1, 2)) << "(1, 2) should get its own answer";
  EXPECT_EQ(ba, complex_computation(2, 1)) << "(2, 1) is a different question from (1, 2)"
                                           << (ba == ab ? symmetric
                                                        : graded::hint("return the "
                                                                       "computation's answer "
                                                                       "for this (a, b)"));
  const std::size_t stored = memo.size();
  EXPECT_EQ(stored, 2u) << "(1, 2) and (2, 1) should be stored separately"
                        << (stored == 1   ? symmetric
                            : stored > 2  ? kShared
                            : stored == 0 ? graded::hint("nothing is stored, or size() does not "
                                                         "count it",
                                                         "return cache_.size();")
                                          : graded::hint("store one answer per pair (a, b)"));
}

TEST(Memoize, TwoMemosDoNotShareAnswers) {
  POINTS(1);
  Memo first, second;
  first.compute(7, 7);
  const std::uint64_t before = computation_calls();
  first.compute(7, 7);
  EXPECT_EQ(computation_calls(), before)
      << "the first memo has (7, 7) already"
      << graded::hint("the second compute(7, 7) should be a hit: store answers in cache_ and "
                      "look them up first");
  second.compute(7, 7);
  const std::uint64_t computed = computation_calls() - before;
  EXPECT_EQ(computed, 1u) << "a new memo starts empty: it should compute (7, 7) itself"
                          << graded::hint(computed == 0
                                              ? "the memos share one table: keep the answers in "
                                                "the member cache_, not in a static or global "
                                                "map"
                                          : computed == 2 ? "the first memo computed (7, 7) "
                                                            "again: it never finds its stored "
                                                            "answer"
                                                          : "a miss runs the computation once");
  const std::size_t held = second.size();
  EXPECT_EQ(held, 1u) << "the second memo should hold one answer"
                      << (held > 1        ? kShared
                          : computed == 2 ? kNeverStores
                                          : kSize);
}

} // namespace
} // namespace exercise
