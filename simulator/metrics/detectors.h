// The anomaly detectors (SPEC section 4): stale reads, stampedes, lost
// updates and CAS conflicts. Each is fed facts by the model (a view was
// served a page, a page query was issued or completed, a page was written
// to a cache, a cas was refused), keeps its own counts, and says what it
// found; the model turns findings into anomaly records for observers. None
// knows about events, requests or strategies, so each can be tested with
// facts fed by hand (tests/metrics/).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "metrics/commit_log.h"
#include "stampede/page.h"

namespace stampede::internal {

/// A page that lacks a post committed before the view arrived.
struct StaleRead {
  std::uint32_t post; ///< The oldest missing post that belongs on the page.
  Time age;           ///< The view's arrival minus that post's commit.
};

/// Stale reads: a view served a page that lacks a post which was committed
/// before the view arrived and still belongs on it (fewer than kPagePosts
/// newer posts are shown).
class StaleReadDetector {
public:
  /// A page view was answered with `page`. @param committed_at_arrival the
  /// key's posts committed before `arrival`. @return what it lacked, if anything.
  std::optional<StaleRead> view_served(const Page &page, std::uint32_t key, Time arrival,
                                       std::uint32_t committed_at_arrival,
                                       const CommitLog &log) noexcept {
    const std::uint32_t n = committed_at_arrival;
    std::uint32_t first = n > kPagePosts ? n - kPagePosts + 1 : 1;
    if (page.count > 0 && page.posts[0] - page.posts[page.count - 1] == page.count - 1 &&
        page.count == std::min(page.posts[0], kPagePosts)) {
      // The usual page: the database's page after post v = posts[0] (the
      // newest posts, contiguous). It lacks exactly the posts after v.
      first = std::max(first, page.posts[0] + 1);
    }
    for (std::uint32_t p = first; p <= n; ++p) {
      if (!page.contains(p) && page.newer_than(p) < kPagePosts) {
        const Time age = arrival - log.commit_time(key, p); // p is the oldest missing post
        max_age_ = std::max(max_age_, age);
        ++count_;
        return StaleRead{p, age};
      }
    }
    return std::nullopt;
  }

  std::uint64_t count() const noexcept { return count_; } ///< anomalies.stale_reads.
  Time max_age() const noexcept { return max_age_; }      ///< anomalies.max_staleness_s.

  /// The measured window starts (a warm-up ended): the largest age is taken
  /// afresh. Counts stay cumulative; the window's are their growth.
  void start_window() noexcept { max_age_ = 0; }

private:
  std::uint64_t count_ = 0;
  Time max_age_ = 0;
};

/// Stampedes: the same page query in flight more than once. Every query
/// issued while another for its key is in flight is redundant; a stampede
/// is an episode of them, from the first redundant query until the key has
/// none in flight.
class StampedeDetector {
public:
  /// @param keys how many keys there are.
  explicit StampedeDetector(std::size_t keys) : keys_(keys) {}

  /// What a query's issue meant.
  struct Issued {
    bool redundant = false;      ///< Another query for the key was in flight.
    bool stampede_began = false; ///< It is the first redundant one of an episode.
  };

  /// A page view's page query for `key` was issued.
  Issued query_issued(std::uint32_t key) noexcept {
    Key &k = keys_[key];
    Issued out;
    if (k.in_flight > 0) {
      out.redundant = true;
      ++redundant_;
      if (!k.stampede) {
        k.stampede = true;
        out.stampede_began = true;
        ++stampedes_;
      }
    }
    ++k.in_flight;
    peak_ = std::max<std::uint64_t>(peak_, k.in_flight);
    return out;
  }

  /// That query completed.
  void query_completed(std::uint32_t key) noexcept {
    Key &k = keys_[key];
    if (--k.in_flight == 0)
      k.stampede = false;
  }

  std::uint64_t redundant() const noexcept { return redundant_; } ///< redundant_db_reads.
  std::uint64_t stampedes() const noexcept { return stampedes_; } ///< anomalies.stampedes.
  std::uint64_t peak() const noexcept { return peak_; }           ///< peak_concurrent_same_key.

