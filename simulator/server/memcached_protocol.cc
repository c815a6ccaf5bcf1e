// memcached 1.6.18's text protocol over a MemcachedNode (see the header).
// Every reply and every quirk below was checked against the real server; the
// differential tests in tests/memcached keep it that way. Where a quirk is
// kept on purpose it says what memcached does (proto_text.c, util.c).
//
// The meta commands mg, ms, md, ma, me and mn follow 1.6.18 (tests/memcached/
// meta_test.cc compares them with it), including the stale/win state the
// lessons use: after `md key I`, the first mg gets X W, later ones Z X, until
// a store; `mg key N<ttl>` on a miss creates an empty item and wins (W) once.
// What still differs from memcached 1.6.18:
// - a get line over 2048 bytes with a key over 250 bytes: the VALUEs already
//   answered may have been sent (memcached drops them with the error);
// - `t` and me's `exp=` of an item whose exptime is already past within the
//   same command (mg T-1 t): memcached prints its process-relative clock
//   wrapped to 32 bits, we print our Unix-time difference wrapped the same way;
// - me reads the item without the lazy expiry of a miss (no stats counted);
// - a too-large ms removes the old item through delete, so it counts a
//   delete hit in `stats`, as memcached does not;
// - no extstore, proxy, `mg E` (1.6.18 rejects it too), or binary protocol.
#include "server/memcached_protocol.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <iterator>

#include <sys/resource.h>

#include "internal/memcached_slabs.h"

namespace stampede {
namespace {

/// KEY_MAX_LENGTH.
constexpr std::size_t kMaxKeyBytes = 250;
/// MAX_TOKENS: the tokenizer stops after 23 tokens plus the terminal one.
constexpr std::size_t kMaxTokens = 24;
/// REALTIME_MAXDELTA: larger exptimes are absolute Unix times.
constexpr std::int64_t kRelativeMaxS = 60 * 60 * 24 * 30;
/// settings.reqs_per_event: memcached writes its queued replies after this many commands.
constexpr int kReqsPerEvent = 20;

bool c_isspace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/// strtoull/strtoll's common part on a token: leading white space, a sign,
/// decimal digits. Sets `*neg`, `*mag` (saturated flag in `*range`) and
/// returns the index after the digits, or 0 when there were none.
std::size_t scan_number(std::string_view s, bool *neg, std::uint64_t *mag, bool *range) {
  std::size_t i = 0;
  while (i < s.size() && c_isspace(s[i])) {
    ++i;
  }
  *neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    *neg = s[i] == '-';
    ++i;
  }
  const std::size_t start = i;
  std::uint64_t v = 0;
  *range = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) {
      *range = true;
    } else {
      v = v * 10 + d;
    }
  }
  *mag = v;
  return i == start ? 0 : i;
}

/// util.c's endptr rule: the number must end the token or be followed by white space.
bool number_ends(std::string_view s, std::size_t end) {
  return end == s.size() || c_isspace(s[end]);
}

/// memcached's safe_strtoull.
bool safe_strtoull(std::string_view s, std::uint64_t *out) {
  bool neg = false;
  bool range = false;
  std::uint64_t mag = 0;
  const std::size_t end = scan_number(s, &neg, &mag, &range);
  if (end == 0 || range || !number_ends(s, end)) {
    return false;
  }
  const std::uint64_t v = neg ? 0 - mag : mag;
  // A negative number that wrapped to below 2^63 passes, as in memcached.
  if (static_cast<std::int64_t>(v) < 0 && neg) {
    return false;
  }
  *out = v;
  return true;
}

/// memcached's safe_strtoul: strtoul on a 64-bit long, then truncated to 32 bits.
bool safe_strtoul(std::string_view s, std::uint32_t *out) {
  std::uint64_t v = 0;
  if (!safe_strtoull(s, &v)) {
    return false;
  }
  *out = static_cast<std::uint32_t>(v);
  return true;
}

/// memcached's safe_strtol: strtol on a 64-bit long, then truncated to 32 bits.
bool safe_strtol(std::string_view s, std::int32_t *out) {
  bool neg = false;
  bool range = false;
  std::uint64_t mag = 0;
  const std::size_t end = scan_number(s, &neg, &mag, &range);
  if (end == 0 || range || !number_ends(s, end)) {
    return false;
  }
  if ((!neg && mag > static_cast<std::uint64_t>(INT64_MAX)) ||
      (neg && mag > static_cast<std::uint64_t>(INT64_MAX) + 1)) {
    return false; // ERANGE for a long
  }
  const std::uint64_t v = neg ? 0 - mag : mag;
  *out = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return true;
}

/// tokenize_command: split on ' ' only; at most 23 tokens; `rest` is set
/// when text remains after the 23rd.
void tokenize(std::string_view line, bool *rest, std::vector<std::string_view> &tok) {
  tok.clear();
  std::size_t i = 0;
  *rest = false;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t j = line.find(' ', i);
    if (j == std::string_view::npos) {
      j = line.size();
    }
    tok.push_back(line.substr(i, j - i));
    i = j;
    if (tok.size() == kMaxTokens - 1) {
      *rest = i + 1 < line.size();
      break;
    }
  }
}

