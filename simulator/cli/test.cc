// `stampede test` and `stampede lesson`: the headless cases (scenario files
// with `expect`, lessons' steps), running them, the interactive lesson, and
// JUnit XML.
#include "cli/common.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "stampede/expectations.h"
#include "stampede/lessons.h"
#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"
#include "stampede/student_hashing.h"

namespace stampede::cli {
namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// One headless check: a scenario file with `expect`, or one lesson step.
struct Case {
  std::string name;                                // what the output line shows
  std::string file;                                // the file it came from (JUnit classname)
  std::string spec;                                // path or builtin:NAME
  std::vector<std::string> overrides;              // --set style
  std::optional<std::vector<ExpectClause>> expect; // a step's own; else the scenario's
  std::optional<LessonQuestion> question;          // a step's question: the run must prove it
  std::optional<std::uint64_t> seeds;              // a step's own replications (`seeds`)
  std::vector<LessonClaim> claims;                 // the figures a step's text states
  bool seed_given = false; // --seed: claims on named seeds are not this run's to check
  bool text_check = false; // the case is a lesson's text, its figures checked
  std::vector<std::string> text_problems; // what that check found
  std::string error;                      // set when the case could not even be built
  bool unreadable = false; // the error is a file that cannot be read (exit 2, JUnit <error>)
  bool skipped = false;    // a file named on the command line with nothing to check
};

/// What running a case gave.
struct Outcome {
  bool ok = false;
  bool error = false; // bad input rather than a failed expectation
  bool skipped = false;
  std::string line;                // the output line
  std::string failure;             // every failure, for JUnit
  std::vector<std::string> claims; // each claim and what it measured, said under the line
  double wall_s = 0;
};

std::string display_path(const fs::path &p) {
  std::error_code ec;
  const fs::path rel = p.lexically_relative(fs::current_path(ec));
  if (!ec && !rel.empty() && *rel.begin() != "..") {
    return rel.generic_string();
  }
  return p.generic_string();
}

/// Reads a JSON file as scenario files are read (bounded, with the parser's
/// messages). @param unreadable set when the file could not be read at all.
std::optional<Json> read_json_file(const fs::path &p, std::string &error, bool &unreadable) {
  const std::string shown = display_path(p);
  Parsed<std::string> text = read_input_file(p.string());
  if (!text) {
    error = shown + text.error.substr(p.string().size());
    unreadable = true;
    return std::nullopt;
  }
  Parsed<Json> doc = parse_json_document(*text.value, shown);
  if (!doc) {
    error = doc.error;
    return std::nullopt;
  }
  return std::move(*doc.value);
}

/// The cases of a lesson's steps.json: one per step.
/// The case that checks a lesson's text: every figure a claim, a given, a
/// reference or seed-labelled (docs/lesson-format.md). A lesson without its
/// text file (a test's) has nothing to check, unless it claims something.
std::optional<Case> text_case(const LessonFile &lesson, const std::string &file) {
  const fs::path md = (lesson.dir / lesson.text_file).lexically_normal();
  std::error_code ec;
  bool claims = !lesson.givens.empty();
  for (const LessonStep &s : lesson.steps)
    claims = claims || !s.claims.empty();
  if (!fs::exists(md, ec) && !claims) {
    return std::nullopt;
  }
  Case c;
  c.file = file;
  c.name = lesson.id + " text: " + display_path(md);
  c.text_check = true;
  Parsed<std::string> text = read_input_file(md.string());
  if (!text) {
    c.error = display_path(md) + text.error.substr(md.string().size());
    c.unreadable = true;
    return c;
  }
  c.text_problems = check_lesson_text(lesson, *text.value, display_path(md));
  c.seeds = text_figures(*text.value).size(); // reported on its line
  return c;
}

void lesson_cases(const fs::path &file, std::vector<Case> &cases, bool with_text = true) {
  const std::string shown = display_path(file);
  const LessonFile lesson = read_lesson(file);
  if (!lesson.error.empty()) {
    Case c;
    c.name = c.file = shown;
    c.error = lesson.error;
    c.unreadable = lesson.unreadable;
    cases.push_back(std::move(c));
    return;
  }
  for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
    const LessonStep &step = lesson.steps[i];
    Case c;
    c.file = shown;
    c.name = lesson.id + " step " + std::to_string(i + 1);
    if (!step.title.empty()) {
      c.name += ": " + step.title;
    }
    c.spec = step.scenario;
    c.overrides = step.overrides;
    c.expect = step.expect;
    c.question = step.question;
    c.seeds = step.seeds;
    c.claims = step.claims;
    c.error = step.error;
    cases.push_back(std::move(c));
  }
  if (with_text) {
    if (std::optional<Case> c = text_case(lesson, shown)) {
      cases.push_back(std::move(*c));
    }
  }
}

