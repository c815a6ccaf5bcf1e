// MemcachedNode's insides, shared by the three files that implement it:
// memcached_node.cc (the text protocol's operations, and the list of what
// differs from memcached 1.6), memcached_slabs.cc (memory, eviction and the
// LRU maintainer) and memcached_meta.cc (the meta commands). Nothing else
// includes it.
//
// Here: MemcachedNode::Impl, over the parts in memcached_item.h (an item's
// header, the arena, the LRU lists and slab classes). The operations' hot
// path is inline here (the hash table, the LRU links, lookup and bump, link
// and unlink, the store path), as it was when the node was one file;
// allocation and eviction, append/prepend, incr/decr and the maintainer's
// queued bumps are defined in the .cc files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "internal/memcached_slabs.h"
#include "model/memcached_item.h"
#include "stampede/memcached_node.h"

namespace stampede {

/// The node's own consistency checks, kept in every build (release and fuzz
/// included, where assert() would vanish): a failed one is our bug, said on
/// stderr before the process stops. @param what the broken rule.
[[noreturn]] void node_check_failed(const char *what) noexcept;

} // namespace stampede

#define STAMPEDE_NODE_CHECK(cond, what)                                                            \
  do {                                                                                             \
    if (!(cond)) [[unlikely]]                                                                      \
      ::stampede::node_check_failed(what);                                                         \
  } while (0)

namespace stampede {

struct MemcachedNode::Impl {
  // The internal names, unqualified in the members below.
  using Arena = memcached_internal::Arena;
  using BumpEntry = memcached_internal::BumpEntry;
  using Lru = memcached_internal::Lru;
  using LruList = memcached_internal::LruList;
  using SlabClass = memcached_internal::SlabClass;
  using SlabClassSize = memcached_internal::SlabClassSize;
  using Item = memcached_internal::Item;
  using enum memcached_internal::Lru;
  using enum memcached_internal::ItemFlag;
  static constexpr std::uint32_t kNil = memcached_internal::kNil;

  /// memcached's ITEM_UPDATE_INTERVAL: an item is relinked at most this often.
  static constexpr std::int64_t kUpdateIntervalS = 60;
  /// LRU_BUMP_BUF_SIZE: COLD hits waiting to move to WARM; more are dropped.
  static constexpr std::size_t kBumpQueueMax = 8192;
  /// Keys are validated by the caller; only asserted here.
  static constexpr std::size_t kMaxKeyBytes = 250;

  /// The slab classes and the arena's from `c`; an empty hash table.
  explicit Impl(const McConfig &c);

  McConfig config;
  std::uint32_t page_bytes = 0;
  std::uint32_t chunk_max_bytes = 0;
  std::vector<SlabClass> classes;
  Arena arena;
  std::vector<Item *> items;       ///< By item id; null when the id is free.
  std::vector<std::uint32_t> gens; ///< By item id: bumped when freed; validates queued bumps.
  std::vector<std::uint32_t> free_ids;
  std::vector<std::uint32_t> buckets; ///< Power-of-two count; heads of hash chains.
  std::vector<BumpEntry> bumps;       ///< COLD hits waiting to move to WARM.
  std::uint64_t malloced = 0;
  std::uint64_t last_cas = 0;
  std::int64_t oldest_live = 0; ///< flush_all's settings.oldest_live; 0 = no flush.
  std::uint64_t oldest_cas = 0; ///< flush_all's settings.oldest_cas.
  McStats stats;

  ~Impl();
  Impl(const Impl &) = delete;
  Impl &operator=(const Impl &) = delete;

  bool segmented() const { return config.lru == LruModel::kSegmented; }

  Item &item(std::uint32_t s) { return *items[s]; }
  const Item &item(std::uint32_t s) const { return *items[s]; }

  /// The arena class an item's memory comes from: its own class when it is
  /// charged its real size, else the class its real bytes need.
  int storage_class(std::uint64_t ntotal, std::uint64_t value_bytes, std::uint32_t key_len,
                    std::uint32_t value_len, std::size_t clsid) const {
    std::uint64_t need = ntotal;
    if (value_bytes != value_len) {
      need = sizeof(Item) + key_len + value_len;
    } else if (ntotal <= chunk_max_bytes) {
      return static_cast<int>(clsid);
    }
    for (std::size_t i = 0; i < classes.size(); ++i) {
      if (need <= classes[i].size.chunk_bytes) {
        return static_cast<int>(i);
      }
    }
    return Arena::kLarge;
  }

