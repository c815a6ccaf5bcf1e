// Shared by the graded tests: each test says what it is worth, and each
// check says, in plain words, what it expected (the grader shows the first
// failing one to the student).
#pragma once

#include <gtest/gtest.h>

/// Records this test's points for the grader (tests/exercises/grade.py).
#define POINTS(n) ::testing::Test::RecordProperty("points", n)
