// docs/scenario-format.md against the JSON Schema (SPEC section 10): every
// scenario field the schema has is one row of the doc's field tables, with the
// schema's type, default and range, and every example scenario in the doc
// parses. The schema is scenario_schema(), generated from the parser's field
// table, so a changed default, bound or choice in the code turns this red
// until the doc says the same.
//
// The notation the doc's tables use (docs/scenario-format.md, "Reading the
// tables"): a default is the JSON value; a range is `MIN..MAX` (both ends
// included) or, when an end is excluded, an interval such as `(0..1000000]`;
// choices are separated by `|` (written `\|` inside a table); booleans are
// `true | false`, free strings `any string`, distributions `distribution`,
// arrays `MIN..MAX items` or `any number of items`.
#include <algorithm>
#include <cstddef>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace {

using Json = nlohmann::json;

const std::string kDocPath = std::string(STAMPEDE_SOURCE_DIR) + "/docs/scenario-format.md";
constexpr const char *kOrigin = "docs/scenario-format.md";
const std::vector<std::string> kFieldColumns = {"field",   "type",  "unit",
                                                "default", "range", "meaning"};

// ---------------------------------------------------------------------------
// Reading the doc

const std::string &doc_text() {
  static const std::string text = [] {
    std::ifstream in(kDocPath, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }();
  return text;
}

std::vector<std::string> doc_lines() {
  std::vector<std::string> lines;
  std::istringstream in(doc_text());
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return "";
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

// A cell written as one code span (`4`) without its backticks.
std::string unquote(const std::string &cell) {
  std::string s = trim(cell);
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`')
    s = s.substr(1, s.size() - 2);
  return trim(s);
}

// A table row's cells: split on `|`, except `\|`, which is a `|` in the cell.
std::vector<std::string> split_row(const std::string &line) {
  std::vector<std::string> cells;
  std::string cell;
  std::string s = trim(line);
  if (!s.empty() && s.front() == '|')
    s.erase(0, 1);
  if (s.size() >= 2 && s.back() == '|' && s[s.size() - 2] != '\\')
    s.pop_back();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (s[i] == '|') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += s[i];
    }
  }
  cells.push_back(trim(cell));
  return cells;
}

struct Row {
  std::vector<std::string> cells;
  std::size_t line = 0; // 1-based, for messages
  std::string heading;  // the `## ` heading the table is under
};

struct Table {
  std::vector<std::string> header;
  std::vector<Row> rows;
};

// Every Markdown table outside fenced code blocks.
const std::vector<Table> &doc_tables() {
  static const std::vector<Table> tables = [] {
    std::vector<Table> out;
    const auto lines = doc_lines();
    bool fenced = false, in_table = false;
    std::string heading;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string &line = lines[i];
      if (line.starts_with("```"))
        fenced = !fenced;
      const bool row = !fenced && line.starts_with("|");
      if (!row) {
        in_table = false;
        if (!fenced && line.starts_with("## "))
          heading = line;
        continue;
      }
      if (!in_table) {
        in_table = true;
        out.push_back(Table{split_row(line), {}});
        continue;
      }
      const auto cells = split_row(line);
      static const std::regex separator(":?-+:?");
      bool is_separator = true;
      for (const auto &c : cells)
        is_separator = is_separator && std::regex_match(c, separator);
      if (is_separator && out.back().rows.empty())
        continue;
      out.back().rows.push_back(Row{cells, i + 1, heading});
    }
    return out;
  }();
  return tables;
}

// The rows of tables whose first column is `field`.
std::vector<Row> field_rows() {
  std::vector<Row> rows;
  for (const auto &t : doc_tables())
    if (!t.header.empty() && t.header[0] == "field")
      rows.insert(rows.end(), t.rows.begin(), t.rows.end());
  return rows;
}

// The rows of the tables whose first column is `first`.
std::vector<Row> rows_of(const std::string &first) {
  std::vector<Row> rows;
  for (const auto &t : doc_tables())
    if (!t.header.empty() && t.header[0] == first)
      rows.insert(rows.end(), t.rows.begin(), t.rows.end());
  return rows;
}

std::string where(const Row &r) { return kDocPath + ":" + std::to_string(r.line); }

// The ```json blocks.
std::vector<std::pair<std::size_t, std::string>> json_blocks() {
  std::vector<std::pair<std::size_t, std::string>> blocks;
  const auto lines = doc_lines();
  bool in_json = false, fenced = false;
  std::string text;
  std::size_t start = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string &line = lines[i];
    if (!fenced && line.starts_with("```")) {
      fenced = true;
      in_json = trim(line.substr(3)) == "json";
      text.clear();
      start = i + 1;
    } else if (fenced && trim(line) == "```") {
      fenced = false;
      if (in_json)
        blocks.emplace_back(start, text);
    } else if (fenced) {
      text += line + "\n";
    }
  }
  return blocks;
}