void append_u64(std::string &out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_i64(std::string &out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

/// realtime(EXPTIME_TO_POSITIVE_TIME(e)) made absolute: what the node stores.
/// Relative times are fixed when the command arrives, as memcached does.
std::int64_t exptime_at(std::int32_t e, std::int64_t now_s) {
  if (e > 0 && e <= kRelativeMaxS) {
    return now_s + e;
  }
  return e;
}

} // namespace

MemcachedProtocol::MemcachedProtocol(MemcachedNode &node, McServerState &server)
    : node_(node), server_(server) {}

void MemcachedProtocol::drop_reservation() {
  if (reserved_ != MemcachedNode::kNoReservation) {
    node_.release_reserved(reserved_, false);
    reserved_ = MemcachedNode::kNoReservation;
  }
}

std::size_t MemcachedProtocol::take_data(std::string_view bytes) {
  // The value goes straight into the reserved item; its CRLF is checked apart.
  const std::size_t value_len = pending_.total - 2;
  std::size_t used = 0;
  if (got_ < value_len) {
    used = std::min(bytes.size(), value_len - got_);
    std::memcpy(node_.reserved_value(reserved_) + got_, bytes.data(), used);
    got_ += used;
  }
  while (used < bytes.size() && got_ < pending_.total) {
    crlf_[got_ - value_len] = bytes[used++];
    ++got_;
  }
  return used;
}

MemcachedProtocol::~MemcachedProtocol() {
  drop_reservation();
  // A connection that closes with replies unsent lets go of their items.
  for (const OutPart &part : out_) {
    if (part.pin != kNoPin) {
      node_.unpin(part.pin);
    }
  }
}

std::string &MemcachedProtocol::text_out() {
  // Parts up to commit_ are sealed: new output starts a part of its own.
  if (out_.size() <= commit_ || out_.back().pin != kNoPin) {
    out_.emplace_back();
    if (!spare_.empty()) {
      // A sent part's buffer, cleared: no allocation per reply.
      out_.back().text.swap(spare_.back());
      spare_.pop_back();
    }
  }
  return out_.back().text;
}

void MemcachedProtocol::value_out(const McItemView &item) {
  if (item.value.size() < kCopyValueBelow) {
    text_out().append(item.value);
  } else {
    // The reply points at the item, pinned until sent, as memcached's
    // responses hold a reference: a thousand gets of one 1 MB value cost a
    // thousand small parts, not a gigabyte.
    OutPart part;
    part.ref = item.value;
    part.pin = node_.pin(item);
    out_.push_back(std::move(part));
  }
  text_out().append("\r\n");
}

void MemcachedProtocol::cull() {
  while (out_.size() > commit_) {
    if (out_.back().pin != kNoPin) {
      node_.unpin(out_.back().pin);
    }
    out_.pop_back();
  }
}

std::string_view MemcachedProtocol::committed() const {
  for (std::size_t i = 0; i < commit_; ++i) {
    const OutPart &part = out_[i];
    const std::string_view bytes = part.pin != kNoPin ? part.ref : std::string_view(part.text);
    if (part.sent < bytes.size()) {
      return bytes.substr(part.sent);
    }
  }
  return {};
}

bool MemcachedProtocol::committed_is_pinned() const {
  return commit_ != 0 && out_.front().pin != kNoPin && out_.front().sent == 0;
}

void MemcachedProtocol::consume(std::size_t n) {
  while (commit_ != 0) {
    OutPart &part = out_.front();
    const std::size_t size = part.pin != kNoPin ? part.ref.size() : part.text.size();
    const std::size_t take = std::min(n, size - part.sent);
    part.sent += take;
    n -= take;
    if (part.sent < size) {
      break;
    }
    if (part.pin != kNoPin) {
      node_.unpin(part.pin);
    } else if (spare_.size() < kSpareParts && part.text.capacity() <= kSparePartBytes) {
      part.text.clear();
      spare_.push_back(std::move(part.text));
    }
    out_.pop_front();
    commit_ -= 1;
  }
}

std::uint32_t MemcachedProtocol::take_pinned() {
  OutPart &part = out_.front();
  const std::uint32_t pin = part.pin;
  out_.pop_front();
  commit_ -= 1;
  return pin;
}

std::string MemcachedProtocol::take_committed() {
  std::string all;
  for (std::string_view next = committed(); !next.empty(); next = committed()) {
    all.append(next);
    consume(next.size());
  }
  return all;
}

std::size_t MemcachedProtocol::queued_bytes() const {
  std::size_t n = 0;
  for (const OutPart &part : out_) {
    n += part.text.size();
  }
  return n;
}

void MemcachedProtocol::close_now() {
  // conn_closing: replies not yet written are lost with the connection.
  cull();
  state_ = State::kClosed;
  in_.clear();
  drop_reservation();
}

void MemcachedProtocol::finish_input() {
  if (state_ != State::kClosed) {
    close_now();
  }
}

void MemcachedProtocol::reply(std::string_view line) {
  // out_string: a noreply command's reply, errors included, is skipped.
  if (noreply_) {
    noreply_ = false;
    return;
  }
  std::string &out = text_out();
  out.append(line);
  out.append("\r\n");
}

void MemcachedProtocol::feed(std::string_view bytes) {
  while (!bytes.empty() && state_ != State::kClosed) {
    if (state_ == State::kData || state_ == State::kSwallow) {
      // Data blocks go straight to the item (conn_nread) or are dropped
      // (conn_swallow); they never pass through the line buffer.
      if (state_ == State::kData) {
        bytes.remove_prefix(take_data(bytes));
        if (got_ == pending_.total) {
          finish_data();
        }
      } else {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), swallow_));
        swallow_ -= n;
        bytes.remove_prefix(n);
        if (swallow_ == 0) {
          state_ = State::kLine;
        }
      }
      if (state_ == State::kLine || state_ == State::kMultiget) {
        // Back to reading commands: with nothing buffered, memcached writes
        // its queued replies now (reset_cmd_handler).
        process_buffer();
      }
      continue;
    }
    // One read: memcached fills its 16 KiB buffer and parses what it holds.
    const std::size_t room = kReadBufferBytes - std::min(kReadBufferBytes, in_.size());
    const std::size_t n = std::min(bytes.size(), std::max<std::size_t>(room, 1));
    if (in_.empty()) {
      // Parsed where it lies; only an unfinished command is kept.
      const std::string_view chunk = bytes.substr(0, n);
      const std::size_t used = process_view(chunk);
      if (state_ != State::kClosed && used < chunk.size()) {
        in_.assign(chunk.substr(used));
      }
    } else {
      in_.append(bytes.substr(0, n));
      process_buffer();
    }
    bytes.remove_prefix(n);
  }
}

std::size_t MemcachedProtocol::process_view(std::string_view buf) {
  std::size_t pos = 0;
  while (state_ != State::kClosed) {
    if (state_ == State::kData) {
      pos += take_data(buf.substr(pos));
      if (got_ < pending_.total) {
        break;
      }
      finish_data();
      continue;
    }
    if (state_ == State::kSwallow) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size() - pos, swallow_));
      swallow_ -= n;
      pos += n;
      if (swallow_ != 0) {
        break;
      }
      state_ = State::kLine;
      continue;
    }
    const std::size_t nl = buf.find('\n', pos);
    if (state_ == State::kMultiget) {
      if (nl == std::string::npos) {
        multiget_consume(buf.substr(pos), false);
        pos = buf.size();
        commit();
        break;
      }
      multiget_consume(buf.substr(pos, nl - pos), true);
      pos = nl + 1;
      state_ = State::kLine;
      commit();
      continue;
    }
    if (nl == std::string::npos) {
      const std::string_view rest = buf.substr(pos);
      if (rest.size() > kMaxPendingLine) {
        // try_read_command_ascii: no newline in the first 2048 bytes. Only a
        // multiget may be that long; anything else closes the connection.
        std::size_t sp = 0;
        while (sp < rest.size() && rest[sp] == ' ') {
          ++sp;
        }
        const std::string_view cmd = rest.substr(sp);
        const bool get = cmd.starts_with("get ");
        const bool gets = cmd.starts_with("gets ");
        if (sp > 100 || (!get && !gets)) {
          close_now();
          return buf.size();
        }
        state_ = State::kMultiget;
        mg_cas_ = gets;
        mg_failed_ = false;
        mg_nul_ = false;
        mg_partial_.clear();
        multiget_consume(cmd.substr(gets ? 5 : 4), false);
        pos = buf.size();
      }
      // try_read_command found no complete command: memcached writes what it has queued.
      commit();
      break;
    }
    std::size_t end = nl;
    if (nl - pos > 1 && buf[nl - 1] == '\r') {
      end = nl - 1;
    }
    // process_line never changes the buffer, so the line may point into it.
    const std::string_view line = buf.substr(pos, end - pos);
    pos = nl + 1;
    process_line(line);
    if (++commands_since_commit_ >= kReqsPerEvent) {
      commit();
    }
  }
  return std::min(pos, buf.size());
}

void MemcachedProtocol::process_buffer() {
  const std::size_t used = process_view(in_);
  if (state_ != State::kClosed) {
    in_.erase(0, used);
  }
}

void MemcachedProtocol::process_line(std::string_view line) {
  noreply_ = false;
  // The command is a C string: a NUL ends it.
  if (const std::size_t nul = line.find('\0'); nul != std::string_view::npos) {
    line = line.substr(0, nul);
  }
  bool rest = false;
  // One vector per connection, reused: no allocation per command.
  tokenize(line, &rest, tokens_);
  if (tokens_.empty() || tokens_[0].size() < 2) {
    reply("ERROR");
    return;
  }
  const std::string_view name = tokens_[0];
  if (name.size() == 2 && name[0] == 'm') {
    // Every two-letter m command counts as meta, one memcached does not know included.
    server_.cmd_meta += 1;
  }
  const Command *cmd = find_command(name);
  if (cmd == nullptr || tokens_.size() < cmd->min_words || tokens_.size() > cmd->max_words) {
    reply("ERROR");
    return;
  }
  (this->*cmd->handler)(Request{line, tokens_, cmd->variant});
}