  static std::size_t storage_bytes(std::uint32_t key_len, std::uint32_t value_len) {
    return sizeof(Item) + key_len + value_len;
  }

  /// Gives back an item's memory (its accounting is the caller's).
  void free_memory(std::uint32_t s) {
    Item *it = items[s];
    const int sclass =
        storage_class(it->ntotal, it->value_bytes(), it->key_len, it->value_len, it->clsid);
    it->~Item();
    arena.give(sclass, reinterpret_cast<char *>(it));
    items[s] = nullptr;
    gens[s] += 1;
    free_ids.push_back(s);
  }

  std::uint64_t next_cas() { return ++last_cas; }

  // ---- hash table (assoc.c) ----

  std::size_t bucket_of(std::string_view key) const {
    return static_cast<std::size_t>(memcached_internal::hash_key(key)) & (buckets.size() - 1);
  }

  std::uint32_t lookup(std::string_view key) const {
    for (std::uint32_t s = buckets[bucket_of(key)]; s != kNil; s = item(s).hnext) {
      if (item(s).key() == key) {
        return s;
      }
    }
    return kNil;
  }

  void hash_insert(std::uint32_t s) {
    // Grow at 1.5 items per bucket, as assoc.c does; only during warm-up.
    if (stats.curr_items > buckets.size() + buckets.size() / 2) {
      buckets.assign(buckets.size() * 2, kNil);
      for (std::uint32_t i = 0; i < items.size(); ++i) {
        if (items[i] != nullptr && (item(i).it_flags & kLinked) != 0 && i != s) {
          std::size_t b = bucket_of(item(i).key());
          item(i).hnext = buckets[b];
          buckets[b] = i;
        }
      }
    }
    std::size_t b = bucket_of(item(s).key());
    item(s).hnext = buckets[b];
    buckets[b] = s;
  }

  void hash_remove(std::uint32_t s) {
    std::uint32_t *link = &buckets[bucket_of(item(s).key())];
    while (*link != s) {
      STAMPEDE_NODE_CHECK(*link != kNil,
                          "MemcachedNode: a linked item is missing from its hash chain");
      link = &item(*link).hnext;
    }
    *link = item(s).hnext;
    item(s).hnext = kNil;
  }

  // ---- LRU lists (items.c do_item_link_q / do_item_unlink_q) ----

  LruList &list_of(const Item &it) { return classes[it.clsid].lrus[it.lru]; }

  void link_q(std::uint32_t s) {
    Item &it = item(s);
    LruList &l = list_of(it);
    it.prev = kNil;
    it.next = l.head;
    if (l.head != kNil) {
      item(l.head).prev = s;
    }
    l.head = s;
    if (l.tail == kNil) {
      l.tail = s;
    }
    l.bytes += it.ntotal;
  }

  void unlink_q(std::uint32_t s) {
    Item &it = item(s);
    LruList &l = list_of(it);
    if (l.head == s) {
      l.head = it.next;
    }
    if (l.tail == s) {
      l.tail = it.prev;
    }
    if (it.next != kNil) {
      item(it.next).prev = it.prev;
    }
    if (it.prev != kNil) {
      item(it.prev).next = it.next;
    }
    it.prev = it.next = kNil;
    l.bytes -= it.ntotal;
  }

  void move_to(std::uint32_t s, Lru lru) {
    unlink_q(s);
    item(s).lru = lru;
    link_q(s);
  }

  // ---- item lifetime ----

  /// do_item_link: a new CAS unique, the hash table, the head of the LRU new
  /// items enter (HOT when segmented, the one list otherwise).
  void link(std::uint32_t s, std::int64_t now_s) {
    Item &it = item(s);
    it.it_flags = kLinked;
    it.time_s = now_s;
    it.cas = next_cas();
    it.lru = segmented() ? kHot : kCold;
    stats.curr_items += 1;
    stats.total_items += 1;
    stats.bytes += it.ntotal;
    hash_insert(s);
    link_q(s);
  }