  /// The measured window starts (a warm-up ended): the peak is taken afresh,
  /// from the queries in flight now. Counts stay cumulative.
  void start_window() noexcept {
    peak_ = 0;
    for (const Key &k : keys_)
      peak_ = std::max<std::uint64_t>(peak_, k.in_flight);
  }

private:
  struct Key {
    std::uint32_t in_flight = 0;
    bool stampede = false;
  };
  std::vector<Key> keys_;
  std::uint64_t redundant_ = 0, stampedes_ = 0, peak_ = 0;
};

/// Lost updates (SPEC section 4): under a strategy that edits the cached
/// page on a submit, a submit's post that a later write to the same cache
/// leaves out while it still belongs on the page. Each submit counts once.
class LostUpdateDetector {
public:
  /// @param keys how many keys there are. @param local each app server has
  /// its own cache (app.local_cache): only a write to the submit's own
  /// server's cache can lose its post.
  LostUpdateDetector(std::size_t keys, bool local) : watch_of_(keys, kNone), local_(local) {}

  /// A submit whose post is on the page was answered. @param cached the page
  /// in its cache then, if any. @return true if that page already lacks the
  /// post (lost, and counted); otherwise the post is watched from now on.
  bool submit_answered(std::uint32_t key, std::uint32_t post, std::uint32_t server,
                       std::uint32_t committed, const Page *cached) {
    if (cached != nullptr && !cached->contains(post) && cached->newer_than(post) < kPagePosts) {
      ++count_;
      return true;
    }
    watch(key, post, server, committed);
    return false;
  }

  /// A page was written to `server`'s cache (any server's, without local
  /// caches) for `key`: every watched post it lacks is lost, and `lost(post)`
  /// is called for each. Posts no longer on the page stop being watched.
  template <class Lost>
  void cache_written(std::uint32_t key, std::uint32_t server, const Page &page,
                     std::uint32_t committed, Lost &&lost) {
    if (watch_of_[key] == kNone)
      return;
    Watch &w = watches_[watch_of_[key]];
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < w.count; ++i) {
      const std::uint32_t post = w.posts[i];
      if (post + kPagePosts <= committed)
        continue; // no longer on the page: done
      const bool same_cache = !local_ || w.servers[i] == server;
      if (same_cache && !page.contains(post) && page.newer_than(post) < kPagePosts) {
        ++count_;
        lost(post);
        continue; // each submit counts once
      }
      w.posts[kept] = post;
      w.servers[kept++] = w.servers[i];
    }
    w.count = kept;
  }

  std::uint64_t count() const noexcept { return count_; } ///< anomalies.lost_updates.

private:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  // Posts still checked for loss, with the app server that wrote each: with
  // local caches, each server's dictionary is its own cache, and another
  // server's copy lacking the post is divergence (a stale read), not a loss.
  struct Watch {
    std::uint32_t count = 0;
    std::uint32_t posts[kPagePosts];
    std::uint32_t servers[kPagePosts];
  };

  void watch(std::uint32_t key, std::uint32_t post, std::uint32_t server, std::uint32_t committed) {
    if (watch_of_[key] == kNone) {
      watch_of_[key] = static_cast<std::uint32_t>(watches_.size());
      watches_.emplace_back();
    }
    Watch &w = watches_[watch_of_[key]];
    // Keep only posts still among the key's newest kPagePosts.
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < w.count; ++i) {
      if (w.posts[i] + kPagePosts > committed) {
        w.posts[kept] = w.posts[i];
        w.servers[kept++] = w.servers[i];
      }
    }
    w.count = kept;
    if (w.count < kPagePosts) {
      w.posts[w.count] = post;
      w.servers[w.count++] = server;
    }
  }

  std::vector<std::uint32_t> watch_of_; // per key: index into watches_, or kNone
  std::vector<Watch> watches_;
  bool local_;
  std::uint64_t count_ = 0;
};

/// CAS conflicts: a cas refused with EXISTS (another write changed the item
/// since the gets).
class CasConflictDetector {
public:
  /// A cas was answered EXISTS.
  void cas_refused() noexcept { ++count_; }
  std::uint64_t count() const noexcept { return count_; } ///< cache.cas_conflicts.

private:
  std::uint64_t count_ = 0;
};

} // namespace stampede::internal
