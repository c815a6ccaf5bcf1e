// Checking a lesson's text (docs/lesson-format.md): every figure of the prose
// is a claim, a given, a reference or in a sentence naming its seeds.
#include <algorithm>
#include <cctype>

#include "stampede/lessons.h"

namespace stampede {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string s) {
  for (char &c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The text with everything that is not prose blanked (kept the same
/// length, newlines kept so lines still count): fenced code, inline code,
/// headings, link targets, HTML comments and web addresses.
std::string prose_only(const std::string &md) {
  std::string out = md;
  const auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < out.size(); ++k)
      if (out[k] != '\n')
        out[k] = ' ';
  };
  // Line by line: fences and headings.
  bool fenced = false, indented = false, after_blank = true;
  for (std::size_t at = 0; at < md.size();) {
    const std::size_t end = std::min(md.find('\n', at), md.size());
    const std::string_view line(md.data() + at, end - at);
    const std::size_t lead = line.find_first_not_of(' ');
    const bool fence = lead != std::string_view::npos && line.substr(lead).starts_with("```");
    // An indented code block starts after a blank line; a list item's
    // indented continuation does not.
    indented = !fenced && lead != std::string_view::npos && lead >= 4 && (after_blank || indented);
    if (fence || fenced || indented || line.starts_with("#"))
      blank(at, end); // a fence, inside one, an indented code block, a heading
    // A numbered list's marker (`1. `, `2) `) counts items, not a figure.
    std::size_t digits = lead == std::string_view::npos ? 0 : lead;
    while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits])))
      ++digits;
    if (lead != std::string_view::npos && digits > lead && digits + 1 < line.size() &&
        (line[digits] == '.' || line[digits] == ')') && line[digits + 1] == ' ')
      blank(at + lead, at + digits + 1);
    if (fence)
      fenced = !fenced;
    after_blank = lead == std::string_view::npos;
    at = end + 1;
  }
  // Inline code, link targets, comments, addresses.
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k] == '`') {
      const std::size_t close = out.find('`', k + 1);
      if (close == std::string::npos)
        break;
      blank(k, close + 1);
      k = close;
    } else if (out.compare(k, 2, "](") == 0) {
      const std::size_t close = out.find(')', k);
      blank(k + 1, close == std::string::npos ? out.size() : close + 1);
    } else if (out.compare(k, 4, "<!--") == 0) {
      const std::size_t close = out.find("-->", k);
      blank(k, close == std::string::npos ? out.size() : close + 3);
    } else if (out.compare(k, 7, "http://") == 0 || out.compare(k, 8, "https://") == 0) {
      std::size_t e = k;
      while (e < out.size() && !std::isspace(static_cast<unsigned char>(out[e])) && out[e] != ')')
        ++e;
      blank(k, e);
    }
  }
  return out;
}

/// A figure of the text: where it is, and its words.
struct Figure {
  std::size_t begin = 0, end = 0;
  std::string text;
};

const std::vector<std::string> &number_words() {
  static const std::vector<std::string> words = {
      "two",      "three",     "four",    "five",   "six",    "seven",   "eight",
      "nine",     "ten",       "eleven",  "twelve", "twenty", "thirty",  "forty",
      "fifty",    "sixty",     "seventy", "eighty", "ninety", "hundred", "hundreds",
      "thousand", "thousands", "dozen",   "dozens", "half",   "twice"};
  return words;
}

std::vector<Figure> figures_in(const std::string &prose) {
  std::vector<Figure> out;
  for (std::size_t k = 0; k < prose.size();) {
    const bool after_word = k > 0 && (is_alnum(prose[k - 1]) || prose[k - 1] == '_');
    if (std::isdigit(static_cast<unsigned char>(prose[k])) && !after_word) {
      // 1,200 or 0.15 or 94: digits, with inner commas and points.
      std::size_t e = k;
      while (e < prose.size() && (std::isdigit(static_cast<unsigned char>(prose[e])) ||
                                  ((prose[e] == ',' || prose[e] == '.') && e + 1 < prose.size() &&
                                   std::isdigit(static_cast<unsigned char>(prose[e + 1])))))
        ++e;
      const bool in_word =
          e < prose.size() && (std::isalpha(static_cast<unsigned char>(prose[e])) &&
                               e + 1 < prose.size() && is_alnum(prose[e + 1]));
      if (!in_word) // 64-bit, 3rd and 2x are figures; R1, p99 and md5sum are names
        out.push_back({k, e, prose.substr(k, e - k)});
      k = e;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(prose[k])) && !after_word) {
      std::size_t e = k;
      while (e < prose.size() && (is_alnum(prose[e]) || prose[e] == '_'))
        ++e;
      const std::string word = lower(prose.substr(k, e - k));
      for (const std::string &w : number_words())
        if (word == w)
          out.push_back({k, e, prose.substr(k, e - k)});
      k = e;
      continue;
    }
    ++k;
  }
  return out;
}

