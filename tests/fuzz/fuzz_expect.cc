// libFuzzer target: parse_expect on arbitrary bytes.
//
// Besides "no crash, no sanitizer report": a parsed clause, written back in
// canonical form (PATH OP NUMBER joined with " and ", PATH wrapped as
// mean(PATH) or ci95(PATH) where it was), parses to the same terms.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stampede/expectations.h"

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "fuzz_expect: %s\n%s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  auto parsed = stampede::parse_expect(text);
  if (!parsed) {
    if (parsed.error.empty() || parsed.error.find('\n') != std::string::npos)
      fail("an error message must be one non-empty line", parsed.error);
    return 0;
  }
  if (parsed.value->terms.empty() || parsed.value->text != text)
    fail("a parsed clause keeps its text and has terms", std::string(text));
  std::string canonical;
  for (const auto &t : parsed.value->terms) {
    char number[64];
    auto r = std::to_chars(number, number + sizeof number, t.value);
    const std::string subject =
        t.over == stampede::Expectation::Over::kMean   ? "mean(" + t.path + ")"
        : t.over == stampede::Expectation::Over::kCi95 ? "ci95(" + t.path + ")"
                                                       : t.path;
    canonical += (canonical.empty() ? "" : " and ") + subject + " " + stampede::op_name(t.op) +
                 " " + std::string(number, r.ptr);
  }
  auto again = stampede::parse_expect(canonical);
  if (!again || again.value->terms.size() != parsed.value->terms.size())
    fail("the canonical form does not parse back", canonical + "\n" + again.error);
  for (std::size_t i = 0; i < parsed.value->terms.size(); ++i) {
    const auto &a = parsed.value->terms[i];
    const auto &b = again.value->terms[i];
    if (a.path != b.path || a.op != b.op || a.value != b.value || a.over != b.over)
      fail("the canonical form parses to other terms", canonical);
  }
  return 0;
}
