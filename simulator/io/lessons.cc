// Lessons: reading steps.json (steps, questions, claims), answering a step's question
// from its run, and checking that every figure in lesson.md is a claim or a given.
#include "stampede/lessons.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

/// A measured number for the learner: whole numbers whole, others to 4 figures.
std::string shown_number(double v) {
  char buf[64];
  if (std::isfinite(v) && (v == std::floor(v) || std::fabs(v) >= 1000) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
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
  const Json &answer = j["answer"];
  if (j.contains("choices")) {
    const Json &choices = j["choices"];
    if (!choices.is_array() || choices.size() < 2) {
      error = where + ".choices: expected an array of at least two {\"text\", \"when\"}";
      return std::nullopt;
    }
    if (j.contains("tolerance")) {
      error = where + ".tolerance: only a numeric question (\"metric\") has a tolerance";
      return std::nullopt;
    }
    for (std::size_t k = 0; k < choices.size(); ++k) {
      const std::string at = where + ".choices[" + std::to_string(k) + "]";
      const Json &c = choices[k];
      if (!c.is_object() || !c.contains("text") || !c["text"].is_string() ||
          c["text"].get<std::string>().empty() || !c.contains("when") || c.size() != 2) {
        error = at + ": expected {\"text\": WORDS, \"when\": \"PATH OP NUMBER\"}";
        return std::nullopt;
      }
      LessonChoice choice;
      choice.text = c["text"].get<std::string>();
      for (const LessonChoice &before : q.choices) {
        if (before.text == choice.text) {
          error = at + ".text: \"" + choice.text + "\" is offered twice";
          return std::nullopt;
        }
      }
      std::optional<ExpectClause> when = read_clause(c["when"], at + ".when", error);
      if (!when)
        return std::nullopt;
      choice.when = std::move(*when);
      q.choices.push_back(std::move(choice));
    }
    if (!answer.is_string()) {
      error = where + ".answer: expected the text of one of the choices";
      return std::nullopt;
    }
    const std::string a = answer.get<std::string>();
    const auto it = std::find_if(q.choices.begin(), q.choices.end(),
                                 [&](const LessonChoice &c) { return c.text == a; });
    if (it == q.choices.end()) {
      error = where + ".answer: \"" + a + "\" is not one of the choices";
      return std::nullopt;
    }
    q.answer = static_cast<std::size_t>(it - q.choices.begin());
    return q;
  }
  if (!j["metric"].is_string()) {
    error = where + ".metric: expected a numeric report path (latency_ms.page_view.p99, say)";
    return std::nullopt;
  }
  q.metric = j["metric"].get<std::string>();
  if (!report_value(Report{}, q.metric)) {
    error = where + ".metric: \"" + q.metric + "\" is not a numeric report field";
    return std::nullopt;
  }
  if (!answer.is_number() || !std::isfinite(answer.get<double>())) {
    error = where + ".answer: expected a number (the metric's intended value)";
    return std::nullopt;
  }
  q.value = answer.get<double>();
  if (!j.contains("tolerance") || !j["tolerance"].is_number() ||
      !(j["tolerance"].get<double>() >= 0) || !std::isfinite(j["tolerance"].get<double>())) {
    error = where + ".tolerance: expected a number >= 0 (answers within it are right)";
    return std::nullopt;
  }
  q.tolerance = j["tolerance"].get<double>();
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
  const Json &expect = j["expect"];
  for (std::size_t k = 0; k < expect.size(); ++k) {
    std::optional<ExpectClause> clause =
        read_clause(expect[k], where + ".expect[" + std::to_string(k) + "]", error);
    if (!clause)
      return std::nullopt;
    c.expect.push_back(std::move(*clause));
  }
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
    const Json &expect = step["expect"];
    if (!expect.is_array()) {
      s.error = where + ".expect: expected an array of expectations";
      return s;
    }
    std::vector<ExpectClause> clauses;
    for (std::size_t k = 0; k < expect.size(); ++k) {
      std::optional<ExpectClause> clause =
          read_clause(expect[k], where + ".expect[" + std::to_string(k) + "]", s.error);
      if (!clause)
        return s;
      clauses.push_back(std::move(*clause));
    }
    s.expect = std::move(clauses);
  }
  if (step.contains("question")) {
    s.question = read_question(step["question"], where + ".question", s.error);
    if (!s.question)
      return s;
  }
  if (step.contains("claims")) {
    const Json &claims = step["claims"];
    if (!claims.is_array()) {
      s.error = where + ".claims: expected an array of {\"text\", \"expect\", \"seeds\"}";
      return s;
    }
    for (std::size_t k = 0; k < claims.size(); ++k) {
      std::optional<LessonClaim> claim =
          read_claim(claims[k], where + ".claims[" + std::to_string(k) + "]", s.error);
      if (!claim)
        return s;
      s.claims.push_back(std::move(*claim));
    }
  }
  return s;
}