const MemcachedProtocol::Command *MemcachedProtocol::find_command(std::string_view name) {
  // memcached's process_command_ascii as a table: each command's word counts
  // (memcached's ntokens less its terminal token) are checked before its
  // handler runs, which answers a wrong count with a plain ERROR. Sorted by
  // name, searched in about five comparisons.
  constexpr std::uint8_t kAny = kMaxTokens - 1;
  constexpr auto kSet = static_cast<std::uint8_t>(StoreMode::kSet);
  constexpr auto kAdd = static_cast<std::uint8_t>(StoreMode::kAdd);
  constexpr auto kReplace = static_cast<std::uint8_t>(StoreMode::kReplace);
  constexpr auto kAppend = static_cast<std::uint8_t>(StoreMode::kAppend);
  constexpr auto kPrepend = static_cast<std::uint8_t>(StoreMode::kPrepend);
  constexpr auto kCas = static_cast<std::uint8_t>(StoreMode::kCas);
  using P = MemcachedProtocol;
  static constexpr Command kCommands[] = {
      {"add", 5, 6, &P::cmd_update, kAdd},       // add <key> <flags> <exptime> <bytes> [noreply]
      {"append", 5, 6, &P::cmd_update, kAppend}, // as add
      {"bget", 2, kAny, &P::cmd_get, 0},         // an ancient alias of get
      {"cache_memlimit", 2, 3, &P::cmd_cache_memlimit, 0}, // cache_memlimit <MB> [noreply]
      {"cas", 6, 7, &P::cmd_update, kCas}, // cas <key> <flags> <exptime> <bytes> <unique> [noreply]
      {"decr", 3, 4, &P::cmd_arith, 0},    // decr <key> <delta> [noreply]
      {"delete", 2, 4, &P::cmd_delete, 0}, // delete <key> [0] [noreply]
      {"flush_all", 1, 3, &P::cmd_flush_all, 0}, // flush_all [delay] [noreply]
      {"gat", 2, kAny, &P::cmd_get, kGetTouch},  // gat <exptime> <key>*
      {"gats", 2, kAny, &P::cmd_get, kGetTouch | kGetCas},
      {"get", 2, kAny, &P::cmd_get, 0}, // get <key>*
      {"gets", 2, kAny, &P::cmd_get, kGetCas},
      {"incr", 3, 4, &P::cmd_arith, 1}, // incr <key> <delta> [noreply]
      {"ma", 1, kAny, &P::cmd_ma, 0},   // the meta commands check their own words
      {"md", 1, kAny, &P::cmd_md, 0},
      {"me", 1, kAny, &P::cmd_me, 0},
      {"mg", 1, kAny, &P::cmd_mg, 0},
      {"mn", 1, kAny, &P::cmd_mn, 0},
      {"ms", 1, kAny, &P::cmd_ms, 0},
      {"prepend", 5, 6, &P::cmd_update, kPrepend}, // as add
      {"quit", 1, kAny, &P::cmd_quit, 0},
      {"replace", 5, 6, &P::cmd_update, kReplace}, // as add
      {"set", 5, 6, &P::cmd_update, kSet},         // as add
      {"shutdown", 1, kAny, &P::cmd_shutdown, 0},
      {"slabs", 1, kAny, &P::cmd_slabs, 0},      // only "slabs reassign <src> <dst>"
      {"stats", 1, kAny, &P::cmd_stats, 0},      // stats [settings|slabs|...]
      {"touch", 3, 4, &P::cmd_touch, 0},         // touch <key> <exptime> [noreply]
      {"verbosity", 2, 3, &P::cmd_verbosity, 0}, // verbosity <level> [noreply]
      {"version", 1, kAny, &P::cmd_version, 0},
  };
  static_assert(std::is_sorted(std::begin(kCommands), std::end(kCommands),
                               [](const Command &a, const Command &b) { return a.name < b.name; }),
                "MemcachedProtocol::find_command: keep kCommands sorted by name");
  const Command *it =
      std::lower_bound(std::begin(kCommands), std::end(kCommands), name,
                       [](const Command &c, std::string_view n) { return c.name < n; });
  return it != std::end(kCommands) && it->name == name ? it : nullptr;
}

void MemcachedProtocol::cmd_mn(const Request &) {
  reply("MN");
  commit(); // mn forces the queued replies out
}

void MemcachedProtocol::cmd_version(const Request &) { reply("VERSION " + std::string(kVersion)); }

void MemcachedProtocol::cmd_quit(const Request &) {
  // conn_mwrite with close_after_write: everything queued goes out, then close.
  commit();
  state_ = State::kClosed;
}

void MemcachedProtocol::cmd_shutdown(const Request &) { reply("ERROR: shutdown not enabled"); }

void MemcachedProtocol::cmd_slabs(const Request &r) {
  if (r.tok.size() == 4 && r.tok[1] == "reassign") {
    reply("CLIENT_ERROR slab reassignment disabled");
  } else {
    reply("ERROR");
  }
}

void MemcachedProtocol::set_noreply_maybe(const std::vector<std::string_view> &tok) {
  if (!tok.empty() && tok.back() == "noreply") {
    noreply_ = true;
  }
}

// ---------------------------------------------------------------------------
// Retrieval

bool MemcachedProtocol::get_one(std::string_view key, bool cas, bool touch, std::int64_t exptime) {
  if (key.size() > kMaxKeyBytes) {
    return false;
  }
  McItemView item;
  const std::int64_t now = server_.now_s;
  const bool hit = touch ? node_.gat(key, exptime, now, &item) : node_.get(key, now, &item);
  if (hit) {
    std::string &out = text_out();
    out.append("VALUE ");
    out.append(item.key);
    out.push_back(' ');
    append_u64(out, item.flags);
    out.push_back(' ');
    append_u64(out, item.value.size());
    if (cas) {
      out.push_back(' ');
      append_u64(out, item.cas);
    }
    out.append("\r\n");
    value_out(item);
  }
  return true;
}

void MemcachedProtocol::cmd_get(const Request &r) {
  const std::string_view line = r.line;
  const bool cas = (r.variant & kGetCas) != 0;
  const bool touch = (r.variant & kGetTouch) != 0;
  // Keys beyond the tokenizer's 23 tokens are read in further rounds; the
  // result is every space-separated word of the line.
  std::vector<std::string_view> &tok = keys_;
  tok.clear();
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    const std::size_t j = std::min(line.find(' ', i), line.size());
    tok.push_back(line.substr(i, j - i));
    i = j;
  }
  std::size_t first = 1;
  std::int64_t exptime = 0;
  if (touch) {
    std::int32_t e = 0;
    if (!safe_strtol(tok[1], &e)) {
      reply("CLIENT_ERROR invalid exptime argument");
      return;
    }
    exptime = exptime_at(e, server_.now_s);
    first = 2;
  }
  for (std::size_t i = first; i < tok.size(); ++i) {
    if (!get_one(tok[i], cas, touch, exptime)) {
      // "Kill any stacked responses we had": unsent replies of earlier
      // commands go too, then the error.
      cull();
      reply("CLIENT_ERROR bad command line format");
      return;
    }
  }
  text_out().append("END\r\n");
  // process_get_command ends in conn_mwrite: the replies are written now.
  commit();
}

