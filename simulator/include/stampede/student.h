/// @file student.h
/// What a student's strategy file includes (SPEC section 10): the Strategy
/// interface and one line that makes the strategy selectable as
/// `student:NAME` in `stampede` and `stampede-gui`.
///
///     #include "stampede/student.h"
///
///     class MyRefresh final : public stampede::Strategy { ... };
///     STAMPEDE_STUDENT_STRATEGY(refresh, MyRefresh, "the lecture's refresh");
///
/// The exercises build into their own library (exercises/, `./dev grade`),
/// never into `stampede`: the line above records the strategy in that
/// library's list, and the library's entry point (stampede/strategy.h,
/// kStudentEntryPoint) hands the list to the simulator when it loads it.
#pragma once

#include <memory>
#include <vector>

#include "stampede/strategy.h"

namespace stampede::student {

/// A strategy a student's file declared.
struct Entry {
  const char *name;        ///< `student:NAME`.
  StrategyFactory factory; ///< Makes it.
  const char *description; ///< One line for the GUI and `--help`.
};

/// @return the strategies declared in this library (defined by the
/// library's entry point, not in the simulator).
std::vector<Entry> &entries();

/// Adds an entry at load time; STAMPEDE_STUDENT_STRATEGY declares one.
struct Registrar {
  /// @param e the strategy to record.
  explicit Registrar(const Entry &e) { entries().push_back(e); }
};

/// @return a new `T`, as a StrategyFactory; options are read per request
/// through Context::options().
template <typename T> std::unique_ptr<Strategy> make(const StrategyConfig &) {
  return std::make_unique<T>();
}

} // namespace stampede::student

/// Declares `Class` (a stampede::Strategy) as the strategy `student:NAME`.
#define STAMPEDE_STUDENT_STRATEGY(NAME, Class, description)                                        \
  static const ::stampede::student::Registrar stampede_student_registrar_##NAME(                   \
      ::stampede::student::Entry{"student:" #NAME, &::stampede::student::make<Class>,              \
                                 description})