  /// do_item_unlink followed by do_item_remove: the item leaves the hash
  /// table and its LRU; its chunks and id are free again at once, or, while
  /// a reply still holds a pin on it, when the last pin goes (unpin).
  void unlink(std::uint32_t s) {
    Item &it = item(s);
    STAMPEDE_NODE_CHECK((it.it_flags & kLinked) != 0,
                        "MemcachedNode: unlinking an item that is not linked");
    stats.curr_items -= 1;
    stats.bytes -= it.ntotal;
    hash_remove(s);
    unlink_q(s);
    if (it.refcount == 0) {
      release(s);
    } else {
      it.it_flags = 0; // unlinked, its memory still in use by a reply
    }
  }

  /// The chunks of its class an item is accounted.
  std::uint32_t nchunks(const Item &it) const {
    const std::uint32_t chunk = classes[it.clsid].size.chunk_bytes;
    return (it.ntotal + chunk - 1) / chunk;
  }

  /// Returns an unlinked item's chunks, memory and id.
  void release(std::uint32_t s) {
    Item &it = item(s);
    classes[it.clsid].used_chunks -= nchunks(it);
    free_memory(s);
  }

  bool is_flushed(const Item &it, std::int64_t now_s) const {
    if (oldest_live == 0 || oldest_live > now_s) {
      return false;
    }
    return it.time_s <= oldest_live || (oldest_cas != 0 && it.cas < oldest_cas);
  }

  bool is_expired(const Item &it, std::int64_t now_s) const {
    return it.exptime != 0 && it.exptime <= now_s;
  }

  /// do_item_get without the bump: the live item for a key, or kNil. A
  /// flushed or expired item found here is unlinked at once (lazy expiry).
  std::uint32_t find(std::string_view key, std::int64_t now_s) {
    STAMPEDE_NODE_CHECK(key.size() <= kMaxKeyBytes, "MemcachedNode: keys are at most 250 bytes");
    std::uint32_t s = lookup(key);
    if (s == kNil) {
      return kNil;
    }
    if (is_flushed(item(s), now_s)) {
      unlink(s);
      stats.get_flushed += 1;
      return kNil;
    }
    if (is_expired(item(s), now_s)) {
      unlink(s);
      stats.get_expired += 1;
      return kNil;
    }
    return s;
  }

  /// do_item_update: relink (or, segmented, move a COLD+ACTIVE item to WARM),
  /// at most once per ITEM_UPDATE_INTERVAL except under the plain model.
  void update(std::uint32_t s, std::int64_t now_s) {
    Item &it = item(s);
    switch (config.lru) {
    case LruModel::kPlain:
      // The textbook LRU the lecture draws: every hit moves to the head.
      it.time_s = now_s;
      unlink_q(s);
      link_q(s);
      break;
    case LruModel::kClassic:
      if (it.time_s < now_s - kUpdateIntervalS) {
        it.time_s = now_s;
        unlink_q(s);
        link_q(s);
      }
      break;
    case LruModel::kSegmented:
      if (it.lru == kCold && (it.it_flags & kActive) != 0) {
        it.time_s = now_s;
        it.it_flags &= static_cast<std::uint8_t>(~kActive);
        move_to(s, kWarm);
        stats.moves_to_warm += 1;
      } else if (it.time_s < now_s - kUpdateIntervalS) {
        it.time_s = now_s;
      }
      break;
    }
  }

  /// do_item_get's bump on a fetch (get, gets, gat, touch).
  void bump(std::uint32_t s, std::int64_t now_s) {
    Item &it = item(s);
    if (!segmented()) {
      it.it_flags |= kFetched;
      update(s, now_s);
      return;
    }
    // An item must be fetched twice to become ACTIVE; then it is rescued from
    // HOT/COLD by the maintainer instead of sinking.
    if ((it.it_flags & kActive) != 0) {
      return;
    }
    if ((it.it_flags & kFetched) == 0) {
      it.it_flags |= kFetched;
      return;
    }
    it.it_flags |= kActive;
    if (it.lru != kCold) {
      update(s, now_s);
    } else if (bumps.size() < kBumpQueueMax) {
      // memcached hands COLD hits to the maintainer thread; the move happens
      // at the start of the next operation (process_bumps).
      bumps.push_back({s, gens[s]});
    } else {
      it.it_flags &= static_cast<std::uint8_t>(~kActive);
      stats.lru_bumps_dropped += 1;
    }
  }

