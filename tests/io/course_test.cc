// The course as shipped (issue 13): every lesson reads cleanly and asks at
// least one question before a step runs. Whether each step's expectations and
// each question's answer hold is checked by running them (stampede_test_lessons,
// and stampede_lesson_seeds_* on seeds 1-20); this checks what the course holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "stampede/lecture.h"
#include "stampede/lessons.h"
#include "stampede/scenario_file.h"

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

// Issue 22: every figure a lesson's text states is checked, given, a
// reference or seed-labelled; so is every figure of the instructor's guide.
TEST(Course, EveryFigureInTheTextIsCheckedGivenOrSeedLabelled) {
  std::vector<LessonFile> texts = project_lessons();
  const std::filesystem::path guide =
      std::filesystem::path(STAMPEDE_SOURCE_DIR) / "lessons" / "instructor" / "steps.json";
  ASSERT_TRUE(std::filesystem::exists(guide)) << "INSTRUCTOR.md's figures are claimed there";
  texts.push_back(read_lesson(guide));
  for (const LessonFile &l : texts) {
    ASSERT_EQ(l.error, "") << l.dir;
    Parsed<std::string> md = read_input_file((l.dir / l.text_file).string());
    ASSERT_TRUE(md) << md.error;
    EXPECT_GT(text_figures(*md.value).size(), 0u) << l.id << ": the check reads no figure";
    for (const std::string &problem : check_lesson_text(l, *md.value, l.id))
      ADD_FAILURE() << problem;
  }
}

// What the check counts as a figure: numbers in prose, in digits or words;
// not names (R1, p99), code, headings or link targets.
TEST(Course, FiguresAreReadFromProseOnly) {
  const std::string md = "# Lesson 12 — 99 headings\n\nR1's p99 is 1,200 ms; about a hundred "
                         "views, twice.\n`--seed 3` and [a link](http://x/2013) and 0.15 s.\n\n"
                         "```\nstampede run 42\n```\n\n    indented 7\n\n1. first, 2 of them\n"
                         "2) second\n";
  EXPECT_EQ(text_figures(md), (std::vector<std::string>{"1,200", "hundred", "twice", "0.15", "2"}));
}

// The lecture's order (issue 22): lessons 01-12 walk its parts in the order
// the lecture takes them, why scale first; the rest say they go beyond it.
TEST(Course, LessonsOneToTwelveFollowTheLecture) {
  // The lecture's parts, in its order (../shared/course/lecture-how-to-serve-millions.txt).
  const std::vector<std::string> lecture = {"Why scale",
                                            "Caching",
                                            "Broken submissions",
                                            "Cache stampede",
                                            "Cache updating",
                                            "App server scaling",
                                            "Memcached",
                                            "Stateless",
                                            "Advanced cache updates",
                                            "CAS",
                                            "Separating services",
                                            "Additional pieces"};
  const std::vector<LessonFile> lessons = project_lessons();
  ASSERT_GE(lessons.size(), 12u);
  for (std::size_t i = 0; i < lessons.size(); ++i) {
    const LessonFile &l = lessons[i];
    EXPECT_EQ(std::stoi(l.id.substr(0, 2)), static_cast<int>(i + 1))
        << l.id << ": numbered in order";
    if (i < lecture.size()) {
      EXPECT_TRUE(l.part.starts_with(lecture[i]))
          << l.id << " walks \"" << l.part << "\", but part " << i + 1 << " of the lecture is \""
          << lecture[i] << "\"";
    } else {
      EXPECT_TRUE(l.part.starts_with("Beyond the lecture")) << l.id << ": " << l.part;
    }
  }
  // A former id finds one lesson only, and is no lesson's id.
  std::set<std::string> ids, aliases;
  for (const LessonFile &l : lessons)
    ids.insert(l.id);
  for (const LessonFile &l : lessons)
    for (const std::string &a : l.aliases) {
      EXPECT_TRUE(aliases.insert(a).second) << a << " names two lessons";
      EXPECT_EQ(ids.count(a), 0u) << a << " is both an alias and a lesson";
    }
}

// Ask before showing (issue 22): a step whose text states a result (a
// claim about its run) asks for a prediction first, and states it after the
// run (or a later step recalls it). A claim on named seeds is about runs
// already made, and may set up a question.
TEST(Course, AStepThatStatesAResultAsksFirst) {
  // Squeezed as the check matches claims: line breaks and `*` aside.
  const auto squeezed = [](const std::string &s) {
    std::string out;
    for (const char c : s) {
      if (c == '*')
        continue;
      const char d = std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
      if (!(d == ' ' && (out.empty() || out.back() == ' ')))
        out += d;
    }
    return out;
  };
  for (const LessonFile &l : project_lessons()) {
    Parsed<std::string> md = read_input_file((l.dir / "lesson.md").string());
    ASSERT_TRUE(md) << md.error;
    const std::vector<std::string> sections = lesson_sections(*md.value);
    for (std::size_t i = 0; i < l.steps.size() && i + 1 < sections.size(); ++i) {
      bool states = false;
      for (const LessonClaim &c : l.steps[i].claims) {
        if (c.seeds)
          continue;
        states = true;
        std::string later = squeezed(split_step_text(sections[i + 1]).after);
        for (std::size_t k = i + 2; k < sections.size(); ++k)
          later += " " + squeezed(sections[k]);
        const std::string before = squeezed(split_step_text(sections[i + 1]).before);
        EXPECT_TRUE(later.find(squeezed(c.text)) != std::string::npos &&
                    before.find(squeezed(c.text)) == std::string::npos)
            << l.id << " step " << i + 1 << " states \"" << c.text
            << "\" before the run: put it after \"" << kAfterTheRun << "\"";
      }
      EXPECT_TRUE(!states || l.steps[i].question.has_value())
          << l.id << " step " << i + 1 << " states a result but asks nothing first";
    }
  }
}

