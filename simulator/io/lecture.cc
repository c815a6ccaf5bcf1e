// Reading the lecture's playlist (lessons/lecture.json): each demo's scenario, settings,
// moment and speed checked, problems named by file and field.
#include "stampede/lecture.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "stampede/lessons.h"
#include "stampede/scenario_file.h"

namespace stampede {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string speeds_listed() {
  std::string out;
  for (const std::string_view s : kLectureSpeeds)
    out += (out.empty() ? "\"" : ", \"") + std::string(s) + "\"";
  return out;
}

// Reads one demo; returns the problem, or empty.
std::string read_demo(const Json &d, const fs::path &dir, const std::string &where,
                      LectureDemo &out) {
  if (!d.is_object())
    return where + ": expected an object";
  const auto text = [&](const char *field, std::string &into, bool required) -> std::string {
    if (!d.contains(field))
      return required ? where + "." + field + ": missing (expected a string)" : std::string();
    if (!d[field].is_string() || (required && d[field].get<std::string>().empty()))
      return where + "." + field + ": expected a non-empty string, got " + d[field].dump();
    into = d[field].get<std::string>();
    return {};
  };
  const auto whole = [&](const char *field, int lo, int hi, int &into) -> std::string {
    if (!d.contains(field) || !d[field].is_number_integer() || d[field].get<std::int64_t>() < lo ||
        d[field].get<std::int64_t>() > hi)
      return where + "." + field + ": expected a whole number from " + std::to_string(lo) + " to " +
             std::to_string(hi) +
             (d.contains(field) ? ", got " + d[field].dump() : std::string(", missing"));
    into = static_cast<int>(d[field].get<std::int64_t>());
    return {};
  };
  for (const std::string &e :
       {whole("minute", 0, 600, out.minute), whole("part", 1, 99, out.part),
        text("lesson", out.lesson, true), text("title", out.title, true),
        text("scenario", out.scenario, true), text("strategy", out.strategy, true),
        text("speed", out.speed, true), text("point", out.point, true)})
    if (!e.empty())
      return e;
  if (lecture_speed_index(out.speed) < 0)
    return where + ".speed: expected one of " + speeds_listed() + ", got \"" + out.speed + "\"";
  if (!out.scenario.starts_with("builtin:"))
    out.scenario = (dir / out.scenario).lexically_normal().string();
  if (d.contains("set")) {
    if (!d["set"].is_object())
      return where + ".set: expected an object of PATH: VALUE";
    for (const auto &[path, value] : d["set"].items()) {
      if (value.is_object() || value.is_array() || value.is_null())
        return where + ".set." + path + ": expected a number, a string or true/false";
      out.overrides.push_back(path + "=" + value.dump());
    }
  }
  out.overrides.push_back("strategy.name=" + Json(out.strategy).dump());
  if (d.contains("seed")) {
    if (!d["seed"].is_number_unsigned())
      return where + ".seed: expected a whole number 0 or more, got " + d["seed"].dump();
    out.seed = d["seed"].get<std::uint64_t>();
  }
  out.overrides.push_back("seed=" + std::to_string(out.seed));
  if (d.contains("at")) {
    if (!d["at"].is_number() || !std::isfinite(d["at"].get<double>()) || d["at"].get<double>() < 0)
      return where + ".at: expected the simulated second it opens at (0 or more), got " +
             d["at"].dump();
    out.at = d["at"].get<double>();
  }
  return {};
}

} // namespace

Lecture parse_lecture(std::string_view text, const fs::path &dir, const std::string &shown) {
  Lecture l;
  Parsed<nlohmann::ordered_json> parsed = parse_json_document(text, shown);
  if (!parsed) {
    l.error = parsed.error;
    return l;
  }
  const Json doc(*parsed.value);
  if (!doc.is_object()) {
    l.error = shown + ": expected an object with \"title\", \"minutes\" and \"demos\"";
    return l;
  }
  if (!doc.contains("title") || !doc["title"].is_string()) {
    l.error = shown + ": title: expected the lecture's title, a string";
    return l;
  }
  l.title = doc["title"].get<std::string>();
  if (!doc.contains("minutes") || !doc["minutes"].is_number_integer() ||
      doc["minutes"].get<std::int64_t>() < 1 || doc["minutes"].get<std::int64_t>() > 600) {
    l.error = shown + ": minutes: expected the lecture's length in minutes, 1 to 600";
    return l;
  }
  l.minutes = static_cast<int>(doc["minutes"].get<std::int64_t>());
  if (!doc.contains("demos") || !doc["demos"].is_array() || doc["demos"].empty()) {
    l.error = shown + ": demos: expected an array of at least one demo";
    return l;
  }
  const Json &demos = doc["demos"];
  for (std::size_t k = 0; k < demos.size(); ++k) {
    const std::string where = shown + ": demos[" + std::to_string(k) + "]";
    LectureDemo d;
    if (std::string e = read_demo(demos[k], dir, where, d); !e.empty()) {
      l.error = e;
      l.demos.clear();
      return l;
    }
    if (d.minute >= l.minutes) {
      l.error = where + ".minute: expected a minute before the lecture's end (" +
                std::to_string(l.minutes) + "), got " + std::to_string(d.minute);
      l.demos.clear();
      return l;
    }
    if (!l.demos.empty() && d.minute <= l.demos.back().minute) {
      l.error = where + ".minute: expected a minute after the previous demo's (" +
                std::to_string(l.demos.back().minute) + "), got " + std::to_string(d.minute);
      l.demos.clear();
      return l;
    }
    l.demos.push_back(std::move(d));
  }
  return l;
}

Lecture read_lecture(const fs::path &file) {
  std::error_code ec;
  const fs::path rel = file.lexically_relative(fs::current_path(ec));
  const std::string shown =
      !ec && !rel.empty() && *rel.begin() != ".." ? rel.generic_string() : file.generic_string();
  Parsed<std::string> text = read_input_file(file.string());
  if (!text) {
    Lecture l;
    l.error = shown + text.error.substr(std::min(text.error.size(), file.string().size()));
    return l;
  }
  return parse_lecture(*text.value, file.parent_path(), shown);
}

fs::path default_lecture_file() { return default_lessons_dir() / "lecture.json"; }

} // namespace stampede
