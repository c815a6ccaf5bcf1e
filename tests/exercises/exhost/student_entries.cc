// In an exercise host: where a student's STAMPEDE_STUDENT_STRATEGY and
// STAMPEDE_STUDENT_HASHING lines record themselves (exercise 06's ring.cc
// keeps its line). The host calls the student's class through its adapter
// and reads neither list.
#include "stampede/student.h"
#include "stampede/student_hashing.h"

namespace stampede::student {

std::vector<Entry> &entries() {
  static std::vector<Entry> list;
  return list;
}

std::vector<HashingEntry> &hashing_entries() {
  static std::vector<HashingEntry> list;
  return list;
}

} // namespace stampede::student
