/// @file lecture.h
/// The lecture as a playlist (`lessons/lecture.json`): the demos an
/// instructor walks through in the lecture's order, each a scenario, a
/// strategy and settings, a seed, the moment it opens at, a speed and what
/// to point at. `stampede-gui --lecture` steps through them with next and
/// previous keys; lessons/INSTRUCTOR.md's "The 50-minute script" is the
/// same list with its minutes.
///
///     {"title": "...", "minutes": 50,
///      "demos": [{"minute": 0, "part": 1, "lesson": "01",
///                 "title": "An overloaded database",
///                 "scenario": "builtin:frontpage", "strategy": "none",
///                 "set": {"workload.rate": 400}, "seed": 1, "at": 0,
///                 "speed": "1", "point": "the Database box: ..."}]}
#pragma once

#include <cstdint>
#include <filesystem>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace stampede {

/// One demo of the lecture.
struct LectureDemo {
  int minute = 0;       ///< The minute of the lecture it starts at.
  int part = 0;         ///< The part of the lecture it shows (1-12).
  std::string lesson;   ///< The lesson that walks the same part ("04").
  std::string title;    ///< Its title.
  std::string scenario; ///< builtin:NAME, or a path resolved against the playlist's folder.
  std::string strategy; ///< The strategy it starts with.
  /// `set`, the strategy and the seed, as --set PATH=VALUE strings for
  /// load_scenario().
  std::vector<std::string> overrides;
  std::uint64_t seed = 1; ///< The run's seed.
  double at = 0;          ///< Simulated second it opens at, paused.
  std::string speed;      ///< Its speed, as `stampede-gui --speed` takes it ("1", "max").
  std::string point;      ///< What to point at and ask.
};

/// A lecture playlist as read from its file.
struct Lecture {
  std::string title;              ///< The lecture's title.
  int minutes = 0;                ///< How long the lecture is.
  std::vector<LectureDemo> demos; ///< In the lecture's order.
  std::string error; ///< Why the file cannot be used (file and field named), else empty.
};

/// The speeds a demo may ask for, as `stampede-gui --speed` takes them.
inline constexpr std::string_view kLectureSpeeds[] = {"0.1", "0.25", "0.5", "1",    "2",
                                                      "5",   "10",   "100", "1000", "max"};

/// @param word a speed as `stampede-gui --speed` and a demo's `speed` give it.
/// @return its index in kLectureSpeeds (the window's speed box, slowest
/// first), or -1 when it is none of them.
constexpr int lecture_speed_index(std::string_view word) {
  for (int i = 0; i < static_cast<int>(std::size(kLectureSpeeds)); ++i)
    if (kLectureSpeeds[i] == word)
      return i;
  return -1;
}

/// Parses a playlist's text. Problems land in `error`, named by file and
/// path (`lecture.json: demos[3].speed: expected one of ...`), never thrown.
/// @param text the JSON text.
/// @param dir the playlist's folder: relative scenario paths resolve against it.
/// @param shown how the message names the file.
/// @return the lecture.
Lecture parse_lecture(std::string_view text, const std::filesystem::path &dir,
                      const std::string &shown);

/// Reads a playlist file (parse_lecture, from a file).
/// @param file the playlist. @return the lecture; `error` set when it cannot be used.
Lecture read_lecture(const std::filesystem::path &file);

/// @return the project's playlist: lessons/lecture.json (default_lessons_dir()).
std::filesystem::path default_lecture_file();

} // namespace stampede
