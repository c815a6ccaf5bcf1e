// Shared by the graded tests: each test says what it is worth, and each
// check says, in plain words, what it expected; a check may add a hint
// aimed at the likely bug. The grader (grade.py) shows every failed check of
// a test, those with a hint (they name a bug, not only a symptom) first.
#pragma once

#include <gtest/gtest.h>
#include <string>

/// Records this test's points for the grader (tests/exercises/grade.py).
#define POINTS(n) ::testing::Test::RecordProperty("points", n)

namespace graded {

/// Streamed after a check's words: `EXPECT_...(...) << "words" <<
/// graded::hint("the likely bug")`; the grader prints it under the words.
inline std::string hint(const std::string &text) { return "\nhint: " + text; }

} // namespace graded