/// `db.reads_per_submit = 1, db.reads = 32`: a clause's measured terms.
std::string measured_terms(const ExpectClause &c, const ReplicatedReport &r) {
  std::string out;
  for (std::size_t k = 0; k < c.terms.size(); ++k) {
    const Expectation &e = c.terms[k];
    const auto same = [&](const Expectation &before) { return before.path == e.path; };
    if (std::any_of(c.terms.begin(), c.terms.begin() + static_cast<std::ptrdiff_t>(k), same))
      continue; // `x >= 1 and x <= 40` shows x once
    // Over several runs, the mean is what a person compares the choices by.
    const Spread *v = r.spread(e.path);
    if (!out.empty())
      out += ", ";
    out += (r.runs.size() > 1 ? "mean(" + e.path + ")" : e.path) + " = " +
           (v ? shown_number(v->mean) : std::string("?"));
  }
  return out;
}

bool clause_holds(const ExpectClause &c, const ReplicatedReport &r) {
  return std::all_of(c.terms.begin(), c.terms.end(),
                     [&](const Expectation &e) { return check_term(e, r).ok; });
}

} // namespace

std::string LessonQuestion::answer_text() const {
  if (has_choices())
    return choices[answer].text;
  return shown_number(value) + (tolerance > 0 ? " (+- " + shown_number(tolerance) + ")" : "");
}

QuestionOutcome answer_question(const LessonQuestion &q, const Report &r) {
  return answer_question(q, replicate({r}, 0));
}

QuestionOutcome answer_question(const LessonQuestion &q, const ReplicatedReport &r) {
  QuestionOutcome out;
  if (!q.has_choices()) {
    const Spread *spread = r.spread(q.metric);
    const std::optional<double> v =
        spread ? std::optional<double>(spread->mean) : std::optional<double>();
    out.measured = v.value_or(NAN);
    out.measured_text = (r.runs.size() > 1 ? "mean(" + q.metric + ")" : q.metric) + " = " +
                        (v ? shown_number(*v) : std::string("?"));
    out.proved = v && std::fabs(*v - q.value) <= q.tolerance;
    if (!out.proved)
      out.failure = "question \"" + q.text + "\": measured " + out.measured_text +
                    ", the intended answer is " + q.answer_text();
    return out;
  }
  std::vector<std::size_t> held;
  for (std::size_t k = 0; k < q.choices.size(); ++k)
    if (clause_holds(q.choices[k].when, r))
      held.push_back(k);
  const ExpectClause &answer = q.choices[q.answer].when;
  if (!answer.terms.empty()) {
    const Spread *v = r.spread(answer.terms.front().path);
    out.measured = v ? v->mean : NAN;
  }
  if (!held.empty()) {
    out.chosen = held.front();
    out.measured_text =
        q.choices[held.front()].text + " (" + measured_terms(q.choices[held.front()].when, r) + ")";
  } else {
    out.measured_text = "none of the choices (" + measured_terms(answer, r) + ")";
  }
  out.proved = held.size() == 1 && held.front() == q.answer;
  if (out.proved)
    return out;
  const std::string head = "question \"" + q.text + "\": ";
  if (held.empty()) {
    out.failure = head + "no choice holds; the answer \"" + q.choices[q.answer].text + "\" needs " +
                  answer.text + " (measured " + measured_terms(answer, r) + ")";
  } else if (std::find(held.begin(), held.end(), q.answer) == held.end()) {
    out.failure = head + "the run says \"" + q.choices[held.front()].text + "\" (" +
                  q.choices[held.front()].when.text + ": " +
                  measured_terms(q.choices[held.front()].when, r) + "), not the answer \"" +
                  q.choices[q.answer].text + "\"";
  } else {
    std::string also;
    for (const std::size_t k : held)
      if (k != q.answer)
        also += (also.empty() ? "\"" : ", \"") + q.choices[k].text + "\"";
    out.failure = head + "the answer holds but so does " + also +
                  ": the choices must not overlap (" + measured_terms(answer, r) + ")";
  }
  return out;
}

