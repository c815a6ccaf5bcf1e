/// @file lessons.h
/// Lessons (SPEC section 10): `lessons/NN-slug/` holds `lesson.md` (the
/// text, in `## Step N` sections), scenario files, and `steps.json`:
///
///     {"id": "03-cache-stampede", "title": "...",
///      "steps": [{"title": "...", "scenario": "builtin:stampede",
///                 "strategy": "clear", "set": {"PATH": VALUE},
///                 "point": "what to point at", "expect": ["PATH OP NUMBER"],
///                 "question": QUESTION}]}
///
/// A step's `question` is asked before it runs, and the run answers it:
///
///     {"text": "Predict: how many DB reads does each submit cost?",
///      "choices": [{"text": "none", "when": "db.reads_per_submit == 0"},
///                  {"text": "one", "when": "db.reads_per_submit == 1"}],
///      "answer": "one", "why": "refresh re-reads the page once per submit"}
///
/// or, for a number, `{"text": ..., "metric": "db.utilization",
/// "answer": 0.6, "tolerance": 0.1, "why": ...}`. Each choice says, as an
/// expectation (`when`), what the run measures if that choice is true; the
/// run proves the question when the answer's `when` holds and no other
/// choice's does (a number: the metric within answer +- tolerance), so a
/// question whose answer stops being true fails the tests as an `expect`
/// does.
///
/// `stampede lesson run` and `stampede test` check each step's expectations
/// headless; the GUI's lesson panel walks the same steps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stampede/replication.h"
#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede {

/// One answer a question offers.
struct LessonChoice {
  std::string text;  ///< What the learner picks.
  ExpectClause when; ///< What a run measures when this choice is the truth.
};

/// A question a step asks before it runs (see the file comment).
struct LessonQuestion {
  std::string text;                  ///< The question.
  std::vector<LessonChoice> choices; ///< The choices; empty for a numeric question.
  std::size_t answer = 0;            ///< The intended choice (index into choices).
  std::string metric;                ///< A numeric question: the report path it asks for.
  double value = 0;                  ///< A numeric question: the intended answer...
  double tolerance = 0;              ///< ... within plus or minus this.
  std::string why;                   ///< Said with the answer (may be empty).

  /// @return whether the learner picks among choices (else gives a number).
  bool has_choices() const noexcept { return !choices.empty(); }
  /// @return the intended answer as words: the choice, or the number.
  std::string answer_text() const;
};

/// What a run measured for a question.
struct QuestionOutcome {
  bool proved = false;               ///< The intended answer is what the run measured.
  std::optional<std::size_t> chosen; ///< The choice whose `when` held (the first, if several).
  double measured = 0;       ///< The measured value (numeric; else the answer's first term).
  std::string measured_text; ///< The measurement in words (`one (db.reads_per_submit = 1)`).
  std::string failure;       ///< Why the question is not proved, else empty.
};

/// Answers a question from a finished run's report.
/// @param q the question. @param r the report.
/// @return what the run measured and whether it proves the intended answer.
QuestionOutcome answer_question(const LessonQuestion &q, const Report &r);

/// The same over replications: a choice holds as its expectations do over
/// the runs (SPEC section 11); a numeric answer is the metric's mean.
/// @param q the question. @param r the runs of the step.
QuestionOutcome answer_question(const LessonQuestion &q, const ReplicatedReport &r);

/// Judges a step's expectations (or a claim's) on its runs, as the lesson
/// runners do: one run by its own report's check; several as SPEC 11 does
/// (a plain PATH must hold in every run, ci95(PATH) over the interval).
/// @param expect the expectations. @param runs the step's runs (at least one).
/// @param results set to each expectation with what it measured.
/// @return whether all held.
bool judge_step(const std::vector<ExpectClause> &expect, const ReplicatedReport &runs,
                std::vector<ExpectationResult> &results);

/// Reads a learner's answer to a question: a choice's number (1-based) or
/// its exact text; a number for a numeric question.
/// @param q the question. @param input what the learner typed.
/// @param error set to what was expected when the input is not an answer.
/// @return the choice's index, or the number given.
std::optional<double> parse_answer(const LessonQuestion &q, std::string_view input,
                                   std::string &error);

/// @param q the question. @param given what parse_answer returned.
/// @return whether the learner's answer is the intended one.
bool answer_is_right(const LessonQuestion &q, double given) noexcept;

/// A figure the lesson's text states, and what proves it (see
/// docs/lesson-format.md, "Every figure in the text is a claim").
struct LessonClaim {
  std::string text;                 ///< The phrase of the text that states it.
  std::vector<ExpectClause> expect; ///< What proves it, checked like `expect`.
  /// The seeds it names, first and last: checked on exactly those (as
  /// replications), not on the step's. Absent: checked on the step's runs.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> seeds;
};

