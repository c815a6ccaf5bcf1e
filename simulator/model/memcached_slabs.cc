// MemcachedNode's memory and eviction (memcached's slabs.c and the LRU side
// of items.c): Impl's slab classes, built and torn down; pages granted to a
// class on demand up to the limit; lru_pull_tail's reclaim, moves and
// evictions; lru_maintainer_juggle's HOT/WARM/COLD balancing and its queued
// COLD->WARM bumps; do_item_alloc, the room for a new item. The structures
// are in memcached_impl.h.
#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "model/memcached_impl.h"

namespace stampede {

namespace {

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

} // namespace

MemcachedNode::Impl::Impl(const McConfig &c) : config(c) {
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

MemcachedNode::Impl::~Impl() { free_all(); }

/// Every item's memory back, every id free (the destructor and clear()).
void MemcachedNode::Impl::free_all() {
  for (std::uint32_t s = 0; s < items.size(); ++s) {
    if (items[s] != nullptr) {
      free_memory(s);
    }
  }
  arena.reset();
}

/// lru_maintainer_bumps: the queued COLD hits move to WARM.
void MemcachedNode::Impl::process_bumps(std::int64_t now_s) {
  for (const BumpEntry &b : bumps) {
    if (gens[b.id] == b.gen && (item(b.id).it_flags & kLinked) != 0) {
      update(b.id, now_s);
    }
  }
  bumps.clear();
}

/// slabs_clsid: the smallest class that fits, or -1 when too large.
int MemcachedNode::Impl::class_for(std::uint64_t ntotal) const {
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
bool MemcachedNode::Impl::new_page(SlabClass &c) {
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

bool MemcachedNode::Impl::slabs_alloc(SlabClass &c, std::uint32_t nchunks) {
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
int MemcachedNode::Impl::pull_tail(std::size_t id, Lru lru, std::uint64_t total_bytes, bool evict,
                                   std::int64_t max_age_s, std::int64_t now_s) {
  SlabClass &c = classes[id];
  int removed = 0;
  std::uint32_t search = c.lrus[lru].tail;
  for (int tries = kPullTries; tries > 0 && search != kNil; --tries) {
    const std::uint32_t next_it = item(search).prev;
    Item &it = item(search);
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
void MemcachedNode::Impl::juggle(std::size_t id, std::int64_t now_s) {
  SlabClass &c = classes[id];
  std::int64_t cold_age = 0;
  if (c.lrus[kCold].tail != kNil) {
    cold_age = now_s - item(c.lrus[kCold].tail).time_s;
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
bool MemcachedNode::Impl::alloc(std::size_t id, std::uint64_t ntotal, std::int64_t now_s) {
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
std::uint32_t MemcachedNode::Impl::alloc_item(std::string_view key, std::uint32_t flags,
                                              std::int64_t exptime_abs, std::uint64_t value_bytes,
                                              std::uint32_t value_len, std::int64_t now_s,
                                              McStatus *status) {
  STAMPEDE_NODE_CHECK(key.size() <= kMaxKeyBytes, "MemcachedNode: keys are at most 250 bytes");
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
  auto *it = new (arena.take(sclass, storage_bytes(key_len, value_len))) Item;
  it->clsid = static_cast<std::uint8_t>(id);
  it->ntotal = static_cast<std::uint32_t>(ntotal);
  it->key_len = static_cast<std::uint8_t>(key_len);
  it->value_len = value_len;
  it->flags = flags;
  it->exptime = exptime_abs;
  std::memcpy(it->key_data(), key.data(), key.size());
  std::uint32_t s;
  if (free_ids.empty()) {
    s = static_cast<std::uint32_t>(items.size());
    items.push_back(it);
    gens.push_back(0);
  } else {
    s = free_ids.back();
    free_ids.pop_back();
    items[s] = it;
  }
  return s;
}

} // namespace stampede
