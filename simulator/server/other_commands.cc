// The rest of the text protocol: incr, decr, delete, touch, flush_all,
// verbosity, cache_memlimit, version, quit, shutdown (refused, as memcached
// refuses it by default), and the maintenance commands slabs, lru,
// lru_crawler and watch.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "internal/memcached_slabs.h" // kMaxSlabClasses
#include "server/memcached_protocol.h"
#include "server/protocol_text.h"

namespace stampede {

using namespace internal;

void MemcachedProtocol::cmd_arith(const CommandLine &r) {
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

void MemcachedProtocol::cmd_delete(const CommandLine &r) {
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

void MemcachedProtocol::cmd_touch(const CommandLine &r) {
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

void MemcachedProtocol::cmd_flush_all(const CommandLine &r) {
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

void MemcachedProtocol::cmd_verbosity(const CommandLine &r) {
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

void MemcachedProtocol::cmd_cache_memlimit(const CommandLine &r) {
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

void MemcachedProtocol::cmd_version(const CommandLine &) {
  reply("VERSION " + std::string(kVersion));
}

void MemcachedProtocol::cmd_quit(const CommandLine &) {
  // conn_mwrite with close_after_write: everything queued goes out, then close.
  commit();
  state_ = State::kClosed;
}

void MemcachedProtocol::cmd_shutdown(const CommandLine &) { reply("ERROR: shutdown not enabled"); }

namespace {

// memcached's safe_strtod: a whole token, a finite number.
bool whole_double(std::string_view s, double *out) {
  const std::string text(s);
  char *end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || errno == ERANGE || end != text.c_str() + text.size())
    return false;
  *out = v;
  return true;
}

} // namespace

void MemcachedProtocol::cmd_slabs(const CommandLine &r) {
  // process_slabs_command, as memcached started with -o no_slab_reassign,
  // no_slab_automove answers it: the node hands memory out per item and
  // never moves a slab page between classes (README, "Where it differs";
  // memcached's default would answer NOSPARE, BADCLASS or OK). Automove is
  // a setting memcached takes either way; it changes nothing here.
  const std::vector<std::string_view> &tok = r.tok;
  const std::size_t ntokens = tok.size() + 1;
  if (ntokens == 5 && tok[1] == "reassign") {
    reply("CLIENT_ERROR slab reassignment disabled");
  } else if (ntokens >= 4 && tok[1] == "automove") {
    set_noreply_maybe(tok);
    std::uint32_t level = 0;
    double ratio = 0;
    if (tok[2] == "ratio") {
      reply(ntokens < 5 || !whole_double(tok[3], &ratio) ? "ERROR" : "OK");
    } else if (!safe_strtoul(tok[2], &level)) {
      reply("CLIENT_ERROR bad command line format");
    } else {
      reply(level <= 2 ? "OK" : "ERROR");
    }
  } else {
    reply("ERROR");
  }
}

void MemcachedProtocol::cmd_lru(const CommandLine &r) {
  // process_lru_command: the LRU maintainer's settings. Accepted as
  // memcached accepts them; the node's eviction model stays the one
  // `--lru` chose (README, "Where it differs").
  const std::vector<std::string_view> &tok = r.tok;
  const std::size_t ntokens = tok.size() + 1;
  set_noreply_maybe(tok);
  if (tok[1] == "tune" && ntokens >= 7) {
    std::uint32_t hot = 0, warm = 0;
    double hot_factor = 0, factor = 0;
    if (!safe_strtoul(tok[2], &hot) || !safe_strtoul(tok[3], &warm) ||
        !whole_double(tok[4], &hot_factor) || !whole_double(tok[5], &factor)) {
      reply("ERROR");
    } else if (std::uint64_t{hot} + warm > 80) {
      reply("ERROR hot and warm pcts must not exceed 80");
    } else if (factor <= 0 || hot_factor <= 0) {
      reply("ERROR hot/warm age factors must be greater than 0");
    } else {
      reply("OK");
    }
  } else if (tok[1] == "mode" && ntokens >= 4) {
    reply(tok[2] == "flat" || tok[2] == "segmented" ? "OK" : "ERROR");
  } else if (tok[1] == "temp_ttl" && ntokens >= 4) {
    std::int32_t ttl = 0;
    reply(safe_strtol(tok[2], &ttl) ? "OK" : "ERROR");
  } else {
    reply("ERROR");
  }
}

void MemcachedProtocol::cmd_lru_crawler(const CommandLine &r) {
  // process_lru_crawler_command. The node drops an expired item when it is
  // next touched or its memory is needed, so a crawl has nothing left to do:
  // OK. metadump would list every item, which the node does not walk:
  // memcached's answer when dumps are not allowed.
  const std::vector<std::string_view> &tok = r.tok;
  const std::size_t ntokens = tok.size() + 1;
  if (ntokens == 4 && (tok[1] == "crawl" || tok[1] == "metadump")) {
    if (!crawler_on_) {
      reply("CLIENT_ERROR lru crawler disabled");
    } else if (tok[1] == "metadump" && queued_bytes() > 0) {
      reply("ERROR cannot pipeline other commands before metadump");
    } else if (tok[1] == "metadump") {
      reply("ERROR metadump not allowed");
    } else if (tok[2] == "all") {
      reply("OK");
    } else {
      // Class ids, comma-separated, each below MAX_NUMBER_OF_SLAB_CLASSES.
      bool good = true;
      for (std::size_t from = 0; from <= tok[2].size();) {
        const std::size_t comma = std::min(tok[2].find(',', from), tok[2].size());
        std::uint32_t id = 0;
        good = good && safe_strtoul(tok[2].substr(from, comma - from), &id) && id >= 1 &&
               id <= internal::kMaxSlabClasses;
        from = comma + 1;
      }
      reply(good ? "OK" : "BADCLASS invalid class id");
    }
  } else if (ntokens == 4 && (tok[1] == "tocrawl" || tok[1] == "sleep")) {
    std::uint32_t n = 0;
    if (!safe_strtoul(tok[2], &n)) {
      reply("CLIENT_ERROR bad command line format");
    } else if (tok[1] == "sleep" && n > 1000000) {
      reply("CLIENT_ERROR sleep must be one second or less");
    } else {
      reply("OK");
    }
  } else if (ntokens == 3 && tok[1] == "enable") {
    reply(crawler_on_ ? "ERROR failed to start lru crawler thread" : "OK");
    crawler_on_ = true;
  } else if (ntokens == 3 && tok[1] == "disable") {
    crawler_on_ = false;
    reply("OK");
  } else {
    reply("ERROR");
  }
}

void MemcachedProtocol::cmd_watch(const CommandLine &r) {
  // process_watch_command: OK, then the connection is a log watcher
  // (conn_watch) and reads no more commands. The node writes no log lines,
  // so a watcher hears nothing more (README, "Where it differs").
  static constexpr std::string_view kKinds[] = {"rawcmds",     "fetchers",   "mutations",
                                                "evictions",   "connevents", "proxyreqs",
                                                "proxyevents", "proxyuser",  "deletions"};
  for (std::size_t i = 1; i < r.tok.size(); ++i) {
    if (std::find(std::begin(kKinds), std::end(kKinds), r.tok[i]) == std::end(kKinds)) {
      reply("ERROR");
      return;
    }
  }
  if (queued_bytes() > 0) { // resp_has_stack: replies of this read not yet written
    reply("ERROR cannot pipeline other commands before watch");
    return;
  }
  reply("OK");
  commit();
  watching_ = true;
}

void MemcachedProtocol::set_noreply_maybe(const std::vector<std::string_view> &tok) {
  if (!tok.empty() && tok.back() == "noreply") {
    noreply_ = true;
  }
}

} // namespace stampede