void MemcachedProtocol::multiget_consume(std::string_view bytes, bool final) {
  if (final) {
    // The line ends here; memcached strips one CR before the newline.
    if (!bytes.empty() && bytes.back() == '\r') {
      bytes.remove_suffix(1);
    }
  }
  for (char c : bytes) {
    if (mg_failed_ || mg_nul_) {
      break;
    }
    if (c == '\0') {
      mg_nul_ = true;
      break;
    }
    if (c == ' ') {
      if (!mg_partial_.empty()) {
        get_one(mg_partial_, mg_cas_, false, 0);
        mg_partial_.clear();
      }
      continue;
    }
    mg_partial_.push_back(c);
    if (mg_partial_.size() > kMaxKeyBytes) {
      mg_failed_ = true;
    }
  }
  if (!final) {
    return;
  }
  if (!mg_failed_ && !mg_partial_.empty()) {
    get_one(mg_partial_, mg_cas_, false, 0);
  }
  mg_partial_.clear();
  if (mg_failed_) {
    // memcached would also drop the VALUEs of this line; here they may be sent already.
    cull();
    text_out().append("CLIENT_ERROR bad command line format\r\n");
  } else {
    text_out().append("END\r\n");
  }
}

// ---------------------------------------------------------------------------
// Storage

void MemcachedProtocol::cmd_update(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  const auto mode = static_cast<StoreMode>(r.variant);
  set_noreply_maybe(tok);
  if (tok[1].size() > kMaxKeyBytes) {
    // The data block is not swallowed: memcached reads it as the next command.
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  std::uint32_t flags = 0;
  std::int32_t exptime = 0;
  std::int32_t vlen = 0;
  if (!(safe_strtoul(tok[2], &flags) && safe_strtol(tok[3], &exptime) &&
        safe_strtol(tok[4], &vlen))) {
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  std::uint64_t cas = 0;
  if (mode == StoreMode::kCas && !safe_strtoull(tok[5], &cas)) {
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  if (vlen < 0 || vlen > INT_MAX - 2) {
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  const std::int64_t now = server_.now_s;
  const std::uint64_t ntotal =
      internal::item_total_bytes(tok[1].size(), flags, static_cast<std::uint64_t>(vlen));
  if (ntotal > node_.config().item_size_max) {
    server_.store_too_large += 1;
    reply("SERVER_ERROR object too large for cache");
    // "Avoid stale data persisting in cache because we failed alloc."
    if (mode == StoreMode::kSet) {
      node_.store(StoreMode::kSet, tok[1], flags, 0, {}, 0, now, nullptr,
                  static_cast<std::uint32_t>(vlen));
    }
    swallow_ = static_cast<std::uint64_t>(vlen) + 2;
    state_ = State::kSwallow;
    return;
  }
  // process_update_command allocates the item now and reads the data into
  // it; without memory the data is swallowed.
  McStatus st = McStatus::kStored;
  const std::int64_t exptime_abs = exptime_at(exptime, now);
  const std::uint32_t handle =
      node_.reserve(mode, tok[1], flags, exptime_abs, static_cast<std::uint32_t>(vlen), now, &st);
  if (handle == MemcachedNode::kNoReservation) {
    server_.store_no_memory += 1;
    reply("SERVER_ERROR out of memory storing object");
    swallow_ = static_cast<std::uint64_t>(vlen) + 2;
    state_ = State::kSwallow;
    return;
  }
  pending_ = Pending{};
  pending_.mode = mode;
  pending_.key.assign(tok[1]);
  pending_.flags = flags;
  pending_.exptime = exptime_abs;
  pending_.cas = cas;
  pending_.total = static_cast<std::size_t>(vlen) + 2;
  reserved_ = handle;
  got_ = 0;
  state_ = State::kData;
}

void MemcachedProtocol::finish_data() {
  state_ = State::kLine;
  const std::uint32_t handle = reserved_;
  reserved_ = MemcachedNode::kNoReservation;
  if (crlf_[0] != '\r' || crlf_[1] != '\n') {
    node_.release_reserved(handle, true);
    if (pending_.meta) {
      // A meta set's errors are always sent.
      noreply_ = false;
    }
    reply("CLIENT_ERROR bad data chunk");
    return;
  }
  if (pending_.meta) {
    finish_meta_set(handle);
    return;
  }
  std::uint64_t cas_out = 0;
  const McStatus st =
      node_.store_reserved(handle, pending_.mode, pending_.cas, server_.now_s, &cas_out);
  switch (st) {
  case McStatus::kStored:
    reply("STORED");
    break;
  case McStatus::kExists:
    reply("EXISTS");
    break;
  case McStatus::kNotFound:
    reply("NOT_FOUND");
    break;
  case McStatus::kNotStored:
    reply("NOT_STORED");
    break;
  case McStatus::kTooLarge:
    reply("SERVER_ERROR object too large for cache");
    break;
  case McStatus::kNoMemory:
    server_.store_no_memory += 1;
    reply("SERVER_ERROR out of memory storing object");
    break;
  default:
    reply("SERVER_ERROR Unhandled storage type.");
  }
}

// ---------------------------------------------------------------------------
// incr/decr, delete, touch, flush_all, verbosity

void MemcachedProtocol::cmd_arith(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  const bool incr = r.variant != 0;
  set_noreply_maybe(tok);
  if (tok[1].size() > kMaxKeyBytes) {
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  std::uint64_t delta = 0;
  if (!safe_strtoull(tok[2], &delta)) {
    reply("CLIENT_ERROR invalid numeric delta argument");
    return;
  }
  std::uint64_t value = 0;
  switch (node_.incr_decr(tok[1], incr, delta, server_.now_s, &value)) {
  case McStatus::kOk: {
    std::string s;
    append_u64(s, value);
    reply(s);
    break;
  }
  case McStatus::kNonNumeric:
    reply("CLIENT_ERROR cannot increment or decrement non-numeric value");
    break;
  case McStatus::kNotFound:
    reply("NOT_FOUND");
    break;
  default:
    reply("SERVER_ERROR out of memory");
    break;
  }
}

void MemcachedProtocol::cmd_delete(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  const std::size_t ntokens = tok.size() + 1;
  if (ntokens > 3) {
    // Only "delete <key> 0" and "noreply" are accepted after the key.
    const bool hold_is_zero = tok[2] == "0";
    set_noreply_maybe(tok);
    const bool valid =
        (ntokens == 4 && (hold_is_zero || noreply_)) || (ntokens == 5 && hold_is_zero && noreply_);
    if (!valid) {
      reply("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]");
      return;
    }
  }
  if (tok[1].size() > kMaxKeyBytes) {
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  reply(node_.remove(tok[1], server_.now_s) == McStatus::kDeleted ? "DELETED" : "NOT_FOUND");
}

void MemcachedProtocol::cmd_touch(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  set_noreply_maybe(tok);
  if (tok[1].size() > kMaxKeyBytes) {
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  std::int32_t e = 0;
  if (!safe_strtol(tok[2], &e)) {
    reply("CLIENT_ERROR invalid exptime argument");
    return;
  }
  const std::int64_t now = server_.now_s;
  reply(node_.touch(tok[1], exptime_at(e, now), now) == McStatus::kTouched ? "TOUCHED"
                                                                           : "NOT_FOUND");
}

void MemcachedProtocol::cmd_flush_all(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  set_noreply_maybe(tok);
  std::int32_t delay = 0;
  if (tok.size() + 1 != (noreply_ ? 3u : 2u)) {
    if (!safe_strtol(tok[1], &delay)) {
      reply("CLIENT_ERROR invalid exptime argument");
      return;
    }
  }
  node_.flush_all(delay, server_.now_s);
  reply("OK");
}

void MemcachedProtocol::cmd_verbosity(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  set_noreply_maybe(tok);
  std::uint32_t level = 0;
  if (!safe_strtoul(tok[1], &level)) {
    reply("CLIENT_ERROR bad command line format");
    return;
  }
  server_.verbosity = std::min<std::uint32_t>(level, 2);
  reply("OK");
}

void MemcachedProtocol::cmd_cache_memlimit(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  // process_memlimit_command: megabytes, at least 8, at most 1,000,000.
  set_noreply_maybe(tok);
  std::uint32_t megabytes = 0;
  if (!safe_strtoul(tok[1], &megabytes)) {
    reply("ERROR");
  } else if (megabytes < 8) {
    reply("MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m");
  } else if (megabytes > 1000000000) {
    reply("MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes");
  } else {
    node_.set_memory_limit(std::uint64_t{megabytes} << 20);
    reply("OK");
  }
}

// ---------------------------------------------------------------------------
// stats

namespace {

void stat(std::string &out, std::string_view name, std::string_view value) {
  out.append("STAT ");
  out.append(name);
  out.push_back(' ');
  out.append(value);
  out.append("\r\n");
}

void stat(std::string &out, std::string_view name, std::uint64_t value) {
  std::string v;
  append_u64(v, value);
  stat(out, name, v);
}

std::string seconds_micros(const timeval &tv) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec));
  return buf;
}

} // namespace

void MemcachedProtocol::stats_general() {
  const McStats &s = node_.stats();
  const std::int64_t now = server_.now_s;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::string &o = text_out();
  stat(o, "pid", static_cast<std::uint64_t>(server_.pid));
  stat(o, "uptime", static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - server_.started_s)));
  stat(o, "time", static_cast<std::uint64_t>(now));
  stat(o, "version", kVersion);
  stat(o, "libevent", server_.libevent_version);
  stat(o, "pointer_size", static_cast<std::uint64_t>(8 * sizeof(void *)));
  stat(o, "rusage_user", seconds_micros(usage.ru_utime));
  stat(o, "rusage_system", seconds_micros(usage.ru_stime));
  stat(o, "max_connections", server_.max_connections);
  stat(o, "curr_connections", server_.curr_connections);
  stat(o, "total_connections", server_.total_connections);
  stat(o, "rejected_connections", server_.rejected_connections);
  stat(o, "connection_structures", server_.curr_connections + 1);
  stat(o, "cmd_get", s.cmd_get);
  stat(o, "cmd_set", s.cmd_set);
  stat(o, "cmd_flush", s.cmd_flush);
  stat(o, "cmd_touch", s.cmd_touch);
  stat(o, "cmd_meta", server_.cmd_meta);
  stat(o, "get_hits", s.get_hits);
  stat(o, "get_misses", s.get_misses);
  stat(o, "get_expired", s.get_expired);
  stat(o, "get_flushed", s.get_flushed);
  stat(o, "delete_misses", s.delete_misses);
  stat(o, "delete_hits", s.delete_hits);
  stat(o, "incr_misses", s.incr_misses);
  stat(o, "incr_hits", s.incr_hits);
  stat(o, "decr_misses", s.decr_misses);
  stat(o, "decr_hits", s.decr_hits);
  stat(o, "cas_misses", s.cas_misses);
  stat(o, "cas_hits", s.cas_hits);
  stat(o, "cas_badval", s.cas_badval);
  stat(o, "touch_hits", s.touch_hits);
  stat(o, "touch_misses", s.touch_misses);
  stat(o, "store_too_large", server_.store_too_large);
  stat(o, "store_no_memory", server_.store_no_memory);
  stat(o, "auth_cmds", std::uint64_t{0});
  stat(o, "auth_errors", std::uint64_t{0});
  stat(o, "bytes_read", server_.bytes_read);
  stat(o, "bytes_written", server_.bytes_written);
  stat(o, "limit_maxbytes", s.limit_maxbytes);
  stat(o, "accepting_conns", std::uint64_t{1});
  stat(o, "threads", server_.threads);
  stat(o, "malloc_fails", std::uint64_t{0});
  stat(o, "bytes", s.bytes);
  stat(o, "curr_items", s.curr_items);
  stat(o, "total_items", s.total_items);
  stat(o, "expired_unfetched", s.expired_unfetched);
  stat(o, "evicted_unfetched", s.evicted_unfetched);
  stat(o, "evictions", s.evictions);
  stat(o, "reclaimed", s.reclaimed);
  stat(o, "moves_to_cold", s.moves_to_cold);
  stat(o, "moves_to_warm", s.moves_to_warm);
  stat(o, "moves_within_lru", s.moves_within_lru);
  stat(o, "lru_bumps_dropped", s.lru_bumps_dropped);
}

void MemcachedProtocol::stats_settings() {
  const McConfig &c = node_.config();
  std::string &o = text_out();
  stat(o, "maxbytes", c.memory_limit_bytes);
  stat(o, "maxconns", server_.max_connections);
  stat(o, "tcpport", server_.tcp_port);
  stat(o, "udpport", std::uint64_t{0});
  stat(o, "verbosity", server_.verbosity);
  stat(o, "evictions", "on");
  char factor[32];
  std::snprintf(factor, sizeof factor, "%.2f", c.growth_factor);
  stat(o, "growth_factor", factor);
  stat(o, "chunk_size", c.chunk_min_bytes);
  stat(o, "num_threads", server_.threads);
  stat(o, "cas_enabled", "yes");
  stat(o, "item_size_max", c.item_size_max);
  stat(o, "flush_enabled", "yes");
  stat(o, "lru_segmented", c.lru == LruModel::kSegmented ? "yes" : "no");
  stat(o, "lru_model",
       c.lru == LruModel::kSegmented ? "segmented"
       : c.lru == LruModel::kClassic ? "classic"
                                     : "plain");
}

void MemcachedProtocol::cmd_stats(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  const std::size_t ntokens = tok.size() + 1;
  if (ntokens == 2) {
    stats_general();
  } else if (tok[1] == "reset") {
    reply("RESET");
    return;
  } else if (tok[1] == "detail") {
    if (ntokens < 4 || (tok[2] != "on" && tok[2] != "off" && tok[2] != "dump")) {
      reply("CLIENT_ERROR usage: stats detail on|off|dump");
    } else if (tok[2] == "dump") {
      text_out().append("END\r\n");
    } else {
      reply("OK");
    }
    return;
  } else if (tok[1] == "settings") {
    stats_settings();
  } else if (tok[1] == "cachedump") {
    if (ntokens < 5) {
      reply("CLIENT_ERROR bad command line");
      return;
    }
  } else if (tok[1] == "slabs") {
    stat(text_out(), "total_malloced", node_.stats().total_malloced);
  } else if (tok[1] == "items" || tok[1] == "conns") {
    // Per-class and per-connection detail are not modelled.
  } else if (tok[1] == "sizes") {
    stat(text_out(), "sizes_status", "disabled");
  } else {
    reply("ERROR");
    return;
  }
  text_out().append("END\r\n");
}

} // namespace stampede

// ---------------------------------------------------------------------------
// Meta commands (proto_text.c's process_mget_command and friends, 1.6.18).
// Errors go out even under q (out_errstring); q drops only the nominal reply:
// EN for mg, HD for ms and md, HD/VA for ma.

namespace stampede {
namespace {

/// MFLAG_MAX_OPT_LENGTH: more tokens than this (terminal one included) is an error.
constexpr std::size_t kMetaMaxTokens = 20;
/// MFLAG_MAX_OPAQUE_LENGTH: an O token, its letter included.
constexpr std::size_t kMetaMaxOpaque = 32;

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(unsigned char c) {
  if (c == '=') {
    return 0;
  }
  const std::size_t i = kBase64.find(static_cast<char>(c));
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

/// memcached's base64_decode: characters outside the alphabet are skipped,
/// the rest must come in groups of four, and decoding stops after padding.
/// @return false where memcached returns 0 (nothing decoded).
bool base64_decode(std::string_view in, std::string *out) {
  std::size_t count = 0;
  for (unsigned char c : in) {
    count += base64_value(c) >= 0 ? 1 : 0;
  }
  out->clear();
  if (count == 0 || count % 4 != 0) {
    return false;
  }
  int block[4];
  std::size_t n = 0;
  int pad = 0;
  for (unsigned char c : in) {
    const int v = base64_value(c);
    if (v < 0) {
      continue;
    }
    pad += c == '=' ? 1 : 0;
    block[n++] = v;
    if (n == 4) {
      out->push_back(static_cast<char>((block[0] << 2) | (block[1] >> 4)));
      out->push_back(static_cast<char>(((block[1] << 4) | (block[2] >> 2)) & 0xff));
      out->push_back(static_cast<char>(((block[2] << 6) | block[3]) & 0xff));
      n = 0;
      if (pad != 0) {
        if (pad > 2) {
          out->clear();
          return false;
        }
        out->resize(out->size() - static_cast<std::size_t>(pad));
        break;
      }
    }
  }
  return !out->empty();
}

std::string base64_encode(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const auto v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i]) << 16 |
                                              static_cast<unsigned char>(in[i + 1]) << 8 |
                                              static_cast<unsigned char>(in[i + 2]));
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) {
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    }
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// realtime(EXPTIME_TO_POSITIVE_TIME(e)) as an absolute Unix time: 0 never,
/// negative a moment long past, up to 30 days relative, else absolute.
std::int64_t meta_exptime(std::int32_t e, std::int64_t now_s) {
  if (e == 0) {
    return 0;
  }
  if (e < 0) {
    return 1;
  }
  return e <= kRelativeMaxS ? now_s + e : e;
}

/// _meta_flag_preparse's result.
struct MetaFlags {
  bool no_update = false;
  bool vivify = false;
  bool value = false;
  bool set_stale = false;
  bool no_reply = false;
  bool has_cas = false;
  bool new_ttl = false;
  bool key_binary = false;
  bool recache = false;
  char mode = 0;
  std::int64_t exptime = 0;
  std::int64_t autoviv_exptime = 0;
  std::int64_t recache_time = 0;
  std::uint32_t client_flags = 0;
  std::uint64_t req_cas = 0;
  std::uint64_t delta = 1;
  std::uint64_t initial = 0;
  std::string key; ///< The key, base64-decoded under b.
};

/// _meta_flag_preparse over tok[start..]. Most errors are noted and parsing
/// goes on (a later error's message wins); a duplicate or unknown flag stops
/// at once. `*errstr` keeps the caller's default when an error sets none.
bool meta_preparse(const std::vector<std::string_view> &tok, std::size_t start, std::int64_t now,
                   MetaFlags *of, std::string_view *errstr) {
  bool error = false;
  bool seen[128] = {};
  of->key.assign(tok[1]);
  for (std::size_t i = start; i < tok.size(); ++i) {
    const auto o = static_cast<unsigned char>(tok[i][0]);
    if (o >= 127 || seen[o]) {
      *errstr = "CLIENT_ERROR duplicate flag";
      return false;
    }
    seen[o] = true;
    const std::string_view arg = tok[i].substr(1);
    std::int32_t t = 0;
    switch (o) {
    case 'b':
      if (!base64_decode(tok[1], &of->key)) {
        *errstr = "CLIENT_ERROR error decoding key";
        error = true;
      }
      of->key_binary = true;
      break;
    case 'N':
    case 'T':
    case 'R':
      if (!safe_strtol(arg, &t)) {
        *errstr = "CLIENT_ERROR bad token in command line format";
        error = true;
      } else if (o == 'N') {
        of->vivify = true;
        of->autoviv_exptime = meta_exptime(t, now);
      } else if (o == 'T') {
        of->new_ttl = true;
        of->exptime = meta_exptime(t, now);
      } else {
        of->recache = true;
        of->recache_time = meta_exptime(t, now);
      }
      if (o == 'N') {
        of->vivify = true;
      }
      break;
    case 'l':
    case 'h':
    case 'O':
    case 'P':
    case 'L':
    case 'k':
    case 's':
    case 't':
    case 'c':
    case 'f':
      break;
    case 'v':
      of->value = true;
      break;
    case 'u':
      of->no_update = true;
      break;
    case 'q':
      of->no_reply = true;
      break;
    case 'F':
      if (!safe_strtoul(arg, &of->client_flags)) {
        error = true;
      }
      break;
    case 'C':
      if (!safe_strtoull(arg, &of->req_cas)) {
        *errstr = "CLIENT_ERROR bad token in command line format";
        error = true;
      } else {
        of->has_cas = true;
      }
      break;
    case 'M':
      if (tok[i].size() != 2) {
        *errstr = "CLIENT_ERROR incorrect length for M token";
        error = true;
      } else {
        of->mode = tok[i][1];
      }
      break;
    case 'J':
      if (!safe_strtoull(arg, &of->initial)) {
        *errstr = "CLIENT_ERROR invalid numeric initial value";
        error = true;
      }
      break;
    case 'D':
      if (!safe_strtoull(arg, &of->delta)) {
        *errstr = "CLIENT_ERROR invalid numeric delta value";
        error = true;
      }
      break;
    case 'I':
      of->set_stale = true;
      break;
    default:
      *errstr = "CLIENT_ERROR invalid flag";
      return false;
    }
  }
  return !error;
}

bool opaque_too_long(const std::vector<std::string_view> &tok) {
  for (std::size_t i = 2; i < tok.size(); ++i) {
    if (tok[i][0] == 'O' && tok[i].size() > kMetaMaxOpaque) {
      return true;
    }
  }
  return false;
}

/// The exptime a created item ends with: it starts at 0 and N and T set it
/// in the order they appear.
std::int64_t created_exptime(const std::vector<std::string_view> &tok, std::size_t start,
                             const MetaFlags &of) {
  std::int64_t e = 0;
  for (std::size_t i = start; i < tok.size(); ++i) {
    if (tok[i][0] == 'N') {
      e = of.autoviv_exptime;
    } else if (tok[i][0] == 'T') {
      e = of.exptime;
    }
  }
  return e;
}

void append_ttl(std::string &line, std::int64_t exptime, std::int64_t now) {
  line += " t";
  if (exptime == 0) {
    line += "-1";
  } else {
    // itoa_u32 of a relative time: a past exptime wraps around.
    append_u64(line, static_cast<std::uint32_t>(exptime - now));
  }
}

} // namespace