  /// The start of every operation: the maintainer's pending bumps run first.
  void begin(std::int64_t now_s) {
    if (!bumps.empty()) {
      process_bumps(now_s);
    }
  }

  void fill_view(std::uint32_t s, McItemView *out) const {
    if (out == nullptr) {
      return;
    }
    const Item &it = item(s);
    out->key = it.key();
    out->value = it.value();
    out->flags = it.flags;
    out->cas = it.cas;
    out->exptime = it.exptime;
    out->last_access_s = it.time_s;
    out->total_bytes = it.ntotal;
    out->slab_class = static_cast<std::uint32_t>(it.clsid) + 1;
    out->fetched = (it.it_flags & kFetched) != 0;
    out->stale = (it.it_flags & kStale) != 0;
    out->win_token_sent = (it.it_flags & kTokenSent) != 0;
    out->key_binary = (it.it_flags & kKeyBinary) != 0;
    out->handle = s;
  }

  /// process_update_command's failure path: a set that cannot store removes
  /// the old value, so no stale data outlives a failed set.
  void drop_on_failed_set(StoreMode mode, std::string_view key, std::int64_t now_s) {
    if (mode != StoreMode::kSet) {
      return;
    }
    if (std::uint32_t old = find(key, now_s); old != kNil) {
      unlink(old);
    }
  }

  /// do_store_item. `set_stale` is a meta set's I flag: a cas older than the
  /// item's stores the value but keeps the item stale (CAS_STALE).
  McStatus store_item(StoreMode mode, std::string_view key, std::uint32_t flags,
                      std::int64_t exptime_abs, std::string_view value, std::uint64_t cas_in,
                      std::int64_t now_s, std::uint64_t *cas_out, std::uint32_t charge_bytes,
                      bool set_stale, bool key_binary) {
    stats.cmd_set += 1;
    if (mode == StoreMode::kAppend || mode == StoreMode::kPrepend) {
      // memcached combines into a fresh item: no binary-key mark survives.
      return store_append(mode, key, value, cas_in, now_s, cas_out, charge_bytes);
    }
    // memcached allocates the new item before looking for the old one, so the
    // allocation may evict the old item (then a replace or cas finds nothing).
    McStatus status = McStatus::kStored;
    const std::uint64_t value_bytes = charge_bytes != 0 ? charge_bytes : value.size();
    const std::uint32_t s = alloc_item(key, flags, exptime_abs, value_bytes,
                                       static_cast<std::uint32_t>(value.size()), now_s, &status);
    if (s == kNil) {
      drop_on_failed_set(mode, key, now_s);
      return status;
    }
    if (!value.empty()) // an empty view may have no data pointer, which memcpy may not take
      std::memcpy(item(s).value_data(), value.data(), value.size());
    return commit_item(s, mode, cas_in, now_s, cas_out, set_stale, key_binary);
  }

  /// A reserved item's data has arrived: store it as `mode` (the node's
  /// store_item on an item allocated when the command arrived).
  McStatus store_reserved(std::uint32_t s, StoreMode mode, std::uint64_t cas_in, std::int64_t now_s,
                          std::uint64_t *cas_out, bool set_stale, bool key_binary) {
    begin(now_s);
    stats.cmd_set += 1;
    if (mode == StoreMode::kAppend || mode == StoreMode::kPrepend) {
      // The data item stays held while the combined one is built, then goes.
      const McStatus st =
          store_append(mode, item(s).key(), item(s).value(), cas_in, now_s, cas_out, 0);
      let_go(s);
      return st;
    }
    item(s).refcount -= 1; // the reservation's hold; commit_item links or frees it
    return commit_item(s, mode, cas_in, now_s, cas_out, set_stale, key_binary);
  }

