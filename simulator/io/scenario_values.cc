// Reading one value of a scenario file, and the words its messages use: a
// number, an integer, a distribution, a field (scenario_internal.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "internal/portable.h"
#include "io/scenario_internal.h"
#include "stampede/scenario_file.h"

namespace stampede::internal {

// ---------------------------------------------------------------------------
// Messages

namespace {

std::string format_number(double v) {
  if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 1e16)
    return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto r = portable::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string dump_scalar(const Json &j) {
  return j.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

} // namespace

// Text as messages show it: on one line, control characters escaped the way
// JSON writes them.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      std::string escaped = dump_scalar(Json(std::string(1, c)));
      out += escaped.substr(1, escaped.size() - 2);
    } else {
      out += c;
    }
  }
  return out;
}

std::string printable_cut(std::string_view text) {
  constexpr std::size_t kMost = 200;
  if (text.size() <= kMost)
    return printable(text);
  std::size_t head = kMost;
  while (head > 0 && (static_cast<unsigned char>(text[head]) & 0xC0) == 0x80)
    --head; // not inside a UTF-8 character
  return printable(text.substr(0, head)) + "... (" + std::to_string(text.size()) + " bytes)";
}

namespace {

// Prints compact JSON, stopping once past `limit` characters: a deeply nested
// value never recurses deeper than the limit.
void print_limited(const Json &j, std::string &out, std::size_t limit) {
  if (out.size() > limit)
    return;
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (auto it = j.begin(); it != j.end() && out.size() <= limit; ++it) {
      if (!first)
        out += ',';
      first = false;
      out += dump_scalar(Json(it.key()));
      out += ':';
      print_limited(it.value(), out, limit);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    bool first = true;
    for (auto it = j.begin(); it != j.end() && out.size() <= limit; ++it) {
      if (!first)
        out += ',';
      first = false;
      print_limited(*it, out, limit);
    }
    out += ']';
  } else {
    out += dump_scalar(j);
  }
}

} // namespace

std::string truncate(std::string s, std::size_t limit) {
  if (s.size() <= limit)
    return s;
  std::size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n; // never cut a UTF-8 sequence
  s.resize(n);
  return s + "...";
}

std::string found(const Json &j) {
  std::string out;
  print_limited(j, out, 40);
  return truncate(std::move(out));
}

std::string quoted_list(const std::vector<std::string_view> &names) {
  std::string out;
  for (auto &n : names) {
    if (!out.empty())
      out += ", ";
    out += '"';
    out += n;
    out += '"';
  }
  return out;
}

namespace {

// What a number field expects. `lower` picks the bound to state: the lower one
// for a value of the wrong type or below it, the upper one above it (a range's
// other end is in the schema and docs; one bound keeps the message short).
std::string number_expectation(const char *what, bool lower, double lo, bool lo_ex, double hi,
                               bool hi_ex) {
  std::string out = what;
  if (lower)
    out += (lo_ex ? " > " : " >= ") + format_number(lo);
  else
    out += (hi_ex ? " < " : " <= ") + format_number(hi);
  return out;
}

} // namespace

std::string join_path(std::string_view base, std::string_view key) {
  if (base.empty())
    return printable(key);
  std::string out(base);
  out += '.';
  out += printable(key);
  return out;
}