void MemcachedProtocol::meta_error(std::string_view line) {
  noreply_ = false;
  reply(line);
}

void MemcachedProtocol::meta_key(std::string &line, std::string_view key, bool binary) const {
  line += " k";
  if (binary) {
    line += base64_encode(key);
    line += " b";
  } else {
    line += key;
  }
}

// The checks mg, md and ma make before their flags, in memcached's order: a
// missing key is a plain ERROR; a long key, then too many tokens, a client
// error (whose wording differs by command in 1.6.18). Returns false when it
// has replied.
bool MemcachedProtocol::meta_head(const std::vector<std::string_view> &tok,
                                  std::string_view too_many_tokens) {
  const std::size_t ntokens = tok.size() + 1;
  if (ntokens < 3) {
    reply("ERROR");
    return false;
  }
  if (tok[1].size() > kMaxKeyBytes) {
    meta_error("CLIENT_ERROR bad command line format");
    return false;
  }
  if (ntokens > kMetaMaxTokens) {
    meta_error(too_many_tokens);
    return false;
  }
  return true;
}

void MemcachedProtocol::cmd_mg(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  if (!meta_head(tok, "CLIENT_ERROR options flags are too long"))
    return;
  const std::int64_t now = server_.now_s;
  MetaFlags of;
  std::string_view err = "CLIENT_ERROR bad command line format";
  if (!meta_preparse(tok, 2, now, &of, &err)) {
    meta_error(err);
    return;
  }
  McMetaGetOptions opt;
  opt.bump = !of.no_update;
  opt.vivify = of.vivify;
  opt.created_exptime = created_exptime(tok, 2, of);
  opt.touch = of.new_ttl;
  opt.touch_exptime = of.exptime;
  opt.recache = of.recache;
  opt.recache_time = of.recache_time;
  for (std::size_t i = 2; i < tok.size(); ++i) {
    if (tok[i][0] == 'T') {
      opt.recache_sees_touch = true;
    } else if (tok[i][0] == 'R') {
      break;
    }
  }
  McItemView item;
  McMetaGetResult res;
  const bool hit = node_.meta_get(of.key, opt, now, &item, &res);
  if (opaque_too_long(tok)) {
    meta_error("CLIENT_ERROR opaque token too long");
    return;
  }
  if (!hit) {
    if (of.no_reply) {
      return;
    }
    std::string line = "EN";
    for (std::size_t i = 2; i < tok.size(); ++i) {
      if (tok[i][0] == 'O') {
        line += ' ';
        line += tok[i];
      } else if (tok[i][0] == 'k') {
        meta_key(line, of.key, of.key_binary);
      }
    }
    reply(line);
    return;
  }
  std::string line;
  if (of.value) {
    line = "VA ";
    append_u64(line, item.value.size());
  } else {
    line = "HD";
  }
  // The exptime as each flag sees it: T and N change it in token order.
  std::int64_t exptime = res.exptime_before;
  for (std::size_t i = 2; i < tok.size(); ++i) {
    switch (tok[i][0]) {
    case 'T':
      exptime = of.exptime;
      break;
    case 'N':
      if (res.created) {
        exptime = of.autoviv_exptime;
      }
      break;
    case 's':
      line += " s";
      append_u64(line, item.value.size());
      break;
    case 't':
      append_ttl(line, exptime, now);
      break;
    case 'c':
      line += " c";
      append_u64(line, item.cas);
      break;
    case 'f':
      line += " f";
      append_u64(line, item.flags);
      break;
    case 'l':
      line += " l";
      append_u64(line, static_cast<std::uint32_t>(now - item.last_access_s));
      break;
    case 'h':
      line += item.fetched ? " h1" : " h0";
      break;
    case 'O':
      line += ' ';
      line += tok[i];
      break;
    case 'k':
      meta_key(line, item.key, item.key_binary);
      break;
    default:
      break;
    }
  }
  if (item.win_token_sent) {
    line += " Z";
  }
  if (item.stale) {
    line += " X";
  }
  if (res.won) {
    line += " W";
  }
  line += "\r\n";
  text_out().append(line);
  if (of.value) {
    value_out(item);
  }
}

