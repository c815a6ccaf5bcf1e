// Exercise 04: the memo cache. The computation counts its own calls.
#include "graded.h"
#include "memo.h"

namespace exercise {
namespace {

TEST(Memoize, ASecondCallIsAHit) {
  POINTS(2);
  Memo memo;
  const std::uint64_t before = computation_calls();
  const std::int64_t first = memo.compute(3, 4);
  EXPECT_EQ(first, complex_computation(3, 4)) << "compute should return the computation's answer";
  const std::uint64_t after_first = computation_calls();
  EXPECT_EQ(memo.compute(3, 4), first) << "a hit should return the stored answer";
  EXPECT_EQ(computation_calls(), after_first)
      << "asking (3, 4) again must not run the slow computation again";
  EXPECT_EQ(after_first - before, 2u) << "the first call (and our own check) should compute";
}

TEST(Memoize, EachPairIsComputedOnce) {
  POINTS(2);
  Memo memo;
  const std::uint64_t before = computation_calls();
  for (int round = 0; round < 3; ++round)
    for (std::int64_t a = 0; a < 5; ++a)
      for (std::int64_t b = 0; b < 5; ++b)
        memo.compute(a, b);
  EXPECT_EQ(computation_calls() - before, 25u)
      << "75 questions about 25 different pairs should run the computation 25 times";
  EXPECT_EQ(memo.size(), 25u) << "25 different pairs: 25 stored answers";
}

TEST(Memoize, TheOrderOfTheArgumentsMatters) {
  POINTS(1);
  Memo memo;
  const std::int64_t ab = memo.compute(1, 2);
  const std::int64_t ba = memo.compute(2, 1);
  EXPECT_EQ(ab, complex_computation(1, 2)) << "(1, 2) should get its own answer";
  EXPECT_EQ(ba, complex_computation(2, 1)) << "(2, 1) is a different question from (1, 2)";
  EXPECT_EQ(memo.size(), 2u) << "(1, 2) and (2, 1) should be stored separately";
}

TEST(Memoize, TwoMemosDoNotShareAnswers) {
  POINTS(1);
  Memo first, second;
  first.compute(7, 7);
  const std::uint64_t before = computation_calls();
  first.compute(7, 7);
  EXPECT_EQ(computation_calls(), before) << "the first memo has (7, 7) already";
  second.compute(7, 7);
  EXPECT_EQ(computation_calls(), before + 1) << "a new memo starts empty";
  EXPECT_EQ(second.size(), 1u) << "the second memo should hold one answer";
}

} // namespace
} // namespace exercise
