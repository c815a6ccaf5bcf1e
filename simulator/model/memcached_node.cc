// One memcached node: memcached 1.6's storage semantics (items.c, slabs.c,
// assoc.c, do_store_item and do_add_delta) over a pool of slots.
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
// Arena and Slot). A node that charges items a size of its own (the
// simulator's `cache.item_bytes`) stores each in the chunk its real size
// needs, so a simulated 64 MB node holds only the bytes it really stores.
// The meta protocol's per-item state (ITEM_STALE, ITEM_TOKEN_SENT,
// ITEM_KEY_BINARY) lives in the slot's flags beside FETCHED and ACTIVE.
// `plain` is not a memcached mode: it is the memory side above with the
// lecture's textbook LRU (every hit relinks at the head).
#include "stampede/memcached_node.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <memory>
#include <vector>

#include "internal/memcached_slabs.h"

namespace stampede {

namespace {

using internal::SlabClassSize;

constexpr std::uint32_t kNil = 0xffffffffu;
/// protocol.txt: exptimes up to 30 days are relative (REALTIME_MAXDELTA).
constexpr std::int64_t kRelativeMaxS = 60 * 60 * 24 * 30;
/// memcached's ITEM_UPDATE_INTERVAL: an item is relinked at most this often.
constexpr std::int64_t kUpdateIntervalS = 60;
/// lru_pull_tail looks at no more than this many items from a tail.
constexpr int kPullTries = 5;
/// do_item_alloc_pull's attempts to find memory.
constexpr int kAllocTries = 10;
/// lru_maintainer_juggle's moves per run.
constexpr int kJuggleLoops = 500;
/// memcached 1.6 defaults: hot_lru_pct, warm_lru_pct, hot_max_factor, warm_max_factor.
constexpr std::uint64_t kHotLruPct = 20;
constexpr std::uint64_t kWarmLruPct = 40;
constexpr double kHotMaxFactor = 0.2;
constexpr double kWarmMaxFactor = 2.0;
/// LRU_BUMP_BUF_SIZE: COLD hits waiting to move to WARM; more are dropped.
constexpr std::size_t kBumpQueueMax = 8192;
/// Keys are validated by the caller; only asserted here.
[[maybe_unused]] constexpr std::size_t kMaxKeyBytes = 250;

enum Lru : std::uint8_t { kHot = 0, kWarm = 1, kCold = 2, kLruCount = 3 };

enum ItemFlag : std::uint8_t {
  kLinked = 1,     ///< In the hash table and an LRU.
  kFetched = 2,    ///< Read at least once since stored.
  kActive = 4,     ///< Read twice (segmented) and not yet moved for it.
  kStale = 8,      ///< ITEM_STALE: invalidated by a meta delete, still served.
  kTokenSent = 16, ///< ITEM_TOKEN_SENT: a meta get already handed out the win.
  kKeyBinary = 32, ///< ITEM_KEY_BINARY: stored with a base64 key.
};

/// One item's header, at the start of its chunk; the key follows it, then
/// the value. 56 bytes: the header and CAS memcached charges every item
/// (ITEM_ntotal), so a chunk of the item's class holds it whole.
struct Slot {
  std::uint64_t cas = 0;
  std::int64_t exptime = 0;    ///< Absolute Unix seconds; 0 = never.
  std::int64_t time_s = 0;     ///< memcached's it->time: when linked or last bumped.
  std::uint32_t hnext = kNil;  ///< Hash chain.
  std::uint32_t prev = kNil;   ///< Towards the LRU head.
  std::uint32_t next = kNil;   ///< Towards the LRU tail.
  std::uint32_t ntotal = 0;    ///< Bytes accounted (ITEM_ntotal, charge applied).
  std::uint32_t value_len = 0; ///< Bytes of value stored after the key.
  std::uint32_t flags = 0;
  std::uint32_t refcount = 0; ///< Pins held by replies not yet sent (memcached's refcount - 1).
  std::uint8_t key_len = 0;
  std::uint8_t clsid = 0; ///< Index into classes.
  std::uint8_t lru = kCold;
  std::uint8_t it_flags = 0;

