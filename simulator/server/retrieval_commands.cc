// get, gets, gat, gats and bget: proto_text.c's process_get_command, and
// the streaming form memcached falls into for a get line over 2048 bytes.
#include <algorithm>

#include "server/memcached_protocol.h"
#include "server/protocol_text.h"

namespace stampede {

using namespace internal;

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

void MemcachedProtocol::cmd_get(const CommandLine &r) {
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

} // namespace stampede
