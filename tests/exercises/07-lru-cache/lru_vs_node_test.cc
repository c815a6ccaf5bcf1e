// Exercise 07, side by side: your cache and the simulator's own memcached
// node (stampede::MemcachedNode with --lru plain, the textbook LRU) get the
// same random commands and must answer alike.
//
// Why they are comparable. Every item has one size (keys "key-NN", values of
// one length), so on the node all items land in one slab class; the node has
// one 1 MiB page (strict_memory_limit), which holds `capacity` chunks of that
// class, measured by filling a fresh node until it evicts. Your cache gets
// capacity * item_bytes bytes, so it holds exactly as many items.
//
// What is compared: every command's answer (a get's hit or miss and which
// set's value it returns; a delete's found or not; a set's stored), and at the
// end which keys survive (a get of every key, on both). Without TTLs the item
// count and the bytes are compared after every command too (the node's
// curr_items and bytes). With TTLs they are not: the node reclaims expired
// items at its LRU tail whenever it allocates, where your cache keeps them
// until eviction reaches them, and either way they are gone for good, so the
// answers still agree.
//
// One rule memcached orders differently: it allocates a set's new item before
// it drops the old one, so in a full node a set of a key already there would
// evict one more item. Each set goes to the node as a delete, then the set:
// the textbook order the README asks for.
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "graded.h"
#include "remote.h"
#include "stampede/memcached_node.h"

