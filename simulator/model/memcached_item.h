// The parts a memcached node is made of, as memcached 1.6 has them: an
// item's header with its key and value behind it (Item), the memory chunks
// of each slab class (Arena), the LRU lists, the slab classes, the queued
// bumps, and the hash of a key. Included by memcached_impl.h only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "internal/memcached_slabs.h"
#include "stampede/memcached_node.h"

namespace stampede::memcached_internal {

using internal::SlabClassSize;

inline constexpr std::uint32_t kNil = 0xffffffffu;

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
struct Item {
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
static_assert(sizeof(Item) == internal::kItemHeaderBytes + internal::kItemCasBytes,
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
  std::uint32_t id;
  std::uint32_t gen;
};

/// The table's hash of a key. Only chain order depends on it, and nothing
/// observable depends on chain order, so it is chosen for speed (it runs on
/// every get): the key is read as 64-bit words, the last one overlapping the
/// one before (a key of 4 to 7 bytes as two overlapping halves), each mixed
/// in by an xor and a multiply; then the high bits, which depend on every
/// bit read, are folded into the low ones the bucket index takes. FNV-1a,
/// used before, took a multiply per byte. Deterministic for a given byte
/// order (words are read in the host's).
inline std::uint64_t hash_key(std::string_view key) {
  constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ull; // 2^64 / golden ratio, odd
  const char *p = key.data();
  const std::size_t n = key.size();
  std::uint64_t h = n * kMul;
  const auto mix = [&h](std::uint64_t word) { h = (h ^ word) * kMul; };
  if (n >= 8) {
    std::uint64_t word;
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&word, p + i, 8);
      mix(word);
    }
    std::memcpy(&word, p + n - 8, 8);
    mix(word);
  } else if (n >= 4) {
    std::uint32_t first, last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    mix(std::uint64_t{first} << 32 | last);
  } else {
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < n; ++i)
      word = word << 8 | static_cast<unsigned char>(p[i]);
    mix(word);
  }
  return h ^ (h >> 32);
}

} // namespace stampede::memcached_internal
