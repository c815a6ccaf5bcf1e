// The browser edition's student loader: a WebAssembly module cannot start a
// process to host a student's library in (SPEC section 10 keeps student code
// out of the simulator's process), so it loads none and says why.
#include "stampede/student_loader.h"

namespace stampede {

namespace {

constexpr const char *kWhy =
    "student strategies (student:NAME) run in the native build only: the browser edition has "
    "the built-in strategies";

} // namespace

StudentLoad load_student_library(const std::string &path, StrategyRegistry &, HashingRegistry &) {
  StudentLoad out;
  out.path = path;
  out.message = kWhy;
  return out;
}

const StudentLoad &load_student_strategies(StrategyRegistry &registry, HashingRegistry &rings) {
  static const StudentLoad last = load_student_library({}, registry, rings);
  return last;
}

std::string student_load_hint() { return kWhy; }

} // namespace stampede
