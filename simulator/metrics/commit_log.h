// The database's truth, as the detectors need it: per key, how many posts
// are committed and when the newest of them committed. A page view's
// staleness, a lost update's age and "which posts should a view that arrived
// at t have seen" are all read from here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stampede/time.h"

namespace stampede::internal {

class CommitLog {
public:
  /// Commit times kept per key: enough to tell which posts a view that waited
  /// in a queue should have seen.
  static constexpr std::uint32_t kHistory = 64;

  /// @param keys how many keys (pages) there are.
  explicit CommitLog(std::size_t keys) : keys_(keys) {}

  /// @return how many posts of `key` have committed (the newest is that number).
  std::uint32_t committed(std::uint32_t key) const noexcept { return keys_[key].committed; }

  /// Commits the key's next post at `t`. @return its number.
  std::uint32_t commit(std::uint32_t key, Time t);

  /// @return when `post` of `key` committed; 0 for post 0 or a key without
  /// commits. A post older than the history is given the oldest time kept
  /// (the closest bound; reached only after kHistory commits during one request).
  Time commit_time(std::uint32_t key, std::uint32_t post) const noexcept {
    const Key &k = keys_[key];
    if (k.history == kNone || post == 0)
      return 0;
    if (post + kHistory <= k.committed)
      post = k.committed - kHistory + 1;
    return history_of(k)[post & ((std::uint32_t{1} << k.history_class) - 1)];
  }

  /// @return how many posts of `key` had committed before `t`.
  std::uint32_t committed_before(std::uint32_t key, Time t) const noexcept {
    const Key &k = keys_[key];
    std::uint32_t n = k.committed;
    if (k.history == kNone)
      return n; // no commits
    // Walk back over posts committed at or after t (few: those since arrival).
    // Every post above the floor is in the history block (commit_time's
    // cases never arise here), so the walk reads the block directly.
    const std::uint32_t floor = k.committed > kHistory ? k.committed - kHistory : 0;
    const Time *times = history_of(k);
    const std::uint32_t mask = (std::uint32_t{1} << k.history_class) - 1;
    while (n > floor && times[n & mask] >= t)
      --n;
    return n;
  }

private:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  // A key's history starts as one entry and doubles as its posts do, up to
  // kHistory, keeping every post until then: 1e7 keys with a commit each
  // cost 80 MB, not 5 GB. Blocks of each size come from their own pool.
  static constexpr std::uint8_t kClasses = 7; // 1, 2, 4, ..., 64 = kHistory
  static_assert(std::uint32_t{1} << (kClasses - 1) == kHistory);

  struct Key {
    std::uint32_t committed = 0;
    std::uint32_t history = kNone;  // block in pool_[history_class], or kNone
    std::uint8_t history_class = 0; // the block holds 2^history_class commit times
  };

  std::uint32_t new_block(std::uint8_t size_class);
  Time *history_of(const Key &k) noexcept {
    return &pool_[k.history_class][std::size_t{k.history} << k.history_class];
  }
  const Time *history_of(const Key &k) const noexcept {
    return &pool_[k.history_class][std::size_t{k.history} << k.history_class];
  }

  std::vector<Key> keys_;
  std::vector<Time> pool_[kClasses];          // blocks of 2^class times
  std::vector<std::uint32_t> free_[kClasses]; // blocks given back
};

} // namespace stampede::internal
