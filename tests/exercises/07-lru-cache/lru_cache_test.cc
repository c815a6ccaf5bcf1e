// Exercise 07: the LRU cache with a byte limit. Each test is one rule of the
// README, on the smallest cache that shows it; lru_vs_node_test.cc then runs
// the cache beside the simulator's own memcached node.
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "graded.h"
#include "remote.h"

namespace exercise {
namespace {

/// The simulator's clock starts at this Unix time (SPEC section 2).
constexpr std::int64_t kT0 = 1'000'000'000;

/// "[c, b, a]": keys as the checks print them.
std::string listed(const std::vector<std::string> &keys) {
  std::string out = "[";
  for (const std::string &k : keys) {
    out += (out.size() > 1 ? ", " : "") + k;
  }
  return out + "]";
}

/// A value that makes the item under `key` cost exactly `bytes`.
std::string value_costing(const std::string &key, std::size_t bytes) {
  return std::string(bytes - key.size() - kItemOverheadBytes, 'v');
}

/// Stores `key` as an item of `bytes` bytes that never expires.
bool put(LruCache &c, const std::string &key, std::size_t bytes, std::int64_t now_s = kT0) {
  return c.set(key, value_costing(key, bytes), 0, now_s);
}

/// The likely bug when the cache `c` holds other keys than `expected` (most
/// recently used first), most specific first, as a hint.
std::string order_hint(const LruCache &c, const std::vector<std::string> &expected) {
  const std::vector<std::string> seen = c.keys_by_recency();
  if (seen.empty()) {
    return graded::hint("nothing is stored: set should put the item in the list and the map, "
                        "and keys_by_recency() list the keys in the list's order",
                        "items_.push_front(item); index_[key] = items_.begin(); and "
                        "keys_by_recency() walks items_ from the front");
  }
  if (seen.size() > expected.size() && c.bytes_used() < seen.size() * kItemOverheadBytes) {
    return graded::hint("too few items were evicted, because the bytes are counted short: each "
                        "item costs its key, its value and the 59 bytes memcached keeps beside "
                        "it (kItemOverheadBytes)",
                        "charge item_bytes(key, value), which includes the 59 bytes");
  }
  if (seen.size() > expected.size()) {
    return graded::hint("too few items were evicted: before storing, evict until the new item "
                        "fits, and drop the old item of a key set again",
                        "while (bytes_used() + item_bytes(key, value) > limit_bytes()) evict "
                        "the back of the list");
  }
  if (seen.size() < expected.size()) {
    return graded::hint("too many items went: evict one item at a time and stop as soon as the "
                        "new item fits (an item that exactly fills the limit fits)",
                        "evict while bytes_used() + item_bytes(key, value) > limit_bytes(): "
                        ">, not >=");
  }
  std::vector<std::string> a = seen, b = expected;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a == b) {
    return graded::hint("the right items, in the wrong order: a new item, and an item a get "
                        "finds, go to the most recently used end (the front of the list)",
                        "items_.push_front for a new item; items_.splice(items_.begin(), "
                        "items_, it) for one a get finds");
  }
  return graded::hint("the wrong item was evicted: evict the least recently used one, at the "
                      "other end of the list from where new and bumped items go",
                      "evict std::prev(items_.end()), the back of the list");
}

// A get that finds an item must bump it.
const char *kBump = "get must make the item it finds the most recently used: move it to the "
                    "front of the list, where new items go";
const char *kBumpFix = "items_.splice(items_.begin(), items_, it) moves it there without a copy";

// The 59 bytes of overhead, forgotten.
std::string no_overhead() {
  return graded::hint("the 59 bytes memcached keeps beside each item (kItemOverheadBytes) count "
                      "too",
                      "charge item_bytes(key, value), which includes them");
}

} // namespace