std::string index_path(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

Problem expected(std::string path, const std::string &what, const Json &got) {
  return {std::move(path), "expected " + what + ", got " + found(got)};
}

// ---------------------------------------------------------------------------
// Numbers

namespace {

// Reads a JSON number as a double (integers included).
std::optional<double> as_number(const Json &j) {
  if (!j.is_number())
    return std::nullopt;
  if (j.is_number_unsigned())
    return static_cast<double>(j.get<std::uint64_t>());
  if (j.is_number_integer())
    return static_cast<double>(j.get<std::int64_t>());
  return j.get<double>();
}

} // namespace

std::optional<Problem> read_number(const Json &j, const std::string &path, NumberRange r,
                                   double &out) {
  auto v = as_number(j);
  if (!v)
    return expected(
        path, number_expectation("a number", true, r.min, r.min_exclusive, r.max, r.max_exclusive),
        j);
  bool low = r.min_exclusive ? !(*v > r.min) : !(*v >= r.min);
  bool high = r.max_exclusive ? !(*v < r.max) : !(*v <= r.max);
  if (low || high)
    return expected(
        path, number_expectation("a number", low, r.min, r.min_exclusive, r.max, r.max_exclusive),
        j);
  out = *v;
  return std::nullopt;
}

namespace {

std::string integer_expectation(bool lower, std::uint64_t lo, std::uint64_t hi) {
  if (lo == hi)
    return std::to_string(lo);
  return lower ? "an integer >= " + std::to_string(lo) : "an integer <= " + std::to_string(hi);
}

} // namespace

std::optional<Problem> read_integer(const Json &j, const std::string &path, std::uint64_t lo,
                                    std::uint64_t hi, std::uint64_t &out) {
  std::uint64_t v = 0;
  if (j.is_number_unsigned()) {
    v = j.get<std::uint64_t>();
  } else if (j.is_number_integer()) {
    // Negative (non-negative integers parse as unsigned): below every minimum.
    return expected(path, integer_expectation(true, lo, hi), j);
  } else if (j.is_number_float()) {
    double d = j.get<double>();
    if (std::floor(d) != d)
      return expected(path, integer_expectation(true, lo, hi), j);
    if (d < 0)
      return expected(path, integer_expectation(true, lo, hi), j);
    if (d >= 18446744073709551616.0)
      return expected(path, integer_expectation(false, lo, hi), j);
    v = static_cast<std::uint64_t>(d);
  } else {
    return expected(path, integer_expectation(true, lo, hi), j);
  }
  if (v < lo)
    return expected(path, integer_expectation(true, lo, hi), j);
  if (v > hi)
    return expected(path, integer_expectation(false, lo, hi), j);
  out = v;
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Distributions

namespace {

std::string distribution_expectation() {
  return "a number >= 0 or an object with one of " + plain_list(kDistributionKinds);
}

} // namespace

std::optional<Problem> unknown_field(const std::string &path, std::string_view key,
                                     const std::string &expected_names) {
  return Problem{join_path(path, key), "unknown field, expected one of: " + expected_names};
}

namespace {

// Reads an object with exactly the numeric members `names`, each in its range.
std::optional<Problem>
read_members(const Json &j, const std::string &path,
             const std::vector<std::pair<std::string_view, NumberRange>> &names,
             std::vector<double> &out) {
  std::string shape = "an object {";
  for (std::size_t i = 0; i < names.size(); ++i)
    shape += (i ? ", \"" : "\"") + std::string(names[i].first) + "\": NUMBER";
  shape += "}";
  if (!j.is_object())
    return expected(path, shape, j);
  std::vector<std::string_view> keys;
  for (auto &n : names)
    keys.push_back(n.first);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
      return unknown_field(path, it.key(), plain_list(keys));
  out.clear();
  for (auto &[key, range] : names) {
    auto child = join_path(path, key);
    auto it = j.find(std::string(key));
    if (it == j.end())
      return Problem{child, "required field is missing"};
    double v = 0;
    if (auto p = read_number(*it, child, range, v))
      return p;
    out.push_back(v);
  }
  return std::nullopt;
}

/// `{"uniform": [LO, HI]}`: the member's value `v`, at `path`.
std::optional<Problem> read_uniform(const Json &v, const std::string &path, Distribution &out) {
  const NumberRange seconds = between(0, kMaxSeconds);
  if (!v.is_array() || v.size() != 2)
    return expected(path, "an array [LO, HI]", v);
  double lo = 0, hi = 0;
  if (auto p = read_number(v[0], index_path(path, 0), seconds, lo))
    return p;
  if (auto p = read_number(v[1], index_path(path, 1), seconds, hi))
    return p;
  if (lo > hi)
    return expected(path, "[LO, HI] with LO <= HI", v);
  out = Distribution::uniform(lo, hi);
  return std::nullopt;
}

/// `{"empirical": [[VALUE, WEIGHT], ...]}`: the member's value `v`, at `path`.
std::optional<Problem> read_empirical(const Json &v, const std::string &path, Distribution &out) {
  const NumberRange seconds = between(0, kMaxSeconds);
  if (!v.is_array() || v.empty())
    return expected(path, "a non-empty array of [VALUE, WEIGHT] pairs", v);
  std::vector<std::pair<double, double>> pairs;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string at = index_path(path, i);
    if (!v[i].is_array() || v[i].size() != 2)
      return expected(at, "a [VALUE, WEIGHT] pair", v[i]);
    double value = 0, weight = 0;
    if (auto p = read_number(v[i][0], index_path(at, 0), seconds, value))
      return p;
    if (auto p = read_number(v[i][1], index_path(at, 1), above(0, kMaxWeight), weight))
      return p;
    pairs.emplace_back(value, weight);
  }
  out = Distribution::empirical(pairs);
  return std::nullopt;
}

/// A family's parameters: the value `v` of a distribution's one member,
/// `row` its family in kDistributionTable, at `path`.
std::optional<Problem> read_parameters(const DistributionKind &row, const Json &v,
                                       const std::string &path, Distribution &out) {
  const NumberRange seconds = between(0, kMaxSeconds);
  const Distribution::Kind kind = row.kind;
  if (kind == Distribution::Kind::kExponential) {
    double mean = 0;
    if (auto p = read_number(v, path, above(0, kMaxSeconds), mean))
      return p;
    out = Distribution::exponential(mean);
  } else if (kind == Distribution::Kind::kUniform) {
    return read_uniform(v, path, out);
  } else if (kind == Distribution::Kind::kNormal) {
    std::vector<double> m;
    if (auto p = read_members(v, path, {{row.a, seconds}, {row.b, seconds}}, m))
      return p;
    out = Distribution::normal(m[0], m[1]);
  } else if (kind == Distribution::Kind::kLogNormal) {
    std::vector<double> m;
    if (auto p = read_members(v, path,
                              {{row.a, above(0, kMaxSeconds)}, {row.b, between(0, kMaxSigma)}}, m))
      return p;
    out = Distribution::lognormal(m[0], m[1]);
  } else { // empirical
    return read_empirical(v, path, out);
  }
  return std::nullopt;
}

/// A distribution: a number of seconds is a constant; else an object with
/// one member, a family of kDistributionTable and its parameters.
std::optional<Problem> read_distribution(const Json &j, const std::string &path,
                                         Distribution &out) {
  if (j.is_number()) {
    double v = 0;
    if (auto p = read_number(j, path, between(0, kMaxSeconds), v))
      return p;
    out = Distribution::constant(v);
    return std::nullopt;
  }
  if (!j.is_object())
    return expected(path, distribution_expectation(), j);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(std::begin(kDistributionKinds), std::end(kDistributionKinds), it.key()) ==
        std::end(kDistributionKinds))
      return unknown_field(path, it.key(), plain_list(kDistributionKinds));
  if (j.size() != 1)
    return expected(path, "exactly one of " + plain_list(kDistributionKinds), j);
  const std::string &name = j.begin().key();
  const DistributionKind *row = nullptr;
  for (const DistributionKind &k : kDistributionTable)
    if (k.name == name)
      row = &k;
  return read_parameters(*row, j.begin().value(), join_path(path, name), out);
}

} // namespace