std::optional<double> parse_answer(const LessonQuestion &q, std::string_view input,
                                   std::string &error) {
  while (!input.empty() && std::isspace(static_cast<unsigned char>(input.front())))
    input.remove_prefix(1);
  while (!input.empty() && std::isspace(static_cast<unsigned char>(input.back())))
    input.remove_suffix(1);
  const std::string text(input);
  char *end = nullptr;
  const double v = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  const bool is_number = !text.empty() && end == text.c_str() + text.size() && std::isfinite(v);
  if (!q.has_choices()) {
    if (!is_number) {
      error = "expected a number";
      return std::nullopt;
    }
    return v;
  }
  for (std::size_t k = 0; k < q.choices.size(); ++k)
    if (q.choices[k].text == text)
      return static_cast<double>(k);
  const auto n = static_cast<double>(q.choices.size());
  if (is_number && v == std::floor(v) && v >= 1 && v <= n)
    return v - 1;
  error = "expected a choice's number, 1 to " + std::to_string(q.choices.size());
  return std::nullopt;
}

bool answer_is_right(const LessonQuestion &q, double given) noexcept {
  if (q.has_choices())
    return given == static_cast<double>(q.answer);
  return std::fabs(given - q.value) <= q.tolerance;
}

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

fs::path default_lessons_dir() {
#ifdef STAMPEDE_SOURCE_DIR
  const fs::path built = fs::path(STAMPEDE_SOURCE_DIR) / "lessons";
  std::error_code ec;
  if (fs::exists(built, ec))
    return built;
#endif
  return fs::path(".") / "lessons";
}