/// The likely bug of the student's cache, found on small caches like those of
/// the rules above, the most basic first: its hint (where to look, and the
/// fix), or "" when they show none. The side-by-side runs with the node
/// (lru_vs_node_test.cc, the same binary) see a symptom: they show this.
std::string likely_lru_bug() {
  static const std::string found = []() -> std::string {
    try {
      LruCache c(1000);
      c.set("a", "one", 0, kT0);
      if (c.get("a", kT0).value_or("") != "one")
        return graded::hint("a get right after a set misses, or returns another value: set "
                            "should put the item in the list and its place in the map, and get "
                            "find it through the map");
      LruCache bytes(10000);
      bytes.set("key", "value", 0, kT0);
      if (bytes.bytes_used() == 8)
        return no_overhead();
      if (bytes.bytes_used() != 67)
        return graded::hint("the bytes are counted wrong: an item costs its key, its value and "
                            "59 bytes, from when it is stored until it goes",
                            "used_bytes_ += item_bytes(key, value) when an item is stored; -= "
                            "when it goes");
      LruCache full(300);
      for (const char *k : {"a", "b", "c", "d"})
        put(full, k, 100);
      if (full.keys_by_recency() != std::vector<std::string>{"d", "c", "b"})
        return order_hint(full, {"d", "c", "b"});
      LruCache bumped(300);
      for (const char *k : {"a", "b", "c"})
        put(bumped, k, 100);
      bumped.get("a", kT0);
      if (bumped.keys_by_recency() != std::vector<std::string>{"a", "c", "b"})
        return bumped.keys_by_recency() == std::vector<std::string>{"c", "b", "a"}
                   ? graded::hint(kBump, kBumpFix)
                   : order_hint(bumped, {"a", "c", "b"});
      LruCache again(300);
      for (const char *k : {"a", "b", "c"})
        put(again, k, 100);
      put(again, "b", 100);
      if (again.keys_by_recency() != std::vector<std::string>{"b", "c", "a"} ||
          again.bytes_used() != 300)
        return graded::hint("a set of a key already there drops its old item first (its bytes "
                            "free again), then stores the new one as the most recently used");
      LruCache ttl(1000);
      ttl.set("page", "v", 10, kT0);
      if (!ttl.get("page", kT0 + 9) || ttl.get("page", kT0 + 10))
        return graded::hint("set at second 100 with a TTL of 10, an item is there at 109 and "
                            "gone at 110: look at how the expiry is stored and tested",
                            "store expires_at = now_s + ttl_s; expired when expires_at <= now_s");
    } catch (const std::exception &) {
      // A cache that fails here fails the checks too, with its own words.
    }
    return "";
  }();
  return found;
}

