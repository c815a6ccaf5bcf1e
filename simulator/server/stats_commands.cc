// stats, stats settings and the other sub-commands memcached answers (some
// with nothing: per-class and per-connection detail are not modelled).
#include <algorithm>
#include <cstdio>

#include <sys/resource.h>

#include "server/memcached_protocol.h"
#include "server/protocol_text.h"
#include "stampede/scenario.h"

namespace stampede {

using namespace internal;

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
  stat(o, "lru_model", lru_name(c.lru));
}

void MemcachedProtocol::cmd_stats(const CommandLine &r) {
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
    // Enabled, memcached lists a count per size; the node keeps no such
    // histogram, so it lists none (README, "Where it differs").
    if (!sizes_on_)
      stat(text_out(), "sizes_status", "disabled");
  } else if (tok[1] == "sizes_enable" || tok[1] == "sizes_disable") {
    // item_stats_sizes_enable/disable: the status line and no END.
    sizes_on_ = tok[1] == "sizes_enable";
    stat(text_out(), "sizes_status", sizes_on_ ? "enabled" : "disabled");
    return;
  } else {
    reply("ERROR");
    return;
  }
  text_out().append("END\r\n");
}

} // namespace stampede
