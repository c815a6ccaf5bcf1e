// MemcachedNode's meta commands: the meta protocol's item state
// (proto_text.c's process_mget_command, process_mdelete_command,
// process_marithmetic_command; do_store_item's CAS_STALE) over the node's
// store path (memcached_impl.h).
#include <cstdint>
#include <cstring>

#include "model/memcached_impl.h"
#include "model/memcached_meta.h"

namespace stampede {

using namespace memcached_internal;

bool MemcachedNode::meta_get(std::string_view key, const McMetaGetOptions &options,
                             std::int64_t now_s, McItemView *out, McMetaGetResult *result) {
  Impl &m = *impl_;
  m.begin(now_s);
  McMetaGetResult r;
  std::uint32_t s = m.find(key, now_s);
  if (s == kNil && options.vivify) {
    // An empty placeholder: the client that created it fills it.
    McStatus status = McStatus::kStored;
    s = m.alloc_item(key, 0, 0, 0, 0, now_s, &status);
    if (s != kNil) {
      m.link(s, now_s);
      r.created = true;
    }
  }
  // memcached counts an mg with T as a touch, any other as a get; a vivified
  // miss counts as a hit.
  if (options.touch) {
    m.stats.cmd_touch += 1;
  } else {
    m.stats.cmd_get += 1;
  }
  if (s == kNil) {
    (options.touch ? m.stats.touch_misses : m.stats.get_misses) += 1;
    if (result != nullptr) {
      *result = r;
    }
    return false;
  }
  (options.touch ? m.stats.touch_hits : m.stats.get_hits) += 1;
  Item &it = m.item(s);
  // The view shows the state before this command's win and bump.
  m.fill_view(s, out);
  r.exptime_before = it.exptime;
  const bool token_sent = (it.it_flags & kTokenSent) != 0;
  if (r.created) {
    r.won = true;
    it.exptime = options.created_exptime;
  } else {
    if (options.recache && !token_sent) {
      const std::int64_t e =
          options.touch && options.recache_sees_touch ? options.touch_exptime : it.exptime;
      if (e != 0 && e < options.recache_time) {
        r.won = true;
      }
    }
    if (options.touch) {
      it.exptime = options.touch_exptime;
    }
  }
  if ((it.it_flags & kStale) != 0 && !token_sent) {
    // A stale item's first reader wins the right to recompute it.
    r.won = true;
  }
  if (r.won) {
    it.it_flags |= kTokenSent;
  }
  if (options.bump) {
    m.bump(s, now_s);
  }
  if (out != nullptr) {
    out->exptime = it.exptime;
  }
  if (result != nullptr) {
    *result = r;
  }
  return true;
}

McStatus MemcachedNode::meta_store(StoreMode mode, std::string_view key, std::uint32_t flags,
                                   std::int64_t exptime_abs, std::string_view value,
                                   const McMetaStoreOptions &options, std::int64_t now_s,
                                   std::uint64_t *cas_out) {
  Impl &m = *impl_;
  m.begin(now_s);
  // process_mset_command: a cas turns set and replace into cas; add ignores
  // it; append and prepend compare it when it is not 0.
  if (options.has_cas && (mode == StoreMode::kSet || mode == StoreMode::kReplace)) {
    mode = StoreMode::kCas;
  }
  const std::uint64_t cas_in =
      mode == StoreMode::kAdd ? 0 : (options.has_cas ? options.cas : std::uint64_t{0});
  return m.store_item(mode, key, flags, exptime_abs, value, cas_in, now_s, cas_out, 0,
                      options.invalidate && mode == StoreMode::kCas, options.key_binary);
}

McStatus MemcachedNode::meta_store_reserved(std::uint32_t handle, StoreMode mode,
                                            const McMetaStoreOptions &options, std::int64_t now_s,
                                            std::uint64_t *cas_out) {
  // As meta_store: a cas turns set and replace into cas; add ignores it.
  if (options.has_cas && (mode == StoreMode::kSet || mode == StoreMode::kReplace)) {
    mode = StoreMode::kCas;
  }
  const std::uint64_t cas_in =
      mode == StoreMode::kAdd ? 0 : (options.has_cas ? options.cas : std::uint64_t{0});
  return impl_->store_reserved(handle, mode, cas_in, now_s, cas_out,
                               options.invalidate && mode == StoreMode::kCas, options.key_binary);
}

McStatus MemcachedNode::meta_delete(std::string_view key, bool has_cas, std::uint64_t cas,
                                    bool invalidate, bool touch, std::int64_t exptime_abs,
                                    std::int64_t now_s) {
  Impl &m = *impl_;
  m.begin(now_s);
  const std::uint32_t s = m.find(key, now_s);
  if (s == kNil) {
    m.stats.delete_misses += 1;
    return McStatus::kNotFound;
  }
  Item &it = m.item(s);
  if (has_cas && it.cas != cas) {
    m.stats.delete_misses += 1;
    return McStatus::kExists;
  }
  if (invalidate) {
    // Kept and served, but stale: the token is cleared so the next reader wins.
    if (touch) {
      it.exptime = exptime_abs;
    }
    it.it_flags |= kStale;
    it.it_flags &= static_cast<std::uint8_t>(~kTokenSent);
    it.cas = m.next_cas();
    return McStatus::kDeleted;
  }
  m.unlink(s);
  m.stats.delete_hits += 1;
  return McStatus::kDeleted;
}

McStatus MemcachedNode::meta_arith(std::string_view key, const McMetaArithOptions &options,
                                   std::int64_t now_s, std::uint64_t *result, McItemView *out,
                                   bool *created) {
  Impl &m = *impl_;
  m.begin(now_s);
  if (created != nullptr) {
    *created = false;
  }
  std::uint32_t s = m.find(key, now_s);
  if (s == kNil) {
    if (!options.vivify) {
      (options.incr ? m.stats.incr_misses : m.stats.decr_misses) += 1;
      return McStatus::kNotFound;
    }
    char buf[24];
    const std::size_t len = Impl::format_u64(options.initial, buf);
    McStatus status = McStatus::kStored;
    s = m.alloc_item(key, 0, options.created_exptime, len, static_cast<std::uint32_t>(len), now_s,
                     &status);
    if (s == kNil) {
      return McStatus::kNoMemory;
    }
    m.stats.cmd_set += 1;
    std::memcpy(m.item(s).value_data(), buf, len);
    m.link(s, now_s);
    if (created != nullptr) {
      *created = true;
    }
    if (result != nullptr) {
      *result = options.initial;
    }
    m.fill_view(s, out);
    return McStatus::kOk;
  }
  // do_add_delta: an empty value cannot be a number, whatever its unique
  // (checked before the CAS); other text is found non-numeric after it.
  if (m.item(s).value().empty()) {
    return McStatus::kNonNumeric;
  }
  if (options.has_cas && options.cas != 0 && m.item(s).cas != options.cas) {
    return McStatus::kExists;
  }
  std::uint32_t now_id = kNil;
  const McStatus st = m.add_delta(s, key, options.incr, options.delta, now_s, result, &now_id);
  if (st != McStatus::kOk) {
    return st;
  }
  // The view keeps the exptime before T: the protocol reports `t` in token order.
  m.fill_view(now_id, out);
  if (options.touch) {
    m.item(now_id).exptime = options.touch_exptime;
  }
  return McStatus::kOk;
}

} // namespace stampede