// ---------------------------------------------------------------------------
// Fields

std::optional<Problem> read_field(const Field &f, const Json &j, Scenario &s) {
  const std::string path(f.path);
  switch (f.kind) {
  case FieldKind::kInteger: {
    std::uint64_t v = 0;
    if (auto p = read_integer(j, path, f.int_min, f.int_max, v)) {
      if (f.int_min == f.int_max)
        p->what = "expected " + std::to_string(f.int_min) + " (the only version), got " + found(j);
      return p;
    }
    f.store(s, v);
    return std::nullopt;
  }
  case FieldKind::kNumber: {
    double v = 0;
    if (auto p = read_number(j, path, f.range, v))
      return p;
    f.store(s, v);
    return std::nullopt;
  }
  case FieldKind::kBoolean:
    if (!j.is_boolean())
      return expected(path, "true or false", j);
    f.store(s, j.get<bool>());
    return std::nullopt;
  case FieldKind::kEnum: {
    if (j.is_string()) {
      const auto &v = j.get_ref<const std::string &>();
      for (std::size_t i = 0; i < f.choices.size(); ++i)
        if (f.choices[i] == v) {
          f.store(s, static_cast<std::uint64_t>(i));
          return std::nullopt;
        }
    }
    return expected(path, "one of " + quoted_list(f.choices), j);
  }
  case FieldKind::kString: {
    if (!j.is_string())
      return expected(path, "a string", j);
    const auto &v = j.get_ref<const std::string &>();
    if (f.check)
      if (auto want = f.check(v))
        return expected(path, *want, j);
    f.store(s, v);
    return std::nullopt;
  }
  case FieldKind::kDistribution: {
    Distribution d;
    if (auto p = read_distribution(j, path, d))
      return p;
    f.store(s, d);
    return std::nullopt;
  }
  }
  return std::nullopt;
}

std::string top_level_names() { return plain_list(kTopLevel); }

std::string section_field_names(std::string_view section) {
  std::vector<std::string_view> names;
  for (auto &f : scenario_fields())
    if (section_of(f.path) == section)
      names.push_back(leaf_of(f.path));
  return plain_list(names);
}

} // namespace stampede::internal

namespace stampede {

std::vector<std::string> split_values(std::string_view text) {
  std::vector<std::string> out;
  std::string item;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      quoted = !(c == '"' && text[i - 1] != '\\');
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(item);
      item.clear();
      continue;
    }
    item += c;
  }
  out.push_back(item);
  for (std::string &v : out) {
    const auto first = v.find_first_not_of(" \t");
    const auto last = v.find_last_not_of(" \t");
    v = first == std::string::npos ? std::string() : v.substr(first, last - first + 1);
  }
  return out;
}

} // namespace stampede
