/// @file memcached_node.h
/// One memcached node: the storage semantics of memcached 1.6, on any clock.
///
/// The simulator's memcached tier is a set of these, driven by virtual time;
/// `stampede memcached` serves one over the text protocol on the wall clock.
/// Both go through the same class, so what students see over `nc` is what the
/// simulated tier does.
///
/// Time is memcached's: whole Unix seconds (`now_s`), passed in by the caller
/// on every call. An exptime follows protocol.txt: 0 never expires, up to
/// 30 days (2,592,000 s) is relative to now, larger is an absolute Unix time,
/// negative is already expired.
///
/// Design note. An item is one chunk of memory (its header, key and value
/// together) carved from its slab class's pages, as memcached's slabs.c
/// does, and named by a 32-bit id; the hash table chains through the ids
/// (memcached's assoc.c) and each LRU is an intrusive doubly linked list of
/// ids (memcached's items.c). A freed chunk goes back to its class's free
/// list, so after warm-up a get or set allocates nothing. Costs: get, set, delete,
/// touch O(1) expected; an eviction O(1); flush_all O(1) (items are dropped
/// lazily when next seen, as in memcached). What differs from memcached 1.6
/// is listed at the top of model/memcached_node.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "stampede/scenario.h"

namespace stampede {

/// Outcome of a node operation, named after memcached's replies.
enum class McStatus : std::uint8_t {
  kStored,     ///< STORED
  kNotStored,  ///< NOT_STORED (add on present, replace/append/prepend on absent)
  kExists,     ///< EXISTS (cas unique mismatch)
  kNotFound,   ///< NOT_FOUND
  kDeleted,    ///< DELETED
  kTouched,    ///< TOUCHED
  kOk,         ///< incr/decr/flush succeeded
  kNonNumeric, ///< incr/decr on a value that is not a decimal number
  kTooLarge,   ///< the item exceeds the item size limit ("object too large for cache")
  kNoMemory,   ///< no room even after eviction ("out of memory storing object")
};

/// @param s an outcome.
/// @return memcached's word for it: `STORED`, `NOT_STORED`, `EXISTS`, ...
const char *status_label(McStatus s) noexcept;

/// Storage commands.
enum class StoreMode : std::uint8_t { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

/// Configuration of one node (memcached's -m, -I, -f, -n and LRU options).
struct McConfig {
  std::uint64_t memory_limit_bytes = 64u << 20; ///< -m, in bytes; 0 = no limit.
  std::uint32_t item_size_max = 1u << 20;       ///< -I: largest item, bytes.
  double growth_factor = 1.25;                  ///< -f: slab chunk growth.
  std::uint32_t chunk_min_bytes = 48;           ///< -n (plus the item header).
  LruModel lru = LruModel::kSegmented;          ///< --lru.
  /// memcached grants every slab class its first 1 MiB page even past -m, so a
  /// node never holds less than one page per size in use. true: never exceed
  /// `memory_limit_bytes` (a class that cannot get its first page stores nothing).
  bool strict_memory_limit = false;
};

/// A read-only view of a stored item, valid until the next call on the node.
struct McItemView {
  std::string_view key;           ///< The key.
  std::string_view value;         ///< The data block, without the trailing CRLF.
  std::uint32_t flags = 0;        ///< Client flags.
  std::uint64_t cas = 0;          ///< The CAS unique.
  std::int64_t exptime = 0;       ///< Absolute expiry, Unix seconds; 0 = never.
  std::int64_t last_access_s = 0; ///< memcached's it->time: when linked or last bumped.
  std::uint64_t total_bytes = 0;  ///< ITEM_ntotal: the bytes the item is charged.
  std::uint32_t slab_class = 0;   ///< memcached's slab class id (1 is the smallest).
  bool fetched = false;           ///< Read since stored (ITEM_FETCHED; meta `h`).
  bool stale = false;             ///< Invalidated by `md I` (ITEM_STALE; meta `X`).
  bool win_token_sent = false;    ///< A client already won the recache (meta `Z`).
  bool key_binary = false;        ///< Stored by a meta command with a base64 key (`b`).
  std::uint32_t handle = 0;       ///< The item's slot, for MemcachedNode::pin.
};

// The meta commands' options are internal (model/memcached_meta.h, for the
// node and its server): the meta_* members below only name them.
struct McMetaGetOptions;
struct McMetaGetResult;
struct McMetaStoreOptions;
struct McMetaArithOptions;

/// Counters with memcached's stat names (`stats`).
struct McStats {
  std::uint64_t curr_items = 0;        ///< Items stored now.
  std::uint64_t total_items = 0;       ///< Items ever stored.
  std::uint64_t bytes = 0;             ///< Bytes used by items now.
  std::uint64_t cmd_get = 0;           ///< Keys requested by get/gets/gat/gats.
  std::uint64_t get_hits = 0;          ///< Keys found.
  std::uint64_t get_misses = 0;        ///< Keys not found.
  std::uint64_t get_expired = 0;       ///< Misses on an item that had expired.
  std::uint64_t get_flushed = 0;       ///< Misses on an item invalidated by flush_all.
  std::uint64_t cmd_set = 0;           ///< Storage commands.
  std::uint64_t cmd_touch = 0;         ///< touch and gat commands.
  std::uint64_t touch_hits = 0;        ///< Touches of a live item.
  std::uint64_t touch_misses = 0;      ///< Touches of a missing item.
  std::uint64_t delete_hits = 0;       ///< Deletes of a live item.
  std::uint64_t delete_misses = 0;     ///< Deletes of a missing item.
  std::uint64_t incr_hits = 0;         ///< incr on a live item.
  std::uint64_t incr_misses = 0;       ///< incr on a missing item.
  std::uint64_t decr_hits = 0;         ///< decr on a live item.
  std::uint64_t decr_misses = 0;       ///< decr on a missing item.
  std::uint64_t cas_hits = 0;          ///< cas that stored.
  std::uint64_t cas_misses = 0;        ///< cas on a missing item.
  std::uint64_t cas_badval = 0;        ///< cas whose unique did not match (EXISTS).
  std::uint64_t evictions = 0;         ///< Live items evicted to make room.
  std::uint64_t expired_unfetched = 0; ///< Expired items reclaimed that were never read.
  std::uint64_t evicted_unfetched = 0; ///< Evicted items that were never read.
  std::uint64_t reclaimed = 0;         ///< Expired items whose memory was reused.
  std::uint64_t cmd_flush = 0;         ///< flush_all commands.
  std::uint64_t limit_maxbytes = 0;    ///< The memory limit, bytes.
  std::uint64_t total_malloced = 0;    ///< Bytes of slab pages handed out (`stats slabs`).
  std::uint64_t outofmemory = 0;       ///< Allocations that failed even after eviction.
  std::uint64_t moves_to_cold = 0;     ///< Segmented LRU: items moved to COLD.
  std::uint64_t moves_to_warm = 0;     ///< Segmented LRU: items moved to WARM.
  std::uint64_t moves_within_lru = 0;  ///< Segmented LRU: items bumped within their LRU.
  std::uint64_t lru_bumps_dropped = 0; ///< COLD hits whose move to WARM was dropped.
};

/// One memcached node's storage.
class MemcachedNode {
public:
  /// @param config memory limit, item size limit and LRU model.
  explicit MemcachedNode(const McConfig &config);
  ~MemcachedNode();
  /// Moves a node (the tier keeps nodes in a vector).
  MemcachedNode(MemcachedNode &&) noexcept;
  /// Moves a node. @return this node.
  MemcachedNode &operator=(MemcachedNode &&) noexcept;

