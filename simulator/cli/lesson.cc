// `stampede lesson`: listing the lessons, showing one with what its steps
// find hidden, and running one, headless (as `stampede test`) or walking it
// with the learner's predictions (--interactive).
#include <algorithm>
#include <iostream>

#include <unistd.h>

#include "cli/test_cases.h"
#include "stampede/lessons.h"
#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"

namespace stampede::cli {

namespace {

/// @param root_flag the lessons folder; empty: the project's `lessons/`.
std::vector<LessonFile> lessons_in(const std::string &root_flag) {
  std::string error;
  std::vector<LessonFile> lessons =
      find_lessons(root_flag.empty() ? default_lessons_dir() : fs::path(root_flag), &error);
  if (!error.empty()) {
    throw BadInput(error + (root_flag.empty() ? "" : " (--lessons)"));
  }
  return lessons;
}

/// Finds a lesson by folder name, number prefix (`02`, `2`), slug, or a
/// former id it lists in `aliases` (`08-why-scale`, from before the lessons
/// took the lecture's order); or a folder of the lessons that is not a
/// lesson but holds a steps.json (`instructor`, the guide's figures).
LessonFile find_lesson(const std::string &root, const std::string &id) {
  const std::vector<LessonFile> lessons = lessons_in(root);
  const fs::path base = root.empty() ? default_lessons_dir() : fs::path(root);
  // "2" finds "02-stale": compare numbers without their leading zeros.
  const auto digits = [](const std::string &s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  const auto unpadded = [](const std::string &s) {
    const auto first = s.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : s.substr(first);
  };
  for (const LessonFile &l : lessons) {
    const std::string folder = l.dir.filename().string();
    const auto dash = folder.find('-');
    const std::string number = folder.substr(0, dash);
    const std::string slug = dash == std::string::npos ? "" : folder.substr(dash + 1);
    const bool same_number = digits(number) && digits(id) && unpadded(number) == unpadded(id);
    if (folder == id || slug == id || same_number) {
      return l;
    }
  }
  for (const LessonFile &l : lessons) {
    for (const std::string &alias : l.aliases) {
      const auto dash = alias.find('-');
      if (alias == id || (dash != std::string::npos && alias.substr(dash + 1) == id)) {
        return l;
      }
    }
  }
  std::error_code ec;
  if (id.find('/') == std::string::npos && id != "." && id != ".." &&
      fs::is_regular_file(base / id / "steps.json", ec)) {
    return read_lesson(base / id / "steps.json");
  }
  std::vector<std::string> ids;
  for (const LessonFile &l : lessons) {
    ids.push_back(l.dir.filename().string());
  }
  throw BadInput("lesson " + json_quote(id) + ": no such lesson; expected one of " +
                 (ids.empty() ? std::string("(none found)") : join(ids, ", ")));
}

} // namespace

int cmd_lesson_list(const std::string &root) {
  // A lesson whose steps.json is broken is still listed, and its problem said.
  int status = kExitOk;
  std::size_t width = 0;
  const std::vector<LessonFile> lessons = lessons_in(root);
  for (const LessonFile &l : lessons) {
    width = std::max(width, l.dir.filename().string().size());
  }
  for (const LessonFile &l : lessons) {
    const std::string folder = l.dir.filename().string();
    std::cout << folder << std::string(width + 2 - folder.size(), ' ') << l.title << "\n";
    if (!l.part.empty()) {
      std::cout << std::string(width + 2, ' ') << "lecture: " << l.part << "\n";
    }
    if (!l.error.empty()) {
      std::cout.flush();
      std::cerr << l.error << "\n";
      status = kExitBadInput;
    }
  }
  return status;
}

int cmd_lesson_show(const std::string &root, const std::string &id, bool answers) {
  const LessonFile l = find_lesson(root, id);
  const fs::path md = l.dir / l.text_file;
  Parsed<std::string> text = read_input_file(md.string());
  if (!text) {
    throw BadInput(display_path(md) + text.error.substr(md.string().size()));
  }
  if (answers) {
    std::cout << *text.value;
    return kExitOk;
  }
  // Predict first: what each step found stays hidden until asked for.
  const std::vector<std::string> sections = lesson_sections(*text.value);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const StepText part = i == 0 ? StepText{sections[i], ""} : split_step_text(sections[i]);
    std::cout << part.before;
    if (!part.after.empty()) {
      std::cout << "(What this step shows is hidden: predict, then run it with `stampede lesson "
                   "run "
                << l.id << " --interactive`, or add --answers.)\n\n";
    }
  }
  return kExitOk;
}

namespace {

/// One line of the learner's input; nothing at the end of the input.
std::optional<std::string> read_answer_line() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return std::nullopt;
  }
  return line;
}

