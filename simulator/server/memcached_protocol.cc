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
//
// This file frames the input (lines, data blocks, long multigets) and holds
// the output; command_table.cc maps a command word to its handler, and the
// handlers live by family in retrieval_, storage_, meta_, stats_ and
// other_commands.cc.
#include "server/memcached_protocol.h"

#include <algorithm>
#include <cstring>

#include "server/protocol_text.h"

namespace stampede {
namespace {

/// settings.reqs_per_event: memcached writes its queued replies after this many commands.
constexpr int kReqsPerEvent = 20;

} // namespace

using namespace internal;

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

void MemcachedProtocol::finish_input(bool keep_replies) {
  if (state_ != State::kClosed) {
    if (keep_replies && state_ != State::kMultiget) {
      commit(); // what the finished commands answered (a multiget's is unfinished)
    }
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
  if (watching_) {
    return; // conn_watch: a watcher's input is not read as commands
  }
  while (!bytes.empty() && state_ != State::kClosed && !watching_) {
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
    if (watching_) {
      return buf.size(); // conn_watch: the rest is not read as commands
    }
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
  (this->*cmd->handler)(CommandLine{line, tokens_, cmd->variant});
}

} // namespace stampede
