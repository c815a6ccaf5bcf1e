// Finding and loading the student library: a host process lists what it registers,
// and each strategy or ring is registered as a proxy that runs apart (hosting/).
#include "stampede/student_loader.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "hosting/hosted.h"

namespace stampede {

namespace {

namespace fs = std::filesystem;

std::string default_path() {
  if (const char *env = std::getenv("STAMPEDE_STUDENT_LIB"); env != nullptr && *env != '\0')
    return env;
  // STAMPEDE_SOURCE_DIR is the checkout this binary was built from.
  return (fs::path(STAMPEDE_SOURCE_DIR) / "build" / "student" / "libstampede_student.so").string();
}

StudentLoad last;

} // namespace

StudentLoad load_student_library(const std::string &path, StrategyRegistry &registry,
                                 HashingRegistry &rings) {
  StudentLoad out;
  // Absolute: the host that loads it starts in a folder of its own.
  std::error_code ec;
  out.path = path.empty() ? path : fs::absolute(path, ec).string();
  if (!fs::exists(out.path, ec))
    return out;
  out.found = true;
  // The library is loaded in a host process of its own, never here: what
  // its static constructors or entry point do (crash, throw, exit) is its
  // fault, reported as such, and no command but those that use it notices.
  hosting::LibraryListing listing;
  try {
    listing = hosting::list_library(out.path);
  } catch (const std::exception &e) {
    out.message = e.what();
    return out;
  }
  for (const auto &[name, description] : listing.strategies)
    out.names.push_back(name);
  for (const auto &[name, description] : listing.rings)
    out.rings.push_back(name);
  for (const auto &list : {out.names, out.rings}) {
    for (const std::string &name : list) {
      if (!name.starts_with("student:") || name.size() == 8) {
        out.message =
            out.path + ": registered \"" + name + "\"; expected names of the form student:NAME";
        out.names.clear();
        out.rings.clear();
        return out;
      }
    }
  }
  hosting::set_hosted_library(out.path);
  for (const auto &[name, description] : listing.strategies)
    registry.add(name, &hosting::make_hosted_strategy, description);
  for (const auto &[name, description] : listing.rings)
    rings.add(name, &hosting::make_hosted_ring, description);
  out.loaded = true;
  return out;
}

const StudentLoad &load_student_strategies(StrategyRegistry &registry, HashingRegistry &rings) {
  static std::once_flag once;
  std::call_once(once, [&] { last = load_student_library(default_path(), registry, rings); });
  return last;
}

std::string student_load_hint() {
  if (last.path.empty())
    return "no student library was loaded";
  if (!last.found)
    return "no student library at " + last.path;
  if (!last.loaded)
    return "the student library did not load: " + last.message;
  return {};
}

} // namespace stampede