namespace exercise {

/// The likely bug the small caches of lru_cache_test.cc (the same binary)
/// show, as a hint, or "": a difference with the node is a symptom.
std::string likely_lru_bug();

namespace {

/// The likely bug the small caches show, or else `hint`.
std::string or_else(const std::string &hint) {
  const std::string bug = likely_lru_bug();
  return bug.empty() ? hint : bug;
}

/// The simulator's clock starts at this Unix time (SPEC section 2).
constexpr std::int64_t kT0 = 1'000'000'000;

std::string key_name(std::size_t i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key-%02zu", i);
  return buf;
}

/// The value of the n-th set: "set#n:" and padding, `bytes` long, so an
/// answer tells which set stored it.
std::string value_of(std::size_t bytes, std::uint64_t n) {
  std::string v = "set#" + std::to_string(n) + ":";
  v.resize(bytes, 'x');
  return v;
}

std::string shown(const std::optional<std::string> &value) {
  return value ? "hit " + value->substr(0, value->find(':')) : "miss";
}

stampede::McConfig plain_one_page() {
  stampede::McConfig config;
  config.memory_limit_bytes = 1u << 20;
  config.strict_memory_limit = true;
  config.lru = stampede::LruModel::kPlain;
  return config;
}

/// How many items with values of `value_bytes` the node holds.
std::size_t node_capacity(std::size_t value_bytes) {
  stampede::MemcachedNode node(plain_one_page());
  for (std::size_t i = 0; i < 100; ++i) {
    node.store(stampede::StoreMode::kSet, key_name(i), 0, 0, value_of(value_bytes, i), 0, kT0);
    if (node.stats().evictions > 0) {
      return i;
    }
  }
  return 0;
}

/// splitmix64: the same commands on every machine.
struct Rng {
  std::uint64_t state;
  std::uint64_t next(std::uint64_t n) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return (z ^ (z >> 31)) % n;
  }
};

/// What the test knows of a key's last set, for the hints.
struct LastSet {
  bool present = false;
  std::int64_t at_s = 0;
  std::int64_t ttl_s = 0;
};

/// Runs `commands` random commands on both and reports the first difference
/// (one failed check) or the end state.
void side_by_side(std::size_t value_bytes, std::uint64_t seed, bool with_ttl, int commands) {
  const std::size_t capacity = node_capacity(value_bytes);
  ASSERT_GE(capacity, 2u) << "the test's own set-up: the node should hold a few items";
  const std::size_t item = item_bytes(key_name(0), value_of(value_bytes, 0));
  stampede::MemcachedNode node(plain_one_page());
  LruCache mine(capacity * item);
  const std::size_t keys = 2 * capacity + 1;
  std::vector<LastSet> last(keys);
  Rng rng{seed};
  std::int64_t now = kT0;
  std::uint64_t sets = 0;
  std::deque<std::string> recent; // the commands before, as "get key-03 at +5 s: hit set#4"
  const std::int64_t ttls_s[] = {0, 0, 0, 1, 2, 3, 5, 10, 30, -1};

  const auto context = [&] {
    std::string out;
    for (const std::string &r : recent) {
      out += (out.empty() ? "" : "; ") + r;
    }
    return out.empty() ? std::string("none") : out;
  };
  const std::string setup = "(room for " + std::to_string(capacity) + " items of " +
                            std::to_string(item) + " bytes, seed " + std::to_string(seed) + ")";

  for (int step = 1; step <= commands; ++step) {
    if (with_ttl) {
      now += static_cast<std::int64_t>(rng.next(3));
    }
    const std::size_t k = rng.next(keys);
    const std::string key = key_name(k);
    const std::uint64_t kind = rng.next(100);
    const std::string at = with_ttl ? " at +" + std::to_string(now - kT0) + " s" : "";
    std::string command, yours, nodes;
    bool replaced = false; // a set of a key the node held
    if (kind < 45) {
      command = "get " + key + at;
      yours = shown(mine.get(key, now));
      stampede::McItemView view;
      nodes = node.get(key, now, &view) ? shown(std::string(view.value)) : "miss";
    } else if (kind < 85) {
      const std::int64_t ttl = with_ttl ? ttls_s[rng.next(10)] : 0;
      const std::string value = value_of(value_bytes, ++sets);
      command = "set " + key + " (set#" + std::to_string(sets) +
                (with_ttl ? ", ttl " + std::to_string(ttl) : "") + ")" + at;
      yours = mine.set(key, value, ttl, now) ? "stored" : "refused";
      replaced = node.remove(key, now) == stampede::McStatus::kDeleted;
      const stampede::McStatus st =
          node.store(stampede::StoreMode::kSet, key, 0, ttl, value, 0, now);
      nodes = st == stampede::McStatus::kStored ? "stored" : "refused";
      last[k] = {true, now, ttl};
    } else {
      command = "delete " + key + at;
      yours = mine.remove(key, now) ? "deleted" : "not found";
      nodes = node.remove(key, now) == stampede::McStatus::kDeleted ? "deleted" : "not found";
      last[k].present = false;
    }
    if (yours != nodes) {
      const LastSet &l = last[k];
      const bool past_ttl = l.ttl_s != 0 && now >= l.at_s + l.ttl_s;
      std::string hint;
      if (yours == "refused") {
        hint = "every item here fits the limit: set should evict until it fits, then store";
      } else if (nodes == "miss" && past_ttl) {
        hint = "your cache served an item past its expiry: it is gone from the second its expiry "
               "is reached";
      } else if (nodes == "miss" || nodes == "not found") {
        hint = with_ttl ? "your cache kept an item the node had evicted: evict the least "
                          "recently used (a get bumps, a set bumps), expired or not (an expired "
                          "item goes only when a get or delete finds it, or eviction reaches it)"
                        : "your cache kept an item the node had evicted: evict the least "
                          "recently used (a get bumps, a set of a key already there bumps)";
      } else if (yours == "miss" || yours == "not found") {
        hint = l.ttl_s != 0 && now >= l.at_s + l.ttl_s - 1
                   ? "your cache lost an item the node still has, near its expiry: it lives "
                     "until now_s + ttl_s, and goes at that second, not before"
                   : "your cache lost an item the node still has: evicting before the cache is "
                     "full, from the wrong end, or without bumping on get?";
      } else {
        hint = "both found the key with different values: a set of a key already there "
               "replaces its value";
      }
      EXPECT_EQ(yours, nodes) << "command " << step << " " << setup << ", " << command
                              << ", should get the node's answer; the commands before it: "
                              << context() << or_else(graded::hint(hint));
      return;
    }
    if (!with_ttl) {
      const std::size_t your_items = mine.item_count();
      const std::size_t node_items = node.stats().curr_items;
      const std::size_t your_bytes = mine.bytes_used();
      const std::size_t node_bytes = node.stats().bytes;
      if (your_items != node_items || your_bytes != node_bytes) {
        EXPECT_EQ(your_items, node_items)
            << "after command " << step << " " << setup << ", " << command
            << ", your cache should hold as many items as the node; the commands before it: "
            << context()
            << or_else(graded::hint(
                   replaced && your_items < node_items
                       ? "on a set of a key already there, drop its old item first: its bytes "
                         "make room for the new one, and nothing is evicted"
                   : your_items > node_items
                       ? "evict until the new item fits, and drop the old item of a key set "
                         "again"
                       : "evict only until the new item fits, and drop an item only when it is "
                         "evicted, deleted or found expired"));
        EXPECT_EQ(your_bytes, node_bytes) << "after command " << step << ", your cache should "
                                          << "charge the node's bytes (item_bytes per item)";
        return;
      }
    }
    recent.push_back(command + ": " + yours);
    if (recent.size() > 5) {
      recent.pop_front();
    }
  }
  // The commands must exercise what is compared (the test's own set-up).
  const stampede::McStats &seen = node.stats();
  ASSERT_GT(seen.evictions, 0u) << "the test's set-up: the node should have evicted";
  ASSERT_GT(seen.get_hits, 0u) << "the test's set-up: the node should have hit";
  ASSERT_GT(seen.get_misses, seen.get_expired) << "the test's set-up: the node should have missed";
  if (with_ttl) {
    ASSERT_GT(seen.get_expired, 0u) << "the test's set-up: items should have expired";
  }
  std::string your_survivors, node_survivors;
  for (std::size_t k = 0; k < keys; ++k) {
    const std::string key = key_name(k);
    if (mine.get(key, now)) {
      your_survivors += " " + key;
    }
    stampede::McItemView view;
    if (node.get(key, now, &view)) {
      node_survivors += " " + key;
    }
  }
  EXPECT_EQ(your_survivors, node_survivors)
      << "after " << commands << " commands " << setup
      << ", the same keys should survive in your cache as in the node"
      << or_else(graded::hint("evict the least recently used; a get and a set both bump"));
}

TEST(LruVsNode, SameHitsMissesAndBytesAsTheNode) {
  POINTS(3);
  // Values of 120,000 bytes: the node's 1 MiB page holds 8 of them; of
  // 240,000: 4.
  for (std::size_t value_bytes : {120000u, 240000u}) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      side_by_side(value_bytes, seed, false, 2000);
      if (::testing::Test::HasFailure()) {
        return; // the first difference is the one to look at
      }
    }
  }
}

TEST(LruVsNode, SameAnswersWithTtlsAsTheNode) {
  POINTS(2);
  // TTLs of 0 (never), 1 to 30 s and -1 (already expired); the clock moves
  // 0 to 2 s per command, so items expire, some before eviction reaches them.
  for (std::size_t value_bytes : {120000u, 240000u}) {
    for (std::uint64_t seed : {11u, 12u, 13u}) {
      side_by_side(value_bytes, seed, true, 2000);
      if (::testing::Test::HasFailure()) {
        return;
      }
    }
  }
}

} // namespace
} // namespace exercise