  /// Looks a key up (get/gets), counting a hit or miss and bumping the LRU.
  /// @param key the key; at most 250 bytes, validated by the caller.
  /// @param now_s the current Unix time, seconds.
  /// @param out receives the item when found.
  /// @return true on a hit.
  bool get(std::string_view key, std::int64_t now_s, McItemView *out);

  /// get-and-touch (gat/gats): a get that also sets a new exptime.
  /// @param key the key. @param exptime the new exptime (protocol.txt rules).
  /// @param now_s now. @param out receives the item when found.
  /// @return true on a hit.
  bool gat(std::string_view key, std::int64_t exptime, std::int64_t now_s, McItemView *out);

  /// A storage command (set/add/replace/append/prepend/cas).
  /// @param mode which command.
  /// @param key the key.
  /// @param flags client flags (ignored by append/prepend, as in memcached).
  /// @param exptime protocol.txt rules (ignored by append/prepend).
  /// @param value the data block.
  /// @param cas_in the unique a cas must match (ignored otherwise).
  /// @param now_s now.
  /// @param cas_out when not null and the item was stored, receives its new unique.
  /// @param charge_bytes when non-zero, the item is charged as if its value had
  ///        this many bytes (the simulator stores a compact page but accounts
  ///        `cache.item_bytes`).
  /// @return kStored, kNotStored, kExists, kNotFound, kTooLarge or kNoMemory.
  ///         As in memcached, an append/prepend whose result is too large or
  ///         finds no memory answers kNotStored, and a set that fails with
  ///         kTooLarge or kNoMemory deletes the key's old item.
  McStatus store(StoreMode mode, std::string_view key, std::uint32_t flags, std::int64_t exptime,
                 std::string_view value, std::uint64_t cas_in, std::int64_t now_s,
                 std::uint64_t *cas_out = nullptr, std::uint32_t charge_bytes = 0);

