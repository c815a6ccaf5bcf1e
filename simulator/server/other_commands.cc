// The rest of the text protocol: incr, decr, delete, touch, flush_all,
// verbosity, cache_memlimit, version, quit, and the shutdown and slabs
// commands memcached refuses by default.
#include <algorithm>

#include "server/memcached_protocol.h"
#include "server/protocol_text.h"

namespace stampede {

using namespace internal;

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

} // namespace stampede
