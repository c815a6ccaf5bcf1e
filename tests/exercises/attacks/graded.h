// Grading attack 1 (issue 21): a graded.h in the student's folder that turns
// every check into nothing, in the hope that it comes first on the graded
// test's include path. check_grader.sh puts it into 03's stub folder: the
// exercise is refused by name and scores 0.
#pragma once
#include <gtest/gtest.h>
#define POINTS(n) ::testing::Test::RecordProperty("points", n)
#undef EXPECT_TRUE
#define EXPECT_TRUE(...)                                                                           \
  if (true) {                                                                                      \
  } else                                                                                           \
    std::cerr
#undef EXPECT_EQ
#define EXPECT_EQ(...)                                                                             \
  if (true) {                                                                                      \
  } else                                                                                           \
    std::cerr
#undef ASSERT_EQ
#define ASSERT_EQ(...)                                                                             \
  if (true) {                                                                                      \
  } else                                                                                           \
    std::cerr
namespace graded {
inline std::string hint(const std::string &) { return {}; }
} // namespace graded