  char *key_data() { return reinterpret_cast<char *>(this + 1); }
  const char *key_data() const { return reinterpret_cast<const char *>(this + 1); }
  char *value_data() { return key_data() + key_len; }
  std::string_view key() const { return {key_data(), key_len}; }
  std::string_view value() const { return {key_data() + key_len, value_len}; }
  /// The value's accounted length: its real length, or the charge.
  std::uint64_t value_bytes() const {
    return ntotal - internal::item_total_bytes(key_len, flags, 0);
  }
};
static_assert(sizeof(Slot) == internal::kItemHeaderBytes + internal::kItemCasBytes,
              "an item's header must fit the bytes memcached charges for it");

/// The memory items live in: per slab class, chunks carved from real pages as
/// the class first needs them and a list of freed chunks (memcached's
/// slabs.c). Which chunk an item may take is decided by SlabClass's
/// accounting; the arena only hands the memory out. An item larger than the
/// largest chunk gets a block of its own size (memcached chains chunks).
class Arena {
public:
  static constexpr int kLarge = -1;

  void init(const std::vector<std::uint32_t> &chunk_bytes, std::uint32_t page_bytes) {
    page_bytes_ = page_bytes;
    classes_.clear();
    for (const std::uint32_t c : chunk_bytes) {
      classes_.push_back(Class{c, nullptr, nullptr, 0});
    }
  }

  /// @return a chunk of class `sclass`, or (kLarge) a block of `bytes`.
  char *take(int sclass, std::size_t bytes) {
    if (sclass == kLarge) {
      return new char[bytes];
    }
    Class &c = classes_[static_cast<std::size_t>(sclass)];
    if (c.free != nullptr) {
      FreeChunk *f = c.free;
      c.free = f->next;
      return reinterpret_cast<char *>(f);
    }
    if (c.left == 0) {
      // Not value-initialised: the kernel backs a page as it is written.
      pages_.emplace_back(new char[page_bytes_]);
      c.carve = pages_.back().get();
      c.left = page_bytes_ / c.chunk_bytes;
    }
    char *chunk = c.carve;
    c.carve += c.chunk_bytes;
    c.left -= 1;
    return chunk;
  }

  void give(int sclass, char *chunk) {
    if (sclass == kLarge) {
      delete[] chunk;
      return;
    }
    Class &c = classes_[static_cast<std::size_t>(sclass)];
    auto *f = reinterpret_cast<FreeChunk *>(chunk);
    f->next = c.free;
    c.free = f;
  }

  /// Frees every page. Large blocks are the caller's to give back first.
  void reset() {
    pages_.clear();
    for (Class &c : classes_) {
      c.free = nullptr;
      c.carve = nullptr;
      c.left = 0;
    }
  }

private:
  struct FreeChunk {
    FreeChunk *next;
  };
  struct Class {
    std::uint32_t chunk_bytes;
    FreeChunk *free;
    char *carve; ///< The unused rest of the class's newest page.
    std::uint32_t left;
  };
  std::uint32_t page_bytes_ = 0;
  std::vector<Class> classes_;
  std::vector<std::unique_ptr<char[]>> pages_;
};

struct LruList {
  std::uint32_t head = kNil;
  std::uint32_t tail = kNil;
  std::uint64_t bytes = 0; ///< memcached's sizes_bytes.
};

struct SlabClass {
  SlabClassSize size;
  std::uint64_t pages = 0;
  std::uint64_t total_chunks = 0;
  std::uint64_t used_chunks = 0;
  std::array<LruList, kLruCount> lrus;
};

struct BumpEntry {
  std::uint32_t slot;
  std::uint32_t gen;
};

/// FNV-1a, 64-bit: deterministic on every platform. Only chain order depends
/// on it, and nothing observable depends on chain order.
std::uint64_t hash_key(std::string_view key) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

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

struct MemcachedNode::Impl {
  explicit Impl(const McConfig &c) : config(c) {
    page_bytes = std::max(internal::kSlabPageBytes, config.item_size_max);
    chunk_max_bytes = std::min(page_bytes / 2, config.item_size_max);
    for (const SlabClassSize &s : internal::slab_class_sizes(
             config.growth_factor, config.chunk_min_bytes, page_bytes, chunk_max_bytes)) {
      classes.push_back(SlabClass{s, 0, 0, 0, {}});
    }
    std::vector<std::uint32_t> chunk_sizes;
    for (const SlabClass &c : classes) {
      chunk_sizes.push_back(c.size.chunk_bytes);
    }
    arena.init(chunk_sizes, page_bytes);
    buckets.assign(std::size_t{1} << 12, kNil);
    bumps.reserve(kBumpQueueMax);
    stats.limit_maxbytes = config.memory_limit_bytes;
  }

