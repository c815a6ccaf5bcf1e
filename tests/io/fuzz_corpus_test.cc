// Replays the committed fuzz corpora (tests/fuzz/corpus/*) through the parsers,
// so `./dev test` re-checks every input the fuzzers once found interesting
// without fuzzing (STYLE.md section 9). The checks mirror the fuzz targets':
// no crash, a one-line error, and a scenario that round-trips.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stampede/expectations.h"
#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/lessons.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus(const char *name) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(STAMPEDE_SOURCE_DIR) / "tests/fuzz/corpus" / name;
  for (const auto &entry : fs::directory_iterator(dir))
    if (entry.is_regular_file())
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FuzzCorpus, ScenarioInputsParseOrFailOnOneLine) {
  const auto files = corpus("scenario");
  ASSERT_FALSE(files.empty());
  for (const auto &path : files) {
    std::string_view text;
    const std::string data = read(path);
    text = data;
    // As in fuzz_scenario.cc: an optional first line `@PATH=VALUE` is a --set.
    std::vector<std::string> overrides;
    if (text.starts_with('@')) {
      const auto newline = text.find('\n');
      overrides.emplace_back(
          text.substr(1, newline == std::string_view::npos ? newline : newline - 1));
      text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    }
    auto r = parse_scenario(text, "fuzz.json", overrides);
    if (!r) {
      EXPECT_FALSE(r.error.empty()) << path;
      EXPECT_EQ(r.error.find('\n'), std::string::npos) << path;
      continue;
    }
    auto again = parse_scenario(scenario_to_json(*r.value), "round-trip.json");
    EXPECT_TRUE(again) << path << ": " << again.error;
  }
}

TEST(FuzzCorpus, ExpectInputsParseOrFailOnOneLine) {
  const auto files = corpus("expect");
  ASSERT_FALSE(files.empty());
  for (const auto &path : files) {
    auto r = parse_expect(read(path));
    if (!r) {
      EXPECT_FALSE(r.error.empty()) << path;
      EXPECT_EQ(r.error.find('\n'), std::string::npos) << path;
    } else {
      EXPECT_FALSE(r.value->terms.empty()) << path;
    }
  }
}

TEST(FuzzCorpus, LessonInputsParseOrFailOnOneLine) {
  // As in fuzz_lesson.cc: steps.json errors are one line, a step without an
  // error names a scenario, lesson.md's sections give the text back.
  const auto files = corpus("lesson");
  ASSERT_FALSE(files.empty());
  for (const auto &path : files) {
    const std::string text = read(path);
    const LessonFile lesson = parse_lesson(text, "lessons/99-fuzz", "steps.json");
    EXPECT_EQ(lesson.error.find('\n'), std::string::npos) << path;
    for (const LessonStep &step : lesson.steps) {
      EXPECT_EQ(step.error.find('\n'), std::string::npos) << path;
      EXPECT_TRUE(!step.error.empty() || !step.scenario.empty()) << path;
    }
    for (const std::string &problem : check_lesson_text(lesson, text, "lesson.md"))
      EXPECT_EQ(problem.find('\n'), std::string::npos) << path << ": " << problem;
    std::string joined;
    for (const std::string &section : lesson_sections(text))
      joined += section;
    EXPECT_EQ(joined, text.empty() || text.back() == '\n' ? text : text + "\n") << path;
  }
}

TEST(FuzzCorpus, ScheduleInputsParseAndReplayOrFailOnOneLine) {
  // As in fuzz_schedule.cc: a one-line error naming the file, or a schedule
  // that replays or is refused in one line. The corpus holds good files
  // (stampede explore --schedule-out) and broken ones.
  const auto files = corpus("schedule");
  ASSERT_FALSE(files.empty());
  int parsed = 0, refused = 0;
  for (const auto &path : files) {
    const auto file = parse_schedule_file(read(path), "s.json");
    if (!file) {
      EXPECT_EQ(file.error.find('\n'), std::string::npos) << path;
      EXPECT_EQ(file.error.rfind("s.json", 0), 0u) << path << ": " << file.error;
      continue;
    }
    ++parsed;
    for (const ScheduleEntry &entry : file.value->schedules) {
      try {
        const auto story =
            replay_schedule(file.value->scenario, StrategyRegistry::global(), entry.order);
        // A file explore wrote tells the same story when replayed.
        if (!entry.story.empty()) {
          ASSERT_EQ(story.size(), entry.story.size()) << path;
          for (std::size_t i = 0; i < story.size(); ++i)
            EXPECT_EQ(story[i].text(), entry.story[i]) << path;
        }
      } catch (const std::invalid_argument &e) {
        ++refused;
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << path;
      }
    }
  }
  EXPECT_GE(parsed, 4);
  EXPECT_GE(refused, 2); // an order that cannot run, a scenario explore cannot order
}

} // namespace
} // namespace stampede
