#include "io/lessons.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "stampede/scenario_io.h"

namespace stampede {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string shown(const fs::path &p) {
  std::error_code ec;
  const fs::path rel = p.lexically_relative(fs::current_path(ec));
  if (!ec && !rel.empty() && *rel.begin() != "..")
    return rel.generic_string();
  return p.generic_string();
}

LessonStep read_step(const Json &step, const fs::path &dir, const std::string &where) {
  LessonStep s;
  if (!step.is_object()) {
    s.error = where + ": expected an object";
    return s;
  }
  if (step.contains("title") && step["title"].is_string())
    s.title = step["title"].get<std::string>();
  if (step.contains("point") && step["point"].is_string())
    s.point = step["point"].get<std::string>();
  if (!step.contains("scenario") || !step["scenario"].is_string()) {
    s.error = where + ".scenario: expected a scenario path or builtin:NAME";
    return s;
  }
  const std::string scenario = step["scenario"].get<std::string>();
  s.scenario =
      scenario.starts_with("builtin:") ? scenario : (dir / scenario).lexically_normal().string();
  if (step.contains("set")) {
    if (!step["set"].is_object()) {
      s.error = where + ".set: expected an object of PATH: VALUE";
      return s;
    }
    for (const auto &[path, value] : step["set"].items())
      s.overrides.push_back(path + "=" + value.dump());
  }
  if (step.contains("strategy")) {
    if (!step["strategy"].is_string()) {
      s.error = where + ".strategy: expected a strategy name";
      return s;
    }
    s.overrides.push_back("strategy.name=" + step["strategy"].dump());
  }
  if (step.contains("expect")) {
    const Json &expect = step["expect"];
    if (!expect.is_array()) {
      s.error = where + ".expect: expected an array of expectations";
      return s;
    }
    std::vector<ExpectClause> clauses;
    for (std::size_t k = 0; k < expect.size(); ++k) {
      const std::string at = where + ".expect[" + std::to_string(k) + "]";
      if (!expect[k].is_string()) {
        s.error = at + ": expected a string \"PATH OP NUMBER\"";
        return s;
      }
      Parsed<ExpectClause> clause = parse_expect(expect[k].get<std::string>());
      if (!clause) {
        s.error = at + ": " + clause.error;
        return s;
      }
      clauses.push_back(std::move(*clause.value));
    }
    s.expect = std::move(clauses);
  }
  return s;
}

} // namespace

LessonFile parse_lesson(std::string_view text, const fs::path &dir, const std::string &shown) {
  LessonFile l;
  l.dir = dir;
  l.id = dir.filename().string();
  Parsed<nlohmann::ordered_json> parsed = parse_json_document(text, shown);
  if (!parsed) {
    l.error = parsed.error;
    return l;
  }
  const Json doc(*parsed.value);
  if (!doc.is_object() || !doc.contains("steps") || !doc["steps"].is_array()) {
    l.error = shown + ": steps: expected an array";
    return l;
  }
  if (doc.contains("id") && doc["id"].is_string())
    l.id = doc["id"].get<std::string>();
  if (doc.contains("title") && doc["title"].is_string())
    l.title = doc["title"].get<std::string>();
  const Json &steps = doc["steps"];
  for (std::size_t i = 0; i < steps.size(); ++i)
    l.steps.push_back(read_step(steps[i], dir, shown + ": steps[" + std::to_string(i) + "]"));
  return l;
}

LessonFile read_lesson(const fs::path &steps_json) {
  const std::string file = shown(steps_json);
  Parsed<std::string> text = read_input_file(steps_json.string());
  if (!text) {
    LessonFile l;
    l.dir = steps_json.parent_path();
    l.id = l.dir.filename().string();
    l.error = file + text.error.substr(steps_json.string().size());
    l.unreadable = true;
    return l;
  }
  return parse_lesson(*text.value, steps_json.parent_path(), file);
}

std::vector<LessonFile> find_lessons(const fs::path &root, std::string *error) {
  std::vector<LessonFile> lessons;
  std::error_code ec;
  for (const fs::directory_entry &e : fs::directory_iterator(root, ec)) {
    const fs::path steps = e.path() / "steps.json";
    if (e.is_directory() && fs::exists(steps))
      lessons.push_back(read_lesson(steps));
  }
  if (error != nullptr) {
    if (ec)
      *error = shown(root) + ": cannot read the lessons folder: " + ec.message();
    else if (lessons.empty())
      *error = shown(root) + ": no lessons, expected NN-slug folders that hold a steps.json";
  }
  std::sort(lessons.begin(), lessons.end(), [](const LessonFile &a, const LessonFile &b) {
    return a.dir.filename() < b.dir.filename();
  });
  return lessons;
}

fs::path default_lessons_dir() {
#ifdef STAMPEDE_SOURCE_DIR
  const fs::path built = fs::path(STAMPEDE_SOURCE_DIR) / "lessons";
  std::error_code ec;
  if (fs::exists(built, ec))
    return built;
#endif
  return fs::path(".") / "lessons";
}

std::vector<std::string> lesson_sections(const std::string &markdown) {
  std::vector<std::string> sections(1);
  std::istringstream in(markdown);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## Step "))
      sections.emplace_back();
    sections.back() += line + "\n";
  }
  return sections;
}

} // namespace stampede
