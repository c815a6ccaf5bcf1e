/// @file student_loader.h
/// Loads the students' strategies (SPEC section 10): a shared library built
/// apart from `stampede` from exercises/, exporting
/// `stampede_register_strategies` (stampede/strategy.h) and, optionally,
/// `stampede_register_hashings` (stampede/student_hashing.h). `stampede` and
/// `stampede-gui` call load_student_strategies() at start; once loaded, the
/// strategies are selectable as `student:NAME` like any other, and the rings
/// as `"cache.hashing": "student:NAME"`.
///
/// The library is never loaded into this process: a sandboxed host process
/// (stampede-student-host, simulator/hosting/) loads it and lists what it
/// registers, and each strategy or ring made from it runs in a host of its
/// own behind a proxy that checks every answer (hosting/hosted.h).
///
/// Where the library is looked for: the path in STAMPEDE_STUDENT_LIB if set,
/// else `build/student/libstampede_student.so` in the checkout the running
/// binary was built from.
#pragma once

#include <string>
#include <vector>

#include "stampede/strategy.h"
#include "stampede/student_hashing.h"

namespace stampede {

/// What loading found.
struct StudentLoad {
  bool found = false;             ///< A library was there to load.
  bool loaded = false;            ///< It loaded and registered its strategies.
  std::string path;               ///< Where it was looked for.
  std::string message;            ///< Why it did not load, when it did not.
  std::vector<std::string> names; ///< The strategies it registered.
  std::vector<std::string> rings; ///< The key placements (cache.hashing) it registered.
};

/// Loads the student library once per process into `registry`; later calls
/// return the first call's outcome. A missing library is not an error (most
/// runs have none); one that is there but cannot load says why in `message`.
/// Names a library registers must start with `student:`; if one does not,
/// nothing it registered is kept.
/// @param registry where the strategies go.
/// @param rings where the key placements go.
/// @return what happened.
const StudentLoad &load_student_strategies(StrategyRegistry &registry = StrategyRegistry::global(),
                                           HashingRegistry &rings = HashingRegistry::global());

/// Loads the student library at `path` into the registries (each call
/// anew; a graded test names its exercise's library this way).
/// @param path the library. @param registry where the strategies go.
/// @param rings where the key placements go.
/// @return what happened.
StudentLoad load_student_library(const std::string &path, StrategyRegistry &registry,
                                 HashingRegistry &rings);

/// @return the last load's outcome as a sentence for an "unknown strategy"
/// (or unknown `cache.hashing`) message about a `student:` name, or empty
/// when none applies.
std::string student_load_hint();

} // namespace stampede
