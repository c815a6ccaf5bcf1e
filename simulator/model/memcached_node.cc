// One memcached node: memcached 1.6's storage semantics (items.c, slabs.c,
// assoc.c, do_store_item and do_add_delta) on items named by 32-bit ids.
//
// What is modelled as memcached 1.6 does it:
// - item sizes (ITEM_ntotal), slab classes, 1 MiB pages granted on demand
//   until -m is reached, each class's first page granted regardless;
// - one LRU per class, the tail reclaim of expired items before eviction,
//   evictions from the tail, the stats counters;
// - lazy expiry and flush on lookup, flush_all's oldest_live/oldest_cas;
// - the segmented LRU: lru_pull_tail and lru_maintainer_juggle's HOT/WARM/COLD
//   moves, the FETCHED/ACTIVE flags, the async COLD->WARM bump.
//
// What is simplified (each also noted where it happens):
// - no background threads: the LRU maintainer's work for a class runs right
//   before an allocation in that class, and queued COLD->WARM bumps run at
//   the start of the next operation on the node;
// - items larger than the largest chunk occupy whole chunks of the largest
//   class (memcached chains chunks and takes the header and the last, partial
//   chunk from smaller classes);
// - no slab rebalancing (slab_reassign/slab_automove), no temporary LRU, no
//   LRU crawler (expired items go when seen or when they reach a tail);
// - the transient item memcached allocates for the data of an append/prepend
//   before combining is not allocated;
// - with -I above 1 MiB the page grows to the item size limit (memcached 1.6
//   keeps 1 MiB pages and chunks); the largest chunk is half a page or -I;
// - clear() keeps the CAS counter counting (see the header).
// Items live where memcached keeps them: each in a chunk of its slab class,
// carved from real pages, header first, then the key, then the value (see
// Arena and Item). A node that charges items a size of its own (the
// simulator's `cache.item_bytes`) stores each in the chunk its real size
// needs, so a simulated 64 MB node holds only the bytes it really stores.
// The meta protocol's per-item state (ITEM_STALE, ITEM_TOKEN_SENT,
// ITEM_KEY_BINARY) lives in the item's flags beside FETCHED and ACTIVE.
// `plain` is not a memcached mode: it is the memory side above with the
// lecture's textbook LRU (every hit relinks at the head).
//
// The node is four files: memcached_impl.h (the item header, the arena, the
// LRU lists, Impl and its inline hot path), memcached_slabs.cc (memory,
// eviction, the LRU maintainer), this file (the text protocol's operations)
// and memcached_meta.cc (the meta commands).
#include "stampede/memcached_node.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "model/memcached_impl.h"