void MemcachedProtocol::cmd_ms(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  const std::size_t ntokens = tok.size() + 1;
  if (ntokens < 3) {
    reply("ERROR");
    return;
  }
  if (tok[1].size() > kMaxKeyBytes || ntokens == 3) {
    meta_error("CLIENT_ERROR bad command line format");
    return;
  }
  if (ntokens > kMetaMaxTokens) {
    meta_error("CLIENT_ERROR options flags too long");
    return;
  }
  std::int32_t vlen = 0;
  if (!safe_strtol(tok[2], &vlen) || vlen < 0 || vlen > INT_MAX - 2) {
    meta_error("CLIENT_ERROR bad command line format");
    return;
  }
  const std::int64_t now = server_.now_s;
  MetaFlags of;
  std::string_view err = "CLIENT_ERROR bad command line format";
  bool ok = meta_preparse(tok, 3, now, &of, &err);
  StoreMode mode = StoreMode::kSet;
  if (ok) {
    const bool opaque_error = opaque_too_long(tok);
    switch (of.mode) {
    case 0:
    case 'S':
      break;
    case 'E':
      mode = StoreMode::kAdd;
      break;
    case 'A':
      mode = StoreMode::kAppend;
      break;
    case 'P':
      mode = StoreMode::kPrepend;
      break;
    case 'R':
      mode = StoreMode::kReplace;
      break;
    default:
      err = "CLIENT_ERROR invalid mode for ms M token";
      ok = false;
      break;
    }
    if (ok && opaque_error) {
      err = "CLIENT_ERROR opaque token too long";
      ok = false;
    }
  }
  if (ok &&
      internal::item_total_bytes(of.key.size(), of.client_flags, static_cast<std::uint64_t>(vlen)) >
          node_.config().item_size_max) {
    server_.store_too_large += 1;
    err = "SERVER_ERROR object too large for cache";
    // "Avoid stale data persisting in cache because we failed alloc", whatever the mode.
    node_.remove(of.key, now);
    ok = false;
  }
  // process_mset_command allocates the item now; without memory the data
  // is swallowed and, whatever the mode, the key's old item removed.
  std::uint32_t handle = MemcachedNode::kNoReservation;
  if (ok) {
    McStatus st = McStatus::kStored;
    handle = node_.reserve(StoreMode::kSet, of.key, of.client_flags, of.exptime,
                           static_cast<std::uint32_t>(vlen), now, &st);
    if (handle == MemcachedNode::kNoReservation) {
      server_.store_no_memory += 1;
      err = "SERVER_ERROR out of memory storing object";
      ok = false;
    }
  }
  if (!ok) {
    meta_error(err);
    swallow_ = static_cast<std::uint64_t>(vlen) + 2;
    state_ = State::kSwallow;
    return;
  }
  pending_ = Pending{};
  pending_.meta = true;
  pending_.mode = mode;
  pending_.key = of.key;
  pending_.flags = of.client_flags;
  pending_.exptime = of.exptime;
  pending_.cas = of.req_cas;
  pending_.has_cas = of.has_cas;
  pending_.invalidate = of.set_stale;
  pending_.base64_key = of.key_binary;
  pending_.quiet = of.no_reply;
  for (std::size_t i = 3; i < tok.size(); ++i) {
    if (tok[i][0] == 'O' || tok[i][0] == 'k' || tok[i][0] == 'c') {
      pending_.meta_ret.append(tok[i]);
      pending_.meta_ret.push_back(' ');
    }
  }
  pending_.total = static_cast<std::size_t>(vlen) + 2;
  reserved_ = handle;
  got_ = 0;
  state_ = State::kData;
}

