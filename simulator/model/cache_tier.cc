// The memcached tier's key placement: modulo, the consistent-hashing ring
// (ketama-style points, merged and removed as nodes join and crash) and a
// student's ring, checked; and the cache keys' names ("page:42").
#include "model/cache_tier.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace stampede {

HashingRegistry &HashingRegistry::global() {
  static HashingRegistry registry;
  return registry;
}

void HashingRegistry::add(std::string name, HashRingFactory factory, std::string description) {
  for (Entry &e : entries_)
    if (e.name == name) {
      e = Entry{std::move(name), std::move(description), factory};
      return;
    }
  entries_.push_back(Entry{std::move(name), std::move(description), factory});
}

bool HashingRegistry::contains(std::string_view name) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [name](const Entry &e) { return e.name == name; });
}

void HashingRegistry::add(std::string name, NamedHashRingFactory factory, std::string description) {
  add(name, HashRingFactory{}, std::move(description));
  for (Entry &e : entries_)
    if (e.name == name)
      e.named = factory;
}

std::unique_ptr<HashRing> HashingRegistry::make(std::string_view name) const {
  for (const Entry &e : entries_) {
    if (e.name != name)
      continue;
    if (e.named != nullptr)
      return e.named(name);
    if (e.factory != nullptr)
      if (std::unique_ptr<HashRing> ring = e.factory())
        return ring;
  }
  throw std::invalid_argument("cache.hashing: no student ring \"" + std::string(name) +
                              "\" is registered");
}

HashRingFactory HashingRegistry::factory(std::string_view name) const {
  for (const Entry &e : entries_)
    if (e.name == name)
      return e.factory;
  return nullptr;
}

std::vector<std::string> HashingRegistry::names() const {
  std::vector<std::string> out;
  for (const Entry &e : entries_)
    out.push_back(e.name);
  return out;
}

std::string HashingRegistry::description(std::string_view name) const {
  for (const Entry &e : entries_)
    if (e.name == name)
      return e.description;
  return {};
}

} // namespace stampede