/// The text squeezed for matching phrases: whitespace runs as one space,
/// `*` dropped; `at[i]` is where squeezed character i came from.
struct Squeezed {
  std::string text;
  std::vector<std::size_t> at;
};

Squeezed squeeze(const std::string &s) {
  Squeezed out;
  bool space = false;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const char c = s[k];
    if (c == '*')
      continue;
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.text.empty();
      continue;
    }
    if (space) {
      out.text += ' ';
      out.at.push_back(k);
      space = false;
    }
    out.text += c;
    out.at.push_back(k);
  }
  return out;
}

/// The words that make a following number a reference, not a figure.
bool reference_word(const std::string &w) {
  static const char *const words[] = {"lesson",    "lessons",  "step",     "steps",   "exercise",
                                      "exercises", "part",     "parts",    "section", "sections",
                                      "chapter",   "issue",    "figure",   "table",   "seed",
                                      "seeds",     "question", "questions"};
  const std::string l = lower(w);
  for (const char *r : words)
    if (l == r)
      return true;
  return false;
}

/// Where the text's sentences start: after a `.`, `?` or `!` before a
/// space, a blank line, a table cell's bar, or at a list item; position 0
/// first, the text's end last.
std::vector<std::size_t> sentence_starts(const std::string &s) {
  std::vector<std::size_t> starts = {0};
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char prev = s[i - 1];
    const bool blank_line = prev == '\n' && i >= 2 && s[i - 2] == '\n';
    const bool item = prev == '\n' && (s[i] == '-' || s[i] == '|');
    const bool stop = std::isspace(static_cast<unsigned char>(s[i])) &&
                      (prev == '.' || prev == '?' || prev == '!');
    if (prev == '|' || blank_line || item || stop)
      starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

bool names_seeds(const std::string &sentence) {
  const std::string l = lower(sentence);
  for (std::size_t k = l.find("seed"); k != std::string::npos; k = l.find("seed", k + 1)) {
    std::size_t e = k + 4;
    if (e < l.size() && l[e] == 's')
      ++e;
    while (e < l.size() && (l[e] == ' ' || l[e] == '=' || l[e] == '\n'))
      ++e;
    if (e < l.size() && std::isdigit(static_cast<unsigned char>(l[e])))
      return true;
  }
  return false;
}

/// The text on one line: control characters (a line break, a CR, a tab) as
/// spaces, runs of spaces as one.
std::string one_line(std::string s) {
  for (char &c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  std::string out;
  for (const char c : s)
    if (!(c == ' ' && (out.empty() || out.back() == ' ')))
      out += c;
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

/// Where the lesson's claims and givens stand in its markdown: each
/// character of their phrases' occurrences is marked; a phrase not in the
/// text is a problem.
std::vector<bool> claimed_text(const LessonFile &l, const std::string &markdown,
                               const std::string &shown, std::vector<std::string> &problems) {
  std::vector<bool> covered(markdown.size(), false);
  const Squeezed text = squeeze(markdown);
  const auto cover = [&](const std::string &phrase, const std::string &what) {
    const std::string p = squeeze(phrase).text;
    bool found = false;
    std::size_t marked = 0; // overlapping occurrences are marked once
    for (std::size_t k = p.empty() ? std::string::npos : text.text.find(p); k != std::string::npos;
         k = text.text.find(p, k + 1)) {
      found = true;
      for (std::size_t i = std::max(text.at[k], marked); i <= text.at[k + p.size() - 1]; ++i)
        covered[i] = true;
      marked = text.at[k + p.size() - 1] + 1;
    }
    if (!found)
      problems.push_back(shown + ": " + what + " \"" + one_line(phrase) + "\" is not in the text");
  };
  for (std::size_t i = 0; i < l.steps.size(); ++i)
    for (std::size_t k = 0; k < l.steps[i].claims.size(); ++k)
      cover(l.steps[i].claims[k].text,
            "steps[" + std::to_string(i) + "].claims[" + std::to_string(k) + "]");
  for (std::size_t k = 0; k < l.givens.size(); ++k)
    cover(l.givens[k], "givens[" + std::to_string(k) + "]");
  return covered;
}

/// "lesson 3", "steps 5 and 6", "parts 1-12": whether figure `f` of the
/// prose is a reference, by the word before it, or by a reference ending at
/// `reference_end` just before, joined by a dash, a comma, "and", "to" or "or".
bool is_reference(const std::string &prose, const Figure &f, std::size_t reference_end) {
  std::size_t w = f.begin;
  while (w > 0 && (prose[w - 1] == ' ' || prose[w - 1] == '\n'))
    --w;
  std::size_t ws = w;
  while (ws > 0 && std::isalpha(static_cast<unsigned char>(prose[ws - 1])))
    --ws;
  bool reference = ws < w && reference_word(prose.substr(ws, w - ws));
  if (!reference && reference_end != std::string::npos && reference_end <= f.begin &&
      f.begin - reference_end < 16) {
    std::string between = one_line(prose.substr(reference_end, f.begin - reference_end));
    while (!between.empty() && between.front() == ' ')
      between.erase(0, 1);
    for (const char *joint : {"-", "–", ",", "and", ", and", "to", "or", "&", "/"})
      reference = reference || between == joint;
  }
  return reference;
}

/// The sentence [begin, end) of the markdown as a message quotes it: on one
/// line, at most 160 characters.
std::string quoted_sentence(const std::string &markdown, std::size_t begin, std::size_t end) {
  std::string sentence = one_line(markdown.substr(begin, std::min<std::size_t>(end - begin, 400)));
  while (!sentence.empty() && (sentence.front() == ' ' || sentence.front() == '|'))
    sentence.erase(0, 1);
  if (sentence.size() > 160)
    sentence = sentence.substr(0, 157) + "...";
  return sentence;
}

} // namespace

std::vector<std::string> text_figures(const std::string &markdown) {
  std::vector<std::string> out;
  for (const Figure &f : figures_in(prose_only(markdown)))
    out.push_back(f.text);
  return out;
}

std::vector<std::string> check_lesson_text(const LessonFile &l, const std::string &markdown,
                                           const std::string &shown) {
  std::vector<std::string> problems;
  const std::string prose = prose_only(markdown);
  const std::vector<bool> covered = claimed_text(l, markdown, shown, problems);
  const std::vector<Figure> figures = figures_in(prose);
  const std::vector<std::size_t> starts = sentence_starts(prose);
  std::vector<std::size_t> newlines;
  for (std::size_t i = 0; i < markdown.size(); ++i)
    if (markdown[i] == '\n')
      newlines.push_back(i);
  constexpr std::size_t kMostProblems = 100;
  std::size_t unchecked = 0;
  std::size_t labelled_start = std::string::npos; // the last sentence looked at...
  bool labelled = false;                          // ... and whether it names seeds
  std::size_t reference_end = std::string::npos;  // where the last reference's number ended
  for (const Figure &f : figures) {
    if (is_reference(prose, f, reference_end)) {
      reference_end = f.end;
      continue;
    }
    reference_end = std::string::npos;
    bool ok = true;
    for (std::size_t i = f.begin; i < f.end; ++i)
      ok = ok && covered[i];
    if (ok)
      continue;
    const auto next = std::upper_bound(starts.begin(), starts.end(), f.begin);
    const std::size_t sb = *(next - 1), se = *next;
    if (sb != labelled_start) { // figures come in order: one look per sentence
      labelled_start = sb;
      labelled = names_seeds(markdown.substr(sb, se - sb));
    }
    if (labelled)
      continue;
    if (++unchecked > kMostProblems)
      continue; // counted, said at the end
    const std::size_t line =
        1 + static_cast<std::size_t>(std::lower_bound(newlines.begin(), newlines.end(), f.begin) -
                                     newlines.begin());
    problems.push_back(shown + ":" + std::to_string(line) + ": \"" + f.text + "\" in \"" +
                       quoted_sentence(markdown, sb, se) +
                       "\" is neither a claim (steps[].claims), a given (givens), nor in a "
                       "sentence naming its seeds");
  }
  if (unchecked > kMostProblems)
    problems.push_back(shown + ": and " + std::to_string(unchecked - kMostProblems) +
                       " more figures like these");
  return problems;
}

} // namespace stampede
