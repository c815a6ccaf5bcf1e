/// @file memcached_slabs.h
/// memcached 1.6's item and slab arithmetic, shared by MemcachedNode and its tests.
///
/// An item occupies one chunk of the smallest slab class whose chunk fits its
/// total size (memcached's ITEM_ntotal); memory is handed to a class one page
/// at a time. The tests recompute how many items a memory limit holds from
/// these same numbers, so the arithmetic lives here once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stampede::internal {

/// sizeof(item) in memcached 1.6 on a 64-bit build.
inline constexpr std::uint32_t kItemHeaderBytes = 48;
/// The CAS unique stored after the header (memcached runs with CAS on by default).
inline constexpr std::uint32_t kItemCasBytes = 8;
/// Client flags are stored only when non-zero (item_make_header's "suffix").
inline constexpr std::uint32_t kItemFlagsBytes = 4;
/// memcached's slab page ("settings.slab_page_size").
inline constexpr std::uint32_t kSlabPageBytes = 1u << 20;
/// Chunk sizes are rounded up to this (CHUNK_ALIGN_BYTES).
inline constexpr std::uint32_t kChunkAlignBytes = 8;
/// memcached's MAX_NUMBER_OF_SLAB_CLASSES is 64 and class 0 is unused.
inline constexpr std::size_t kMaxSlabClasses = 63;

/// One slab class: its chunk size and how many chunks one page holds.
struct SlabClassSize {
  std::uint32_t chunk_bytes = 0; ///< Size of every chunk in the class.
  std::uint32_t per_page = 0;    ///< Chunks carved from one page.
};

/// The bytes an item occupies, memcached's ITEM_ntotal: header, CAS, key and
/// its NUL, the flags when non-zero, the value and its CRLF.
/// @param key_bytes the key's length.
/// @param flags the client flags (only whether they are zero matters).
/// @param value_bytes the value's length, without CRLF.
/// @return the item's total size in bytes.
inline std::uint64_t item_total_bytes(std::size_t key_bytes, std::uint32_t flags,
                                      std::uint64_t value_bytes) {
  return std::uint64_t{kItemHeaderBytes} + kItemCasBytes + key_bytes + 1 +
         (flags != 0 ? kItemFlagsBytes : 0) + value_bytes + 2;
}

/// The slab classes memcached's slabs_init builds: chunk sizes start at the
/// item header plus `chunk_min_bytes`, grow by `growth_factor` (each rounded
/// up to 8 bytes) while below `chunk_max_bytes / growth_factor`, and a last
/// class holds chunks of exactly `chunk_max_bytes`.
/// @param growth_factor -f, > 1.
/// @param chunk_min_bytes -n.
/// @param page_bytes the slab page size.
/// @param chunk_max_bytes the largest chunk (memcached: half a page).
/// @return the classes, smallest first (memcached's class 1 is element 0).
inline std::vector<SlabClassSize> slab_class_sizes(double growth_factor,
                                                   std::uint32_t chunk_min_bytes,
                                                   std::uint32_t page_bytes,
                                                   std::uint32_t chunk_max_bytes) {
  std::vector<SlabClassSize> classes;
  // memcached keeps the running size in an unsigned int and truncates after
  // each multiplication; doing the same reproduces its table exactly.
  std::uint32_t size = kItemHeaderBytes + chunk_min_bytes;
  while (classes.size() + 1 < kMaxSlabClasses) {
    if (static_cast<double>(size) >= static_cast<double>(chunk_max_bytes) / growth_factor) {
      break;
    }
    if (size % kChunkAlignBytes != 0) {
      size += kChunkAlignBytes - size % kChunkAlignBytes;
    }
    classes.push_back({size, page_bytes / size});
    size = static_cast<std::uint32_t>(static_cast<double>(size) * growth_factor);
  }
  classes.push_back({chunk_max_bytes, page_bytes / chunk_max_bytes});
  return classes;
}

} // namespace stampede::internal