/// Adds the cases a file holds: a lesson's steps, or a scenario with
/// `expect`. Other JSON files (golden reports, say) hold none; in a folder
/// they are passed over, but a file named on the command line (`named`)
/// without `expect` is listed as skipped, saying why.
void file_cases(const fs::path &file, std::vector<Case> &cases, bool named) {
  if (file.filename() == "steps.json") {
    lesson_cases(file, cases);
    return;
  }
  const std::string shown = display_path(file);
  Case c;
  c.name = c.file = shown;
  const std::optional<Json> doc = read_json_file(file, c.error, c.unreadable);
  if (!doc) {
    cases.push_back(std::move(c));
    return;
  }
  if (doc->is_object() && doc->contains("expect")) {
    c.spec = file.string();
    cases.push_back(std::move(c));
  } else if (named) {
    c.skipped = true;
    c.error = "no \"expect\" list, so nothing to check (expected a scenario file with expect, or "
              "a lesson's steps.json)";
    cases.push_back(std::move(c));
  }
}

std::vector<Case> collect_cases(const std::vector<std::string> &paths) {
  std::vector<Case> cases;
  for (const std::string &path : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) {
      throw BadInput(path + ": no such file or directory");
    }
    if (!fs::is_directory(st)) {
      file_cases(path, cases, true);
      continue;
    }
    // Sorted, so the order of the output does not depend on the file system.
    // Without exceptions: an entry that cannot be read (a symlink to itself,
    // a file removed meanwhile) is said and skipped, not the end of the run.
    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(path, ec);
    if (ec) {
      throw BadInput(path + ": cannot list: " + ec.message());
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        throw BadInput(path + ": cannot list: " + ec.message());
      }
      std::error_code entry_ec;
      const bool regular = it->is_regular_file(entry_ec);
      if (entry_ec) {
        std::cerr << "skipped " << terminal_text(it->path().string()) << ": " << entry_ec.message()
                  << '\n';
        continue;
      }
      if (regular && it->path().extension() == ".json") {
        files.push_back(it->path());
      }
    }
    if (ec) {
      throw BadInput(path + ": cannot list: " + ec.message());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path &f : files) {
      file_cases(f, cases, false);
    }
  }
  return cases;
}

