// JSON text: reading a bounded input file, the SAX pass that finds duplicate
// keys, nlohmann's syntax errors as our messages, and parse_json_document.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sys/stat.h>

#include "io/scenario_internal.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace internal {

// ---------------------------------------------------------------------------
// JSON text

namespace {

// The value types nlohmann's SAX interface names, for the two passes below.
struct SaxTypes {
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;
};

// A SAX pass before the DOM parse: nlohmann's DOM parser keeps the last of
// two equal keys silently, and its callback parser rescans the enclosing
// array at every object's end (quadratic in the number of events), so
// duplicates are found here, with the path of the second occurrence, in
// linear time and without building anything.
class DuplicateFinder : public SaxTypes {
public:
  std::string duplicate; // the path, once found
  std::string error;     // nlohmann's message for a syntax error
  std::size_t error_byte = 0;
  bool syntax_error = false;

  bool null() { return element(); }
  bool boolean(bool) { return element(); }
  bool number_integer(number_integer_t) { return element(); }
  bool number_unsigned(number_unsigned_t) { return element(); }
  bool number_float(number_float_t, const string_t &) { return element(); }
  bool string(string_t &) { return element(); }
  bool binary(binary_t &) { return element(); }
  bool start_object(std::size_t) {
    element();
    frames_.push_back({});
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    element();
    frames_.push_back({true, 0, {}, {}});
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool key(string_t &key) {
    Frame &top = frames_.back();
    if (!top.keys.insert(key).second) {
      duplicate = path_to(key);
      return false;
    }
    top.key = key;
    return true;
  }
  bool parse_error(std::size_t byte, const std::string &, const nlohmann::detail::exception &e) {
    syntax_error = dynamic_cast<const nlohmann::json::parse_error *>(&e) != nullptr;
    error = e.what();
    error_byte = byte;
    error_path = current_path();
    return false;
  }

  std::string error_path; // where the value that failed would have gone

private:
  struct Frame {
    bool array = false;
    std::size_t index = 0; // elements begun so far (arrays)
    std::string key;       // the current key (objects)
    std::set<std::string> keys;
  };

  bool element() {
    if (!frames_.empty() && frames_.back().array)
      ++frames_.back().index;
    return true;
  }
  // The path of the value being read now: the current key of the innermost
  // object, or the next index of the innermost array.
  std::string current_path() const {
    if (frames_.empty())
      return {};
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const auto &f = frames_[i];
      p = f.array ? index_path(p, f.index - 1) : join_path(p, f.key);
    }
    const Frame &top = frames_.back();
    return top.array ? index_path(p, top.index) : join_path(p, top.key);
  }
  std::string path_to(const std::string &key) const {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const auto &f = frames_[i];
      p = f.array ? index_path(p, f.index - 1) : join_path(p, f.key);
    }
    return join_path(p, key);
  }

  std::vector<Frame> frames_;
};

// The DOM, built from a second SAX pass once DuplicateFinder found the text
// valid and free of duplicate keys. nlohmann's own DOM parser inserts each
// key of an ordered_json object with a search of the keys before it, so an
// object of n keys costs n^2 / 2 comparisons (200,000 keys: minutes); here
// a key is appended where it stands, in file order, and the whole text
// costs time in proportion to its length.
class OrderedBuilder : public SaxTypes {
public:
  Json root;

