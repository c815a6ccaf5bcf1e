// What a graded binary runs against, named by the grader (grade.py) in the
// environment: the student's exercise host, strategy library or folder. The
// graded binaries are built once with the simulator and hold none of the
// student's code (tests/exercises/harness.cmake).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace graded {

/// @param name an environment variable grade.py sets.
/// @return its value. @throws std::runtime_error when it is not set.
inline std::string from_grader(const char *name) {
  const char *value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    throw std::runtime_error(std::string(name) +
                             " is not set: the graded tests run through tests/exercises/grade.py");
  return value;
}

} // namespace graded