/// Runs a case's scenario. @param report set to the report when it ran.
/// Runs one case: once, or as replications (the command line's --seeds /
/// --seed-list, else the step's `seeds`), its expectations and question
/// checked over the runs (SPEC section 11).
Outcome run_case(const Case &c, const ReplicationOptions &replication,
                 ReplicatedReport *report = nullptr) {
  Outcome out;
  const Clock::time_point t0 = Clock::now();
  if (c.skipped) {
    out.skipped = true;
    out.failure = c.error;
    out.line = "skipped " + c.name + ": " + c.error;
    return out;
  }
  if (!c.error.empty()) {
    out.error = c.unreadable;
    out.failure = c.error;
    out.line = (c.unreadable ? "ERROR " : "FAILED ") + c.name + ": " + c.error;
    return out;
  }
  if (c.text_check) {
    out.ok = c.text_problems.empty();
    for (const std::string &p : c.text_problems) {
      out.failure += p + "\n";
    }
    out.line = out.ok ? "ok   " + c.name + " (" + std::to_string(c.seeds.value_or(0)) +
                            " figures, each a claim, a given, a reference or seed-labelled)"
                      : "FAILED " + c.name + ": " + std::to_string(c.text_problems.size()) +
                            " problem" + (c.text_problems.size() == 1 ? "" : "s") + ":";
    out.claims = c.text_problems;
    return out;
  }
  Parsed<Scenario> parsed = load_scenario(c.spec, c.overrides);
  if (!parsed) {
    out.failure = parsed.error;
    out.line = "FAILED " + c.name + ": " + parsed.error;
    return out;
  }
  const Scenario &s = *parsed.value;
  ReplicationOptions mine = replication;
  if (!mine.replicated() && c.seeds) {
    mine.seeds = c.seeds;
  }
  ReplicatedReport r;
  std::string where;
  try {
    check_warmup(mine.warmup_s, s);
    const std::vector<std::uint64_t> seeds = replication_seeds(mine, s.seed);
    where = seeds_text(seeds);
    r = simulate_replicated(s, seeds, c.spec, c.name, mine.warmup_s);
  } catch (const BadInput &e) {
    // The run could not go on (an overloaded stack): exit 2, as for `run`.
    out.error = true;
    out.failure = e.what();
    out.line = "ERROR " + c.name + ": " + e.what();
    return out;
  } catch (const StudentCodeError &e) {
    // A student's strategy or ring broke its contract: this case errs, the
    // others still run, and the command exits 2.
    out.error = true;
    out.failure = e.what();
    out.line = "ERROR " + c.name + ": " + e.what();
    return out;
  }
  out.ok = evaluate_expectations(r, c.expect ? *c.expect : s.expect);
  out.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  for (const ExpectationResult &e : r.expectations) {
    if (e.ok) {
      continue;
    }
    const std::string what = e.expr + " (actual " + number(e.actual) + ", " + where + ")";
    if (out.line.empty()) {
      out.line = "FAILED " + c.name + ": " + what;
    }
    out.failure += what + "\n";
  }
  // A step's question is checked as an expectation is: the run must measure
  // the intended answer and no other choice.
  if (c.question) {
    const QuestionOutcome q = answer_question(*c.question, r);
    if (!q.proved) {
      out.ok = false;
      const std::string what = q.failure + " (" + where + ")";
      if (out.line.empty()) {
        out.line = "FAILED " + c.name + ": " + what;
      }
      out.failure += what + "\n";
    }
  }
  // The figures the step's text states: each checked on these runs, or on
  // the seeds it names.
  const std::vector<ExpectationResult> step_results = r.expectations;
  for (const LessonClaim &claim : c.claims) {
    std::string said = "claim \"" + claim.text + "\"";
    ReplicatedReport named;
    ReplicatedReport *over = &r;
    std::string on = where;
    if (claim.seeds) {
      std::vector<std::uint64_t> seeds;
      for (std::uint64_t k = claim.seeds->first; k <= claim.seeds->second; ++k) {
        seeds.push_back(k);
      }
      on = seeds_text(seeds);
      if (c.seed_given) {
        out.claims.push_back(said + " (" + on + "): checked without --seed");
        continue;
      }
      try {
        named = simulate_replicated(s, seeds, c.spec, c.name, mine.warmup_s);
      } catch (const std::exception &e) {
        out.ok = false;
        out.error = true;
        out.failure += said + ": " + e.what() + "\n";
        out.line = "ERROR " + c.name + ": " + said + ": " + e.what();
        continue;
      }
      over = &named;
    }
    const bool holds = evaluate_expectations(*over, claim.expect);
    std::string measured;
    for (const ExpectationResult &e : over->expectations) {
      measured += (measured.empty() ? "" : ", ") + e.expr + ": " + number(e.actual) +
                  (e.ok ? "" : " (does not hold)");
    }
    out.claims.push_back(said + (holds ? " holds" : " FAILS") + " (" + on + "; " + measured + ")");
    if (!holds) {
      out.ok = false;
      const std::string what = said + " does not hold: " + measured + " (" + on + ")";
      if (out.line.empty()) {
        out.line = "FAILED " + c.name + ": " + what;
      }
      out.failure += what + "\n";
    }
  }
  r.expectations = step_results;
  if (out.ok) {
    out.line = "ok   " + c.name + " (" + where + ")";
  }
  if (report != nullptr) {
    *report = std::move(r);
  }
  return out;
}

void write_junit(const std::string &path, const std::vector<Case> &cases,
                 const std::vector<Outcome> &outcomes) {
  std::size_t failures = 0, errors = 0, skipped = 0;
  double total_s = 0;
  for (const Outcome &o : outcomes) {
    errors += o.error ? 1 : 0;
    skipped += o.skipped ? 1 : 0;
    failures += o.ok || o.error || o.skipped ? 0 : 1;
    total_s += o.wall_s;
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites name=\"stampede test\" tests=\"" << cases.size() << "\" failures=\"" << failures
    << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << fixed(total_s, 3)
    << "\">\n"
    << "  <testsuite name=\"stampede test\" tests=\"" << cases.size() << "\" failures=\""
    << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\""
    << fixed(total_s, 3) << "\">\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Outcome &o = outcomes[i];
    x << "    <testcase classname=\"" << xml_escape(cases[i].file) << "\" name=\""
      << xml_escape(cases[i].name) << "\" time=\"" << fixed(o.wall_s, 3) << "\"";
    if (o.ok) {
      x << "/>\n";
      continue;
    }
    const std::string first = o.failure.substr(0, o.failure.find('\n'));
    if (o.skipped) {
      x << ">\n      <skipped message=\"" << xml_escape(first) << "\"/>\n    </testcase>\n";
    } else if (o.error) {
      x << ">\n      <error message=\"" << xml_escape(first) << "\" type=\"bad input\">"
        << xml_escape(o.failure) << "</error>\n    </testcase>\n";
    } else {
      x << ">\n      <failure message=\"" << xml_escape(first) << "\" type=\"expectation\">"
        << xml_escape(o.failure) << "</failure>\n    </testcase>\n";
    }
  }
  x << "  </testsuite>\n</testsuites>\n";
  std::unique_ptr<std::ofstream> file = open_output(path, "--junit");
  *file << x.str();
  finish_output(*file, path);
}

