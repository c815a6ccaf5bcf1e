/// @file lessons.h
/// Lessons (SPEC section 10): `lessons/NN-slug/` holds `lesson.md` (the
/// text, in `## Step N` sections), scenario files, and `steps.json`:
///
///     {"id": "03-cache-stampede", "title": "...",
///      "steps": [{"title": "...", "scenario": "builtin:stampede",
///                 "strategy": "clear", "set": {"PATH": VALUE},
///                 "point": "what to point at", "expect": ["PATH OP NUMBER"]}]}
///
/// `stampede lesson run` and `stampede test` check each step's expectations
/// headless; the GUI's lesson panel walks the same steps.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/scenario.h"

namespace stampede {

/// One step of a lesson.
struct LessonStep {
  std::string title;                  ///< Its title (may be empty).
  std::string scenario;               ///< builtin:NAME, or a path resolved against the lesson.
  std::vector<std::string> overrides; ///< `set` and `strategy`, as --set PATH=VALUE strings.
  std::string point;                  ///< What to point at while it runs (may be empty).
  std::optional<std::vector<ExpectClause>> expect; ///< The step's own expectations, if any.
  std::string error; ///< Why the step cannot run (a malformed field), else empty.
};

/// A lesson folder as read from its steps.json.
struct LessonFile {
  std::string id;                ///< steps.json's id, else the folder's name.
  std::string title;             ///< steps.json's title.
  std::filesystem::path dir;     ///< The folder.
  std::vector<LessonStep> steps; ///< In order.
  std::string error;             ///< Why steps.json cannot be read at all, else empty.
  bool unreadable = false;       ///< The error is that the file could not be read.
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
/// @return every `NN-slug` folder with a steps.json, sorted by folder name.
std::vector<LessonFile> find_lessons(const std::filesystem::path &root,
                                     std::string *error = nullptr);

/// @return the project's `lessons/` (the checkout this binary was built
/// from, else `./lessons`).
std::filesystem::path default_lessons_dir();

/// Splits lesson.md into its introduction and its `## Step N` sections.
/// @param markdown the text.
/// @return element 0: everything before the first step; element N: step N.
std::vector<std::string> lesson_sections(const std::string &markdown);

} // namespace stampede
