// The course as shipped (issue 13): every lesson reads cleanly and asks at
// least one question before a step runs. Whether each step's expectations and
// each question's answer hold is checked by running them (stampede_test_lessons,
// and stampede_lesson_seeds_* on seeds 1-20); this checks what the course holds.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "io/lessons.h"
#include "stampede/scenario_io.h"

namespace stampede {
namespace {

std::vector<LessonFile> project_lessons() {
  return find_lessons(std::filesystem::path(STAMPEDE_SOURCE_DIR) / "lessons");
}

TEST(Course, EveryLessonReadsAndAsksAQuestion) {
  const std::vector<LessonFile> lessons = project_lessons();
  EXPECT_GE(lessons.size(), 12u) << "every part of the lecture has a lesson (issue 13)";
  std::set<std::string> ids;
  for (const LessonFile &l : lessons) {
    EXPECT_EQ(l.error, "") << l.dir;
    EXPECT_TRUE(ids.insert(l.id).second) << l.id << " twice";
    EXPECT_EQ(l.id, l.dir.filename().string()) << "a lesson's id is its folder's name";
    EXPECT_FALSE(l.title.empty()) << l.id;
    std::size_t questions = 0;
    for (const LessonStep &s : l.steps) {
      EXPECT_EQ(s.error, "") << l.id;
      EXPECT_TRUE(s.expect && !s.expect->empty()) << l.id << ": " << s.title << " checks nothing";
      questions += s.question ? 1 : 0;
    }
    EXPECT_GE(questions, 1u) << l.id << " asks no question";
  }
}

// lesson.md has one `## Step N` section per step, so the window and
// `lesson run --interactive` show each step's own text.
TEST(Course, EveryStepHasItsTextInLessonMd) {
  for (const LessonFile &l : project_lessons()) {
    Parsed<std::string> md = read_input_file((l.dir / "lesson.md").string());
    ASSERT_TRUE(md) << md.error;
    const std::vector<std::string> sections = lesson_sections(*md.value);
    EXPECT_EQ(sections.size(), l.steps.size() + 1)
        << l.id << ": " << sections.size() - 1 << " `## Step` sections for " << l.steps.size()
        << " steps";
    // A step that asks keeps its answer until the run has ended.
    for (std::size_t i = 0; i < l.steps.size() && i + 1 < sections.size(); ++i) {
      if (l.steps[i].question) {
        EXPECT_NE(split_step_text(sections[i + 1]).after, "")
            << l.id << " step " << i + 1 << " asks a question but has no \"" << kAfterTheRun
            << "\" part: its text would give the answer away";
      }
    }
  }
}

} // namespace
} // namespace stampede