/// Runs cases, prints a line each and the counts. @return the exit status.
int run_cases(std::vector<Case> cases, const std::string &junit,
              std::optional<std::uint64_t> seed = std::nullopt,
              const ReplicationOptions &replication = {}) {
  if (seed) {
    // --seed: every case runs with this seed instead of its own, so a claim
    // can be checked on other seeds than the one it was written on.
    for (Case &c : cases) {
      c.overrides.push_back("seed=" + std::to_string(*seed));
      c.seed_given = true;
    }
  }
  std::vector<Outcome> outcomes;
  std::size_t passed = 0, skipped = 0, errors = 0;
  for (const Case &c : cases) {
    outcomes.push_back(run_case(c, replication));
    passed += outcomes.back().ok ? 1 : 0;
    skipped += outcomes.back().skipped ? 1 : 0;
    errors += outcomes.back().error ? 1 : 0;
    std::cout << outcomes.back().line << "\n";
    for (const std::string &claim : outcomes.back().claims) {
      std::cout << "       " << claim << "\n";
    }
    std::cout << std::flush;
  }
  // An unreadable file counts as failed here and makes the exit status 2, as
  // it does for `run`.
  const std::size_t failed = cases.size() - passed - skipped;
  std::cout << passed << " passed, " << failed << " failed";
  if (skipped > 0) {
    std::cout << ", " << skipped << " skipped";
  }
  std::cout << "\n";
  if (!junit.empty()) {
    write_junit(junit, cases, outcomes);
  }
  if (errors > 0) {
    return kExitBadInput;
  }
  return failed == 0 ? kExitOk : kExitExpectationsFailed;
}

/// The project's tree: the source directory this was built from, else `.`.
fs::path project_dir(std::string_view sub) {
#ifdef STAMPEDE_SOURCE_DIR
  const fs::path built = fs::path(STAMPEDE_SOURCE_DIR) / sub;
  std::error_code ec;
  if (fs::exists(built, ec)) {
    return built;
  }
#endif
  return fs::path(".") / sub;
}

} // namespace

int cmd_test(std::vector<std::string> paths, const std::string &junit,
             std::optional<std::uint64_t> seed, const ReplicationOptions &replication) {
  if (paths.empty()) {
    paths.push_back(project_dir("tests/scenarios").string());
  }
  if (!junit.empty()) {
    open_output(junit, "--junit"); // fail before the runs, not after
  }
  return run_cases(collect_cases(paths), junit, seed, replication);
}

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
      const LessonQuestion &q = *c.question;
      const QuestionOutcome m = answer_question(q, r);
      std::cout << "  measured: " << m.measured_text << "\n";
      if (given) {
        const bool ok = answer_is_right(q, *given);
        right += ok ? 1 : 0;
        const std::string said =
            q.has_choices() ? q.choices[static_cast<std::size_t>(*given)].text : number(*given);
        std::cout << "  you said: " << said << (ok ? "  (right)" : "  (not quite)") << "\n";
      }
      std::cout << "  the answer: " << q.answer_text() << "\n";
      if (!q.why.empty()) {
        std::cout << "  why: " << q.why << "\n";
      }
    }
    if (!text.after.empty()) {
      std::cout << "\n" << text.after;
    }
    // The figures the text just stated, each with what this run measured.
    if (!o.claims.empty()) {
      std::cout << "\nThe figures above, measured on this run:\n";
      for (const std::string &claim : o.claims) {
        std::cout << "  " << claim << "\n";
      }
    }
    // The step's own checks, said for a learner rather than a test log.
    if (o.ok) {
      std::cout << "\n(this step's checks all hold)\n\n";
    } else {
      std::cout << "\n" << o.line << "\n\n";
    }
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