StepText split_step_text(const std::string &section) {
  std::size_t at = 0;
  while (at < section.size()) {
    const std::size_t end = std::min(section.find('\n', at), section.size());
    const std::string_view line(section.data() + at, end - at);
    if (line == kAfterTheRun || line == std::string(kAfterTheRun) + "\r")
      return {section.substr(0, at), section.substr(at)};
    at = end + 1;
  }
  return {section, ""};
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

// ---- The text's figures (docs/lesson-format.md) ----

namespace stampede {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string s) {
  for (char &c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The text with everything that is not prose blanked (kept the same
/// length, newlines kept so lines still count): fenced code, inline code,
/// headings, link targets, HTML comments and web addresses.
std::string prose_only(const std::string &md) {
  std::string out = md;
  const auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < out.size(); ++k)
      if (out[k] != '\n')
        out[k] = ' ';
  };
  // Line by line: fences and headings.
  bool fenced = false, indented = false, after_blank = true;
  for (std::size_t at = 0; at < md.size();) {
    const std::size_t end = std::min(md.find('\n', at), md.size());
    const std::string_view line(md.data() + at, end - at);
    const std::size_t lead = line.find_first_not_of(' ');
    const bool fence = lead != std::string_view::npos && line.substr(lead).starts_with("```");
    // An indented code block starts after a blank line; a list item's
    // indented continuation does not.
    indented = !fenced && lead != std::string_view::npos && lead >= 4 && (after_blank || indented);
    if (fence || fenced || indented || line.starts_with("#"))
      blank(at, end); // a fence, inside one, an indented code block, a heading
    // A numbered list's marker (`1. `, `2) `) counts items, not a figure.
    std::size_t digits = lead == std::string_view::npos ? 0 : lead;
    while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits])))
      ++digits;
    if (lead != std::string_view::npos && digits > lead && digits + 1 < line.size() &&
        (line[digits] == '.' || line[digits] == ')') && line[digits + 1] == ' ')
      blank(at + lead, at + digits + 1);
    if (fence)
      fenced = !fenced;
    after_blank = lead == std::string_view::npos;
    at = end + 1;
  }
  // Inline code, link targets, comments, addresses.
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k] == '`') {
      const std::size_t close = out.find('`', k + 1);
      if (close == std::string::npos)
        break;
      blank(k, close + 1);
      k = close;
    } else if (out.compare(k, 2, "](") == 0) {
      const std::size_t close = out.find(')', k);
      blank(k + 1, close == std::string::npos ? out.size() : close + 1);
    } else if (out.compare(k, 4, "<!--") == 0) {
      const std::size_t close = out.find("-->", k);
      blank(k, close == std::string::npos ? out.size() : close + 3);
    } else if (out.compare(k, 7, "http://") == 0 || out.compare(k, 8, "https://") == 0) {
      std::size_t e = k;
      while (e < out.size() && !std::isspace(static_cast<unsigned char>(out[e])) && out[e] != ')')
        ++e;
      blank(k, e);
    }
  }
  return out;
}

/// A figure of the text: where it is, and its words.
struct Figure {
  std::size_t begin = 0, end = 0;
  std::string text;
};

const std::vector<std::string> &number_words() {
  static const std::vector<std::string> words = {
      "two",      "three",     "four",    "five",   "six",    "seven",   "eight",
      "nine",     "ten",       "eleven",  "twelve", "twenty", "thirty",  "forty",
      "fifty",    "sixty",     "seventy", "eighty", "ninety", "hundred", "hundreds",
      "thousand", "thousands", "dozen",   "dozens", "half",   "twice"};
  return words;
}

std::vector<Figure> figures_in(const std::string &prose) {
  std::vector<Figure> out;
  for (std::size_t k = 0; k < prose.size();) {
    const bool after_word = k > 0 && (is_alnum(prose[k - 1]) || prose[k - 1] == '_');
    if (std::isdigit(static_cast<unsigned char>(prose[k])) && !after_word) {
      // 1,200 or 0.15 or 94: digits, with inner commas and points.
      std::size_t e = k;
      while (e < prose.size() && (std::isdigit(static_cast<unsigned char>(prose[e])) ||
                                  ((prose[e] == ',' || prose[e] == '.') && e + 1 < prose.size() &&
                                   std::isdigit(static_cast<unsigned char>(prose[e + 1])))))
        ++e;
      const bool in_word =
          e < prose.size() && (std::isalpha(static_cast<unsigned char>(prose[e])) &&
                               e + 1 < prose.size() && is_alnum(prose[e + 1]));
      if (!in_word) // 64-bit, 3rd and 2x are figures; R1, p99 and md5sum are names
        out.push_back({k, e, prose.substr(k, e - k)});
      k = e;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(prose[k])) && !after_word) {
      std::size_t e = k;
      while (e < prose.size() && (is_alnum(prose[e]) || prose[e] == '_'))
        ++e;
      const std::string word = lower(prose.substr(k, e - k));
      for (const std::string &w : number_words())
        if (word == w)
          out.push_back({k, e, prose.substr(k, e - k)});
      k = e;
      continue;
    }
    ++k;
  }
  return out;
}

