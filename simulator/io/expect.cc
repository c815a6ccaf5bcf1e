// `expect` expressions (SPEC sections 2 and 11): PATH OP NUMBER, joined
// with `and`; over replications PATH may be wrapped as mean(PATH) or ci95(PATH).
//
// The grammar, with optional whitespace around operators:
//   clause := term ( WS "and" WS term )*
//   term   := subject OP NUMBER
//   subject:= PATH | ("mean" | "ci95") "(" PATH ")"
//   PATH   := [A-Za-z0-9_.]+, a numeric report path (report_paths())
//   OP     := "==" | "!=" | "<=" | ">=" | "<" | ">"
//   NUMBER := a decimal or floating-point number, optionally negative
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "internal/portable.h"
#include "stampede/expectations.h"
#include "stampede/explore_file.h"
#include "stampede/report_fields.h"

namespace stampede {
namespace {

struct OpSpelling {
  const char *text;
  Expectation::Op op;
};

// Two-character operators first, so `<=` is never read as `<` then `=`.
constexpr OpSpelling kOps[] = {{"==", Expectation::Op::kEq}, {"!=", Expectation::Op::kNe},
                               {"<=", Expectation::Op::kLe}, {">=", Expectation::Op::kGe},
                               {"<", Expectation::Op::kLt},  {">", Expectation::Op::kGt}};

constexpr const char *kOpList = "(== != < <= > >=)";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 40) {
      out += "...";
      break;
    }
    // Messages are one line: control characters are written as escapes.
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string close_names(std::string_view path, const std::vector<std::string> &paths) {
  // Same section first (`db.read` -> the db.* paths), then by edit distance,
  // then in report order.
  const std::string_view section = path.substr(0, path.find('.'));
  std::vector<std::tuple<bool, std::size_t, std::size_t>> ranked;
  for (std::size_t i = 0; i < paths.size(); ++i)
    ranked.emplace_back(std::string_view(paths[i]).substr(0, paths[i].find('.')) != section,
                        edit_distance(path.substr(0, 200), paths[i]), i);
  std::stable_sort(ranked.begin(), ranked.end());
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
    out += (i ? ", " : "") + paths[std::get<2>(ranked[i])];
  return out;
}

class ExpectParser {
public:
  explicit ExpectParser(std::string_view text) : text_(text) {}

  Parsed<ExpectClause> parse() {
    ExpectClause clause;
    clause.text = std::string(text_);
    skip_space();
    if (pos_ == text_.size())
      return fail("expected PATH OP NUMBER, got an empty expression");
    std::string after; // what came before the term, for messages
    while (true) {
      Expectation e;
      if (!term(e, after))
        return error_;
      clause.terms.push_back(std::move(e));
      const std::size_t number_end = pos_;
      skip_space();
      if (pos_ == text_.size())
        break;
      const bool spaced = pos_ > number_end;
      if (!spaced || text_.substr(pos_, 3) != "and" ||
          (pos_ + 3 < text_.size() && !is_space(text_[pos_ + 3])))
        return fail("expected \"and\" or the end after " +
                    quote(text_.substr(term_start_, number_end - term_start_)) + ", got " +
                    next_token());
      pos_ += 3;
      skip_space();
      after = " after \"and\"";
    }
    Parsed<ExpectClause> r;
    r.value = std::move(clause);
    return r;
  }

private:
  bool term(Expectation &e, const std::string &after) {
    term_start_ = pos_;
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_path_char(text_[pos_]))
      ++pos_;
    if (pos_ == start) {
      fail("expected a report path" + after + ", got " + next_token());
      return false;
    }
    e.path = std::string(text_.substr(start, pos_ - start));
    if (pos_ < text_.size() && text_[pos_] == '(') {
      if (!wrapped(e))
        return false;
    }
    const std::string_view subject = text_.substr(term_start_, pos_ - term_start_);
    skip_space();
    const OpSpelling *op = nullptr;
    for (auto &o : kOps)
      if (text_.substr(pos_).starts_with(o.text)) {
        op = &o;
        break;
      }
    // `=>`, `=<`, `<>`, `===` are not operators: nothing may continue one.
    if (op) {
      const std::size_t end = pos_ + std::string_view(op->text).size();
      if (end < text_.size() &&
          (text_[end] == '=' || text_[end] == '<' || text_[end] == '>' || text_[end] == '!'))
        op = nullptr;
    }
    if (!op) {
      fail(std::string("expected an operator ") + kOpList + " after " + quote(subject) + ", got " +
           next_token());
      return false;
    }
    pos_ += std::string_view(op->text).size();
    e.op = op->op;
    if (e.over == Expectation::Over::kCi95 && e.op == Expectation::Op::kEq) {
      fail("expected <, <=, >, >= or != after " + quote(subject) +
           ": a whole interval is never equal to one number (compare mean(...) instead)");
      return false;
    }
    skip_space();
    const char *first = text_.data() + pos_;
    const char *last = text_.data() + text_.size();
    double value = 0;
    auto [ptr, ec] = portable::from_chars(first, last, value);
    if (ec != std::errc() || !std::isfinite(value) || (ptr != last && !is_space(*ptr))) {
      fail(std::string("expected a number after \"") + op->text + "\", got " + next_token());
      return false;
    }
    e.value = value;
    pos_ += static_cast<std::size_t>(ptr - first);
    // explore's fields (SPEC section 12): a clause names them alone, and
    // only as they are (one search has no mean and no interval).
    if (e.path.starts_with("explore.")) {
      const std::vector<std::string> paths = explore_paths();
      if (std::find(paths.begin(), paths.end(), e.path) == paths.end()) {
        fail("expected one of explore's fields, got " + quote(e.path) +
             " (close: " + close_names(e.path, paths) + ")");
        return false;
      }
      if (e.over != Expectation::Over::kEachRun) {
        fail("expected " + e.path + " as it is: explore's fields have no mean or interval");
        return false;
      }
    } else {
      const auto &paths = report_paths();
      if (std::find(paths.begin(), paths.end(), e.path) == paths.end()) {
        fail("expected a numeric report path, got " + quote(e.path) +
             " (close: " + close_names(e.path, paths) + ")");
        return false;
      }
    }
    if (explore_clause_ && *explore_clause_ != e.path.starts_with("explore.")) {
      fail("expected explore's fields (explore.*) alone in a clause or not at all: " +
           quote(e.path) + " joins a clause that " +
           (*explore_clause_ ? "names them" : "names a timed run's fields"));
      return false;
    }
    explore_clause_ = e.path.starts_with("explore.");
    return true;
  }

