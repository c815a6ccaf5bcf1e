// `stampede test` and `stampede lesson`: the headless cases (scenario files
// with `expect`, lessons' steps), running them, the interactive lesson, and
// JUnit XML.
#include "cli/test_cases.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "hosting/hosted.h"
#include "stampede/expectations.h"
#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/lessons.h"
#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"
#include "stampede/student_hashing.h"

namespace stampede::cli {

std::string display_path(const fs::path &p) {
  std::error_code ec;
  const fs::path rel = p.lexically_relative(fs::current_path(ec));
  if (!ec && !rel.empty() && *rel.begin() != "..") {
    return rel.generic_string();
  }
  return p.generic_string();
}

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

} // namespace

void lesson_cases(const fs::path &file, std::vector<Case> &cases, bool with_text) {
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

namespace {

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

/// A case that runs nothing: skipped, or one that could not be built.
Outcome unrun_outcome(const Case &c) {
  Outcome out;
  if (c.skipped) {
    out.skipped = true;
    out.failure = c.error;
    out.line = "skipped " + c.name + ": " + c.error;
    return out;
  }
  out.error = c.unreadable;
  out.failure = c.error;
  out.line = (c.unreadable ? "ERROR " : "FAILED ") + c.name + ": " + c.error;
  return out;
}

/// A lesson text's check: how many figures it read, or each problem.
Outcome text_outcome(const Case &c) {
  Outcome out;
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

/// A case whose run could not go on: bad input, exit 2.
Outcome run_error(const Case &c, const std::string &what) {
  Outcome out;
  out.error = true;
  out.failure = what;
  out.line = "ERROR " + c.name + ": " + what;
  return out;
}

/// Records a failure: the case's first is its output line; JUnit gets them all.
void add_failure(Outcome &out, const Case &c, const std::string &what) {
  if (out.line.empty()) {
    out.line = "FAILED " + c.name + ": " + what;
  }
  out.failure += what + "\n";
}

/// Checks one figure the step's text states, on the step's runs `r` (`where`
/// names their seeds), or on the seeds the claim names; says what it
/// measured under the case's line.
void check_claim(const Case &c, const LessonClaim &claim, const Scenario &s, ReplicatedReport &r,
                 const std::string &where, double warmup_s, const ExploreResult *explored,
                 Outcome &out) {
  const std::string said = "claim \"" + claim.text + "\"";
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
      return;
    }
    try {
      named = simulate_replicated(s, seeds, c.spec, c.name, warmup_s);
    } catch (const std::exception &e) {
      out.ok = false;
      out.error = true;
      out.failure += said + ": " + e.what() + "\n";
      out.line = "ERROR " + c.name + ": " + said + ": " + e.what();
      return;
    }
    over = &named;
  }
  bool holds = evaluate_expectations(*over, claim.expect);
  std::vector<ExpectationResult> results = over->expectations;
  // explore's clauses hold over every order, whatever the seeds.
  if (explored != nullptr) {
    for (ExpectationResult &e : evaluate_explore_expectations(*explored, claim.expect)) {
      holds = holds && e.ok;
      results.push_back(std::move(e));
    }
  }
  std::string measured;
  for (const ExpectationResult &e : results) {
    measured += (measured.empty() ? "" : ", ") + e.expr + ": " + number(e.actual) +
                (e.ok ? "" : " (does not hold)");
  }
  out.claims.push_back(said + (holds ? " holds" : " FAILS") + " (" + on + "; " + measured + ")");
  if (!holds) {
    out.ok = false;
    add_failure(out, c, said + " does not hold: " + measured + " (" + on + ")");
  }
}

} // namespace

Outcome run_case(const Case &c, const ReplicationOptions &replication, ReplicatedReport *report) {
  const Clock::time_point t0 = Clock::now();
  if (c.skipped || !c.error.empty()) {
    return unrun_outcome(c);
  }
  if (c.text_check) {
    return text_outcome(c);
  }
  Outcome out;
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
    return run_error(c, e.what()); // an overloaded stack: exit 2, as for `run`
  } catch (const StudentCodeError &e) {
    // A student's strategy or ring broke its contract: this case errs, the
    // others still run, and the command exits 2.
    return run_error(c, e.what());
  }
  const std::vector<ExpectClause> &clauses = c.expect ? *c.expect : s.expect;
  out.ok = evaluate_expectations(r, clauses);
  for (const ExpectationResult &e : r.expectations) {
    if (!e.ok) {
      add_failure(out, c, e.expr + " (actual " + number(e.actual) + ", " + where + ")");
    }
  }
  // explore's clauses (SPEC section 12) are checked over every schedule:
  // the case's own, and its claims'.
  bool explores = std::any_of(clauses.begin(), clauses.end(), is_explore_clause);
  for (const LessonClaim &claim : c.claims)
    explores = explores || std::any_of(claim.expect.begin(), claim.expect.end(), is_explore_clause);
  std::optional<ExploreResult> explored_once;
  if (explores) {
    ExploreResult &explored = explored_once.emplace();
    const hosting::KeepHosts keep; // a student's strategy: one host for every schedule
    try {
      explored = explore(s, StrategyRegistry::global());
    } catch (const std::invalid_argument &e) {
      return run_error(c, c.spec + ": " + e.what());
    } catch (const StudentCodeError &e) {
      return run_error(c, e.what());
    }
    const std::string over = explored.complete() ? "every schedule" : "the schedules a bound left";
    for (const ExpectationResult &e : evaluate_explore_expectations(explored, clauses)) {
      if (!e.ok) {
        out.ok = false;
        add_failure(out, c, e.expr + " (actual " + number(e.actual) + ", " + over + ")");
      }
    }
  }
  out.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  // A step's question is checked as an expectation is: the run must measure
  // the intended answer and no other choice.
  if (c.question) {
    const QuestionOutcome q = answer_question(*c.question, r);
    if (!q.proved) {
      out.ok = false;
      add_failure(out, c, q.failure + " (" + where + ")");
    }
  }
  // Claims are checked with expectations of their own: the step's results
  // are put back for the report.
  const std::vector<ExpectationResult> step_results = r.expectations;
  for (const LessonClaim &claim : c.claims) {
    check_claim(c, claim, s, r, where, mine.warmup_s, explored_once ? &*explored_once : nullptr,
                out);
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

int run_cases(std::vector<Case> cases, const std::string &junit, std::optional<std::uint64_t> seed,
              const ReplicationOptions &replication) {
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

} // namespace stampede::cli
