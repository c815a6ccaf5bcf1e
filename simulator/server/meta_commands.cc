// Meta commands (proto_text.c's process_mget_command and friends, 1.6.18).
// Errors go out even under q (out_errstring); q drops only the nominal reply:
// EN for mg, HD for ms and md, HD/VA for ma.
#include <climits>
#include <optional>

#include "internal/memcached_slabs.h"
#include "model/memcached_meta.h"
#include "server/memcached_protocol.h"
#include "server/meta_flags.h"
#include "server/protocol_text.h"

namespace stampede {

using namespace internal;

namespace {

/// A key as a reply's k flag shows it: in base64 again, with b, when it came so.
void append_key(std::string &line, std::string_view key, bool binary) {
  line += " k";
  if (binary) {
    line += base64_encode(key);
    line += " b";
  } else {
    line += key;
  }
}

/// The O (opaque) and k (key) flags echoed in the order given: all that an
/// mg miss, an md and a failed ma return.
void append_echo(std::string &line, const std::vector<std::string_view> &tok, const MetaFlags &of) {
  for (std::size_t i = 2; i < tok.size(); ++i) {
    if (tok[i][0] == 'O') {
      line += ' ';
      line += tok[i];
    } else if (tok[i][0] == 'k') {
      append_key(line, of.key, of.key_binary);
    }
  }
}

/// What mg asks of the node, from its flags.
McMetaGetOptions mg_options(const std::vector<std::string_view> &tok, const MetaFlags &of) {
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
  return opt;
}

/// mg's reply to a hit, without its line end: VA (with the value's size) or
/// HD, each return flag in the order given, then Z, X and W as they apply.
std::string mg_hit_line(const std::vector<std::string_view> &tok, const MetaFlags &of,
                        const McItemView &item, const McMetaGetResult &res, std::int64_t now) {
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
      append_key(line, item.key, item.key_binary);
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
  return line;
}

/// What ma asks of the node, from its flags; nothing for a mode (M) ma does
/// not know.
std::optional<McMetaArithOptions> ma_options(const std::vector<std::string_view> &tok,
                                             const MetaFlags &of) {
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
    return std::nullopt;
  }
  opt.delta = of.delta;
  opt.has_cas = of.has_cas;
  opt.cas = of.req_cas;
  opt.vivify = of.vivify;
  opt.initial = of.initial;
  opt.created_exptime = created_exptime(tok, 2, of);
  opt.touch = of.new_ttl;
  opt.touch_exptime = of.exptime;
  return opt;
}

/// ma's reply to a success: VA (with the number's size) or HD, each return
/// flag in the order given, then the number itself for VA.
std::string ma_done_line(const std::vector<std::string_view> &tok, const MetaFlags &of,
                         const McItemView &item, bool created, const std::string &number,
                         std::int64_t now) {
  std::string line;
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
      append_key(line, of.key, of.key_binary);
      break;
    default:
      break;
    }
  }
  if (of.value) {
    line += "\r\n";
    line += number;
  }
  return line;
}

} // namespace

void MemcachedProtocol::cmd_mn(const CommandLine &) {
  reply("MN");
  commit(); // mn forces the queued replies out
}

void MemcachedProtocol::meta_error(std::string_view line) {
  noreply_ = false;
  reply(line);
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

void MemcachedProtocol::cmd_mg(const CommandLine &r) {
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
  McItemView item;
  McMetaGetResult res;
  const bool hit = node_.meta_get(of.key, mg_options(tok, of), now, &item, &res);
  if (opaque_too_long(tok)) {
    meta_error("CLIENT_ERROR opaque token too long");
    return;
  }
  if (!hit) {
    if (of.no_reply) {
      return;
    }
    std::string line = "EN";
    append_echo(line, tok, of);
    reply(line);
    return;
  }
  std::string line = mg_hit_line(tok, of, item, res, now);
  line += "\r\n";
  text_out().append(line);
  if (of.value) {
    value_out(item);
  }
}

void MemcachedProtocol::cmd_ms(const CommandLine &r) {
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
  ok = ok && ms_store_mode(tok, of, &mode, &err);
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
  pending_.meta_ret = ms_return_flags(tok);
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
      append_key(line, pending_.key, pending_.base64_key);
    } else {
      line += " c";
      append_u64(line, st == McStatus::kStored ? cas_out : 0);
    }
  }
  noreply_ = false;
  reply(line);
}

void MemcachedProtocol::cmd_md(const CommandLine &r) {
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
  append_echo(line, tok, of);
  reply(line);
}

void MemcachedProtocol::cmd_ma(const CommandLine &r) {
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
  const std::optional<McMetaArithOptions> opt = ma_options(tok, of);
  if (!opt) {
    meta_error("CLIENT_ERROR invalid mode for ma M token");
    return;
  }
  std::uint64_t value = 0;
  McItemView item;
  bool created = false;
  const McStatus st = node_.meta_arith(of.key, *opt, now, &value, &item, &created);
  switch (st) {
  case McStatus::kNonNumeric:
    meta_error("CLIENT_ERROR cannot increment or decrement non-numeric value");
    return;
  case McStatus::kNoMemory:
    meta_error(opt->vivify ? "SERVER_ERROR Out of memory allocating new item"
                           : "SERVER_ERROR out of memory");
    return;
  default:
    break;
  }
  if (opaque_too_long(tok)) {
    meta_error("CLIENT_ERROR opaque token too long");
    return;
  }
  if (st != McStatus::kOk) {
    std::string line(st == McStatus::kExists ? "EX" : "NF");
    append_echo(line, tok, of);
    reply(line);
    return;
  }
  // q drops an incr's reply, but not the reply of a miss that N filled.
  if (of.no_reply && !created) {
    return;
  }
  std::string number;
  append_u64(number, value);
  reply(ma_done_line(tok, of, item, created, number, now));
}

void MemcachedProtocol::cmd_me(const CommandLine &r) {
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
