// Reading a lesson's steps.json (lessons.h): its steps, their expectations,
// questions and claims, each problem named by file and field path; and
// finding the lessons of a folder.
#include "stampede/lessons.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "stampede/expectations.h"
#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"

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

/// Reads an `expect`-syntax string at `where`.
std::optional<ExpectClause> read_clause(const Json &j, const std::string &where,
                                        std::string &error) {
  if (!j.is_string()) {
    error = where + ": expected a string \"PATH OP NUMBER\"";
    return std::nullopt;
  }
  Parsed<ExpectClause> clause = parse_expect(j.get<std::string>());
  if (!clause) {
    error = where + ": " + clause.error;
    return std::nullopt;
  }
  return std::move(*clause.value);
}

/// Reads a list of `expect`-syntax strings at `where` (`steps[0].expect`).
std::optional<std::vector<ExpectClause>> read_clauses(const Json &list, const std::string &where,
                                                      std::string &error) {
  std::vector<ExpectClause> clauses;
  for (std::size_t k = 0; k < list.size(); ++k) {
    std::optional<ExpectClause> clause =
        read_clause(list[k], where + "[" + std::to_string(k) + "]", error);
    if (!clause)
      return std::nullopt;
    clauses.push_back(std::move(*clause));
  }
  return clauses;
}

/// Reads choice `at` of a question; `before` holds the choices read so far.
std::optional<LessonChoice> read_choice(const Json &c, const std::string &at,
                                        const std::vector<LessonChoice> &before,
                                        std::string &error) {
  if (!c.is_object() || !c.contains("text") || !c["text"].is_string() ||
      c["text"].get<std::string>().empty() || !c.contains("when") || c.size() != 2) {
    error = at + ": expected {\"text\": WORDS, \"when\": \"PATH OP NUMBER\"}";
    return std::nullopt;
  }
  LessonChoice choice;
  choice.text = c["text"].get<std::string>();
  for (const LessonChoice &earlier : before) {
    if (earlier.text == choice.text) {
      error = at + ".text: \"" + choice.text + "\" is offered twice";
      return std::nullopt;
    }
  }
  std::optional<ExpectClause> when = read_clause(c["when"], at + ".when", error);
  if (!when)
    return std::nullopt;
  choice.when = std::move(*when);
  return choice;
}

/// Reads a question that picks one: its `choices`, and its `answer`, one of them.
bool read_choices(const Json &j, const std::string &where, LessonQuestion &q, std::string &error) {
  const Json &choices = j["choices"];
  if (!choices.is_array() || choices.size() < 2) {
    error = where + ".choices: expected an array of at least two {\"text\", \"when\"}";
    return false;
  }
  if (j.contains("tolerance")) {
    error = where + ".tolerance: only a numeric question (\"metric\") has a tolerance";
    return false;
  }
  for (std::size_t k = 0; k < choices.size(); ++k) {
    const std::string at = where + ".choices[" + std::to_string(k) + "]";
    std::optional<LessonChoice> choice = read_choice(choices[k], at, q.choices, error);
    if (!choice)
      return false;
    q.choices.push_back(std::move(*choice));
  }
  const Json &answer = j["answer"];
  if (!answer.is_string()) {
    error = where + ".answer: expected the text of one of the choices";
    return false;
  }
  const std::string a = answer.get<std::string>();
  const auto it = std::find_if(q.choices.begin(), q.choices.end(),
                               [&](const LessonChoice &c) { return c.text == a; });
  if (it == q.choices.end()) {
    error = where + ".answer: \"" + a + "\" is not one of the choices";
    return false;
  }
  q.answer = static_cast<std::size_t>(it - q.choices.begin());
  return true;
}

