#include "model/cache_tier.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace stampede::internal {

std::uint64_t stable_hash(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::string_view cache_key(std::uint32_t key, char (&buf)[24]) noexcept {
  // Hand-formatted: this runs on every cache call, and snprintf is slow.
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + key % 10);
    key /= 10;
  } while (key != 0);
  std::memcpy(buf, "page:", 5);
  for (int i = 0; i < n; ++i)
    buf[5 + i] = digits[n - 1 - i];
  return std::string_view(buf, static_cast<std::size_t>(5 + n));
}

namespace {
McConfig node_config(const CacheConfig &c) {
  McConfig m;
  m.memory_limit_bytes = c.memory_bytes;
  m.lru = c.lru;
  return m;
}
} // namespace

CacheTier::CacheTier(const CacheConfig &config, std::uint32_t keys)
    : config_(config), keys_(keys), placement_(keys, -1) {
  for (std::uint32_t i = 0; i < config.nodes; ++i) {
    nodes_.emplace_back(node_config(config));
    up_.push_back(true);
  }
  place();
}

void CacheTier::crash(std::uint32_t i) {
  if (i >= nodes_.size() || !up_[i])
    return;
  lost_evictions_ += nodes_[i].stats().evictions;
  nodes_[i].clear();
  up_[i] = false;
  place();
}

void CacheTier::add() {
  nodes_.emplace_back(node_config(config_));
  up_.push_back(true);
  place();
}

std::uint64_t CacheTier::evictions() const noexcept {
  std::uint64_t n = lost_evictions_;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (up_[i])
      n += nodes_[i].stats().evictions;
  return n;
}

void CacheTier::place() {
  std::vector<std::uint32_t> live;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i)
    if (up_[i])
      live.push_back(i);
  char buf[24];
  if (live.empty()) {
    std::fill(placement_.begin(), placement_.end(), -1);
    return;
  }
  if (config_.hashing == Hashing::kModulo) {
    for (std::uint32_t k = 0; k < keys_; ++k)
      placement_[k] = static_cast<std::int32_t>(live[stable_hash(cache_key(k, buf)) % live.size()]);
    return;
  }
  // Ketama-style ring: each node owns kPointsPerNode points named after the
  // node's index, so a node's points do not move when others come and go.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ring; // (point, node)
  ring.reserve(live.size() * kPointsPerNode);
  for (const std::uint32_t n : live) {
    for (int p = 0; p < kPointsPerNode; ++p) {
      char name[48];
      const int len = std::snprintf(name, sizeof name, "node-%u-%d", n, p);
      ring.emplace_back(static_cast<std::uint32_t>(
                            stable_hash(std::string_view(name, static_cast<std::size_t>(len)))),
                        n);
    }
  }
  std::sort(ring.begin(), ring.end());
  for (std::uint32_t k = 0; k < keys_; ++k) {
    const auto h = static_cast<std::uint32_t>(stable_hash(cache_key(k, buf)));
    auto it = std::lower_bound(ring.begin(), ring.end(), std::make_pair(h, std::uint32_t{0}));
    if (it == ring.end())
      it = ring.begin();
    placement_[k] = static_cast<std::int32_t>(it->second);
  }
}

} // namespace stampede::internal