void MemcachedProtocol::finish_meta_set(std::uint32_t handle) {
  McMetaStoreOptions opt;
  opt.has_cas = pending_.has_cas;
  opt.cas = pending_.cas;
  opt.invalidate = pending_.invalidate;
  opt.key_binary = pending_.base64_key;
  std::uint64_t cas_out = 0;
  const McStatus st =
      node_.meta_store_reserved(handle, pending_.mode, opt, server_.now_s, &cas_out);
  std::string line;
  switch (st) {
  case McStatus::kStored:
    if (pending_.quiet) {
      return;
    }
    line = "HD";
    break;
  case McStatus::kExists:
    line = "EX";
    break;
  case McStatus::kNotFound:
    line = "NF";
    break;
  case McStatus::kNotStored:
    line = "NS";
    break;
  case McStatus::kTooLarge:
    meta_error("SERVER_ERROR object too large for cache");
    return;
  default:
    server_.store_no_memory += 1;
    meta_error("SERVER_ERROR out of memory storing object");
    return;
  }
  // Return flags in the order they were given.
  std::string_view ret = pending_.meta_ret;
  while (!ret.empty()) {
    const std::size_t sp = ret.find(' ');
    const std::string_view f = ret.substr(0, sp);
    ret.remove_prefix(sp + 1);
    if (f[0] == 'O') {
      line += ' ';
      line += f;
    } else if (f[0] == 'k') {
      meta_key(line, pending_.key, pending_.base64_key);
    } else {
      line += " c";
      append_u64(line, st == McStatus::kStored ? cas_out : 0);
    }
  }
  noreply_ = false;
  reply(line);
}