/// Asks a step's question on stdout and reads the learner's answer from
/// stdin until it is one. @return the answer (parse_answer's), or nothing
/// when the input ended first.
std::optional<double> ask(const LessonQuestion &q) {
  std::cout << "\n" << q.text << "\n";
  for (std::size_t k = 0; k < q.choices.size(); ++k) {
    std::cout << "  " << k + 1 << ". " << q.choices[k].text << "\n";
  }
  for (;;) {
    std::cout << (q.has_choices()
                      ? "Your answer (1-" + std::to_string(q.choices.size()) + "): "
                      : "Your answer (a number: " +
                            (report_label(q.metric).empty() ? q.metric : report_label(q.metric)) +
                            "): ")
              << std::flush;
    const std::optional<std::string> line = read_answer_line();
    if (!line) {
      std::cout << "\n(no answer: the input ended; the step runs anyway)\n";
      return std::nullopt;
    }
    if (isatty(STDIN_FILENO) == 0) {
      std::cout << *line << "\n"; // answers from a file: show them as typed
    }
    std::string error;
    if (const std::optional<double> a = parse_answer(q, *line, error)) {
      return a;
    }
    std::cout << "  " << error << ", not \"" << *line << "\"\n";
  }
}

/// After a step's run: what it measured for the question, the learner's
/// prediction beside it, the answer and why. @return whether the prediction
/// was right (none given: false).
bool tell_answer(const LessonQuestion &q, const ReplicatedReport &r, std::optional<double> given) {
  const QuestionOutcome m = answer_question(q, r);
  std::cout << "  measured: " << m.measured_text << "\n";
  bool ok = false;
  if (given) {
    ok = answer_is_right(q, *given);
    const std::string said =
        q.has_choices() ? q.choices[static_cast<std::size_t>(*given)].text : number(*given);
    std::cout << "  you said: " << said << (ok ? "  (right)" : "  (not quite)") << "\n";
  }
  std::cout << "  the answer: " << q.answer_text() << "\n";
  if (!q.why.empty()) {
    std::cout << "  why: " << q.why << "\n";
  }
  return ok;
}

/// After a step's run and its text: the figures the text just stated, each
/// with what this run measured, then the step's own checks, said for a
/// learner rather than a test log.
void tell_findings(const Outcome &o) {
  if (!o.claims.empty()) {
    std::cout << "\nThe figures above, measured on this run:\n";
    for (const std::string &claim : o.claims) {
      std::cout << "  " << claim << "\n";
    }
  }
  if (o.ok) {
    std::cout << "\n(this step's checks all hold)\n\n";
  } else {
    std::cout << "\n" << o.line << "\n\n";
  }
}

/// `stampede lesson run ID --interactive`: walks the lesson as the window's
/// Lesson tab does. Each step's text, its question asked before it runs, the
/// run, then the measured answer beside the prediction and the step's checks.
int run_lesson_interactive(const LessonFile &l, std::optional<std::uint64_t> seed) {
  std::vector<std::string> sections;
  if (Parsed<std::string> md = read_input_file((l.dir / l.text_file).string())) {
    sections = lesson_sections(*md.value);
  }
  std::vector<Case> cases;
  lesson_cases(l.dir / "steps.json", cases, false);
  std::size_t passed = 0, right = 0, asked = 0;
  bool bad_input = false;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Case &c = cases[i];
    if (seed) {
      c.overrides.push_back("seed=" + std::to_string(*seed));
      c.seed_given = true;
    }
    std::cout << (i == 0 && !sections.empty() ? sections.front() : std::string());
    // The step's text up to "### After the run": the rest tells the answer.
    const StepText text = i + 1 < sections.size() ? split_step_text(sections[i + 1]) : StepText{};
    if (i + 1 < sections.size()) {
      std::cout << text.before;
    } else {
      std::cout << "\n## " << c.name << "\n";
    }
    std::optional<double> given;
    if (c.question) {
      ++asked;
      given = ask(*c.question);
    }
    std::cout << "\nrunning " << c.name << " ...\n" << std::flush;
    ReplicatedReport r;
    const Outcome o = run_case(c, ReplicationOptions{}, &r);
    bad_input = bad_input || o.error;
    if (c.question && !o.error && c.error.empty()) {
      right += tell_answer(*c.question, r, given) ? 1 : 0;
    }
    if (!text.after.empty()) {
      std::cout << "\n" << text.after;
    }
    tell_findings(o);
    passed += o.ok ? 1 : 0;
  }
  std::cout << "\n" << passed << " of " << cases.size() << " steps as the lesson says";
  if (asked > 0) {
    std::cout << "; your predictions: " << right << " of " << asked << " right";
  }
  std::cout << "\n";
  if (bad_input) {
    return kExitBadInput;
  }
  return passed == cases.size() ? kExitOk : kExitExpectationsFailed;
}

} // namespace

int cmd_lesson_run(const std::string &root, const std::string &id, const std::string &junit,
                   std::optional<std::uint64_t> seed, bool interactive) {
  const LessonFile l = find_lesson(root, id);
  if (interactive) {
    if (!junit.empty()) {
      throw BadInput("stampede lesson run: --interactive and --junit exclude each other");
    }
    return run_lesson_interactive(l, seed);
  }
  std::vector<Case> cases;
  lesson_cases(l.dir / "steps.json", cases);
  return run_cases(std::move(cases), junit, seed);
}

} // namespace stampede::cli