  // `mean(` or `ci95(` has been read as a path up to the parenthesis: the
  // wrapper's name is in e.path; reads the path inside and the `)`.
  bool wrapped(Expectation &e) {
    if (e.path == "mean") {
      e.over = Expectation::Over::kMean;
    } else if (e.path == "ci95") {
      e.over = Expectation::Over::kCi95;
    } else {
      fail("expected mean(PATH), ci95(PATH) or a report path, got " +
           quote(text_.substr(term_start_, pos_ + 1 - term_start_)));
      return false;
    }
    ++pos_; // (
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_path_char(text_[pos_]))
      ++pos_;
    if (pos_ == start) {
      fail("expected a report path inside " + e.path + "(...), got " + next_token());
      return false;
    }
    const std::string inner(text_.substr(start, pos_ - start));
    skip_space();
    if (pos_ == text_.size() || text_[pos_] != ')') {
      fail("expected \")\" after " + quote(text_.substr(term_start_, pos_ - term_start_)) +
           ", got " + next_token());
      return false;
    }
    ++pos_; // )
    e.path = inner;
    return true;
  }

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_]))
      ++pos_;
  }

  // The text from the current position up to the next whitespace, quoted;
  // or "the end".
  std::string next_token() const {
    if (pos_ >= text_.size())
      return "the end";
    std::size_t end = pos_;
    while (end < text_.size() && !is_space(text_[end]))
      ++end;
    return quote(text_.substr(pos_, end - pos_));
  }

  Parsed<ExpectClause> fail(std::string message) {
    error_.value.reset();
    error_.error = std::move(message);
    return error_;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t term_start_ = 0;
  std::optional<bool> explore_clause_; // whether the clause names explore's fields, once known
  Parsed<ExpectClause> error_;
};

} // namespace

const char *op_name(Expectation::Op op) noexcept {
  for (auto &o : kOps)
    if (o.op == op)
      return o.text;
  return "?";
}

bool holds(const Expectation &e, double actual) noexcept {
  switch (e.op) {
  case Expectation::Op::kEq:
    return actual == e.value;
  case Expectation::Op::kNe:
    return actual != e.value;
  case Expectation::Op::kLt:
    return actual < e.value;
  case Expectation::Op::kLe:
    return actual <= e.value;
  case Expectation::Op::kGt:
    return actual > e.value;
  case Expectation::Op::kGe:
    return actual >= e.value;
  }
  return false;
}

Parsed<ExpectClause> parse_expect(std::string_view text) { return ExpectParser(text).parse(); }

} // namespace stampede