  McConfig config;
  std::uint32_t page_bytes = 0;
  std::uint32_t chunk_max_bytes = 0;
  std::vector<SlabClass> classes;
  Arena arena;
  std::vector<Slot *> slots;       ///< By item id; null when the id is free.
  std::vector<std::uint32_t> gens; ///< By item id: bumped when freed; validates queued bumps.
  std::vector<std::uint32_t> free_ids;
  std::vector<std::uint32_t> buckets; ///< Power-of-two count; heads of hash chains.
  std::vector<BumpEntry> bumps;       ///< COLD hits waiting to move to WARM.
  std::uint64_t malloced = 0;
  std::uint64_t last_cas = 0;
  std::int64_t oldest_live = 0; ///< flush_all's settings.oldest_live; 0 = no flush.
  std::uint64_t oldest_cas = 0; ///< flush_all's settings.oldest_cas.
  McStats stats;

  ~Impl() { free_all(); }
  Impl(const Impl &) = delete;
  Impl &operator=(const Impl &) = delete;

  bool segmented() const { return config.lru == LruModel::kSegmented; }

  Slot &slot(std::uint32_t s) { return *slots[s]; }
  const Slot &slot(std::uint32_t s) const { return *slots[s]; }

  /// The arena class an item's memory comes from: its own class when it is
  /// charged its real size, else the class its real bytes need.
  int storage_class(std::uint64_t ntotal, std::uint64_t value_bytes, std::uint32_t key_len,
                    std::uint32_t value_len, std::size_t clsid) const {
    std::uint64_t need = ntotal;
    if (value_bytes != value_len) {
      need = sizeof(Slot) + key_len + value_len;
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
    return sizeof(Slot) + key_len + value_len;
  }

  /// Gives back an item's memory (its accounting is the caller's).
  void free_memory(std::uint32_t s) {
    Slot *it = slots[s];
    const int sclass =
        storage_class(it->ntotal, it->value_bytes(), it->key_len, it->value_len, it->clsid);
    it->~Slot();
    arena.give(sclass, reinterpret_cast<char *>(it));
    slots[s] = nullptr;
    gens[s] += 1;
    free_ids.push_back(s);
  }

  /// Every item's memory back, every id free (the destructor and clear()).
  void free_all() {
    for (std::uint32_t s = 0; s < slots.size(); ++s) {
      if (slots[s] != nullptr) {
        free_memory(s);
      }
    }
    arena.reset();
  }

  std::uint64_t next_cas() { return ++last_cas; }

  // ---- hash table (assoc.c) ----

  std::size_t bucket_of(std::string_view key) const {
    return static_cast<std::size_t>(hash_key(key)) & (buckets.size() - 1);
  }

  std::uint32_t lookup(std::string_view key) const {
    for (std::uint32_t s = buckets[bucket_of(key)]; s != kNil; s = slot(s).hnext) {
      if (slot(s).key() == key) {
        return s;
      }
    }
    return kNil;
  }

  void hash_insert(std::uint32_t s) {
    // Grow at 1.5 items per bucket, as assoc.c does; only during warm-up.
    if (stats.curr_items > buckets.size() + buckets.size() / 2) {
      buckets.assign(buckets.size() * 2, kNil);
      for (std::uint32_t i = 0; i < slots.size(); ++i) {
        if (slots[i] != nullptr && (slot(i).it_flags & kLinked) != 0 && i != s) {
          std::size_t b = bucket_of(slot(i).key());
          slot(i).hnext = buckets[b];
          buckets[b] = i;
        }
      }
    }
    std::size_t b = bucket_of(slot(s).key());
    slot(s).hnext = buckets[b];
    buckets[b] = s;
  }

  void hash_remove(std::uint32_t s) {
    std::uint32_t *link = &buckets[bucket_of(slot(s).key())];
    while (*link != s) {
      assert(*link != kNil && "MemcachedNode: a linked item is missing from its hash chain");
      link = &slot(*link).hnext;
    }
    *link = slot(s).hnext;
    slot(s).hnext = kNil;
  }

  // ---- LRU lists (items.c do_item_link_q / do_item_unlink_q) ----

  LruList &list_of(const Slot &it) { return classes[it.clsid].lrus[it.lru]; }

  void link_q(std::uint32_t s) {
    Slot &it = slot(s);
    LruList &l = list_of(it);
    it.prev = kNil;
    it.next = l.head;
    if (l.head != kNil) {
      slot(l.head).prev = s;
    }
    l.head = s;
    if (l.tail == kNil) {
      l.tail = s;
    }
    l.bytes += it.ntotal;
  }

  void unlink_q(std::uint32_t s) {
    Slot &it = slot(s);
    LruList &l = list_of(it);
    if (l.head == s) {
      l.head = it.next;
    }
    if (l.tail == s) {
      l.tail = it.prev;
    }
    if (it.next != kNil) {
      slot(it.next).prev = it.prev;
    }
    if (it.prev != kNil) {
      slot(it.prev).next = it.next;
    }
    it.prev = it.next = kNil;
    l.bytes -= it.ntotal;
  }

  void move_to(std::uint32_t s, Lru lru) {
    unlink_q(s);
    slot(s).lru = lru;
    link_q(s);
  }

  // ---- item lifetime ----

  /// do_item_link: a new CAS unique, the hash table, the head of the LRU new
  /// items enter (HOT when segmented, the one list otherwise).
  void link(std::uint32_t s, std::int64_t now_s) {
    Slot &it = slot(s);
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
  /// table and its LRU; its chunks and slot are free again at once, or, while
  /// a reply still holds a pin on it, when the last pin goes (unpin).
  void unlink(std::uint32_t s) {
    Slot &it = slot(s);
    assert((it.it_flags & kLinked) != 0 && "MemcachedNode: unlinking an item that is not linked");
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
  std::uint32_t nchunks(const Slot &it) const {
    const std::uint32_t chunk = classes[it.clsid].size.chunk_bytes;
    return (it.ntotal + chunk - 1) / chunk;
  }

  /// Returns an unlinked item's chunks, memory and id.
  void release(std::uint32_t s) {
    Slot &it = slot(s);
    classes[it.clsid].used_chunks -= nchunks(it);
    free_memory(s);
  }

  bool is_flushed(const Slot &it, std::int64_t now_s) const {
    if (oldest_live == 0 || oldest_live > now_s) {
      return false;
    }
    return it.time_s <= oldest_live || (oldest_cas != 0 && it.cas < oldest_cas);
  }

  bool is_expired(const Slot &it, std::int64_t now_s) const {
    return it.exptime != 0 && it.exptime <= now_s;
  }

  /// do_item_get without the bump: the live item for a key, or kNil. A
  /// flushed or expired item found here is unlinked at once (lazy expiry).
  std::uint32_t find(std::string_view key, std::int64_t now_s) {
    assert(key.size() <= kMaxKeyBytes && "MemcachedNode: keys are at most 250 bytes");
    std::uint32_t s = lookup(key);
    if (s == kNil) {
      return kNil;
    }
    if (is_flushed(slot(s), now_s)) {
      unlink(s);
      stats.get_flushed += 1;
      return kNil;
    }
    if (is_expired(slot(s), now_s)) {
      unlink(s);
      stats.get_expired += 1;
      return kNil;
    }
    return s;
  }

  /// do_item_update: relink (or, segmented, move a COLD+ACTIVE item to WARM),
  /// at most once per ITEM_UPDATE_INTERVAL except under the plain model.
  void update(std::uint32_t s, std::int64_t now_s) {
    Slot &it = slot(s);
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
    Slot &it = slot(s);
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

  /// lru_maintainer_bumps: the queued COLD hits move to WARM.
  void process_bumps(std::int64_t now_s) {
    for (const BumpEntry &b : bumps) {
      if (gens[b.slot] == b.gen && (slot(b.slot).it_flags & kLinked) != 0) {
        update(b.slot, now_s);
      }
    }
    bumps.clear();
  }

  /// The start of every operation: the maintainer's pending bumps run first.
  void begin(std::int64_t now_s) {
    if (!bumps.empty()) {
      process_bumps(now_s);
    }
  }

  // ---- memory (slabs.c) ----

  /// slabs_clsid: the smallest class that fits, or -1 when too large.
  int class_for(std::uint64_t ntotal) const {
    if (ntotal > config.item_size_max) {
      return -1;
    }
    for (std::size_t i = 0; i < classes.size(); ++i) {
      if (ntotal <= classes[i].size.chunk_bytes) {
        return static_cast<int>(i);
      }
    }
    // Larger than a chunk: chunked over the largest class.
    return static_cast<int>(classes.size() - 1);
  }

  /// do_slabs_newslab: one more page for a class, unless the limit is
  /// reached. memcached grants a class its first page past the limit.
  bool new_page(SlabClass &c) {
    const std::uint64_t limit = config.memory_limit_bytes;
    const bool first_page_exempt = c.pages == 0 && !config.strict_memory_limit;
    if (limit != 0 && malloced + page_bytes > limit && !first_page_exempt) {
      return false;
    }
    c.pages += 1;
    c.total_chunks += c.size.per_page;
    malloced += page_bytes;
    stats.total_malloced = malloced;
    return true;
  }

  bool slabs_alloc(SlabClass &c, std::uint32_t nchunks) {
    while (c.total_chunks - c.used_chunks < nchunks) {
      if (!new_page(c)) {
        return false;
      }
    }
    c.used_chunks += nchunks;
    return true;
  }

  /// lru_pull_tail: looks at up to five items from the tail of one LRU.
  /// Expired or flushed items are reclaimed (and the walk goes on); otherwise
  /// the first item decides: HOT/WARM items over their share or age move to
  /// COLD (active ones are rescued to WARM), a COLD item is evicted when
  /// `evict`, or moved to WARM when active.
  /// @return items removed or moved.
  int pull_tail(std::size_t id, Lru lru, std::uint64_t total_bytes, bool evict,
                std::int64_t max_age_s, std::int64_t now_s) {
    SlabClass &c = classes[id];
    int removed = 0;
    std::uint32_t search = c.lrus[lru].tail;
    for (int tries = kPullTries; tries > 0 && search != kNil; --tries) {
      const std::uint32_t next_it = slot(search).prev;
      Slot &it = slot(search);
      if (it.refcount != 0) {
        // Busy: a reply is still sending it (memcached's refcount check).
        search = next_it;
        continue;
      }
      // Note the strict '<', unlike do_item_get's '<=': memcached's own quirk.
      if ((it.exptime != 0 && it.exptime < now_s) || is_flushed(it, now_s)) {
        stats.reclaimed += 1;
        if ((it.it_flags & kFetched) == 0) {
          stats.expired_unfetched += 1;
        }
        unlink(search);
        removed += 1;
        search = next_it;
        continue;
      }
      if (lru == kHot || lru == kWarm) {
        std::uint64_t limit = lru == kHot ? total_bytes * kHotLruPct / 100 : 0;
        if (limit == 0) {
          limit = total_bytes * kWarmLruPct / 100;
        }
        if ((it.it_flags & kActive) != 0) {
          it.it_flags &= static_cast<std::uint8_t>(~kActive);
          removed += 1;
          if (lru == kWarm) {
            // do_item_update_nolock: relinked only if not bumped within 60 s;
            // either way the walk continues up the list.
            stats.moves_within_lru += 1;
            if (it.time_s < now_s - kUpdateIntervalS) {
              it.time_s = now_s;
              unlink_q(search);
              link_q(search);
            }
            search = next_it;
            continue;
          }
          stats.moves_to_warm += 1;
          move_to(search, kWarm);
        } else if (c.lrus[lru].bytes > limit || now_s - it.time_s > max_age_s) {
          stats.moves_to_cold += 1;
          move_to(search, kCold);
          removed += 1;
        }
        break;
      }
      // COLD: whatever happens, the walk stops here.
      if (evict) {
        stats.evictions += 1;
        if ((it.it_flags & kFetched) == 0) {
          stats.evicted_unfetched += 1;
        }
        unlink(search);
        removed += 1;
      } else if ((it.it_flags & kActive) != 0 && segmented()) {
        it.it_flags &= static_cast<std::uint8_t>(~kActive);
        stats.moves_to_warm += 1;
        move_to(search, kWarm);
        removed += 1;
      }
      break;
    }
    return removed;
  }

  /// lru_maintainer_juggle for one class: HOT and WARM drain into COLD down
  /// to their share of the class's bytes and their age limit (a fraction of
  /// the COLD tail's age), active items are rescued into WARM.
  void juggle(std::size_t id, std::int64_t now_s) {
    SlabClass &c = classes[id];
    std::int64_t cold_age = 0;
    if (c.lrus[kCold].tail != kNil) {
      cold_age = now_s - slot(c.lrus[kCold].tail).time_s;
    }
    const std::uint64_t total = c.lrus[kHot].bytes + c.lrus[kWarm].bytes + c.lrus[kCold].bytes;
    // memcached truncates these to its whole-second rel_time_t.
    const auto hot_age = static_cast<std::int64_t>(static_cast<double>(cold_age) * kHotMaxFactor);
    const auto warm_age = static_cast<std::int64_t>(static_cast<double>(cold_age) * kWarmMaxFactor);
    for (int i = 0; i < kJuggleLoops; ++i) {
      int do_more = 0;
      if (pull_tail(id, kHot, total, false, hot_age, now_s) != 0 ||
          pull_tail(id, kWarm, total, false, warm_age, now_s) != 0) {
        do_more += 1;
      }
      do_more += pull_tail(id, kCold, total, false, 0, now_s);
      if (do_more == 0) {
        break;
      }
    }
  }

  /// do_item_alloc + do_item_alloc_pull: room for an item of `ntotal` bytes
  /// in class `id`, evicting from that class's tail when the class has no
  /// free chunk and may not take another page.
  /// @return whether the chunks were found (false: out of memory).
  bool alloc(std::size_t id, std::uint64_t ntotal, std::int64_t now_s) {
    SlabClass &c = classes[id];
    const auto nchunks =
        static_cast<std::uint32_t>((ntotal + c.size.chunk_bytes - 1) / c.size.chunk_bytes);
    if (segmented()) {
      // Simplification: the maintainer thread's periodic juggle of this class
      // runs here, right before the class needs memory.
      juggle(id, now_s);
    }
    bool ok = false;
    // Large items need several chunks; each try frees at most a few.
    for (std::uint32_t i = 0; i < kAllocTries + nchunks - 1; ++i) {
      if (!segmented()) {
        // Reclaim expired items at the tail before taking fresh memory.
        pull_tail(id, kCold, 0, false, 0, now_s);
      }
      if (slabs_alloc(c, nchunks)) {
        ok = true;
        break;
      }
      if (pull_tail(id, kCold, 0, true, 0, now_s) <= 0) {
        if (!segmented()) {
          break;
        }
        // COLD is empty: push HOT's tail down so the next try can evict it.
        pull_tail(id, kHot, 0, false, 0, now_s);
      }
    }
    if (!ok) {
      stats.outofmemory += 1;
    }
    return ok;
  }

  /// An unlinked item for `key` with room for `value_len` bytes of value
  /// (uninitialised: the caller writes them), accounted `value_bytes`; or
  /// kNil with the status to return.
  std::uint32_t alloc_item(std::string_view key, std::uint32_t flags, std::int64_t exptime_abs,
                           std::uint64_t value_bytes, std::uint32_t value_len, std::int64_t now_s,
                           McStatus *status) {
    assert(key.size() <= kMaxKeyBytes && "MemcachedNode: keys are at most 250 bytes");
    const std::uint64_t ntotal = internal::item_total_bytes(key.size(), flags, value_bytes);
    const int id = class_for(ntotal);
    if (id < 0) {
      *status = McStatus::kTooLarge;
      return kNil;
    }
    if (!alloc(static_cast<std::size_t>(id), ntotal, now_s)) {
      *status = McStatus::kNoMemory;
      return kNil;
    }
    const auto key_len = static_cast<std::uint32_t>(key.size());
    const int sclass =
        storage_class(ntotal, value_bytes, key_len, value_len, static_cast<std::size_t>(id));
    auto *it = new (arena.take(sclass, storage_bytes(key_len, value_len))) Slot;
    it->clsid = static_cast<std::uint8_t>(id);
    it->ntotal = static_cast<std::uint32_t>(ntotal);
    it->key_len = static_cast<std::uint8_t>(key_len);
    it->value_len = value_len;
    it->flags = flags;
    it->exptime = exptime_abs;
    std::memcpy(it->key_data(), key.data(), key.size());
    std::uint32_t s;
    if (free_ids.empty()) {
      s = static_cast<std::uint32_t>(slots.size());
      slots.push_back(it);
      gens.push_back(0);
    } else {
      s = free_ids.back();
      free_ids.pop_back();
      slots[s] = it;
    }
    return s;
  }

  void fill_view(std::uint32_t s, McItemView *out) const {
    if (out == nullptr) {
      return;
    }
    const Slot &it = slot(s);
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
    std::memcpy(slot(s).value_data(), value.data(), value.size());
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
          store_append(mode, slot(s).key(), slot(s).value(), cas_in, now_s, cas_out, 0);
      let_go(s);
      return st;
    }
    slot(s).refcount -= 1; // the reservation's hold; commit_item links or frees it
    return commit_item(s, mode, cas_in, now_s, cas_out, set_stale, key_binary);
  }

  /// do_store_item's second half: an allocated, unlinked, filled item `s`
  /// replaces (or not) the key's live item.
  McStatus commit_item(std::uint32_t s, StoreMode mode, std::uint64_t cas_in, std::int64_t now_s,
                       std::uint64_t *cas_out, bool set_stale, bool key_binary) {
    McStatus status = McStatus::kStored;
    const std::string_view key = slot(s).key(); // in s's chunk: valid until s is released
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
      } else if (slot(old).cas == cas_in && cas_in != 0) {
        stats.cas_hits += 1;
      } else if (set_stale && cas_in != 0 && cas_in < slot(old).cas) {
        // A late writer's value is kept, still stale, with the old TTL and token.
        stats.cas_hits += 1;
        slot(s).exptime = slot(old).exptime;
        keep_flags = static_cast<std::uint8_t>(kStale | (slot(old).it_flags & kTokenSent));
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
    slot(s).it_flags |= keep_flags;
    if (key_binary) {
      slot(s).it_flags |= kKeyBinary;
    }
    if (cas_out != nullptr) {
      *cas_out = slot(s).cas;
    }
    return McStatus::kStored;
  }

  /// do_add_delta on the live item in slot `s`. @return kOk with the slot now
  /// holding the value in `*slot_out`, kNonNumeric or kNoMemory.
  McStatus add_delta(std::uint32_t s, std::string_view key, bool incr, std::uint64_t delta,
                     std::int64_t now_s, std::uint64_t *result, std::uint32_t *slot_out) {
    std::uint64_t value = 0;
    if (!parse_counter(slot(s).value(), &value)) {
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
    Slot &it = slot(s);
    if (len <= it.value_len && it.refcount == 0) {
      // do_add_delta rewrites in place when the number fits and no reply
      // holds the item, padding with spaces: the value keeps its length ("9 "
      // after decr of "10").
      std::memcpy(it.value_data(), buf, len);
      std::memset(it.value_data() + len, ' ', it.value_len - len);
      it.cas = next_cas();
      update(s, now_s);
      *slot_out = s;
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
    const bool old_alive = (slot(s).it_flags & kLinked) != 0 && slot(s).cas == old_cas;
    let_go(s);
    if (n == kNil) {
      return McStatus::kNoMemory;
    }
    std::memcpy(slot(n).value_data(), buf, len);
    if (old_alive) {
      unlink(s);
    }
    link(n, now_s);
    *slot_out = n;
    return McStatus::kOk;
  }

  /// A pin: the item stays in memory, unchanged, and is never evicted.
  void hold(std::uint32_t s) { slot(s).refcount += 1; }

  /// The pin's end: an item unlinked meanwhile is freed with its last pin.
  void let_go(std::uint32_t s) {
    Slot &it = slot(s);
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

  McStatus store_append(StoreMode mode, std::string_view key, std::string_view data,
                        std::uint64_t cas_in, std::int64_t now_s, std::uint64_t *cas_out,
                        std::uint32_t charge_bytes) {
    const std::uint32_t old = find(key, now_s);
    if (old == kNil) {
      return McStatus::kNotStored;
    }
    // The binary protocol's append may carry a CAS; the text protocol passes 0.
    if (cas_in != 0 && cas_in != slot(old).cas) {
      return McStatus::kExists;
    }
    const std::uint64_t old_cas = slot(old).cas;
    const std::uint32_t flags = slot(old).flags;
    const std::int64_t exptime = slot(old).exptime;
    const std::uint64_t data_bytes = charge_bytes != 0 ? charge_bytes : data.size();
    McStatus status = McStatus::kStored;
    // do_store_item holds its reference on the old item while it allocates
    // the combined one: the allocation cannot evict it.
    hold(old);
    const auto old_len = slot(old).value_len;
    const std::uint32_t s =
        alloc_item(key, flags, exptime, slot(old).value_bytes() + data_bytes,
                   old_len + static_cast<std::uint32_t>(data.size()), now_s, &status);
    if (s == kNil) {
      let_go(old);
      // do_store_item answers NOT_STORED when the combined item cannot be allocated.
      return McStatus::kNotStored;
    }
    Slot &it = slot(s);
    const Slot &prev = slot(old);
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
};

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
  m.slot(s).exptime = absolute_exptime(exptime, now_s);
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
  return impl_->slot(handle).value_data();
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
  m.slot(s).exptime = absolute_exptime(exptime, now_s);
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
  assert(pinned_items() == 0 && "MemcachedNode::clear: replies still point at items");
  m.free_all();
  m.free_ids.clear();
  for (std::uint32_t i = 0; i < m.slots.size(); ++i) {
    m.free_ids.push_back(static_cast<std::uint32_t>(m.slots.size()) - 1 - i);
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
  assert(view.handle < m.slots.size() && m.slots[view.handle] != nullptr &&
         m.slot(view.handle).value().data() == view.value.data() &&
         "MemcachedNode::pin: the view's item is gone; pin right after the call that filled it");
  m.hold(view.handle);
  return view.handle;
}

void MemcachedNode::unpin(std::uint32_t handle) {
  Impl &m = *impl_;
  assert(handle < m.slots.size() && m.slots[handle] != nullptr && m.slot(handle).refcount != 0 &&
         "MemcachedNode::unpin: the item is not pinned (unpinned twice?)");
  m.let_go(handle);
}

std::uint64_t MemcachedNode::pinned_items() const {
  std::uint64_t n = 0;
  for (const Slot *it : impl_->slots) {
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
  return s != kNil && !m.is_flushed(m.slot(s), now_s) && !m.is_expired(m.slot(s), now_s);
}

} // namespace stampede

namespace stampede {

bool MemcachedNode::peek(std::string_view key, std::int64_t now_s, McItemView *out) const {
  const Impl &m = *impl_;
  const std::uint32_t s = m.lookup(key);
  if (s == kNil || m.is_flushed(m.slot(s), now_s) || m.is_expired(m.slot(s), now_s))
    return false;
  m.fill_view(s, out);
  return true;
}

} // namespace stampede

// ---------------------------------------------------------------------------
// The meta protocol's item state (proto_text.c's process_mget_command,
// process_mdelete_command, process_marithmetic_command; do_store_item's
// CAS_STALE).

namespace stampede {

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
  Slot &it = m.slot(s);
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
  Slot &it = m.slot(s);
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
    std::memcpy(m.slot(s).value_data(), buf, len);
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
  if (options.has_cas && options.cas != 0 && m.slot(s).cas != options.cas) {
    return McStatus::kExists;
  }
  std::uint32_t now_slot = kNil;
  const McStatus st = m.add_delta(s, key, options.incr, options.delta, now_s, result, &now_slot);
  if (st != McStatus::kOk) {
    return st;
  }
  // The view keeps the exptime before T: the protocol reports `t` in token order.
  m.fill_view(now_slot, out);
  if (options.touch) {
    m.slot(now_slot).exptime = options.touch_exptime;
  }
  return McStatus::kOk;
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
