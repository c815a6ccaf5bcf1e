// The meta commands' flags: proto_text.c's _meta_flag_preparse, and the
// base64 keys of the b flag (memcached's base64.c).
#include "server/meta_flags.h"

#include "server/protocol_text.h"

namespace stampede::internal {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(unsigned char c) {
  if (c == '=') {
    return 0;
  }
  const std::size_t i = kBase64.find(static_cast<char>(c));
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
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

} // namespace

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

namespace {

/// What reading one flag gave: fine; an error noted, the flags after it
/// still read; or an unknown flag, which stops the parse at once.
enum class FlagRead { kOk, kError, kUnknown };

/// N, T and R take a time: N vivifies a miss (even when its time does not
/// read, as in memcached), T sets a new TTL, R a recache time.
FlagRead read_time_flag(unsigned char o, std::string_view arg, std::int64_t now, MetaFlags *of,
                        std::string_view *errstr) {
  std::int32_t t = 0;
  FlagRead read = FlagRead::kOk;
  if (!safe_strtol(arg, &t)) {
    *errstr = "CLIENT_ERROR bad token in command line format";
    read = FlagRead::kError;
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
  return read;
}

/// F, C, J and D take a number, M a mode character. A bad F sets no message:
/// the caller's default stands.
FlagRead read_number_flag(std::string_view token, MetaFlags *of, std::string_view *errstr) {
  const std::string_view arg = token.substr(1);
  switch (token[0]) {
  case 'F':
    return safe_strtoul(arg, &of->client_flags) ? FlagRead::kOk : FlagRead::kError;
  case 'C':
    if (!safe_strtoull(arg, &of->req_cas)) {
      *errstr = "CLIENT_ERROR bad token in command line format";
      return FlagRead::kError;
    }
    of->has_cas = true;
    return FlagRead::kOk;
  case 'M':
    if (token.size() != 2) {
      *errstr = "CLIENT_ERROR incorrect length for M token";
      return FlagRead::kError;
    }
    of->mode = token[1];
    return FlagRead::kOk;
  case 'J':
    if (!safe_strtoull(arg, &of->initial)) {
      *errstr = "CLIENT_ERROR invalid numeric initial value";
      return FlagRead::kError;
    }
    return FlagRead::kOk;
  default: // 'D'
    if (!safe_strtoull(arg, &of->delta)) {
      *errstr = "CLIENT_ERROR invalid numeric delta value";
      return FlagRead::kError;
    }
    return FlagRead::kOk;
  }
}

/// Reads one flag token into `of`; `key` is the command's key (b decodes it).
FlagRead read_flag(std::string_view token, std::string_view key, std::int64_t now, MetaFlags *of,
                   std::string_view *errstr) {
  const auto o = static_cast<unsigned char>(token[0]);
  switch (o) {
  case 'b': {
    FlagRead read = FlagRead::kOk;
    if (!base64_decode(key, &of->key)) {
      *errstr = "CLIENT_ERROR error decoding key";
      read = FlagRead::kError;
    }
    of->key_binary = true;
    return read;
  }
  case 'N':
  case 'T':
  case 'R':
    return read_time_flag(o, token.substr(1), now, of, errstr);
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
    return FlagRead::kOk; // flags the command itself answers to, or ignores
  case 'v':
    of->value = true;
    return FlagRead::kOk;
  case 'u':
    of->no_update = true;
    return FlagRead::kOk;
  case 'q':
    of->no_reply = true;
    return FlagRead::kOk;
  case 'I':
    of->set_stale = true;
    return FlagRead::kOk;
  case 'F':
  case 'C':
  case 'M':
  case 'J':
  case 'D':
    return read_number_flag(token, of, errstr);
  default:
    *errstr = "CLIENT_ERROR invalid flag";
    return FlagRead::kUnknown;
  }
}

} // namespace

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
    switch (read_flag(tok[i], tok[1], now, of, errstr)) {
    case FlagRead::kOk:
      break;
    case FlagRead::kError:
      error = true;
      break;
    case FlagRead::kUnknown:
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

bool ms_store_mode(const std::vector<std::string_view> &tok, const MetaFlags &of, StoreMode *mode,
                   std::string_view *errstr) {
  switch (of.mode) {
  case 0:
  case 'S':
    *mode = StoreMode::kSet;
    break;
  case 'E':
    *mode = StoreMode::kAdd;
    break;
  case 'A':
    *mode = StoreMode::kAppend;
    break;
  case 'P':
    *mode = StoreMode::kPrepend;
    break;
  case 'R':
    *mode = StoreMode::kReplace;
    break;
  default:
    *errstr = "CLIENT_ERROR invalid mode for ms M token";
    return false;
  }
  if (opaque_too_long(tok)) {
    *errstr = "CLIENT_ERROR opaque token too long";
    return false;
  }
  return true;
}

std::string ms_return_flags(const std::vector<std::string_view> &tok) {
  std::string flags;
  for (std::size_t i = 3; i < tok.size(); ++i) {
    if (tok[i][0] == 'O' || tok[i][0] == 'k' || tok[i][0] == 'c') {
      flags.append(tok[i]);
      flags.push_back(' ');
    }
  }
  return flags;
}

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

} // namespace stampede::internal
