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
/// graded::hint("where to look")`; the grader prints it under the words.
/// Hints come in tiers (grade.py --hint): the check's words say what is
/// wrong, as measured; a hint says where to look; a fix, shown only when
/// asked for (`./dev grade 07 --hint 3`), gives the code-level answer.
inline std::string hint(const std::string &text) { return "\nhint: " + text; }

/// A hint and the code-level fix behind it: `<< graded::hint("where", "fix")`.
inline std::string hint(const std::string &where, const std::string &fix) {
  return "\nhint: " + where + "\nfix: " + fix;
}

/// Marks a check whose failure explains others (28 submits never answered
/// explain the write counts that follow): the grader shows it first.
inline std::string explains_others() { return "\nroot: explains the others"; }

} // namespace graded