// ---------------------------------------------------------------------------
// Reading the schema

const Json &schema() {
  static const Json s = Json::parse(scenario_schema());
  return s;
}

bool is_section(const Json &prop) {
  return prop.value("type", "") == "object" && prop.contains("properties");
}

// Every field of the schema by path: top-level properties that are not
// sections, and each section's properties.
std::map<std::string, Json> schema_fields() {
  std::map<std::string, Json> fields;
  for (const auto &[key, prop] : schema()["properties"].items()) {
    if (is_section(prop)) {
      for (const auto &[leaf, spec] : prop["properties"].items())
        fields[key + "." + leaf] = spec;
    } else {
      fields[key] = prop;
    }
  }
  return fields;
}

std::string type_name(const Json &spec) {
  if (spec.contains("$ref"))
    return spec["$ref"] == "#/$defs/distribution" ? "distribution" : "$ref " + spec["$ref"].dump();
  const std::string type = spec.value("type", "");
  if (type == "array") {
    const Json &items = spec.value("items", Json::object());
    if (items.value("$ref", "") == "#/$defs/event")
      return "array of events";
    if (items.value("type", "") == "string")
      return "array of strings";
    return "array of " + items.dump();
  }
  return type;
}

// The schema's listed choices and patterns (`enum`, or `anyOf` of them).
void choices_of(const Json &spec, std::vector<std::string> &names,
                std::vector<std::string> &patterns) {
  if (spec.contains("enum"))
    for (const auto &e : spec["enum"])
      names.push_back(e.get<std::string>());
  if (spec.contains("pattern"))
    patterns.push_back(spec["pattern"].get<std::string>());
  if (spec.contains("anyOf"))
    for (const auto &alt : spec["anyOf"])
      choices_of(alt, names, patterns);
}

// ---------------------------------------------------------------------------
// The doc's range notation

struct Range {
  Json min, max;
  bool min_exclusive = false;
  bool max_exclusive = false;
};

// `MIN..MAX`, or `(MIN..MAX]`, `[MIN..MAX)`, `(MIN..MAX)`; nothing when the
// text is not a range in that notation.
std::optional<Range> parse_range(std::string s) {
  Range r;
  const bool bracketed = !s.empty() && (s.front() == '(' || s.front() == '[');
  if (bracketed) {
    if (s.size() < 2 || (s.back() != ')' && s.back() != ']'))
      return std::nullopt;
    r.min_exclusive = s.front() == '(';
    r.max_exclusive = s.back() == ')';
    // Brackets mark an excluded end; a range with both ends included has none.
    if (!r.min_exclusive && !r.max_exclusive)
      return std::nullopt;
    s = s.substr(1, s.size() - 2);
  }
  const auto dots = s.find("..");
  if (dots == std::string::npos)
    return std::nullopt;
  r.min = Json::parse(s.substr(0, dots), nullptr, false);
  r.max = Json::parse(s.substr(dots + 2), nullptr, false);
  if (!r.min.is_number() || !r.max.is_number())
    return std::nullopt;
  return r;
}