namespace {

TEST(LruCache, GetReturnsWhatSetStored) {
  POINTS(1);
  LruCache c(1000);
  EXPECT_FALSE(c.get("a", kT0).has_value()) << "get of a key never set should miss";
  EXPECT_TRUE(c.set("a", "one", 0, kT0))
      << "set of a small item into an empty cache should store it and return true"
      << graded::hint("set returns whether it stored the item: true once it is in");
  EXPECT_EQ(c.get("a", kT0).value_or("(a miss)"), "one")
      << "get right after set should return the value set"
      << graded::hint("set should put the item in items_ and its place in index_; get should "
                      "find it through index_");
  c.set("a", "two", 0, kT0);
  EXPECT_EQ(c.get("a", kT0).value_or("(a miss)"), "two")
      << "a second set of the same key should replace the value"
      << graded::hint("set must drop the key's old item before it stores the new one");
  EXPECT_EQ(c.item_count(), 1u) << "one key set twice is one item"
                                << graded::hint("drop the old item from the list as well as "
                                                "the map, or it stays there taking room");
}

TEST(LruCache, BytesCountTheKeyTheValueAndTheOverhead) {
  POINTS(1);
  LruCache c(10000);
  c.set("key", "value", 0, kT0);
  const std::size_t one = c.bytes_used();
  EXPECT_EQ(one, 67u) << "an item \"key\" = \"value\" costs 3 + 5 + 59 = 67 bytes"
                      << (one == 8 ? no_overhead()
                                   : graded::hint("an item's bytes count from when it is stored "
                                                  "until it goes, whichever way it goes",
                                                  "used_bytes_ += item_bytes(key, value) when "
                                                  "an item is stored; -= when it goes"));
  c.set("key", "longer value", 0, kT0);
  const std::size_t replaced = c.bytes_used();
  EXPECT_EQ(replaced, 74u) << "after a set replaced it with \"longer value\", the key costs "
                              "3 + 12 + 59 = 74 bytes, and the old 67 are free"
                           << (replaced == 15 ? no_overhead()
                               : replaced == 67 + 74
                                   ? graded::hint("the replaced item's bytes are still counted: "
                                                  "they go when the old item goes")
                                   : graded::hint("a set of a key already there drops the old "
                                                  "item (its bytes back), then adds the new "
                                                  "one"));
  c.set("k2", "v", 0, kT0);
  const std::size_t two = c.bytes_used();
  EXPECT_EQ(two, 74u + 62u) << "a second key \"k2\" = \"v\" adds 2 + 1 + 59 = 62 bytes: 136"
                            << (two == 15 + 3 ? no_overhead() : "");
  EXPECT_TRUE(c.remove("key", kT0)) << "remove of a stored key should return true";
  const std::size_t after_remove = c.bytes_used();
  EXPECT_EQ(after_remove, 62u) << "after remove(\"key\"), only k2's 62 bytes should be counted"
                               << (after_remove == 3
                                       ? no_overhead()
                                       : graded::hint("remove must give the item's bytes back"));
  EXPECT_EQ(c.item_count(), 1u) << "after remove(\"key\"), one item (k2) should be left";
}

TEST(LruCache, RemoveIsMemcachedsDelete) {
  POINTS(1);
  LruCache c(1000);
  c.set("a", "1", 0, kT0);
  c.set("b", "2", 0, kT0);
  EXPECT_TRUE(c.remove("a", kT0)) << "remove of a stored key should return true";
  EXPECT_FALSE(c.get("a", kT0).has_value())
      << "get after remove should miss"
      << graded::hint("remove must take the item out of the map, not only the list");
  EXPECT_EQ(c.get("b", kT0).value_or("(a miss)"), "2") << "remove(\"a\") should leave \"b\" alone";
  EXPECT_FALSE(c.remove("a", kT0)) << "remove of a key that is gone should return false";
  EXPECT_EQ(listed(c.keys_by_recency()), "[b]") << "after remove(\"a\"), only b is stored";
}

TEST(LruCache, EvictsTheLeastRecentlyUsedFirst) {
  POINTS(2);
  // Room for exactly three items of 100 bytes.
  LruCache c(300);
  put(c, "a", 100);
  put(c, "b", 100);
  put(c, "c", 100);
  std::vector<std::string> seen = c.keys_by_recency();
  std::vector<std::string> expected = {"c", "b", "a"};
  ASSERT_EQ(listed(seen), listed(expected))
      << "three items of 100 bytes fill a 300-byte cache exactly: nothing is evicted, the "
         "newest first"
      << order_hint(c, expected);
  EXPECT_EQ(c.bytes_used(), 300u) << "three items of 100 bytes: 300 bytes used";
  put(c, "d", 100);
  seen = c.keys_by_recency();
  expected = {"d", "c", "b"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "set d into the full cache should evict a, the least recently used"
      << order_hint(c, expected);
  put(c, "e", 100);
  seen = c.keys_by_recency();
  expected = {"e", "d", "c"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "then set e should evict b" << order_hint(c, expected);
  EXPECT_FALSE(c.get("a", kT0).has_value()) << "a was evicted: get(\"a\") should miss";
  EXPECT_LE(c.bytes_used(), c.limit_bytes()) << "bytes_used() may never exceed the limit";
}

TEST(LruCache, AGetBumpsTheItem) {
  POINTS(2);
  LruCache c(300);
  put(c, "a", 100);
  put(c, "b", 100);
  put(c, "c", 100);
  ASSERT_EQ(listed(c.keys_by_recency()), "[c, b, a]")
      << "three items of 100 bytes fit a 300-byte cache exactly, the newest first"
      << order_hint(c, {"c", "b", "a"});
  ASSERT_TRUE(c.get("a", kT0).has_value()) << "a is stored: get(\"a\") should hit";
  std::vector<std::string> seen = c.keys_by_recency();
  std::vector<std::string> expected = {"a", "c", "b"};
  // Not bumped: every check after this one follows from it.
  const bool not_bumped = seen == std::vector<std::string>{"c", "b", "a"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "get(\"a\") should make a the most recently used"
      << (not_bumped ? graded::hint(kBump, kBumpFix) + graded::explains_others()
                     : order_hint(c, expected));
  put(c, "d", 100);
  seen = c.keys_by_recency();
  expected = {"d", "a", "c"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "set d should evict b, now the least recently used, and keep a, which get bumped"
      << (not_bumped ? "" : order_hint(c, expected));
  EXPECT_TRUE(c.get("a", kT0).has_value()) << "a was bumped: it should survive set d";
  EXPECT_FALSE(c.get("b", kT0).has_value()) << "b was the least recently used: set d evicts it";
}

TEST(LruCache, ASetOfAKeyAlreadyThereReplacesItAndBumps) {
  POINTS(2);
  LruCache c(300);
  put(c, "a", 100);
  put(c, "b", 100);
  put(c, "c", 100);
  ASSERT_EQ(listed(c.keys_by_recency()), "[c, b, a]")
      << "three items of 100 bytes fit a 300-byte cache exactly, the newest first"
      << order_hint(c, {"c", "b", "a"});
  c.set("b", value_costing("b", 100), 0, kT0);
  std::vector<std::string> seen = c.keys_by_recency();
  std::vector<std::string> expected = {"b", "c", "a"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "set b again (same size) in the full cache should evict nothing and make b the most "
         "recently used"
      << (seen.size() == 4   ? graded::hint("the old b is still in the list: drop the old item "
                                              "of the key first")
          : seen.size() == 2 ? graded::hint("an item was evicted for nothing: drop the old b "
                                            "first, and its bytes make room for the new one")
          : seen == std::vector<std::string>{"c", "b", "a"}
              ? graded::hint("the new b must go to the front, like any new item")
              : order_hint(c, expected));
  EXPECT_EQ(c.bytes_used(), 300u) << "still three items of 100 bytes";
  put(c, "d", 100);
  seen = c.keys_by_recency();
  expected = {"d", "b", "c"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "then set d should evict a" << order_hint(c, expected);
  // A bigger value for c: its old 100 bytes go, then b (the least recently
  // used) must go too: 100 (d) + 200 (the new c) = 300 fits.
  put(c, "c", 200);
  seen = c.keys_by_recency();
  expected = {"c", "d"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "then set c to a 200-byte item should drop the old c, evict b, and keep d"
      << order_hint(c, expected);
  EXPECT_EQ(c.bytes_used(), 300u) << "d (100) and the new c (200): 300 bytes";
}

TEST(LruCache, EvictsOnlyAsManyAsTheNewItemNeeds) {
  POINTS(2);
  LruCache c(1000);
  put(c, "a", 400);
  put(c, "b", 300);
  put(c, "c", 200);
  ASSERT_EQ(listed(c.keys_by_recency()), "[c, b, a]")
      << "items of 400, 300 and 200 bytes fit in 1000, the newest first"
      << order_hint(c, {"c", "b", "a"});
  // 900 used: d (500) needs a (400) out, and no more: 500 + 500 = 1000.
  put(c, "d", 500);
  std::vector<std::string> seen = c.keys_by_recency();
  std::vector<std::string> expected = {"d", "c", "b"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "with a 400, b 300, c 200 in 1000 bytes, set d of 500 should evict a only"
      << order_hint(c, expected);
  EXPECT_EQ(c.bytes_used(), 1000u) << "b 300 + c 200 + d 500 fill the 1000 bytes exactly";
  // e (100) needs b (300) out; then f (900) needs c (200) and d (500) out:
  // 100 (e) + 900 = 1000.
  put(c, "e", 100);
  seen = c.keys_by_recency();
  expected = {"e", "d", "c"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "then set e of 100 should evict b only" << order_hint(c, expected);
  put(c, "f", 900);
  seen = c.keys_by_recency();
  expected = {"f", "e"};
  EXPECT_EQ(listed(seen), listed(expected))
      << "then set f of 900 should evict c and d, the two least recently used, and keep e"
      << (seen.size() == expected.size() + 1
              ? graded::hint("one eviction is not always enough: evicting goes on until the "
                             "new item fits",
                             "a loop, not an if: while (bytes_used() + item_bytes(key, value) > "
                             "limit_bytes()) evict the back")
              : order_hint(c, expected));
  EXPECT_LE(c.bytes_used(), c.limit_bytes()) << "bytes_used() may never exceed the limit";
}

TEST(LruCache, AnItemExpiresExactlyAtItsTtl) {
  POINTS(2);
  LruCache c(1000);
  const std::int64_t t = kT0 + 100;
  c.set("page", "v1", 10, t);
  ASSERT_TRUE(c.get("page", t).has_value())
      << "an item with a TTL of 10 s should be there right after its set"
      << graded::hint("an item's expiry is a moment: when it was set, plus its TTL",
                      "store expires_at = now_s + ttl_s, not the ttl itself");
  const bool at_9 = c.get("page", t + 9).has_value();
  EXPECT_TRUE(at_9) << "set at second 100 with a TTL of 10, get at second 109 should hit"
                    << graded::hint("set at 100 with a TTL of 10, the item is alive at 109: is "
                                    "the expiry test the right way round?",
                                    "expired when expires_at <= now_s");
  const bool at_10 = c.get("page", t + 10).has_value();
  EXPECT_FALSE(at_10) << "set at second 100 with a TTL of 10, get at second 110 should miss: "
                         "memcached's item is gone from the second its exptime is reached"
                      << graded::hint("the item is gone from the very second its expiry is "
                                      "reached (memcached's test)",
                                      "expired: expires_at <= now_s, not <");
  c.set("counter", "1", 10, t);
  c.get("counter", t + 5);
  EXPECT_FALSE(c.get("counter", t + 11).has_value())
      << "a get at second 105 should not extend a TTL set at 100: the item is gone at 111"
      << graded::hint("a get bumps the item in the LRU, never its expiry");
  c.set("forever", "x", 0, t);
  EXPECT_TRUE(c.get("forever", t + 10 * 365 * 86400).has_value())
      << "a TTL of 0 should never expire (still there 10 years later)"
      << graded::hint("a TTL of 0 means the item never expires, not that it expires at once",
                      "ttl_s == 0: store no expiry at all (std::nullopt)");
  c.set("gone", "x", -1, t);
  EXPECT_FALSE(c.get("gone", t).has_value())
      << "a negative TTL is already expired: get at the same second should miss";
}

TEST(LruCache, ExpiryIsLazy) {
  POINTS(1);
  LruCache c(1000);
  c.set("a", "1", 10, kT0);
  c.set("b", "2", 0, kT0);
  // Second 20: a has expired, but nothing has looked at it yet.
  c.set("c", "3", 0, kT0 + 20);
  EXPECT_EQ(c.item_count(), 3u)
      << "an expired item nobody has looked at is still stored, as in memcached"
      << (c.item_count() == 2
              ? graded::hint("only get and remove (and eviction) drop an expired item; dropping "
                             "expired items anywhere else keeps items that memcached would "
                             "evict")
              : order_hint(c, {"c", "b", "a"}));
  EXPECT_FALSE(c.get("a", kT0 + 20).has_value()) << "a expired at second 10: get should miss";
  EXPECT_EQ(listed(c.keys_by_recency()), "[c, b]")
      << "a get that finds an expired item drops it"
      << graded::hint("when get sees the item has expired, drop it (list, map and bytes) "
                      "before returning the miss");
  EXPECT_EQ(c.bytes_used(), item_bytes("b", "2") + item_bytes("c", "3"))
      << "the expired a's bytes should be free once get dropped it";
  c.set("d", "4", 5, kT0 + 20);
  EXPECT_FALSE(c.remove("d", kT0 + 30))
      << "remove of an expired item should return false (memcached says NOT_FOUND)"
      << graded::hint("in remove, an item past its expiry is dropped but was not there");
  EXPECT_EQ(c.item_count(), 2u) << "remove drops the expired d all the same";
}

TEST(LruCache, AnItemOverTheLimitIsRefused) {
  POINTS(2);
  LruCache c(500);
  put(c, "a", 200);
  put(c, "b", 200);
  ASSERT_EQ(listed(c.keys_by_recency()), "[b, a]")
      << "two items of 200 bytes fit in 500, the newest first" << order_hint(c, {"b", "a"});
  const bool big = put(c, "big", 501);
  EXPECT_FALSE(big) << "an item of 501 bytes can never fit in 500: set should return false"
                    << graded::hint("an item larger than the whole cache can never fit: set "
                                    "refuses it, and evicts nothing for it",
                                    "if (item_bytes(key, value) > limit_bytes_) return false; "
                                    "before any eviction");
  std::vector<std::string> seen = c.keys_by_recency();
  EXPECT_EQ(listed(seen), "[b, a]")
      << "a refused item should evict nothing"
      << graded::hint(seen.empty() || seen.size() == 1
                          ? "the size check must come before the evictions: evicting for an "
                            "item that will be refused only empties the cache"
                          : "a refused item must not be stored");
  const bool exact = put(c, "exact", 500);
  EXPECT_TRUE(exact) << "an item of exactly 500 bytes fits a 500-byte cache"
                     << graded::hint("an item exactly as large as the limit fits: refuse only "
                                     "items larger than it",
                                     "refuse when item_bytes(key, value) > limit, not >=");
  EXPECT_EQ(listed(c.keys_by_recency()), "[exact]")
      << "the 500-byte item needs the whole cache: a and b are evicted";
  c.set("exact", value_costing("exact", 600), 0, kT0);
  EXPECT_FALSE(c.get("exact", kT0).has_value())
      << "a set that is refused should still drop the key's old value, as memcached does "
         "(no stale value outlives a failed set)"
      << graded::hint("drop the old item of the key before the size check, not after it");
  EXPECT_EQ(c.bytes_used(), 0u) << "nothing is left";
}

} // namespace
} // namespace exercise