/// Reads a numeric question: its `metric`, its `answer` and the `tolerance` around it.
bool read_metric(const Json &j, const std::string &where, LessonQuestion &q, std::string &error) {
  if (!j["metric"].is_string()) {
    error = where + ".metric: expected a numeric report path (latency_ms.page_view.p99, say)";
    return false;
  }
  q.metric = j["metric"].get<std::string>();
  if (!report_value(Report{}, q.metric)) {
    error = where + ".metric: \"" + q.metric + "\" is not a numeric report field";
    return false;
  }
  const Json &answer = j["answer"];
  if (!answer.is_number() || !std::isfinite(answer.get<double>())) {
    error = where + ".answer: expected a number (the metric's intended value)";
    return false;
  }
  q.value = answer.get<double>();
  if (!j.contains("tolerance") || !j["tolerance"].is_number() ||
      !(j["tolerance"].get<double>() >= 0) || !std::isfinite(j["tolerance"].get<double>())) {
    error = where + ".tolerance: expected a number >= 0 (answers within it are right)";
    return false;
  }
  q.tolerance = j["tolerance"].get<double>();
  return true;
}

/// Reads a step's `question` (see lessons.h); problems land in `error`.
std::optional<LessonQuestion> read_question(const Json &j, const std::string &where,
                                            std::string &error) {
  if (!j.is_object()) {
    error = where + ": expected an object {\"text\", \"choices\" or \"metric\", \"answer\"}";
    return std::nullopt;
  }
  for (const auto &[key, value] : j.items()) {
    if (key != "text" && key != "choices" && key != "answer" && key != "metric" &&
        key != "tolerance" && key != "why") {
      error = where + "." + key +
              ": unknown field; expected text, choices, answer, metric, tolerance or why";
      return std::nullopt;
    }
  }
  LessonQuestion q;
  if (!j.contains("text") || !j["text"].is_string() || j["text"].get<std::string>().empty()) {
    error = where + ".text: expected the question, a non-empty string";
    return std::nullopt;
  }
  q.text = j["text"].get<std::string>();
  if (j.contains("why")) {
    if (!j["why"].is_string()) {
      error = where + ".why: expected a string said with the answer";
      return std::nullopt;
    }
    q.why = j["why"].get<std::string>();
  }
  if (j.contains("choices") == j.contains("metric")) {
    error = where + ": expected either \"choices\" (pick one) or \"metric\" (give a number)";
    return std::nullopt;
  }
  if (!j.contains("answer")) {
    error = where + ".answer: expected the intended answer";
    return std::nullopt;
  }
  const bool read =
      j.contains("choices") ? read_choices(j, where, q, error) : read_metric(j, where, q, error);
  if (!read)
    return std::nullopt;
  return q;
}

/// Reads one of a step's `claims`; problems land in `error`.
std::optional<LessonClaim> read_claim(const Json &j, const std::string &where, std::string &error) {
  if (!j.is_object()) {
    error = where + ": expected an object {\"text\", \"expect\", \"seeds\"}";
    return std::nullopt;
  }
  for (const auto &[key, value] : j.items()) {
    if (key != "text" && key != "expect" && key != "seeds") {
      error = where + "." + key + ": unknown field; expected text, expect or seeds";
      return std::nullopt;
    }
  }
  LessonClaim c;
  if (!j.contains("text") || !j["text"].is_string() || j["text"].get<std::string>().empty()) {
    error = where + ".text: expected the phrase of the lesson's text that states the figure";
    return std::nullopt;
  }
  c.text = j["text"].get<std::string>();
  if (!j.contains("expect") || !j["expect"].is_array() || j["expect"].empty()) {
    error = where + ".expect: expected a non-empty array of expectations that prove it";
    return std::nullopt;
  }
  std::optional<std::vector<ExpectClause>> expect =
      read_clauses(j["expect"], where + ".expect", error);
  if (!expect)
    return std::nullopt;
  c.expect = std::move(*expect);
  if (j.contains("seeds")) {
    const Json &seeds = j["seeds"];
    const bool pair = seeds.is_array() && seeds.size() == 2 && seeds[0].is_number_unsigned() &&
                      seeds[1].is_number_unsigned();
    const std::uint64_t first = pair ? seeds[0].get<std::uint64_t>() : 0;
    const std::uint64_t last = pair ? seeds[1].get<std::uint64_t>() : 0;
    if (!pair || first > last || last - first >= kMaxClaimSeeds) {
      error = where + ".seeds: expected [FIRST, LAST], the seeds the text names (at most " +
              std::to_string(kMaxClaimSeeds) + "), got " + seeds.dump();
      return std::nullopt;
    }
    c.seeds = std::make_pair(first, last);
  }
  return c;
}

