// libFuzzer target: parse_schedule_file on arbitrary bytes (the file
// `stampede-gui --schedule` opens), then the schedule replayed.
//
// Besides "no crash, no sanitizer report": an error is one non-empty line
// that names the file; a file that parses replays, or is refused with
// std::invalid_argument (a scenario explore cannot order, a step that
// cannot run), never anything else.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/strategy.h"

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "fuzz_schedule: %s\n%s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  auto parsed = stampede::parse_schedule_file(text, "fuzz.json");
  if (!parsed) {
    if (parsed.error.empty() || parsed.error.find('\n') != std::string::npos ||
        !parsed.error.starts_with("fuzz.json"))
      fail("an error must be one line naming the file", parsed.error);
    return 0;
  }
  if (parsed.value->schedules.empty())
    fail("a parsed file holds a schedule", std::string(text));
  for (const stampede::ScheduleEntry &entry : parsed.value->schedules) {
    try {
      stampede::replay_schedule(parsed.value->scenario, stampede::StrategyRegistry::global(),
                                entry.order);
    } catch (const std::invalid_argument &e) {
      if (std::string(e.what()).find('\n') != std::string::npos)
        fail("a refusal must be one line", e.what());
    }
  }
  return 0;
}
