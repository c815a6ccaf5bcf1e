// set, add, replace, append, prepend and cas: proto_text.c's
// process_update_command, and what happens once the data block is in.
#include <climits>

#include "internal/memcached_slabs.h"
#include "server/memcached_protocol.h"
#include "server/protocol_text.h"

namespace stampede {

using namespace internal;

void MemcachedProtocol::cmd_update(const CommandLine &r) {
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

} // namespace stampede