  /// do_store_item's second half: an allocated, unlinked, filled item `s`
  /// replaces (or not) the key's live item.
  McStatus commit_item(std::uint32_t s, StoreMode mode, std::uint64_t cas_in, std::int64_t now_s,
                       std::uint64_t *cas_out, bool set_stale, bool key_binary) {
    McStatus status = McStatus::kStored;
    const std::string_view key = item(s).key(); // in s's chunk: valid until s is released
    const std::uint32_t old = find(key, now_s);
    std::uint8_t keep_flags = 0;
    switch (mode) {
    case StoreMode::kAdd:
      if (old != kNil) {
        // "add only adds a nonexistent item, but promote to head of LRU".
        update(old, now_s);
        status = McStatus::kNotStored;
      }
      break;
    case StoreMode::kReplace:
      if (old == kNil) {
        status = McStatus::kNotStored;
      }
      break;
    case StoreMode::kCas:
      if (old == kNil) {
        stats.cas_misses += 1;
        status = McStatus::kNotFound;
      } else if (item(old).cas == cas_in && cas_in != 0) {
        stats.cas_hits += 1;
      } else if (set_stale && cas_in != 0 && cas_in < item(old).cas) {
        // A late writer's value is kept, still stale, with the old TTL and token.
        stats.cas_hits += 1;
        item(s).exptime = item(old).exptime;
        keep_flags = static_cast<std::uint8_t>(kStale | (item(old).it_flags & kTokenSent));
      } else {
        stats.cas_badval += 1;
        status = McStatus::kExists;
      }
      break;
    default:
      break;
    }
    if (status != McStatus::kStored) {
      release(s);
      return status;
    }
    if (old != kNil) {
      unlink(old);
    }
    link(s, now_s);
    item(s).it_flags |= keep_flags;
    if (key_binary) {
      item(s).it_flags |= kKeyBinary;
    }
    if (cas_out != nullptr) {
      *cas_out = item(s).cas;
    }
    return McStatus::kStored;
  }

  /// A pin: the item stays in memory, unchanged, and is never evicted.
  void hold(std::uint32_t s) { item(s).refcount += 1; }

  /// The pin's end: an item unlinked meanwhile is freed with its last pin.
  void let_go(std::uint32_t s) {
    Item &it = item(s);
    it.refcount -= 1;
    if (it.refcount == 0 && (it.it_flags & kLinked) == 0) {
      release(s);
    }
  }

  static std::size_t format_u64(std::uint64_t value, char *buf) {
    char rev[24];
    std::size_t n = 0;
    std::size_t len = 0;
    do {
      rev[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n > 0) {
      buf[len++] = rev[--n];
    }
    return len;
  }

  // ---- memory (slabs.c), eviction, the LRU maintainer: memcached_slabs.cc ----

  void free_all();
  void process_bumps(std::int64_t now_s);
  // Declared inline but defined in memcached_slabs.cc, where alloc_item, their
  // one caller, inlines them as when the node was one file; a call from
  // another file is an error ("inline function used but never defined").
  inline int class_for(std::uint64_t ntotal) const;
  inline bool new_page(SlabClass &c);
  inline bool slabs_alloc(SlabClass &c, std::uint32_t nchunks);
  inline int pull_tail(std::size_t id, Lru lru, std::uint64_t total_bytes, bool evict,
                       std::int64_t max_age_s, std::int64_t now_s);
  inline void juggle(std::size_t id, std::int64_t now_s);
  inline bool alloc(std::size_t id, std::uint64_t ntotal, std::int64_t now_s);
  std::uint32_t alloc_item(std::string_view key, std::uint32_t flags, std::int64_t exptime_abs,
                           std::uint64_t value_bytes, std::uint32_t value_len, std::int64_t now_s,
                           McStatus *status);

  // ---- append/prepend and incr/decr (do_store_item, do_add_delta): memcached_node.cc ----

  McStatus store_append(StoreMode mode, std::string_view key, std::string_view data,
                        std::uint64_t cas_in, std::int64_t now_s, std::uint64_t *cas_out,
                        std::uint32_t charge_bytes);
  McStatus add_delta(std::uint32_t s, std::string_view key, bool incr, std::uint64_t delta,
                     std::int64_t now_s, std::uint64_t *result, std::uint32_t *id_out);
};

} // namespace stampede