// Issue 23: the lecture as a playlist. lessons/lecture.json reads, walks
// parts 1-12 in order inside its minutes, every demo's scenario loads with
// its settings, and INSTRUCTOR.md's "The 50-minute script" lists the same
// demos in the same order at the same minutes.
TEST(Course, TheLecturePlaylistIsTheInstructorsScript) {
  const std::filesystem::path lessons = std::filesystem::path(STAMPEDE_SOURCE_DIR) / "lessons";
  const Lecture l = read_lecture(lessons / "lecture.json");
  ASSERT_EQ(l.error, "");
  ASSERT_GE(l.demos.size(), 12u);
  EXPECT_EQ(l.minutes, 50);
  std::set<int> parts;
  std::set<std::string> titles;
  for (std::size_t k = 0; k < l.demos.size(); ++k) {
    const LectureDemo &d = l.demos[k];
    SCOPED_TRACE(d.title);
    if (k > 0) {
      EXPECT_GE(d.part, l.demos[k - 1].part) << "the lecture's order";
    }
    EXPECT_LE(d.part, 12);
    EXPECT_EQ(std::stoi(d.lesson), d.part) << "lessons 01-12 walk parts 1-12";
    parts.insert(d.part);
    EXPECT_TRUE(titles.insert(d.title).second) << "twice";
    auto s = load_scenario(d.scenario, d.overrides);
    ASSERT_TRUE(s) << s.error;
    EXPECT_EQ(s.value->strategy.name, d.strategy == "update+cas" ? "update" : d.strategy);
    EXPECT_EQ(s.value->seed, d.seed);
    EXPECT_LT(d.at, s.value->duration_s) << "it opens inside its run";
  }
  EXPECT_EQ(parts.size(), 12u) << "every part of the lecture has a demo";

  // The script's rows: | `MM:00` | K. TITLE | PART | ... |
  Parsed<std::string> md = read_input_file((lessons / "INSTRUCTOR.md").string());
  ASSERT_TRUE(md) << md.error;
  const std::string &text = *md.value;
  const auto begin = text.find("\n## The 50-minute script\n");
  ASSERT_NE(begin, std::string::npos) << "INSTRUCTOR.md has no \"## The 50-minute script\"";
  const auto end = text.find("\n## ", begin + 1);
  std::istringstream script(text.substr(begin, end - begin));
  const std::regex row(R"(^\| `(\d\d):00` \| (\d+)\. (.+?) \| (\d+) \|.*\|\s*$)");
  std::size_t k = 0;
  for (std::string line; std::getline(script, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row))
      continue;
    ASSERT_LT(k, l.demos.size()) << "a row past the playlist's demos: " << line;
    const LectureDemo &d = l.demos[k];
    EXPECT_EQ(std::stoi(m[1].str()), d.minute) << line;
    EXPECT_EQ(std::stoul(m[2].str()), k + 1) << line;
    EXPECT_EQ(m[3].str(), d.title) << line;
    EXPECT_EQ(std::stoi(m[4].str()), d.part) << line;
    ++k;
  }
  EXPECT_EQ(k, l.demos.size()) << "the script lists every demo of lessons/lecture.json";
}

// A playlist with a mistake says where, as a scenario file does.
TEST(Course, ABadPlaylistNamesTheFileTheDemoAndTheField) {
  const auto error = [](const std::string &json) {
    return parse_lecture(json, "/tmp", "lecture.json").error;
  };
  const std::string unsped = R"({"minute": 0, "part": 1, "lesson": "01", "title": "T",
      "scenario": "builtin:frontpage", "strategy": "none", "point": "P")";
  const std::string demo = unsped + R"(, "speed": "1")";
  EXPECT_EQ(error(R"({"title": "L", "minutes": 50, "demos": [)" + demo + "}]}"), "");
  EXPECT_EQ(error("[]"), "lecture.json: expected an object with \"title\", \"minutes\" and "
                         "\"demos\"");
  EXPECT_EQ(error(R"({"title": "L", "minutes": 50, "demos": []})"),
            "lecture.json: demos: expected an array of at least one demo");
  EXPECT_EQ(error(R"({"title": "L", "minutes": 50, "demos": [)" + unsped + R"(, "speed": "3"}]})"),
            "lecture.json: demos[0].speed: expected one of \"0.1\", \"0.25\", \"0.5\", \"1\", "
            "\"2\", \"5\", \"10\", \"100\", \"1000\", \"max\", got \"3\"");
  EXPECT_EQ(error(R"({"title": "L", "minutes": 50, "demos": [)" + demo + "}, " + demo + "}]}"),
            "lecture.json: demos[1].minute: expected a minute after the previous demo's (0), "
            "got 0");
  EXPECT_EQ(error(R"({"title": "L", "minutes": 50, "demos": [)" + demo + R"(, "at": -1}]})"),
            "lecture.json: demos[0].at: expected the simulated second it opens at (0 or more), "
            "got -1");
  EXPECT_EQ(
      error(R"({"title": "L", "minutes": 50, "demos": [)" + demo + R"(, "set": {"a": [1]}}]})"),
      "lecture.json: demos[0].set.a: expected a number, a string or true/false");
  EXPECT_EQ(error(R"({"title": "L", "minutes": 50, "demos": [{"minute": 0}]})"),
            "lecture.json: demos[0].part: expected a whole number from 1 to 99, missing");
  EXPECT_NE(error("{\"title\": "), "");
}

} // namespace
} // namespace stampede