namespace stampede::internal {

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

CacheKeyNames::CacheKeyNames(std::uint32_t keys) {
  const std::uint32_t named = std::min(keys, kNamed);
  std::vector<std::size_t> ends;
  ends.reserve(named);
  char buf[24];
  for (std::uint32_t k = 0; k < named; ++k) {
    text_ += cache_key(k, buf);
    ends.push_back(text_.size());
  }
  // Views only once text_ is whole: it does not move again.
  names_.reserve(named);
  std::size_t begin = 0;
  for (const std::size_t end : ends) {
    names_.emplace_back(text_.data() + begin, end - begin);
    begin = end;
  }
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
  if (config.hashing == Hashing::kStudent)
    student_ = HashingRegistry::global().make(config.student_ring);
  for (std::uint32_t i = 0; i < config.nodes; ++i) {
    nodes_.emplace_back(node_config(config));
    up_.push_back(true);
    if (student_)
      student_->add_node(static_cast<int>(i));
  }
  live_ = config.nodes;
  place();
}

void CacheTier::crash(std::uint32_t i) {
  if (i >= nodes_.size() || !up_[i])
    return;
  lost_evictions_ += nodes_[i].stats().evictions;
  nodes_[i].clear();
  up_[i] = false;
  --live_;
  if (student_)
    student_->remove_node(static_cast<int>(i));
  if (config_.hashing != Hashing::kConsistent || live_ == 0) {
    place();
    return;
  }
  // The node's keys are those in the arcs that end at its points; each goes
  // to the next point left on the ring.
  sort_keys_by_hash();
  struct Arc {
    std::uint32_t from, to;
    bool wraps;
  };
  std::vector<Arc> arcs;
  for (std::size_t k = 0; k < ring_.size(); ++k)
    if (ring_[k].second == i)
      arcs.push_back({ring_[k == 0 ? ring_.size() - 1 : k - 1].first, ring_[k].first, k == 0});
  std::erase_if(ring_, [i](const Point &p) { return p.second == i; });
  for (const Arc &a : arcs)
    for_keys_in(a.from, a.to, a.wraps, [this](std::uint32_t key, std::uint32_t hash) {
      placement_[key] = ring_lookup(hash);
    });
}

void CacheTier::add() {
  const auto n = static_cast<std::uint32_t>(nodes_.size());
  nodes_.emplace_back(node_config(config_));
  up_.push_back(true);
  ++live_;
  if (student_)
    student_->add_node(static_cast<int>(n));
  if (config_.hashing != Hashing::kConsistent || live_ == 1) {
    place();
    return;
  }
  std::vector<Point> points;
  points_of(n, points);
  std::sort(points.begin(), points.end());
  const auto middle = static_cast<std::ptrdiff_t>(ring_.size());
  ring_.insert(ring_.end(), points.begin(), points.end());
  std::inplace_merge(ring_.begin(), ring_.begin() + middle, ring_.end());
  // The new node takes the keys of the arcs that now end at its points.
  sort_keys_by_hash();
  for (std::size_t k = 0; k < ring_.size(); ++k)
    if (ring_[k].second == n)
      for_keys_in(ring_[k == 0 ? ring_.size() - 1 : k - 1].first, ring_[k].first, k == 0,
                  [this, n](std::uint32_t key, std::uint32_t) {
                    placement_[key] = static_cast<std::int32_t>(n);
                  });
}

std::uint64_t CacheTier::evictions() const noexcept {
  std::uint64_t n = lost_evictions_;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (up_[i])
      n += nodes_[i].stats().evictions;
  return n;
}

void CacheTier::points_of(std::uint32_t node, std::vector<Point> &out) const {
  // Each node owns kPointsPerNode points named after the node's index, so a
  // node's points do not move when others come and go.
  for (int p = 0; p < kPointsPerNode; ++p) {
    char name[48];
    const int len = std::snprintf(name, sizeof name, "node-%u-%d", node, p);
    out.emplace_back(static_cast<std::uint32_t>(
                         stable_hash(std::string_view(name, static_cast<std::size_t>(len)))),
                     node);
  }
}

std::int32_t CacheTier::student_lookup(std::uint32_t key) const {
  char buf[24];
  const std::string_view name = cache_key(key, buf);
  const int node = student_->node_for(name);
  if (node >= 0 && static_cast<std::size_t>(node) < nodes_.size() && up_[node])
    return node;
  // The student's bug, not the run's: say which key, what came back and what
  // would have been right.
  std::string up;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (up_[i])
      up += (up.empty() ? "" : ", ") + std::to_string(i);
  throw StudentCodeError("cache.hashing " + config_.student_ring + ": node_for(\"" +
                         std::string(name) + "\") returned " + std::to_string(node) +
                         ", but the nodes on the ring are " + up +
                         "; node_for must name one of them");
}

std::int32_t CacheTier::ring_lookup(std::uint32_t hash) const noexcept {
  // The first point at or after the key's hash, wrapping past the end.
  auto it = std::lower_bound(ring_.begin(), ring_.end(), Point{hash, 0});
  if (it == ring_.end())
    it = ring_.begin();
  return static_cast<std::int32_t>(it->second);
}

void CacheTier::sort_keys_by_hash() {
  if (!keys_by_hash_.empty() || keys_ == 0)
    return;
  char buf[24];
  keys_by_hash_.reserve(keys_);
  for (std::uint32_t k = 0; k < keys_; ++k)
    keys_by_hash_.emplace_back(static_cast<std::uint32_t>(stable_hash(cache_key(k, buf))), k);
  std::sort(keys_by_hash_.begin(), keys_by_hash_.end());
}

template <class F>
void CacheTier::for_keys_in(std::uint32_t from, std::uint32_t to, bool wraps, F f) const {
  // Keys map to the first point >= their hash, so the arc ending at a point
  // `to` holds the hashes in (from, to], from being the point before it. The
  // arc of the ring's first point wraps: (last point, 2^32) and [0, to].
  constexpr std::uint32_t kMax = std::numeric_limits<std::uint32_t>::max();
  const auto visit = [&](std::vector<Point>::const_iterator it, std::uint32_t hi) {
    for (; it != keys_by_hash_.end() && it->first <= hi; ++it)
      f(it->second, it->first);
  };
  const auto after = [&](std::uint32_t lo) {
    return std::upper_bound(keys_by_hash_.begin(), keys_by_hash_.end(), Point{lo, kMax});
  };
  if (!wraps) {
    if (from < to)
      visit(after(from), to);
    return;
  }
  if (from < kMax)
    visit(after(from), kMax);
  visit(keys_by_hash_.begin(), to);
}

void CacheTier::place() {
  std::vector<std::uint32_t> live;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i)
    if (up_[i])
      live.push_back(i);
  char buf[24];
  ring_.clear();
  if (live.empty()) {
    std::fill(placement_.begin(), placement_.end(), -1);
    return;
  }
  if (student_) {
    for (std::uint32_t k = 0; k < keys_; ++k)
      placement_[k] = student_lookup(k);
    return;
  }
  if (config_.hashing == Hashing::kModulo) {
    for (std::uint32_t k = 0; k < keys_; ++k)
      placement_[k] = static_cast<std::int32_t>(live[stable_hash(cache_key(k, buf)) % live.size()]);
    return;
  }
  ring_.reserve(live.size() * kPointsPerNode);
  for (const std::uint32_t n : live)
    points_of(n, ring_);
  std::sort(ring_.begin(), ring_.end());
  for (std::uint32_t k = 0; k < keys_; ++k)
    placement_[k] = ring_lookup(static_cast<std::uint32_t>(stable_hash(cache_key(k, buf))));
}

} // namespace stampede::internal
