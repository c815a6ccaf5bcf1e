// libFuzzer target: parse_scenario on arbitrary bytes.
//
// Input: the scenario text, optionally preceded by one line `@PATH=VALUE`
// applied as a --set override. Besides "no crash, no sanitizer report", it
// checks that a parsed scenario survives scenario_to_json and parses back to
// the same JSON (empirical tables are only required to parse back: their
// weights are rebuilt from a normalised cumulative table).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/scenario_file.h"

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "fuzz_scenario: %s\n%s\n", what, detail.c_str());
  std::abort();
}

bool has_empirical(const stampede::Scenario &s) {
  for (const auto *d : {&s.workload.think_time, &s.app.cpu, &s.cache.rtt, &s.db.query_latency,
                        &s.db.insert_latency})
    if (d->kind == stampede::Distribution::Kind::kEmpirical)
      return true;
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  std::vector<std::string> overrides;
  if (text.starts_with('@')) {
    const auto newline = text.find('\n');
    overrides.emplace_back(
        text.substr(1, newline == std::string_view::npos ? newline : newline - 1));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  }
  auto parsed = stampede::parse_scenario(text, "fuzz.json", overrides);
  if (!parsed) {
    if (parsed.error.empty() || parsed.error.find('\n') != std::string::npos)
      fail("an error message must be one non-empty line", parsed.error);
    return 0;
  }
  const std::string first = stampede::scenario_to_json(*parsed.value);
  auto again = stampede::parse_scenario(first, "round-trip.json");
  if (!again)
    fail("scenario_to_json wrote what parse_scenario rejects", again.error + "\n" + first);
  const std::string second = stampede::scenario_to_json(*again.value);
  if (!has_empirical(*parsed.value) && second != first)
    fail("scenario_to_json is not stable under a round trip", first + "\n---\n" + second);
  return 0;
}