  bool null() { return value(Json(nullptr)); }
  bool boolean(bool b) { return value(Json(b)); }
  bool number_integer(number_integer_t n) { return value(Json(n)); }
  bool number_unsigned(number_unsigned_t n) { return value(Json(n)); }
  bool number_float(number_float_t x, const string_t &) { return value(Json(x)); }
  bool string(string_t &s) { return value(Json(std::move(s))); }
  bool binary(binary_t &b) { return value(Json::binary(std::move(b))); }
  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(string_t &k) {
    key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &) {
    return false; // DuplicateFinder read the same text without one
  }

private:
  // Appends `v` to the innermost container (no search: keys are unique);
  // @return where it now is.
  Json *place(Json &&v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    Json &top = *stack_.back();
    if (top.is_array()) {
      auto &a = top.get_ref<Json::array_t &>();
      a.push_back(std::move(v));
      return &a.back();
    }
    // ordered_map is a vector of (key, value) pairs in file order.
    auto &pairs = static_cast<std::vector<std::pair<const std::string, Json>> &>(
        top.get_ref<Json::object_t &>());
    pairs.emplace_back(std::move(key_), std::move(v));
    return &pairs.back().second;
  }
  bool value(Json &&v) {
    place(std::move(v));
    return true;
  }
  bool open(Json &&container) {
    // The containers above it are not appended to until it closes, so the
    // pointer stays good.
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<Json *> stack_;
  std::string key_;
};

// Turns nlohmann's "parse error at line L, column C: syntax error while
// parsing CONTEXT - LEXER; last read: 'X'; expected E" into
// "line L, column C: expected E, got X". The position is that of the last
// character read that is not whitespace (nlohmann counts the newline that
// ended a bad literal as column 0 of the next line).
std::string syntax_message(const std::string &what, std::string_view text, std::size_t byte) {
  std::string rest = what;
  if (auto colon = rest.find(": ", rest.find("parse error")); colon != std::string::npos)
    rest = rest.substr(colon + 2);
  const std::string syntax = "syntax error while parsing ";
  std::string context;
  if (rest.starts_with(syntax)) {
    auto dash = rest.find(" - ");
    context = rest.substr(syntax.size(), dash - syntax.size());
    rest = dash == std::string::npos ? "" : rest.substr(dash + 3);
  }
  std::string want = "a JSON " + context;
  if (auto e = rest.rfind("; expected "); e != std::string::npos) {
    want = rest.substr(e + 11);
    rest.resize(e);
  }
  std::string got = rest;
  if (auto lr = rest.find("; last read: '"); lr != std::string::npos) {
    std::string token = rest.substr(lr + 14);
    if (!token.empty() && token.back() == '\'')
      token.pop_back();
    // The window nlohmann shows may start before the offending token and end
    // with the whitespace that ended it.
    const std::string separators[] = {" ", "<U+000A>", "<U+0009>", "<U+000D>"};
    for (bool trimmed = true; trimmed;) {
      trimmed = false;
      for (const auto &sep : separators)
        if (token.size() > sep.size() && token.ends_with(sep)) {
          token.resize(token.size() - sep.size());
          trimmed = true;
        }
    }
    for (const auto &sep : separators)
      if (auto sp = token.rfind(sep); sp != std::string::npos && sp + sep.size() < token.size())
        token = token.substr(sp + sep.size());
    got = rest.substr(0, lr);
    if (got == "invalid literal" || got == "invalid number") {
      // A literal holds no structural character: the window may still show
      // the key before it (`"rate":N`).
      if (auto sp = token.find_last_of(":,[{"); sp != std::string::npos && sp + 1 < token.size())
        token = token.substr(sp + 1);
      got = "'" + truncate(token) + "'";
    } else
      got += " '" + truncate(token) + "'";
  } else if (got.starts_with("unexpected ")) {
    got = got.substr(11);
  }
  std::string position;
  if (!text.empty()) {
    std::size_t i = std::min(byte == 0 ? 0 : byte - 1, text.size() - 1);
    while (i > 0 && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
      --i;
    const std::size_t line_start =
        text.rfind('\n', i) == std::string_view::npos ? 0 : text.rfind('\n', i) + 1;
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(i), '\n');
    // At the end of input, point just past the last character.
    const std::size_t column = i - line_start + (byte > text.size() ? 2 : 1);
    position = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  return position + "expected " + want + ", got " + got;
}

} // namespace

Document parse_json(std::string_view text) {
  Document d;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    d.error = "expected a JSON object, got an empty file";
    return d;
  }
  DuplicateFinder finder;
  if (!Json::sax_parse(text.begin(), text.end(), &finder)) {
    if (!finder.duplicate.empty()) {
      d.error = finder.duplicate + ": duplicate field (each field may appear once)";
    } else if (finder.syntax_error) {
      d.error = syntax_message(finder.error, text, finder.error_byte);
    } else if (auto q = finder.error.find("parsing '");
               q != std::string::npos && finder.error.back() == '\'') {
      // Numbers too large for a double: "number overflow parsing '1e400'".
      d.error = (finder.error_path.empty() ? "" : finder.error_path + ": ") +
                "expected a finite number, got " +
                truncate(finder.error.substr(q + 9, finder.error.size() - q - 10));
    } else {
      d.error = finder.error;
    }
    return d;
  }
  // The text is valid JSON without duplicates: this parse cannot fail.
  OrderedBuilder builder;
  if (!Json::sax_parse(text.begin(), text.end(), &builder)) {
    d.error = "expected JSON, got text nlohmann::json rejects";
    return d;
  }
  d.json = std::move(builder.root);
  return d;
}

} // namespace internal

Parsed<std::string> read_input_file(const std::string &path) {
  Parsed<std::string> r;
  const auto fail = [&](const char *why) {
    r.error = path + ": cannot read file: " + why;
    return r;
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail(std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return fail(std::strerror(EISDIR));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(std::strerror(errno));
  // Read at most the bound, so that a device such as /dev/zero is an error,
  // not a hang; pipes (`<(...)`) still work.
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxInputBytes)
      return fail("larger than 64 MiB");
  }
  if (in.bad())
    return fail(std::strerror(errno));
  r.value = std::move(text);
  return r;
}

Parsed<nlohmann::ordered_json> parse_json_document(std::string_view text, std::string_view origin) {
  internal::Document doc = internal::parse_json(text);
  Parsed<nlohmann::ordered_json> r;
  if (!doc.json)
    r.error = std::string(origin) + ": " + doc.error;
  else
    r.value = std::move(*doc.json);
  return r;
}

} // namespace stampede