void MemcachedProtocol::cmd_md(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  if (!meta_head(tok, "CLIENT_ERROR options flags too long"))
    return;
  const std::int64_t now = server_.now_s;
  MetaFlags of;
  std::string_view err = "CLIENT_ERROR bad command line format";
  if (!meta_preparse(tok, 2, now, &of, &err)) {
    meta_error("CLIENT_ERROR invalid or duplicate flag");
    return;
  }
  if (opaque_too_long(tok)) {
    meta_error("CLIENT_ERROR opaque token too long");
    return;
  }
  const McStatus st =
      node_.meta_delete(of.key, of.has_cas, of.req_cas, of.set_stale, of.new_ttl, of.exptime, now);
  if (st == McStatus::kDeleted && of.no_reply) {
    return;
  }
  std::string line = st == McStatus::kDeleted ? "HD" : st == McStatus::kExists ? "EX" : "NF";
  for (std::size_t i = 2; i < tok.size(); ++i) {
    if (tok[i][0] == 'O') {
      line += ' ';
      line += tok[i];
    } else if (tok[i][0] == 'k') {
      meta_key(line, of.key, of.key_binary);
    }
  }
  reply(line);
}

void MemcachedProtocol::cmd_ma(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  if (!meta_head(tok, "CLIENT_ERROR options flags too long"))
    return;
  const std::int64_t now = server_.now_s;
  MetaFlags of;
  std::string_view err = "CLIENT_ERROR bad command line format";
  if (!meta_preparse(tok, 2, now, &of, &err)) {
    meta_error("CLIENT_ERROR invalid or duplicate flag");
    return;
  }
  McMetaArithOptions opt;
  switch (of.mode) {
  case 0:
  case 'I':
  case '+':
    break;
  case 'D':
  case '-':
    opt.incr = false;
    break;
  default:
    meta_error("CLIENT_ERROR invalid mode for ma M token");
    return;
  }
  opt.delta = of.delta;
  opt.has_cas = of.has_cas;
  opt.cas = of.req_cas;
  opt.vivify = of.vivify;
  opt.initial = of.initial;
  opt.created_exptime = created_exptime(tok, 2, of);
  opt.touch = of.new_ttl;
  opt.touch_exptime = of.exptime;
  std::uint64_t value = 0;
  McItemView item;
  bool created = false;
  const McStatus st = node_.meta_arith(of.key, opt, now, &value, &item, &created);
  switch (st) {
  case McStatus::kNonNumeric:
    meta_error("CLIENT_ERROR cannot increment or decrement non-numeric value");
    return;
  case McStatus::kNoMemory:
    meta_error(opt.vivify ? "SERVER_ERROR Out of memory allocating new item"
                          : "SERVER_ERROR out of memory");
    return;
  default:
    break;
  }
  if (opaque_too_long(tok)) {
    meta_error("CLIENT_ERROR opaque token too long");
    return;
  }
  std::string number;
  append_u64(number, value);
  std::string line;
  if (st != McStatus::kOk) {
    line = st == McStatus::kExists ? "EX" : "NF";
    for (std::size_t i = 2; i < tok.size(); ++i) {
      if (tok[i][0] == 'O') {
        line += ' ';
        line += tok[i];
      } else if (tok[i][0] == 'k') {
        meta_key(line, of.key, of.key_binary);
      }
    }
    reply(line);
    return;
  }
  // q drops an incr's reply, but not the reply of a miss that N filled.
  if (of.no_reply && !created) {
    return;
  }
  if (of.value) {
    line = "VA ";
    append_u64(line, number.size());
  } else {
    line = "HD";
  }
  std::int64_t exptime = created ? 0 : item.exptime; // before this command's T or N
  for (std::size_t i = 2; i < tok.size(); ++i) {
    switch (tok[i][0]) {
    case 'c':
      line += " c";
      append_u64(line, item.cas);
      break;
    case 't':
      append_ttl(line, exptime, now);
      break;
    case 'T':
      exptime = of.exptime;
      break;
    case 'N':
      if (created) {
        exptime = of.autoviv_exptime;
      }
      break;
    case 'O':
      line += ' ';
      line += tok[i];
      break;
    case 'k':
      meta_key(line, of.key, of.key_binary);
      break;
    default:
      break;
    }
  }
  if (of.value) {
    line += "\r\n";
    line += number;
  }
  reply(line);
}

void MemcachedProtocol::cmd_me(const Request &r) {
  const std::vector<std::string_view> &tok = r.tok;
  const std::size_t ntokens = tok.size() + 1;
  if (ntokens < 3 || tok[1].size() > kMaxKeyBytes) {
    meta_error("CLIENT_ERROR bad command line format");
    return;
  }
  std::string key(tok[1]);
  if (ntokens >= 4 && tok[2] == "b" && !base64_decode(tok[1], &key)) {
    meta_error("CLIENT_ERROR bad command line format");
    return;
  }
  const std::int64_t now = server_.now_s;
  McItemView item;
  if (!node_.peek(key, now, &item)) {
    reply("EN");
    return;
  }
  std::string line = "ME ";
  line += item.key_binary ? base64_encode(item.key) : std::string(item.key);
  line += " exp=";
  append_i64(line, item.exptime == 0 ? -1 : static_cast<std::int32_t>(now - item.exptime));
  line += " la=";
  append_u64(line, static_cast<std::uint64_t>(now - item.last_access_s));
  line += " cas=";
  append_u64(line, item.cas);
  line += item.fetched ? " fetch=yes" : " fetch=no";
  line += " cls=";
  append_u64(line, item.slab_class);
  line += " size=";
  append_u64(line, item.total_bytes);
  reply(line);
}

} // namespace stampede
