#include "io/student_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace stampede {

namespace {

namespace fs = std::filesystem;

std::string default_path() {
  if (const char *env = std::getenv("STAMPEDE_STUDENT_LIB"); env != nullptr && *env != '\0')
    return env;
  // STAMPEDE_SOURCE_DIR is the checkout this binary was built from.
  return (fs::path(STAMPEDE_SOURCE_DIR) / "build" / "student" / "libstampede_student.so").string();
}

StudentLoad load(StrategyRegistry &registry, HashingRegistry &rings) {
  StudentLoad out;
  out.path = default_path();
  std::error_code ec;
  if (!fs::exists(out.path, ec))
    return out;
  out.found = true;
  // RTLD_NOW: an undefined symbol is reported here, not halfway through a run.
  void *handle = dlopen(out.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char *err = dlerror();
    out.message = err != nullptr ? err : "dlopen failed";
    return out;
  }
  void *symbol = dlsym(handle, kStudentEntryPoint);
  if (symbol == nullptr) {
    out.message = out.path + ": does not export " + kStudentEntryPoint;
    dlclose(handle);
    return out;
  }
  // Registered into scratch registries first, so a bad name keeps nothing.
  StrategyRegistry scratch;
  reinterpret_cast<StudentEntryPoint>(symbol)(scratch);
  HashingRegistry scratch_rings;
  // Optional: a library built before rings existed has no such symbol.
  if (void *hashings = dlsym(handle, kStudentHashingEntryPoint); hashings != nullptr)
    reinterpret_cast<StudentHashingEntryPoint>(hashings)(scratch_rings);
  std::vector<std::string> all = scratch.names();
  for (const std::string &name : scratch_rings.names())
    all.push_back(name);
  for (const std::string &name : all) {
    if (!name.starts_with("student:") || name.size() == 8) {
      out.message =
          out.path + ": registered \"" + name + "\"; expected names of the form student:NAME";
      return out; // the library stays loaded: its code may be referenced
    }
  }
  for (const std::string &name : scratch.names()) {
    registry.add(name, scratch.factory(name), scratch.description(name));
    out.names.push_back(name);
  }
  for (const std::string &name : scratch_rings.names()) {
    rings.add(name, scratch_rings.factory(name), scratch_rings.description(name));
    out.rings.push_back(name);
  }
  out.loaded = true;
  return out; // never unloaded: strategies made from it live to the end
}

StudentLoad last;

} // namespace

const StudentLoad &load_student_strategies(StrategyRegistry &registry, HashingRegistry &rings) {
  static std::once_flag once;
  std::call_once(once, [&] { last = load(registry, rings); });
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
