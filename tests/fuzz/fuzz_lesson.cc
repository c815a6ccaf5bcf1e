// libFuzzer target: a lesson's steps.json (parse_lesson) and its lesson.md
// (lesson_sections, and check_lesson_text's reading of its figures), on
// arbitrary bytes.
//
// Besides "no crash, no sanitizer report": every error is one non-empty line;
// a step without an error names a scenario; and lesson.md's sections put
// back together give the text again, each line ended.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stampede/lessons.h"

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "fuzz_lesson: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void one_line(const std::string &error) {
  if (error.find('\n') != std::string::npos || error.find('\r') != std::string::npos)
    fail("an error message must be one line", error);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const stampede::LessonFile lesson =
      stampede::parse_lesson(text, "lessons/99-fuzz", "lessons/99-fuzz/steps.json");
  one_line(lesson.error);
  for (const stampede::LessonStep &step : lesson.steps) {
    one_line(step.error);
    if (step.error.empty() && step.scenario.empty())
      fail("a step without an error names its scenario", std::string(text));
    if (step.error.empty() && step.question) {
      const stampede::LessonQuestion &q = *step.question;
      if (q.text.empty() || (q.has_choices() ? q.answer >= q.choices.size() || q.choices.size() < 2
                                             : q.metric.empty() || !(q.tolerance >= 0)))
        fail("a question without an error can be asked and answered", std::string(text));
      // Any input is an answer or a one-line reason it is not.
      std::string error;
      if (!stampede::parse_answer(q, text.substr(0, 16), error))
        one_line(error);
    }
  }
  // The same bytes as the lesson's text: every problem with its figures is
  // one line.
  for (const std::string &problem :
       stampede::check_lesson_text(lesson, std::string(text), "lesson.md"))
    one_line(problem);
  const auto sections = stampede::lesson_sections(std::string(text));
  std::string joined;
  for (const std::string &s : sections)
    joined += s;
  std::string expected(text);
  if (!expected.empty() && expected.back() != '\n')
    expected += '\n';
  if (sections.empty() || joined != expected)
    fail("lesson.md's sections must give the text back", std::string(text));
  return 0;
}
