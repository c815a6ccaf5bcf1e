// Lessons (lessons.h): a question answered by a run or by the learner, where
// the lessons live, and a lesson text cut into its steps.
#include "stampede/lessons.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "stampede/expectations.h"
#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"

namespace stampede {

namespace {

namespace fs = std::filesystem;

/// A measured number for the learner: whole numbers whole, others to 4 figures.
std::string shown_number(double v) {
  char buf[64];
  if (std::isfinite(v) && (v == std::floor(v) || std::fabs(v) >= 1000) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
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

bool judge_step(const std::vector<ExpectClause> &expect, const ReplicatedReport &runs,
                std::vector<ExpectationResult> &results) {
  bool ok = false;
  if (runs.runs.size() > 1) {
    ReplicatedReport r = runs;
    ok = evaluate_expectations(r, expect);
    results = std::move(r.expectations);
  } else {
    Report r = runs.runs.front();
    ok = evaluate_expectations(r, expect);
    results = std::move(r.expectations);
  }
  return ok;
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