namespace stampede {

void node_check_failed(const char *what) noexcept {
  std::fprintf(stderr, "internal error: %s\n", what);
  std::abort();
}

using namespace memcached_internal;

namespace {

/// protocol.txt: exptimes up to 30 days are relative (REALTIME_MAXDELTA).
constexpr std::int64_t kRelativeMaxS = 60 * 60 * 24 * 30;

/// memcached's realtime(): an exptime as protocol.txt defines it, made absolute.
std::int64_t absolute_exptime(std::int64_t exptime, std::int64_t now_s) {
  if (exptime == 0) {
    return 0;
  }
  if (exptime < 0) {
    // memcached stores rel_time 1, a moment long past: expired at once.
    return 1;
  }
  if (exptime > kRelativeMaxS) {
    // An absolute time already past is expired at once, as in memcached.
    return exptime;
  }
  return now_s + exptime;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/// memcached's safe_strtoull on an item's data: strtoull's syntax (leading
/// space, an optional sign, decimal digits, no overflow) followed by a space
/// or the end of the data; a negative number is refused unless strtoull's
/// wrap-around leaves it below 2^63, exactly as memcached does.
bool parse_counter(std::string_view data, std::uint64_t *out) {
  std::size_t i = 0;
  // The data ends at a NUL as the C string memcached parses would.
  const std::size_t end = std::min(data.size(), data.find('\0'));
  while (i < end && is_space(data[i])) {
    ++i;
  }
  bool negative = false;
  if (i < end && (data[i] == '+' || data[i] == '-')) {
    negative = data[i] == '-';
    ++i;
  }
  const std::size_t digits_start = i;
  std::uint64_t value = 0;
  for (; i < end && data[i] >= '0' && data[i] <= '9'; ++i) {
    const auto digit = static_cast<std::uint64_t>(data[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return false; // ERANGE
    }
    value = value * 10 + digit;
  }
  if (i == digits_start) {
    return false;
  }
  if (i < end && !is_space(data[i])) {
    return false;
  }
  if (negative) {
    value = 0 - value;
    if (static_cast<std::int64_t>(value) < 0) {
      return false;
    }
  }
  *out = value;
  return true;
}

} // namespace

/// do_add_delta on the live item `s`. @return kOk with the item now
/// holding the value in `*id_out`, kNonNumeric or kNoMemory.
McStatus MemcachedNode::Impl::add_delta(std::uint32_t s, std::string_view key, bool incr,
                                        std::uint64_t delta, std::int64_t now_s,
                                        std::uint64_t *result, std::uint32_t *id_out) {
  std::uint64_t value = 0;
  if (!parse_counter(item(s).value(), &value)) {
    return McStatus::kNonNumeric;
  }
  if (incr) {
    value += delta; // wraps at 2^64, as memcached's does
    stats.incr_hits += 1;
  } else {
    value = delta > value ? 0 : value - delta;
    stats.decr_hits += 1;
  }
  if (result != nullptr) {
    *result = value;
  }
  char buf[24];
  const std::size_t len = format_u64(value, buf);
  Item &it = item(s);
  if (len <= it.value_len && it.refcount == 0) {
    // do_add_delta rewrites in place when the number fits and no reply
    // holds the item, padding with spaces: the value keeps its length ("9 "
    // after decr of "10").
    std::memcpy(it.value_data(), buf, len);
    std::memset(it.value_data() + len, ' ', it.value_len - len);
    it.cas = next_cas();
    update(s, now_s);
    *id_out = s;
    return McStatus::kOk;
  }
  // A longer number needs a new item with the old flags and exptime.
  const std::uint64_t old_cas = it.cas;
  const std::uint32_t flags = it.flags;
  const std::int64_t exptime = it.exptime;
  McStatus status = McStatus::kOk;
  // memcached holds its reference on the old item meanwhile: the
  // allocation cannot evict it.
  hold(s);
  const std::uint32_t n =
      alloc_item(key, flags, exptime, len, static_cast<std::uint32_t>(len), now_s, &status);
  const bool old_alive = (item(s).it_flags & kLinked) != 0 && item(s).cas == old_cas;
  let_go(s);
  if (n == kNil) {
    return McStatus::kNoMemory;
  }
  std::memcpy(item(n).value_data(), buf, len);
  if (old_alive) {
    unlink(s);
  }
  link(n, now_s);
  *id_out = n;
  return McStatus::kOk;
}

/// do_store_item's append and prepend: a new item, the old value and `data` combined.
McStatus MemcachedNode::Impl::store_append(StoreMode mode, std::string_view key,
                                           std::string_view data, std::uint64_t cas_in,
                                           std::int64_t now_s, std::uint64_t *cas_out,
                                           std::uint32_t charge_bytes) {
  const std::uint32_t old = find(key, now_s);
  if (old == kNil) {
    return McStatus::kNotStored;
  }
  // The binary protocol's append may carry a CAS; the text protocol passes 0.
  if (cas_in != 0 && cas_in != item(old).cas) {
    return McStatus::kExists;
  }
  const std::uint64_t old_cas = item(old).cas;
  const std::uint32_t flags = item(old).flags;
  const std::int64_t exptime = item(old).exptime;
  const std::uint64_t data_bytes = charge_bytes != 0 ? charge_bytes : data.size();
  McStatus status = McStatus::kStored;
  // do_store_item holds its reference on the old item while it allocates
  // the combined one: the allocation cannot evict it.
  hold(old);
  const auto old_len = item(old).value_len;
  const std::uint32_t s =
      alloc_item(key, flags, exptime, item(old).value_bytes() + data_bytes,
                 old_len + static_cast<std::uint32_t>(data.size()), now_s, &status);
  if (s == kNil) {
    let_go(old);
    // do_store_item answers NOT_STORED when the combined item cannot be allocated.
    return McStatus::kNotStored;
  }
  Item &it = item(s);
  const Item &prev = item(old);
  const bool old_alive = (prev.it_flags & kLinked) != 0 && prev.cas == old_cas;
  if (mode == StoreMode::kAppend) {
    std::memcpy(it.value_data(), prev.value().data(), old_len);
    std::memcpy(it.value_data() + old_len, data.data(), data.size());
  } else {
    std::memcpy(it.value_data(), data.data(), data.size());
    std::memcpy(it.value_data() + data.size(), prev.value().data(), old_len);
  }
  let_go(old);
  if (old_alive) {
    unlink(old);
  }
  link(s, now_s);
  if (cas_out != nullptr) {
    *cas_out = it.cas;
  }
  return McStatus::kStored;
}

MemcachedNode::MemcachedNode(const McConfig &config) : impl_(std::make_unique<Impl>(config)) {}
MemcachedNode::~MemcachedNode() = default;
MemcachedNode::MemcachedNode(MemcachedNode &&) noexcept = default;
MemcachedNode &MemcachedNode::operator=(MemcachedNode &&) noexcept = default;

bool MemcachedNode::get(std::string_view key, std::int64_t now_s, McItemView *out) {
  Impl &m = *impl_;
  m.begin(now_s);
  m.stats.cmd_get += 1;
  const std::uint32_t s = m.find(key, now_s);
  if (s == kNil) {
    m.stats.get_misses += 1;
    return false;
  }
  m.bump(s, now_s);
  m.stats.get_hits += 1;
  m.fill_view(s, out);
  return true;
}

bool MemcachedNode::gat(std::string_view key, std::int64_t exptime, std::int64_t now_s,
                        McItemView *out) {
  Impl &m = *impl_;
  m.begin(now_s);
  // memcached counts a gat as a get command and a touch, with touch_hits or
  // touch_misses rather than get_hits/get_misses.
  m.stats.cmd_get += 1;
  m.stats.cmd_touch += 1;
  const std::uint32_t s = m.find(key, now_s);
  if (s == kNil) {
    m.stats.touch_misses += 1;
    return false;
  }
  m.bump(s, now_s);
  m.item(s).exptime = absolute_exptime(exptime, now_s);
  m.stats.touch_hits += 1;
  m.fill_view(s, out);
  return true;
}

McStatus MemcachedNode::store(StoreMode mode, std::string_view key, std::uint32_t flags,
                              std::int64_t exptime, std::string_view value, std::uint64_t cas_in,
                              std::int64_t now_s, std::uint64_t *cas_out,
                              std::uint32_t charge_bytes) {
  Impl &m = *impl_;
  m.begin(now_s);
  return m.store_item(mode, key, flags, absolute_exptime(exptime, now_s), value, cas_in, now_s,
                      cas_out, charge_bytes, false, false);
}

std::uint32_t MemcachedNode::reserve(StoreMode mode, std::string_view key, std::uint32_t flags,
                                     std::int64_t exptime_abs, std::uint32_t value_len,
                                     std::int64_t now_s, McStatus *status) {
  Impl &m = *impl_;
  m.begin(now_s);
  McStatus st = McStatus::kStored;
  const std::uint32_t s = m.alloc_item(key, flags, exptime_abs, value_len, value_len, now_s, &st);
  if (s == kNil) {
    m.drop_on_failed_set(mode, key, now_s);
    *status = st;
    return kNoReservation;
  }
  m.hold(s); // unlinked and held: nothing frees or evicts it meanwhile
  *status = McStatus::kStored;
  return s;
}

char *MemcachedNode::reserved_value(std::uint32_t handle) {
  return impl_->item(handle).value_data();
}

McStatus MemcachedNode::store_reserved(std::uint32_t handle, StoreMode mode, std::uint64_t cas_in,
                                       std::int64_t now_s, std::uint64_t *cas_out) {
  return impl_->store_reserved(handle, mode, cas_in, now_s, cas_out, false, false);
}

void MemcachedNode::release_reserved(std::uint32_t handle, bool count_set) {
  Impl &m = *impl_;
  if (count_set) {
    m.stats.cmd_set += 1; // complete_nread counts a set even for a bad data chunk
  }
  m.let_go(handle);
}

McStatus MemcachedNode::remove(std::string_view key, std::int64_t now_s) {
  Impl &m = *impl_;
  m.begin(now_s);
  const std::uint32_t s = m.find(key, now_s);
  if (s == kNil) {
    m.stats.delete_misses += 1;
    return McStatus::kNotFound;
  }
  m.unlink(s);
  m.stats.delete_hits += 1;
  return McStatus::kDeleted;
}

McStatus MemcachedNode::incr_decr(std::string_view key, bool incr, std::uint64_t delta,
                                  std::int64_t now_s, std::uint64_t *result) {
  Impl &m = *impl_;
  m.begin(now_s);
  const std::uint32_t s = m.find(key, now_s);
  if (s == kNil) {
    (incr ? m.stats.incr_misses : m.stats.decr_misses) += 1;
    return McStatus::kNotFound;
  }
  std::uint32_t unused = kNil;
  return m.add_delta(s, key, incr, delta, now_s, result, &unused);
}

McStatus MemcachedNode::touch(std::string_view key, std::int64_t exptime, std::int64_t now_s) {
  Impl &m = *impl_;
  m.begin(now_s);
  m.stats.cmd_touch += 1;
  const std::uint32_t s = m.find(key, now_s);
  if (s == kNil) {
    m.stats.touch_misses += 1;
    return McStatus::kNotFound;
  }
  // do_item_touch is a fetch that bumps; the CAS unique stays.
  m.bump(s, now_s);
  m.item(s).exptime = absolute_exptime(exptime, now_s);
  m.stats.touch_hits += 1;
  return McStatus::kTouched;
}

void MemcachedNode::flush_all(std::int64_t delay_s, std::int64_t now_s) {
  Impl &m = *impl_;
  m.begin(now_s);
  m.stats.cmd_flush += 1;
  const std::int64_t new_oldest = delay_s > 0 ? absolute_exptime(delay_s, now_s) : now_s;
  // process_flush_all_command with CAS on: items last linked or bumped at or
  // before oldest_live are dead once now reaches oldest_live, which is one
  // second before the requested time (memcached's whole-second clock). An
  // immediate flush also kills everything with an older CAS unique, so items
  // stored later within the same second survive it.
  m.oldest_live = new_oldest - 1;
  if (m.oldest_live <= now_s) {
    m.oldest_cas = m.next_cas();
  }
}

void MemcachedNode::clear() {
  Impl &m = *impl_;
  // A restarted node: no items, no pages, fresh counters. The CAS counter
  // alone carries on (a real restart starts it again at 1): a unique a client
  // read before the crash must never match an item stored after it.
  STAMPEDE_NODE_CHECK(pinned_items() == 0, "MemcachedNode::clear: replies still point at items");
  m.free_all();
  m.free_ids.clear();
  for (std::uint32_t i = 0; i < m.items.size(); ++i) {
    m.free_ids.push_back(static_cast<std::uint32_t>(m.items.size()) - 1 - i);
  }
  std::fill(m.buckets.begin(), m.buckets.end(), kNil);
  for (SlabClass &c : m.classes) {
    c.pages = c.total_chunks = c.used_chunks = 0;
    c.lrus = {};
  }
  m.bumps.clear();
  m.malloced = 0;
  m.oldest_live = 0;
  m.oldest_cas = 0;
  m.stats = McStats{};
  m.stats.limit_maxbytes = m.config.memory_limit_bytes;
}

const McStats &MemcachedNode::stats() const noexcept { return impl_->stats; }

const McConfig &MemcachedNode::config() const noexcept { return impl_->config; }

std::uint32_t MemcachedNode::pin(const McItemView &view) {
  Impl &m = *impl_;
  STAMPEDE_NODE_CHECK(
      view.handle < m.items.size() && m.items[view.handle] != nullptr &&
          m.item(view.handle).value().data() == view.value.data(),
      "MemcachedNode::pin: the view's item is gone; pin right after the call that filled it");
  m.hold(view.handle);
  return view.handle;
}

void MemcachedNode::unpin(std::uint32_t handle) {
  Impl &m = *impl_;
  STAMPEDE_NODE_CHECK(handle < m.items.size() && m.items[handle] != nullptr &&
                          m.item(handle).refcount != 0,
                      "MemcachedNode::unpin: the item is not pinned (unpinned twice?)");
  m.let_go(handle);
}

std::uint64_t MemcachedNode::pinned_items() const {
  std::uint64_t n = 0;
  for (const Item *it : impl_->items) {
    n += it != nullptr && it->refcount != 0 ? 1 : 0;
  }
  return n;
}

void MemcachedNode::set_memory_limit(std::uint64_t bytes) {
  // As memcached's slabs_adjust_mem_limit without slab_reassign: pages already
  // handed out stay with their classes; only new pages see the new limit.
  impl_->config.memory_limit_bytes = bytes;
  impl_->stats.limit_maxbytes = bytes;
}

bool MemcachedNode::contains(std::string_view key, std::int64_t now_s) const {
  const Impl &m = *impl_;
  const std::uint32_t s = m.lookup(key);
  return s != kNil && !m.is_flushed(m.item(s), now_s) && !m.is_expired(m.item(s), now_s);
}

bool MemcachedNode::peek(std::string_view key, std::int64_t now_s, McItemView *out) const {
  const Impl &m = *impl_;
  const std::uint32_t s = m.lookup(key);
  if (s == kNil || m.is_flushed(m.item(s), now_s) || m.is_expired(m.item(s), now_s))
    return false;
  m.fill_view(s, out);
  return true;
}

const char *status_label(McStatus s) noexcept {
  switch (s) {
  case McStatus::kStored:
    return "STORED";
  case McStatus::kNotStored:
    return "NOT_STORED";
  case McStatus::kExists:
    return "EXISTS";
  case McStatus::kNotFound:
    return "NOT_FOUND";
  case McStatus::kDeleted:
    return "DELETED";
  case McStatus::kTouched:
    return "TOUCHED";
  case McStatus::kOk:
    return "OK";
  case McStatus::kNonNumeric:
    return "NON_NUMERIC";
  case McStatus::kTooLarge:
    return "TOO_LARGE";
  case McStatus::kNoMemory:
    return "NO_MEMORY";
  }
  return "?";
}

} // namespace stampede