  /// A storage command's item, allocated when its command line arrives and
  /// filled as its data block does, as memcached allocates the item before
  /// reading the data into it: a client's unfinished data block takes room
  /// inside the memory limit (or is refused), never memory beside it.
  /// @param mode the command (a failed `set` removes the key's old item).
  /// @param key the key. @param flags client flags.
  /// @param exptime_abs absolute exptime (0 = never).
  /// @param value_len the data block's length without CRLF.
  /// @param now_s now.
  /// @param status receives kStored, or kTooLarge / kNoMemory on failure.
  /// @return the handle for reserved_value() and store_reserved() (or
  ///         release_reserved()), or kNoReservation.
  std::uint32_t reserve(StoreMode mode, std::string_view key, std::uint32_t flags,
                        std::int64_t exptime_abs, std::uint32_t value_len, std::int64_t now_s,
                        McStatus *status);

  /// What reserve() returns when it fails.
  static constexpr std::uint32_t kNoReservation = 0xffffffffu;

  /// @param handle from reserve().
  /// @return where the value's `value_len` bytes go.
  char *reserved_value(std::uint32_t handle);

  /// Stores a reserved, filled item: store()'s semantics (append/prepend
  /// combine it with the old value). The handle is used up.
  /// @param handle from reserve(). @param mode the command.
  /// @param cas_in the unique a cas must match. @param now_s now.
  /// @param cas_out when not null and stored, receives the new unique.
  /// @return as store().
  McStatus store_reserved(std::uint32_t handle, StoreMode mode, std::uint64_t cas_in,
                          std::int64_t now_s, std::uint64_t *cas_out = nullptr);

  /// meta_store() for a reserved, filled item. The handle is used up.
  /// @param handle from reserve(). @param mode the command.
  /// @param options C, I and b. @param now_s now.
  /// @param cas_out when not null and stored, receives the new unique.
  /// @return as meta_store().
  McStatus meta_store_reserved(std::uint32_t handle, StoreMode mode,
                               const McMetaStoreOptions &options, std::int64_t now_s,
                               std::uint64_t *cas_out = nullptr);

  /// Gives a reserved item back unstored (a bad data chunk, a closed connection).
  /// @param handle from reserve().
  /// @param count_set whether the command counts in `cmd_set` (memcached
  ///        counts a set whose data block arrived, bad or not).
  void release_reserved(std::uint32_t handle, bool count_set);

  /// delete.
  /// @param key the key. @param now_s now.
  /// @return kDeleted or kNotFound.
  McStatus remove(std::string_view key, std::int64_t now_s);

  /// incr/decr: 64-bit unsigned, incr wraps, decr stops at 0.
  /// @param key the key. @param incr true for incr, false for decr.
  /// @param delta the amount. @param now_s now.
  /// @param result receives the new value on kOk.
  /// @return kOk, kNotFound, kNonNumeric, or kNoMemory when a longer number
  ///         needs a new item and there is no room for it.
  McStatus incr_decr(std::string_view key, bool incr, std::uint64_t delta, std::int64_t now_s,
                     std::uint64_t *result);

  /// touch: a new exptime for an existing item.
  /// @param key the key. @param exptime protocol.txt rules. @param now_s now.
  /// @return kTouched or kNotFound.
  McStatus touch(std::string_view key, std::int64_t exptime, std::int64_t now_s);

  /// flush_all [delay]: every item stored before now + delay becomes invalid then.
  /// @param delay_s seconds from now; 0 = now. Negative counts as 0.
  /// @param now_s now.
  void flush_all(std::int64_t delay_s, std::int64_t now_s);

  /// Drops every item and resets memory and counters, as a crashed and
  /// restarted node. Unlike a real restart, CAS uniques keep counting up, so
  /// a unique read before the crash never matches an item stored after it.
  void clear();

  /// @return the counters.
  const McStats &stats() const noexcept;
  /// @return the configuration.
  const McConfig &config() const noexcept;