std::vector<std::string> split_choices(const std::string &cell) {
  std::vector<std::string> out;
  std::string item;
  for (char c : cell + "|") {
    if (c == '|') {
      out.push_back(unquote(item));
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

std::string field_of(const Row &r) { return r.cells.empty() ? "" : unquote(r.cells[0]); }

// ---------------------------------------------------------------------------
// Tests

TEST(ScenarioFormatDoc, FieldTablesHaveTheSixColumns) {
  ASSERT_FALSE(doc_text().empty()) << "cannot read " << kDocPath;
  std::size_t tables = 0;
  for (const auto &t : doc_tables()) {
    if (t.header.empty() || t.header[0] != "field")
      continue;
    ++tables;
    EXPECT_EQ(t.header, kFieldColumns) << "a field table under " << t.rows.front().heading;
    for (const auto &r : t.rows) {
      ASSERT_EQ(r.cells.size(), kFieldColumns.size()) << where(r);
      for (std::size_t i = 0; i < r.cells.size(); ++i)
        EXPECT_FALSE(r.cells[i].empty()) << where(r) << ": empty " << kFieldColumns[i];
    }
  }
  EXPECT_GE(tables, 7u) << "one field table for the top level and one per section";
}

TEST(ScenarioFormatDoc, EverySchemaFieldHasExactlyOneRow) {
  const auto fields = schema_fields();
  std::map<std::string, int> rows;
  for (const auto &r : field_rows()) {
    ++rows[field_of(r)];
    EXPECT_TRUE(fields.contains(field_of(r)))
        << where(r) << ": `" << field_of(r) << "` is not a field of the schema";
  }
  for (const auto &[path, spec] : fields)
    EXPECT_EQ(rows[path], 1) << "`" << path << "` should be in exactly one row of " << kDocPath;
}

TEST(ScenarioFormatDoc, SectionFieldsAreUnderTheirSectionsHeading) {
  for (const auto &[key, prop] : schema()["properties"].items()) {
    if (is_section(prop)) {
      EXPECT_NE(doc_text().find("\n## `" + key + "`"), std::string::npos)
          << kDocPath << " has no section heading \"## `" << key << "`...\"";
    }
  }
  for (const auto &r : field_rows()) {
    const std::string path = field_of(r);
    const auto dot = path.find('.');
    if (dot == std::string::npos)
      continue;
    EXPECT_TRUE(r.heading.starts_with("## `" + path.substr(0, dot) + "`"))
        << where(r) << ": `" << path << "` is under \"" << r.heading << "\"";
  }
}

TEST(ScenarioFormatDoc, TypesMatchTheSchema) {
  const auto fields = schema_fields();
  for (const auto &r : field_rows()) {
    auto it = fields.find(field_of(r));
    if (it == fields.end())
      continue; // reported by EverySchemaFieldHasExactlyOneRow
    EXPECT_EQ(r.cells[1], type_name(it->second)) << where(r) << ": type of " << it->first;
  }
}

TEST(ScenarioFormatDoc, DefaultsMatchTheSchema) {
  const auto fields = schema_fields();
  for (const auto &r : field_rows()) {
    auto it = fields.find(field_of(r));
    if (it == fields.end())
      continue;
    ASSERT_TRUE(it->second.contains("default")) << it->first;
    const std::string cell = unquote(r.cells[3]);
    const Json written = Json::parse(cell, nullptr, false);
    ASSERT_FALSE(written.is_discarded())
        << where(r) << ": the default of " << it->first << " is not JSON: " << cell;
    // Numbers compare by value: the doc's `60` is the schema's 60.0.
    EXPECT_EQ(written, it->second["default"])
        << where(r) << ": default of " << it->first << " is " << it->second["default"].dump();
  }
}

TEST(ScenarioFormatDoc, RangesMatchTheSchema) {
  const auto fields = schema_fields();
  for (const auto &r : field_rows()) {
    auto it = fields.find(field_of(r));
    if (it == fields.end())
      continue;
    const std::string &path = it->first;
    const Json &spec = it->second;
    const std::string type = type_name(spec);
    const std::string cell = unquote(r.cells[4]);
    SCOPED_TRACE(where(r) + ": range of " + path + ": " + cell);
    if (type == "integer" || type == "number") {
      const auto range = parse_range(cell);
      ASSERT_TRUE(range) << "expected MIN..MAX or an interval such as (MIN..MAX]";
      const bool min_ex = spec.contains("exclusiveMinimum");
      const bool max_ex = spec.contains("exclusiveMaximum");
      const Json min = spec.value(min_ex ? "exclusiveMinimum" : "minimum", Json());
      const Json max = spec.value(max_ex ? "exclusiveMaximum" : "maximum", Json());
      EXPECT_EQ(range->min, min) << "schema minimum";
      EXPECT_EQ(range->min_exclusive, min_ex) << "whether the minimum is excluded";
      EXPECT_EQ(range->max, max) << "schema maximum";
      EXPECT_EQ(range->max_exclusive, max_ex) << "whether the maximum is excluded";
    } else if (type == "string") {
      std::vector<std::string> names, patterns;
      choices_of(spec, names, patterns);
      if (names.empty() && patterns.empty()) {
        EXPECT_EQ(cell, "any string");
        continue;
      }
      // The schema's names in its order, then anything a pattern accepts.
      std::vector<std::string> listed, extra;
      for (const auto &choice : split_choices(cell)) {
        if (std::find(names.begin(), names.end(), choice) != names.end()) {
          listed.push_back(choice);
          continue;
        }
        bool matched = false;
        for (const auto &p : patterns)
          matched = matched || std::regex_search(choice, std::regex(p));
        EXPECT_TRUE(matched) << "`" << choice << "` is not a choice of the schema";
        extra.push_back(choice);
      }
      EXPECT_EQ(listed, names) << "the schema's choices, in its order";
      for (const auto &p : patterns) {
        bool shown = false;
        for (const auto &choice : extra)
          shown = shown || std::regex_search(choice, std::regex(p));
        EXPECT_TRUE(shown) << "no choice stands for the schema's pattern " << p;
      }
    } else if (type == "boolean") {
      EXPECT_EQ(split_choices(cell), (std::vector<std::string>{"true", "false"}));
    } else if (type == "distribution") {
      EXPECT_EQ(cell, "distribution");
    } else if (type.starts_with("array")) {
      static const std::regex items("([0-9]+)\\.\\.([0-9]+) items");
      std::smatch m;
      if (cell == "any number of items") {
        EXPECT_FALSE(spec.contains("maxItems"));
      } else {
        ASSERT_TRUE(std::regex_match(cell, m, items))
            << "expected MIN..MAX items or any number of items";
        EXPECT_EQ(std::stoull(m[1]), spec.value("minItems", 0ull));
        if (spec.contains("maxItems")) {
          EXPECT_EQ(std::stoull(m[2]), spec["maxItems"].get<unsigned long long>());
        }
        // Otherwise the parser holds the limit: CrossFieldLimitsAreTheParsers.
      }
    } else {
      ADD_FAILURE() << "no range notation for type " << type;
    }
  }
}

TEST(ScenarioFormatDoc, UnitsFollowFieldKinds) {
  const auto fields = schema_fields();
  for (const auto &r : field_rows()) {
    auto it = fields.find(field_of(r));
    if (it == fields.end())
      continue;
    const std::string unit = unquote(r.cells[2]);
    const std::string &path = it->first;
    if (type_name(it->second) == "distribution" || path.ends_with("_s")) {
      EXPECT_TRUE(unit.starts_with("seconds")) << where(r) << ": unit of " << path;
    }
    if (path.ends_with("_bytes")) {
      EXPECT_TRUE(unit.starts_with("bytes")) << where(r) << ": unit of " << path;
    }
  }
}

// A `0..N items` array range that the schema does not hold (events) and the
// cross-field limit on request slots are the parser's: try both sides.
TEST(ScenarioFormatDoc, CrossFieldLimitsAreTheParsers) {
  std::optional<unsigned long long> max_events;
  for (const auto &r : field_rows())
    if (field_of(r) == "events") {
      std::smatch m;
      const std::string cell = unquote(r.cells[4]);
      if (std::regex_match(cell, m, std::regex("0\\.\\.([0-9]+) items")))
        max_events = std::stoull(m[1]);
    }
  ASSERT_TRUE(max_events) << "the events row should give its limit as 0..N items";
  auto with_events = [](unsigned long long n) {
    std::string text = R"({"workload": {"rate": 0}, "duration_s": 1, "events": [)";
    for (unsigned long long i = 0; i < n; ++i)
      text += i ? R"(,{"at":2,"view_burst":1})" : R"({"at":2,"view_burst":1})";
    return text + "]}";
  };
  auto at_limit = parse_scenario(with_events(*max_events), kOrigin);
  EXPECT_TRUE(at_limit) << at_limit.error;
  EXPECT_FALSE(parse_scenario(with_events(*max_events + 1), kOrigin))
      << "the parser accepts more than " << *max_events << " events";

  // "`app.servers` × `app.workers` is at most N", wherever the doc says it.
  const std::regex slots("`app\\.servers` × `app\\.workers`[^0-9]*?at most ([0-9]+)");
  std::size_t said = 0;
  for (std::sregex_iterator m(doc_text().begin(), doc_text().end(), slots), end; m != end; ++m) {
    ++said;
    const unsigned long long limit = std::stoull((*m)[1]);
    const unsigned long long servers = 4096; // the largest app.servers
    auto with_workers = [&](unsigned long long workers) {
      return R"({"workload": {}, "app": {"servers": )" + std::to_string(servers) +
             R"(, "workers": )" + std::to_string(workers) + "}}";
    };
    auto fits = parse_scenario(with_workers(limit / servers), kOrigin);
    EXPECT_TRUE(fits) << fits.error;
    EXPECT_FALSE(parse_scenario(with_workers(limit / servers + 1), kOrigin))
        << "the parser accepts more than " << limit << " request slots";
  }
  EXPECT_GE(said, 1u) << "the doc should state the app.servers x app.workers limit";
}

TEST(ScenarioFormatDoc, DistributionFormsAreTheSchemas) {
  std::set<std::string> forms;
  for (const auto &alt : schema()["$defs"]["distribution"]["oneOf"])
    forms.insert(alt.value("type", "") == "number" ? "number"
                                                   : alt["required"][0].get<std::string>());
  std::set<std::string> documented;
  for (const auto &r : rows_of("form")) {
    ASSERT_GE(r.cells.size(), 2u) << where(r);
    const std::string form = unquote(r.cells[0]);
    documented.insert(form);
    const Json example = Json::parse(unquote(r.cells[1]), nullptr, false);
    ASSERT_FALSE(example.is_discarded()) << where(r) << ": example is not JSON";
    EXPECT_EQ(example.is_number() ? "number" : example.begin().key(), form) << where(r);
    const std::string text = R"({"workload": {}, "db": {"query_latency": )" + example.dump() + "}}";
    auto parsed = parse_scenario(text, kOrigin);
    EXPECT_TRUE(parsed) << where(r) << ": " << parsed.error;
  }
  EXPECT_EQ(documented, forms);
}

TEST(ScenarioFormatDoc, EventKindsAreTheSchemas) {
  std::set<std::string> kinds;
  for (const auto &alt : schema()["$defs"]["event"]["oneOf"])
    for (const auto &key : alt["required"])
      if (key != "at")
        kinds.insert(key.get<std::string>());
  std::set<std::string> documented;
  for (const auto &r : rows_of("event")) {
    ASSERT_GE(r.cells.size(), 2u) << where(r);
    const std::string kind = unquote(r.cells[0]);
    documented.insert(kind);
    const Json example = Json::parse(unquote(r.cells[1]), nullptr, false);
    ASSERT_TRUE(example.is_object()) << where(r) << ": example is not a JSON object";
    EXPECT_TRUE(example.contains("at") && example.contains(kind) && example.size() == 2)
        << where(r);
    // A retirement needs a migration before it.
    const std::string before =
        kind == "retire_old_cache" ? R"({"at": 0, "migrate_cache": 1}, )" : "";
    const std::string text =
        R"({"workload": {}, "cache": {"nodes": 2}, "events": [)" + before + example.dump() + "]}";
    auto parsed = parse_scenario(text, kOrigin);
    EXPECT_TRUE(parsed) << where(r) << ": " << parsed.error;
  }
  EXPECT_EQ(documented, kinds);
}

TEST(ScenarioFormatDoc, ReportPathsAreTheReports) {
  std::vector<std::string> documented;
  for (const auto &r : rows_of("report path"))
    documented.push_back(unquote(r.cells[0]));
  EXPECT_EQ(documented, report_paths()) << "the report paths `expect` accepts, in report order";
}

TEST(ScenarioFormatDoc, ExampleScenariosParse) {
  std::size_t scenarios = 0, with_events_and_expect = 0;
  for (const auto &[line, text] : json_blocks()) {
    const std::string at = kDocPath + ":" + std::to_string(line);
    const Json j = Json::parse(text, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << at << ": a ```json block that is not JSON";
    if (!j.is_object() || !j.contains("workload"))
      continue;
    ++scenarios;
    auto parsed = parse_scenario(text, kOrigin);
    EXPECT_TRUE(parsed) << at << ": " << parsed.error;
    if (!j.value("events", Json::array()).empty() && !j.value("expect", Json::array()).empty())
      ++with_events_and_expect;
  }
  EXPECT_GE(scenarios, 2u);
  EXPECT_GE(with_events_and_expect, 1u) << "an example with events and expect";
}

TEST(ScenarioFormatDoc, ShowsAFileWithEveryDefault) {
  const Json defaults = Json::parse(scenario_to_json(Scenario{}));
  bool shown = false;
  for (const auto &[line, text] : json_blocks())
    shown = shown || Json::parse(text, nullptr, false) == defaults;
  EXPECT_TRUE(shown) << kDocPath << " should show every field at its default:\n"
                     << scenario_to_json(Scenario{});
}

} // namespace
} // namespace stampede