/// The text squeezed for matching phrases: whitespace runs as one space,
/// `*` dropped; `at[i]` is where squeezed character i came from.
struct Squeezed {
  std::string text;
  std::vector<std::size_t> at;
};

Squeezed squeeze(const std::string &s) {
  Squeezed out;
  bool space = false;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const char c = s[k];
    if (c == '*')
      continue;
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.text.empty();
      continue;
    }
    if (space) {
      out.text += ' ';
      out.at.push_back(k);
      space = false;
    }
    out.text += c;
    out.at.push_back(k);
  }
  return out;
}

/// The words that make a following number a reference, not a figure.
bool reference_word(const std::string &w) {
  static const char *const words[] = {"lesson",    "lessons",  "step",     "steps",   "exercise",
                                      "exercises", "part",     "parts",    "section", "sections",
                                      "chapter",   "issue",    "figure",   "table",   "seed",
                                      "seeds",     "question", "questions"};
  const std::string l = lower(w);
  for (const char *r : words)
    if (l == r)
      return true;
  return false;
}

/// Where the text's sentences start: after a `.`, `?` or `!` before a
/// space, a blank line, a table cell's bar, or at a list item; position 0
/// first, the text's end last.
std::vector<std::size_t> sentence_starts(const std::string &s) {
  std::vector<std::size_t> starts = {0};
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char prev = s[i - 1];
    const bool blank_line = prev == '\n' && i >= 2 && s[i - 2] == '\n';
    const bool item = prev == '\n' && (s[i] == '-' || s[i] == '|');
    const bool stop = std::isspace(static_cast<unsigned char>(s[i])) &&
                      (prev == '.' || prev == '?' || prev == '!');
    if (prev == '|' || blank_line || item || stop)
      starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

bool names_seeds(const std::string &sentence) {
  const std::string l = lower(sentence);
  for (std::size_t k = l.find("seed"); k != std::string::npos; k = l.find("seed", k + 1)) {
    std::size_t e = k + 4;
    if (e < l.size() && l[e] == 's')
      ++e;
    while (e < l.size() && (l[e] == ' ' || l[e] == '=' || l[e] == '\n'))
      ++e;
    if (e < l.size() && std::isdigit(static_cast<unsigned char>(l[e])))
      return true;
  }
  return false;
}

/// The text on one line: control characters (a line break, a CR, a tab) as
/// spaces, runs of spaces as one.
std::string one_line(std::string s) {
  for (char &c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  std::string out;
  for (const char c : s)
    if (!(c == ' ' && (out.empty() || out.back() == ' ')))
      out += c;
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

} // namespace

std::vector<std::string> text_figures(const std::string &markdown) {
  std::vector<std::string> out;
  for (const Figure &f : figures_in(prose_only(markdown)))
    out.push_back(f.text);
  return out;
}

std::vector<std::string> check_lesson_text(const LessonFile &l, const std::string &markdown,
                                           const std::string &shown) {
  std::vector<std::string> problems;
  const std::string prose = prose_only(markdown);
  // Where the claims and givens stand in the text.
  std::vector<bool> covered(markdown.size(), false);
  const Squeezed text = squeeze(markdown);
  const auto cover = [&](const std::string &phrase, const std::string &what) {
    const std::string p = squeeze(phrase).text;
    bool found = false;
    std::size_t marked = 0; // overlapping occurrences are marked once
    for (std::size_t k = p.empty() ? std::string::npos : text.text.find(p); k != std::string::npos;
         k = text.text.find(p, k + 1)) {
      found = true;
      for (std::size_t i = std::max(text.at[k], marked); i <= text.at[k + p.size() - 1]; ++i)
        covered[i] = true;
      marked = text.at[k + p.size() - 1] + 1;
    }
    if (!found)
      problems.push_back(shown + ": " + what + " \"" + one_line(phrase) + "\" is not in the text");
  };
  for (std::size_t i = 0; i < l.steps.size(); ++i)
    for (std::size_t k = 0; k < l.steps[i].claims.size(); ++k)
      cover(l.steps[i].claims[k].text,
            "steps[" + std::to_string(i) + "].claims[" + std::to_string(k) + "]");
  for (std::size_t k = 0; k < l.givens.size(); ++k)
    cover(l.givens[k], "givens[" + std::to_string(k) + "]");

  const std::vector<Figure> figures = figures_in(prose);
  const std::vector<std::size_t> starts = sentence_starts(prose);
  std::vector<std::size_t> newlines;
  for (std::size_t i = 0; i < markdown.size(); ++i)
    if (markdown[i] == '\n')
      newlines.push_back(i);
  constexpr std::size_t kMostProblems = 100;
  std::size_t unchecked = 0;
  std::size_t labelled_start = std::string::npos; // the last sentence looked at...
  bool labelled = false;                          // ... and whether it names seeds
  std::size_t reference_end = std::string::npos;  // where the last reference's number ended
  for (const Figure &f : figures) {
    // "lesson 3", "steps 5 and 6", "parts 1-12": the word before, or a
    // reference just before joined by a dash, a comma, "and", "to" or "or".
    std::size_t w = f.begin;
    while (w > 0 && (prose[w - 1] == ' ' || prose[w - 1] == '\n'))
      --w;
    std::size_t ws = w;
    while (ws > 0 && std::isalpha(static_cast<unsigned char>(prose[ws - 1])))
      --ws;
    bool reference = ws < w && reference_word(prose.substr(ws, w - ws));
    if (!reference && reference_end != std::string::npos && reference_end <= f.begin &&
        f.begin - reference_end < 16) {
      std::string between = one_line(prose.substr(reference_end, f.begin - reference_end));
      while (!between.empty() && between.front() == ' ')
        between.erase(0, 1);
      for (const char *joint : {"-", "–", ",", "and", ", and", "to", "or", "&", "/"})
        reference = reference || between == joint;
    }
    if (reference) {
      reference_end = f.end;
      continue;
    }
    reference_end = std::string::npos;
    bool ok = true;
    for (std::size_t i = f.begin; i < f.end; ++i)
      ok = ok && covered[i];
    if (ok)
      continue;
    const auto next = std::upper_bound(starts.begin(), starts.end(), f.begin);
    const std::size_t sb = *(next - 1), se = *next;
    if (sb != labelled_start) { // figures come in order: one look per sentence
      labelled_start = sb;
      labelled = names_seeds(markdown.substr(sb, se - sb));
    }
    if (labelled)
      continue;
    if (++unchecked > kMostProblems)
      continue; // counted, said at the end
    const std::size_t line =
        1 + static_cast<std::size_t>(std::lower_bound(newlines.begin(), newlines.end(), f.begin) -
                                     newlines.begin());
    std::string sentence = one_line(markdown.substr(sb, std::min<std::size_t>(se - sb, 400)));
    while (!sentence.empty() && (sentence.front() == ' ' || sentence.front() == '|'))
      sentence.erase(0, 1);
    if (sentence.size() > 160)
      sentence = sentence.substr(0, 157) + "...";
    problems.push_back(shown + ":" + std::to_string(line) + ": \"" + f.text + "\" in \"" +
                       sentence +
                       "\" is neither a claim (steps[].claims), a given (givens), nor in a "
                       "sentence naming its seeds");
  }
  if (unchecked > kMostProblems)
    problems.push_back(shown + ": and " + std::to_string(unchecked - kMostProblems) +
                       " more figures like these");
  return problems;
}

} // namespace stampede