/// One step of a lesson.
struct LessonStep {
  std::string title;                  ///< Its title (may be empty).
  std::string scenario;               ///< builtin:NAME, or a path resolved against the lesson.
  std::vector<std::string> overrides; ///< `set` and `strategy`, as --set PATH=VALUE strings.
  std::string point;                  ///< What to point at while it runs (may be empty).
  std::optional<std::vector<ExpectClause>> expect; ///< The step's own expectations, if any.
  std::optional<LessonQuestion> question;          ///< Asked before it runs, if any.
  /// `seeds`: run as this many replications (seeds counting up from the
  /// scenario's), its expectations and question checked over them (SPEC 11).
  std::optional<std::uint64_t> seeds;
  std::vector<LessonClaim> claims; ///< The figures its text states, each checked.
  std::string error;               ///< Why the step cannot run (a malformed field), else empty.
};

/// The most seeds a claim on named seeds may name.
constexpr std::uint64_t kMaxClaimSeeds = 200;

/// The most replications a lesson step may ask for: a step runs while a
/// class watches.
constexpr std::uint64_t kMaxStepSeeds = 100;

/// A lesson folder as read from its steps.json.
struct LessonFile {
  std::string id;                      ///< steps.json's id, else the folder's name.
  std::string title;                   ///< steps.json's title.
  std::string part;                    ///< The part of the lecture it walks (`part`; may be empty).
  std::vector<std::string> aliases;    ///< Former ids that still find it (`aliases`).
  std::vector<std::string> givens;     ///< Phrases of its text whose numbers are settings or facts.
  std::string text_file = "lesson.md"; ///< Its text, relative to dir (`text`).
  std::filesystem::path dir;           ///< The folder.
  std::vector<LessonStep> steps;       ///< In order.
  std::string error;                   ///< Why steps.json cannot be read at all, else empty.
  bool unreadable = false;             ///< The error is that the file could not be read.
};

/// Reads a lesson's steps.json. Problems land in `error` fields, named by
/// file and path (`steps[2].expect[0]: ...`), never thrown.
/// @param steps_json the file.
/// @return the lesson.
LessonFile read_lesson(const std::filesystem::path &steps_json);

/// Parses a steps.json's text (read_lesson, minus the file).
/// @param text the JSON text.
/// @param dir the lesson's folder: relative scenario paths resolve against it.
/// @param shown how messages name the file.
/// @return the lesson; problems land in `error` fields, one line each.
LessonFile parse_lesson(std::string_view text, const std::filesystem::path &dir,
                        const std::string &shown);

/// @param root a folder of lessons.
/// @param error when not null, set to why there are none: the folder cannot
///        be read (it does not exist, say), or it holds no lesson.
/// @return every `NN-slug` folder (its name starts with a digit) with a
/// steps.json, sorted by folder name. Other folders (`instructor/`, whose
/// steps check lessons/INSTRUCTOR.md's figures) are not lessons.
std::vector<LessonFile> find_lessons(const std::filesystem::path &root,
                                     std::string *error = nullptr);

/// @return the project's `lessons/` (the checkout this binary was built
/// from, else `./lessons`).
std::filesystem::path default_lessons_dir();

/// Splits lesson.md into its introduction and its `## Step N` sections.
/// @param markdown the text.
/// @return element 0: everything before the first step; element N: step N.
std::vector<std::string> lesson_sections(const std::string &markdown);

/// The line that ends what a step shows before it runs: a step that asks a
/// question keeps its answer below it, shown once the run has ended.
inline constexpr std::string_view kAfterTheRun = "### After the run";

/// A step's section, split at its kAfterTheRun line.
struct StepText {
  std::string before; ///< Shown before the run (with the question).
  std::string after;  ///< Shown once it has run, from the kAfterTheRun line on; may be empty.
};

/// Checks that every figure of a lesson's text is a claim, a given, a
/// reference or in a sentence naming its seeds, and that every claim's and
/// given's phrase occurs in the text (docs/lesson-format.md).
/// @param l the lesson (its claims and givens). @param markdown its text.
/// @param shown how messages name the text file.
/// @return one line per problem (`lesson.md:48: "a hundred" in "..." is
/// neither ...`); empty when the text says only what is checked.
std::vector<std::string> check_lesson_text(const LessonFile &l, const std::string &markdown,
                                           const std::string &shown);

/// The figures check_lesson_text() reads, for a test: each figure's text.
/// @param markdown a lesson's text.
std::vector<std::string> text_figures(const std::string &markdown);

/// @param section one of lesson_sections()'s steps.
/// @return its text before and after the kAfterTheRun line.
StepText split_step_text(const std::string &section);

} // namespace stampede
