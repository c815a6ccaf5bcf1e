// The commit log's storage: each key's commit times in a block of the pool
// sized to its history, grown by doubling and recycled through free lists.
#include "metrics/commit_log.h"

namespace stampede::internal {

std::uint32_t CommitLog::new_block(std::uint8_t size_class) {
  std::vector<std::uint32_t> &free = free_[size_class];
  if (!free.empty()) {
    const std::uint32_t block = free.back();
    free.pop_back();
    return block;
  }
  std::vector<Time> &pool = pool_[size_class];
  const auto block = static_cast<std::uint32_t>(pool.size() >> size_class);
  pool.resize(pool.size() + (std::size_t{1} << size_class), 0);
  return block;
}

std::uint32_t CommitLog::commit(std::uint32_t key, Time t) {
  Key &k = keys_[key];
  const std::uint32_t post = ++k.committed;
  // A block of 2^c entries holds posts 1..2^c, each at post mod 2^c; once
  // full it moves to a block twice its size, until the kHistory one, which
  // then keeps the newest kHistory posts as a ring.
  if (k.history == kNone) {
    k.history_class = 0;
    k.history = new_block(0);
  } else if (post > (std::uint32_t{1} << k.history_class) && k.history_class + 1 < kClasses) {
    const std::uint8_t from_class = k.history_class;
    const std::uint32_t from_block = k.history;
    const std::uint32_t to_block = new_block(static_cast<std::uint8_t>(from_class + 1));
    const Time *from = &pool_[from_class][std::size_t{from_block} << from_class];
    Time *to = &pool_[from_class + 1][std::size_t{to_block} << (from_class + 1)];
    const std::uint32_t from_mask = (std::uint32_t{1} << from_class) - 1;
    const std::uint32_t to_mask = (std::uint32_t{2} << from_class) - 1;
    for (std::uint32_t p = 1; p < post; ++p)
      to[p & to_mask] = from[p & from_mask];
    free_[from_class].push_back(from_block);
    k.history_class = static_cast<std::uint8_t>(from_class + 1);
    k.history = to_block;
  }
  history_of(k)[post & ((std::uint32_t{1} << k.history_class) - 1)] = t;
  return post;
}

} // namespace stampede::internal