  /// Keeps an item's key and value readable, unchanged, after later calls
  /// (a reply that points at the value instead of copying it, as memcached's
  /// responses hold a reference on their items). A pinned item may still be
  /// deleted or replaced: it leaves the table at once, but its memory stays in
  /// use (and counted against the limit) until the last pin goes; eviction
  /// skips pinned items, and incr/decr never rewrite one in place.
  /// @param view a view filled by the call just made (get, gat, meta_get...).
  /// @return the handle to pass to unpin().
  std::uint32_t pin(const McItemView &view);

  /// Drops a pin taken by pin(); the last pin of an unlinked item frees it.
  /// @param handle what pin() returned.
  void unpin(std::uint32_t handle);

  /// @return how many items are pinned now (for tests: a server that has sent
  ///         every reply holds none).
  std::uint64_t pinned_items() const;

  /// `cache_memlimit`: a new memory limit. Pages already granted are kept
  /// (memcached frees none without slab rebalancing); new pages obey it.
  /// @param bytes the limit in bytes; 0 = no limit.
  void set_memory_limit(std::uint64_t bytes);

  /// Meta get (`mg`): a lookup that may vivify a missing key, touch it, and
  /// hand out the one win token per stale or expiring item. A stale item
  /// (invalidated by meta_delete) wins for the first client that reads it and
  /// answers Z (token already sent) to the others until a store replaces it.
  /// @param key the key. @param options N, T, R and u. @param now_s now.
  /// @param out receives the item: exptime after the command, but `fetched`,
  ///        `last_access_s`, `stale` and `win_token_sent` as they were before it
  ///        (memcached reads them before its delayed bump and before the win).
  /// @param result receives created, won and the exptime before the command.
  /// @return true on a hit (or a vivified miss).
  bool meta_get(std::string_view key, const McMetaGetOptions &options, std::int64_t now_s,
                McItemView *out, McMetaGetResult *result);

  /// Meta set (`ms`): a storage command with the meta protocol's cas and
  /// invalidation rules. A store clears the item's stale state and win token,
  /// except an invalidating cas (`I`) older than the item's, which stores the
  /// value yet keeps the item stale, its exptime and its token.
  /// @param mode kSet, kAdd, kReplace, kAppend or kPrepend (a cas option turns
  ///        set and replace into kCas). @param key the key. @param flags client flags.
  /// @param exptime_abs absolute exptime (0 = never). @param value the data.
  /// @param options C, I and b. @param now_s now.
  /// @param cas_out when not null and stored, receives the new unique.
  /// @return kStored, kNotStored, kExists, kNotFound, kTooLarge or kNoMemory.
  McStatus meta_store(StoreMode mode, std::string_view key, std::uint32_t flags,
                      std::int64_t exptime_abs, std::string_view value,
                      const McMetaStoreOptions &options, std::int64_t now_s,
                      std::uint64_t *cas_out = nullptr);

  /// Meta delete (`md`): delete, or with `invalidate` mark the item stale
  /// (new unique, win token cleared so the next reader wins) and keep it.
  /// @param key the key. @param has_cas whether `cas` must match.
  /// @param cas the unique. @param invalidate `I`.
  /// @param touch whether to set `exptime_abs` when invalidating (`T`).
  /// @param exptime_abs the new absolute exptime. @param now_s now.
  /// @return kDeleted (deleted or marked stale), kNotFound or kExists.
  McStatus meta_delete(std::string_view key, bool has_cas, std::uint64_t cas, bool invalidate,
                       bool touch, std::int64_t exptime_abs, std::int64_t now_s);

  /// Meta arithmetic (`ma`): incr/decr with cas check and autovivify.
  /// @param key the key. @param options mode, delta, C, N/J and T. @param now_s now.
  /// @param result receives the new (or initial) value on kOk.
  /// @param out receives the item on kOk, its exptime as before this command's T.
  /// @param created set when N created it.
  /// @return kOk, kNotFound, kExists, kNonNumeric or kNoMemory.
  McStatus meta_arith(std::string_view key, const McMetaArithOptions &options, std::int64_t now_s,
                      std::uint64_t *result, McItemView *out, bool *created);

  /// @param key the key.
  /// @param now_s now.
  /// @return whether the key is present and live, without counting or bumping.
  bool contains(std::string_view key, std::int64_t now_s) const;

  /// Reads an item without counting a get or bumping the LRU (the simulator's
  /// detectors look at what is cached without disturbing it).
  /// @param key the key. @param now_s now. @param out receives the item when found.
  /// @return whether the key is present and live.
  bool peek(std::string_view key, std::int64_t now_s, McItemView *out) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace stampede