/// Reads a step's `set` and `strategy` as --set PATH=VALUE strings.
bool read_overrides(const Json &step, const std::string &where, LessonStep &s) {
  if (step.contains("set")) {
    if (!step["set"].is_object()) {
      s.error = where + ".set: expected an object of PATH: VALUE";
      return false;
    }
    for (const auto &[path, value] : step["set"].items())
      s.overrides.push_back(path + "=" + value.dump());
  }
  if (step.contains("strategy")) {
    if (!step["strategy"].is_string()) {
      s.error = where + ".strategy: expected a strategy name";
      return false;
    }
    s.overrides.push_back("strategy.name=" + step["strategy"].dump());
  }
  return true;
}

/// Reads a step's `claims`; a problem lands in the step's `error`.
void read_claims(const Json &claims, const std::string &where, LessonStep &s) {
  if (!claims.is_array()) {
    s.error = where + ": expected an array of {\"text\", \"expect\", \"seeds\"}";
    return;
  }
  for (std::size_t k = 0; k < claims.size(); ++k) {
    std::optional<LessonClaim> claim =
        read_claim(claims[k], where + "[" + std::to_string(k) + "]", s.error);
    if (!claim)
      return;
    s.claims.push_back(std::move(*claim));
  }
}

/// Reads one of steps.json's `steps`; a problem lands in the step's `error`.
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
  if (!read_overrides(step, where, s))
    return s;
  if (step.contains("seeds")) {
    const Json &seeds = step["seeds"];
    if (!seeds.is_number_unsigned() || seeds.get<std::uint64_t>() < 1 ||
        seeds.get<std::uint64_t>() > kMaxStepSeeds) {
      s.error = where + ".seeds: expected a number of runs from 1 to " +
                std::to_string(kMaxStepSeeds) + " (its seeds count up from the scenario's), got " +
                seeds.dump();
      return s;
    }
    s.seeds = seeds.get<std::uint64_t>();
  }
  if (step.contains("expect")) {
    if (!step["expect"].is_array()) {
      s.error = where + ".expect: expected an array of expectations";
      return s;
    }
    s.expect = read_clauses(step["expect"], where + ".expect", s.error);
    if (!s.expect)
      return s;
  }
  if (step.contains("question")) {
    s.question = read_question(step["question"], where + ".question", s.error);
    if (!s.question)
      return s;
  }
  if (step.contains("claims"))
    read_claims(step["claims"], where + ".claims", s);
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
  if (doc.contains("part")) {
    if (!doc["part"].is_string()) {
      l.error = shown + ": part: expected the part of the lecture, a string";
      return l;
    }
    l.part = doc["part"].get<std::string>();
  }
  if (doc.contains("text")) {
    if (!doc["text"].is_string() || doc["text"].get<std::string>().empty()) {
      l.error = shown + ": text: expected the text file, relative to the lesson's folder";
      return l;
    }
    l.text_file = doc["text"].get<std::string>();
  }
  for (const char *list : {"aliases", "givens"}) {
    if (!doc.contains(list))
      continue;
    const Json &a = doc[list];
    std::vector<std::string> &into = std::string_view(list) == "aliases" ? l.aliases : l.givens;
    for (std::size_t k = 0; a.is_array() && k < a.size(); ++k) {
      if (!a[k].is_string() || a[k].get<std::string>().empty())
        break;
      into.push_back(a[k].get<std::string>());
    }
    if (!a.is_array() || into.size() != a.size()) {
      l.error = shown + ": " + list + ": expected an array of non-empty strings";
      return l;
    }
  }
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
    const std::string name = e.path().filename().string();
    const bool numbered = !name.empty() && std::isdigit(static_cast<unsigned char>(name[0]));
    if (numbered && e.is_directory() && fs::exists(steps))
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

} // namespace stampede
