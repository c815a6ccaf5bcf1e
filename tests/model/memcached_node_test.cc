// MemcachedNode: memcached 1.6's storage semantics, one behaviour per test.
//
// Where a test says "memcached 1.6.18 does the same", the same command
// sequence was run against the Debian package (memcached -m 2 -o
// no_slab_reassign,no_slab_automove, plus no_lru_maintainer for classic)
// and gave the values asserted here.
#include "stampede/memcached_node.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "internal/memcached_slabs.h"
#include "model/memcached_meta.h"

namespace stampede {
namespace {

/// The simulated clock starts at Unix time 1,000,000,000 (SPEC section 2).
constexpr std::int64_t kT0 = 1'000'000'000;
constexpr std::uint64_t kMiB = 1u << 20;

McConfig config_with(LruModel lru, std::uint64_t memory_bytes = 64 * kMiB) {
  McConfig c;
  c.lru = lru;
  c.memory_limit_bytes = memory_bytes;
  return c;
}

McStatus set(MemcachedNode &node, std::string_view key, std::string_view value, std::int64_t now_s,
             std::int64_t exptime = 0, std::uint32_t flags = 0) {
  return node.store(StoreMode::kSet, key, flags, exptime, value, 0, now_s);
}

/// The value stored under `key`, or "<miss>".
std::string value_of(MemcachedNode &node, std::string_view key, std::int64_t now_s) {
  McItemView view;
  return node.get(key, now_s, &view) ? std::string(view.value) : std::string("<miss>");
}

std::uint64_t cas_of(MemcachedNode &node, std::string_view key, std::int64_t now_s) {
  McItemView view;
  return node.get(key, now_s, &view) ? view.cas : 0;
}

std::string key_n(int i) {
  std::string k = "k000";
  k[1] = static_cast<char>('0' + i / 100);
  k[2] = static_cast<char>('0' + i / 10 % 10);
  k[3] = static_cast<char>('0' + i % 10);
  return k;
}

/// Indices i in [0, n) whose key_n(i) is present.
std::vector<int> survivors(const MemcachedNode &node, int n, std::int64_t now_s) {
  std::vector<int> alive;
  for (int i = 0; i < n; ++i) {
    if (node.contains(key_n(i), now_s)) {
      alive.push_back(i);
    }
  }
  return alive;
}

std::vector<int> range(int from, int to) {
  std::vector<int> r;
  for (int i = from; i < to; ++i) {
    r.push_back(i);
  }
  return r;
}

// A 100,000-byte value under a 4-byte key is an item of
// 48 (header) + 8 (cas) + 4 + 1 (key, NUL) + 100,000 + 2 (CRLF) = 100,063
// bytes; the smallest chunk that fits is 103,496 bytes (class 32), and a
// 1 MiB page holds 1,048,576 / 103,496 = 10 of them.
const std::string kBig(100'000, 'v');
constexpr int kBigPerPage = 10;

// ---- slab arithmetic ----

TEST(MemcachedSlabs, ClassesMatchMemcachedDefaults) {
  // memcached -vv with -f 1.25 -n 48 prints 39 classes: 96, 120, 152, ...,
  // 394840, then 524288 (half a page).
  const auto classes = internal::slab_class_sizes(1.25, 48, 1u << 20, 1u << 19);
  ASSERT_EQ(classes.size(), 39u);
  EXPECT_EQ(classes[0].chunk_bytes, 96u);
  EXPECT_EQ(classes[0].per_page, 10922u);
  EXPECT_EQ(classes[1].chunk_bytes, 120u);
  EXPECT_EQ(classes[14].chunk_bytes, 2320u); // class 15
  EXPECT_EQ(classes[14].per_page, 451u);
  EXPECT_EQ(classes[31].chunk_bytes, 103496u); // class 32
  EXPECT_EQ(classes[31].per_page, 10u);
  EXPECT_EQ(classes[37].chunk_bytes, 394840u);
  EXPECT_EQ(classes[38].chunk_bytes, 524288u);
  EXPECT_EQ(classes[38].per_page, 2u);
}

TEST(MemcachedSlabs, ItemTotalIsMemcachedNtotal) {
  // memcached's `stats` reported bytes = 931,315 for 451 items of a 6-byte
  // key and a 2,000-byte value: 2,065 each = 48 + 8 + 7 + 2,002.
  EXPECT_EQ(internal::item_total_bytes(6, 0, 2000), 2065u);
  // Non-zero flags add 4 bytes.
  EXPECT_EQ(internal::item_total_bytes(6, 1, 2000), 2069u);
}

/// Semantics that hold under every LRU model run once per model.
class MemcachedNodeTest : public ::testing::TestWithParam<LruModel> {};

// ---- storage commands ----

TEST_P(MemcachedNodeTest, SetThenGetReturnsValueAndFlags) {
  MemcachedNode node(config_with(GetParam()));
  ASSERT_EQ(set(node, "a", "hello", kT0, 0, 42), McStatus::kStored);
  McItemView view;
  ASSERT_TRUE(node.get("a", kT0, &view));
  EXPECT_EQ(view.key, "a");
  EXPECT_EQ(view.value, "hello");
  EXPECT_EQ(view.flags, 42u);
  EXPECT_EQ(view.cas, 1u); // the node-wide counter starts at 1
  EXPECT_EQ(view.exptime, 0);
}

TEST_P(MemcachedNodeTest, GetOfMissingKeyMisses) {
  MemcachedNode node(config_with(GetParam()));
  EXPECT_FALSE(node.get("nope", kT0, nullptr));
  EXPECT_EQ(node.stats().get_misses, 1u);
  EXPECT_EQ(node.stats().cmd_get, 1u);
}

TEST_P(MemcachedNodeTest, AddStoresOnlyWhenAbsent) {
  MemcachedNode node(config_with(GetParam()));
  EXPECT_EQ(node.store(StoreMode::kAdd, "a", 0, 0, "1", 0, kT0), McStatus::kStored);
  // add on a present key: NOT_STORED, the old value stays.
  EXPECT_EQ(node.store(StoreMode::kAdd, "a", 0, 0, "2", 0, kT0), McStatus::kNotStored);
  EXPECT_EQ(value_of(node, "a", kT0), "1");
}

TEST_P(MemcachedNodeTest, AddSucceedsOnceTheOldItemExpired) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0, 10);
  // At kT0 + 10 the item is expired (exptime <= now), so the key is absent.
  EXPECT_EQ(node.store(StoreMode::kAdd, "a", 0, 0, "2", 0, kT0 + 10), McStatus::kStored);
  EXPECT_EQ(value_of(node, "a", kT0 + 10), "2");
}

TEST_P(MemcachedNodeTest, ReplaceStoresOnlyWhenPresent) {
  MemcachedNode node(config_with(GetParam()));
  EXPECT_EQ(node.store(StoreMode::kReplace, "a", 0, 0, "1", 0, kT0), McStatus::kNotStored);
  EXPECT_FALSE(node.contains("a", kT0)); // nothing was stored
  set(node, "a", "1", kT0);
  EXPECT_EQ(node.store(StoreMode::kReplace, "a", 7, 0, "2", 0, kT0), McStatus::kStored);
  McItemView view;
  ASSERT_TRUE(node.get("a", kT0, &view));
  EXPECT_EQ(view.value, "2");
  EXPECT_EQ(view.flags, 7u); // replace takes the new flags
}

TEST_P(MemcachedNodeTest, AppendAndPrependOnMissingKeyAreNotStored) {
  MemcachedNode node(config_with(GetParam()));
  EXPECT_EQ(node.store(StoreMode::kAppend, "a", 0, 0, "x", 0, kT0), McStatus::kNotStored);
  EXPECT_EQ(node.store(StoreMode::kPrepend, "a", 0, 0, "x", 0, kT0), McStatus::kNotStored);
  EXPECT_FALSE(node.contains("a", kT0));
}

TEST_P(MemcachedNodeTest, AppendKeepsFlagsAndExptime) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "c", "x", kT0, 100, 7);
  // The flags (9) and exptime (5) given to append are ignored, as memcached
  // 1.6.18 does: "set c 7 0 1 / append c 9 0 1" gives "VALUE c 7 2".
  EXPECT_EQ(node.store(StoreMode::kAppend, "c", 9, 5, "y", 0, kT0), McStatus::kStored);
  McItemView view;
  ASSERT_TRUE(node.get("c", kT0, &view));
  EXPECT_EQ(view.value, "xy");
  EXPECT_EQ(view.flags, 7u);
  EXPECT_EQ(view.exptime, kT0 + 100);
  // Still alive at kT0 + 99, past the 5 s append asked for.
  EXPECT_TRUE(node.contains("c", kT0 + 99));
}

TEST_P(MemcachedNodeTest, PrependPutsDataFirst) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "c", "world", kT0);
  EXPECT_EQ(node.store(StoreMode::kPrepend, "c", 0, 0, "hello ", 0, kT0), McStatus::kStored);
  EXPECT_EQ(value_of(node, "c", kT0), "hello world");
}

TEST_P(MemcachedNodeTest, CasOnMissingKeyIsNotFound) {
  MemcachedNode node(config_with(GetParam()));
  EXPECT_EQ(node.store(StoreMode::kCas, "zz", 0, 0, "x", 5, kT0), McStatus::kNotFound);
  EXPECT_EQ(node.stats().cas_misses, 1u);
  EXPECT_FALSE(node.contains("zz", kT0));
}

TEST_P(MemcachedNodeTest, CasWithStaleUniqueIsExists) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0);
  const std::uint64_t seen = cas_of(node, "a", kT0);
  set(node, "a", "2", kT0); // another client writes in between
  EXPECT_EQ(node.store(StoreMode::kCas, "a", 0, 0, "3", seen, kT0), McStatus::kExists);
  EXPECT_EQ(value_of(node, "a", kT0), "2");
  EXPECT_EQ(node.stats().cas_badval, 1u);
}

TEST_P(MemcachedNodeTest, CasWithCurrentUniqueStores) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0);
  const std::uint64_t seen = cas_of(node, "a", kT0);
  std::uint64_t new_cas = 0;
  EXPECT_EQ(node.store(StoreMode::kCas, "a", 0, 0, "3", seen, kT0, &new_cas), McStatus::kStored);
  EXPECT_EQ(value_of(node, "a", kT0), "3");
  EXPECT_EQ(new_cas, seen + 1); // the next unique of the node-wide counter
  EXPECT_EQ(node.stats().cas_hits, 1u);
}

TEST_P(MemcachedNodeTest, DeleteThenDeleteAgain) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0);
  EXPECT_EQ(node.remove("a", kT0), McStatus::kDeleted);
  EXPECT_EQ(node.remove("a", kT0), McStatus::kNotFound);
  EXPECT_EQ(node.stats().curr_items, 0u);
}

// ---- CAS uniques ----

TEST_P(MemcachedNodeTest, SameValueWrittenTwiceGetsANewUnique) {
  MemcachedNode node(config_with(GetParam()));
  std::uint64_t first = 0, second = 0;
  node.store(StoreMode::kSet, "a", 0, 0, "same", 0, kT0, &first);
  node.store(StoreMode::kSet, "a", 0, 0, "same", 0, kT0, &second);
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 2u); // every modification, even an identical one
  EXPECT_EQ(cas_of(node, "a", kT0), 2u);
}

TEST_P(MemcachedNodeTest, AppendAndIncrAssignNewUniques) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "10", kT0); // cas 1
  node.store(StoreMode::kAppend, "a", 0, 0, "0", 0, kT0);
  EXPECT_EQ(cas_of(node, "a", kT0), 2u);
  std::uint64_t v = 0;
  node.incr_decr("a", true, 1, kT0, &v); // in place: "101"
  EXPECT_EQ(cas_of(node, "a", kT0), 3u);
  node.incr_decr("a", true, 900, kT0, &v); // "1001" is longer: a new item
  EXPECT_EQ(cas_of(node, "a", kT0), 4u);
}

TEST_P(MemcachedNodeTest, TouchKeepsTheUnique) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "10", kT0);
  // memcached 1.6.18: "gets a" shows cas 1 before and after "touch a 100".
  EXPECT_EQ(node.touch("a", 100, kT0), McStatus::kTouched);
  EXPECT_EQ(cas_of(node, "a", kT0), 1u);
}

TEST_P(MemcachedNodeTest, FailedAddLeavesTheUnique) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0);
  node.store(StoreMode::kAdd, "a", 0, 0, "2", 0, kT0);
  EXPECT_EQ(cas_of(node, "a", kT0), 1u); // nothing was modified
  set(node, "b", "1", kT0);
  EXPECT_EQ(cas_of(node, "b", kT0), 2u); // and no unique was used up
}

// ---- TTL ----

TEST_P(MemcachedNodeTest, ZeroTtlNeverExpires) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0, 0);
  EXPECT_EQ(value_of(node, "a", kT0 + 10 * 365 * 86400), "1"); // ten years on
}

TEST_P(MemcachedNodeTest, RelativeTtlExpiresWhenNowReachesIt) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0, 10);
  // exptime = kT0 + 10; expired when exptime <= now (items.c do_item_get).
  EXPECT_EQ(value_of(node, "a", kT0 + 9), "1");
  EXPECT_EQ(value_of(node, "a", kT0 + 10), "<miss>");
  EXPECT_EQ(node.stats().get_expired, 1u);
  EXPECT_EQ(node.stats().curr_items, 0u); // unlinked when seen expired
}

TEST_P(MemcachedNodeTest, ThirtyDaysIsStillRelative) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0, 2'592'000); // exactly 30 days: relative
  McItemView view;
  ASSERT_TRUE(node.get("a", kT0, &view));
  EXPECT_EQ(view.exptime, kT0 + 2'592'000);
}

TEST_P(MemcachedNodeTest, TtlAboveThirtyDaysIsAbsoluteUnixTime) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0, kT0 + 100); // > 2,592,000: an absolute time
  EXPECT_EQ(value_of(node, "a", kT0 + 99), "1");
  EXPECT_EQ(value_of(node, "a", kT0 + 100), "<miss>");
}

TEST_P(MemcachedNodeTest, AbsoluteTtlInThePastIsStoredButExpired) {
  MemcachedNode node(config_with(GetParam()));
  // 2,592,001 is 1970-01-31: above 30 days, hence absolute, and long past.
  EXPECT_EQ(set(node, "a", "1", kT0, 2'592'001), McStatus::kStored);
  EXPECT_EQ(value_of(node, "a", kT0), "<miss>");
}

TEST_P(MemcachedNodeTest, NegativeTtlIsStoredButExpired) {
  MemcachedNode node(config_with(GetParam()));
  // memcached 1.6.18: "set b 0 -1 1" answers STORED, "get b" answers END.
  EXPECT_EQ(set(node, "b", "x", kT0, -1), McStatus::kStored);
  EXPECT_EQ(value_of(node, "b", kT0), "<miss>");
  EXPECT_FALSE(node.contains("b", kT0));
}

TEST_P(MemcachedNodeTest, TouchSetsANewExptime) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0, 10);
  EXPECT_EQ(node.touch("a", 100, kT0 + 5), McStatus::kTouched);
  EXPECT_EQ(value_of(node, "a", kT0 + 104), "1"); // now expires at kT0 + 105
  EXPECT_EQ(value_of(node, "a", kT0 + 105), "<miss>");
  EXPECT_EQ(node.touch("zz", 100, kT0), McStatus::kNotFound);
  EXPECT_EQ(node.stats().touch_hits, 1u);
  EXPECT_EQ(node.stats().touch_misses, 1u);
}

TEST_P(MemcachedNodeTest, GatReturnsTheItemAndTouchesIt) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0, 10);
  McItemView view;
  ASSERT_TRUE(node.gat("a", 50, kT0 + 1, &view));
  EXPECT_EQ(view.value, "1");
  EXPECT_EQ(view.exptime, kT0 + 51);
  EXPECT_EQ(view.cas, 1u); // gat does not modify the unique
  EXPECT_TRUE(node.contains("a", kT0 + 50));
  EXPECT_FALSE(node.gat("zz", 50, kT0 + 1, &view));
  // memcached counts gat under touch_hits/touch_misses, not get_hits.
  EXPECT_EQ(node.stats().touch_hits, 1u);
  EXPECT_EQ(node.stats().touch_misses, 1u);
  EXPECT_EQ(node.stats().get_hits, 0u);
  EXPECT_EQ(node.stats().cmd_get, 2u);
}

// ---- flush_all ----

TEST_P(MemcachedNodeTest, FlushAllInvalidatesEveryItemAtOnce) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0);
  set(node, "b", "2", kT0);
  node.flush_all(0, kT0);
  EXPECT_FALSE(node.contains("a", kT0));
  EXPECT_EQ(value_of(node, "b", kT0), "<miss>");
  EXPECT_EQ(node.stats().get_flushed, 1u);
}

TEST_P(MemcachedNodeTest, ItemStoredAfterFlushInTheSameSecondSurvives) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0); // cas 1
  node.flush_all(0, kT0);   // uses up cas 2, as memcached's oldest_cas does
  set(node, "b", "2", kT0);
  // memcached 1.6.18: gets a = 3010, flush_all, set b, gets b = 3012, a gone.
  EXPECT_EQ(cas_of(node, "b", kT0), 3u);
  EXPECT_EQ(value_of(node, "a", kT0), "<miss>");
}

TEST_P(MemcachedNodeTest, DelayedFlushActsOneSecondEarlyOnMemcachedsClock) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0);
  node.flush_all(3, kT0);
  // oldest_live = kT0 + 3 - 1: memcached 1.6.18 lost the item 1.9 s after
  // "flush_all 3" in three trials.
  EXPECT_TRUE(node.contains("a", kT0 + 1));
  EXPECT_FALSE(node.contains("a", kT0 + 2));
  // An item stored during that second is flushed too (its time <= oldest_live)
  set(node, "b", "1", kT0 + 2);
  EXPECT_FALSE(node.contains("b", kT0 + 2));
  // but one stored a second later lives.
  set(node, "c", "1", kT0 + 3);
  EXPECT_EQ(value_of(node, "c", kT0 + 3), "1");
}

// ---- incr / decr ----

TEST_P(MemcachedNodeTest, IncrAddsAndReturnsTheNewValue) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "n", "41", kT0);
  std::uint64_t v = 0;
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kOk);
  EXPECT_EQ(v, 42u);
  EXPECT_EQ(value_of(node, "n", kT0), "42");
}

TEST_P(MemcachedNodeTest, IncrWrapsAt2To64) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "n", "18446744073709551615", kT0); // 2^64 - 1
  std::uint64_t v = 0;
  EXPECT_EQ(node.incr_decr("n", true, 2, kT0, &v), McStatus::kOk);
  EXPECT_EQ(v, 1u); // (2^64 - 1 + 2) mod 2^64
  // memcached 1.6.18 rewrites in place: "1" and 19 spaces, length 20.
  EXPECT_EQ(value_of(node, "n", kT0), "1                   ");
}

TEST_P(MemcachedNodeTest, DecrFloorsAtZero) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "n", "5", kT0);
  std::uint64_t v = 99;
  EXPECT_EQ(node.incr_decr("n", false, 9, kT0, &v), McStatus::kOk);
  EXPECT_EQ(v, 0u); // 5 - 9 stops at 0
  EXPECT_EQ(value_of(node, "n", kT0), "0");
}

TEST_P(MemcachedNodeTest, DecrKeepsTheLengthPaddedWithSpaces) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "n", "10", kT0);
  std::uint64_t v = 0;
  node.incr_decr("n", false, 1, kT0, &v);
  // memcached 1.6.18: "decr a 1" on "10" answers 9 and "get" shows "9 ".
  EXPECT_EQ(value_of(node, "n", kT0), "9 ");
}

TEST_P(MemcachedNodeTest, IncrPastTheLengthMakesALongerItemKeepingFlags) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "n", "99", kT0, 100, 5);
  std::uint64_t v = 0;
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kOk);
  McItemView view;
  ASSERT_TRUE(node.get("n", kT0, &view));
  EXPECT_EQ(view.value, "100");
  EXPECT_EQ(view.flags, 5u);
  EXPECT_EQ(view.exptime, kT0 + 100);
}

TEST_P(MemcachedNodeTest, IncrOnNonNumericValueFails) {
  MemcachedNode node(config_with(GetParam()));
  std::uint64_t v = 0;
  set(node, "n", "12ab", kT0); // trailing garbage
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kNonNumeric);
  set(node, "n", "", kT0); // empty
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kNonNumeric);
  set(node, "n", "-5", kT0); // negative
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kNonNumeric);
  set(node, "n", "18446744073709551616", kT0); // 2^64 overflows
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kNonNumeric);
  EXPECT_EQ(value_of(node, "n", kT0), "18446744073709551616"); // untouched
}

TEST_P(MemcachedNodeTest, IncrAcceptsWhatStrtoullAccepts) {
  MemcachedNode node(config_with(GetParam()));
  std::uint64_t v = 0;
  // memcached 1.6.18 answered 13 to each of these and 2 to the last one.
  set(node, "n", " 12", kT0);
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kOk);
  EXPECT_EQ(v, 13u);
  set(node, "n", "+12", kT0);
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kOk);
  EXPECT_EQ(v, 13u);
  set(node, "n", "12 a", kT0); // a space ends the number
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kOk);
  EXPECT_EQ(v, 13u);
  set(node, "n", "000000000000000000000001", kT0); // 24 digits, value 1
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kOk);
  EXPECT_EQ(v, 2u);
}

TEST_P(MemcachedNodeTest, IncrOnMissingKeyIsNotFound) {
  MemcachedNode node(config_with(GetParam()));
  std::uint64_t v = 0;
  EXPECT_EQ(node.incr_decr("n", true, 1, kT0, &v), McStatus::kNotFound);
  EXPECT_EQ(node.incr_decr("n", false, 1, kT0, &v), McStatus::kNotFound);
  EXPECT_EQ(node.stats().incr_misses, 1u);
  EXPECT_EQ(node.stats().decr_misses, 1u);
}

// ---- too large ----

TEST_P(MemcachedNodeTest, LargestValueThatFitsTheItemSizeLimit) {
  MemcachedNode node(config_with(GetParam()));
  // ntotal = 48 + 8 + 1 + 1 + value + 2 must be <= 1,048,576: the largest
  // value under a 1-byte key with flags 0 is 1,048,516 bytes.
  EXPECT_EQ(set(node, "k", std::string(1'048'516, 'x'), kT0), McStatus::kStored);
  EXPECT_EQ(set(node, "j", std::string(1'048'517, 'x'), kT0), McStatus::kTooLarge);
  EXPECT_FALSE(node.contains("j", kT0));
}

TEST_P(MemcachedNodeTest, TooLargeSetDeletesTheOldItem) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "old", kT0);
  EXPECT_EQ(set(node, "a", std::string(2u << 20, 'x'), kT0), McStatus::kTooLarge);
  // process_update_command unlinks the old item so no stale value outlives
  // a failed set.
  EXPECT_FALSE(node.contains("a", kT0));
}

TEST_P(MemcachedNodeTest, TooLargeReplaceKeepsTheOldItem) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "old", kT0);
  EXPECT_EQ(node.store(StoreMode::kReplace, "a", 0, 0, std::string(2u << 20, 'x'), 0, kT0),
            McStatus::kTooLarge);
  EXPECT_EQ(value_of(node, "a", kT0), "old"); // only set drops it
}

TEST_P(MemcachedNodeTest, ChargeBytesCountsTowardsTheItemSizeLimit) {
  MemcachedNode node(config_with(GetParam()));
  EXPECT_EQ(node.store(StoreMode::kSet, "a", 0, 0, "tiny", 0, kT0, nullptr, 2u << 20),
            McStatus::kTooLarge);
}

TEST_P(MemcachedNodeTest, AppendBeyondTheItemSizeLimitIsNotStored) {
  MemcachedNode node(config_with(GetParam()));
  const std::string half(600'000, 'x');
  set(node, "b", half, kT0);
  // memcached 1.6.18: a 600,000-byte append to a 600,000-byte item answers
  // NOT_STORED (not SERVER_ERROR) and the item keeps its 600,000 bytes.
  EXPECT_EQ(node.store(StoreMode::kAppend, "b", 0, 0, half, 0, kT0), McStatus::kNotStored);
  EXPECT_EQ(value_of(node, "b", kT0).size(), 600'000u);
}

TEST_P(MemcachedNodeTest, NonZeroFlagsTakeFourBytesOfTheLimit) {
  MemcachedNode node(config_with(GetParam()));
  // With flags 1 the largest value is 4 bytes smaller: 1,048,512 (checked
  // on memcached 1.6.18: 1,048,512 STORED, 1,048,513 too large).
  EXPECT_EQ(set(node, "f", std::string(1'048'512, 'x'), kT0, 0, 1), McStatus::kStored);
  EXPECT_EQ(set(node, "g", std::string(1'048'513, 'x'), kT0, 0, 1), McStatus::kTooLarge);
}

TEST_P(MemcachedNodeTest, AddOnAFullClassMayEvictItsOwnKeyAndStore) {
  MemcachedNode node(config_with(GetParam(), 2 * kMiB));
  for (int i = 0; i < 2 * kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // memcached allocates the new item before it looks for the old one; the
  // class is full, so the allocation evicts the tail, k000 itself, and the
  // add then finds no k000 and stores. memcached 1.6.18 (segmented and
  // classic) answered STORED with the new value and kept all 20 keys.
  EXPECT_EQ(node.store(StoreMode::kAdd, key_n(0), 0, 0, std::string(100'000, 'w'), 0, kT0),
            McStatus::kStored);
  EXPECT_EQ(value_of(node, key_n(0), kT0)[0], 'w');
  EXPECT_EQ(survivors(node, 20, kT0), range(0, 20));
}

TEST_P(MemcachedNodeTest, AppendAndPrependOnAFullClassKeepTheOldData) {
  MemcachedNode node(config_with(GetParam(), 1 * kMiB));
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // The class is full and k000 is its tail. memcached holds a reference to
  // the old item while it builds the combined one, so the eviction that
  // makes room skips k000 (busy) and takes k001, the next from the tail.
  // memcached 1.6.18 (-m 2, 20 items) does the same: STORED, then
  // NOT_STORED for k001, one eviction.
  EXPECT_EQ(node.store(StoreMode::kPrepend, key_n(0), 0, 0, "P", 0, kT0), McStatus::kStored);
  EXPECT_EQ(value_of(node, key_n(0), kT0), "P" + kBig);
  EXPECT_EQ(node.stats().evictions, 1u);
  EXPECT_EQ(node.store(StoreMode::kAppend, key_n(1), 0, 0, "A", 0, kT0), McStatus::kNotStored);
  EXPECT_EQ(value_of(node, key_n(1), kT0), "<miss>");
  EXPECT_EQ(value_of(node, key_n(2), kT0), kBig);
}

// ---- memory ----

TEST_P(MemcachedNodeTest, MemoryLimitHoldsWhatTheSlabArithmeticAllows) {
  MemcachedNode node(config_with(GetParam(), 2 * kMiB));
  // "k00000".."k02999" with 2,000-byte values: 2,065-byte items in class 15
  // (2,320-byte chunks, 451 per page); 2 MiB = 2 pages = 902 items. memcached
  // 1.6.18 -m 2 held exactly 902 of 3,000 (evictions 2,098, survivors
  // k02098..k02999).
  const std::string v(2000, 'x');
  for (int i = 0; i < 3000; ++i) {
    std::string k = "k0" + key_n(i / 10).substr(1) + static_cast<char>('0' + i % 10);
    ASSERT_EQ(set(node, k, v, kT0), McStatus::kStored);
  }
  EXPECT_EQ(node.stats().curr_items, 902u);
  EXPECT_EQ(node.stats().evictions, 2098u);
  EXPECT_EQ(node.stats().bytes, 902u * 2065u);
  EXPECT_EQ(node.stats().total_malloced, 2 * kMiB);
  EXPECT_TRUE(node.contains("k02098", kT0));  // the oldest survivor
  EXPECT_FALSE(node.contains("k02097", kT0)); // the last evicted
}

TEST_P(MemcachedNodeTest, NoEvictionWhileMemoryRemains) {
  MemcachedNode node(config_with(GetParam(), 4 * kMiB));
  // 4 pages of 10 big items: 40 fit with no eviction.
  for (int i = 0; i < 4 * kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  EXPECT_EQ(node.stats().curr_items, 40u);
  EXPECT_EQ(node.stats().evictions, 0u);
  set(node, key_n(40), kBig, kT0); // the 41st needs a chunk: evicts one
  EXPECT_EQ(node.stats().curr_items, 40u);
  EXPECT_EQ(node.stats().evictions, 1u);
}

TEST_P(MemcachedNodeTest, ChargeBytesMakesItemsCountAsBigger) {
  MemcachedNode node(config_with(GetParam(), 1 * kMiB));
  // Each "p" value is charged as 100,000 bytes: 10 per 1 MiB page.
  for (int i = 0; i < 11; ++i) {
    node.store(StoreMode::kSet, key_n(i), 0, 0, "p", 0, kT0, nullptr, 100'000);
  }
  EXPECT_EQ(node.stats().curr_items, 10u);
  EXPECT_EQ(node.stats().evictions, 1u);
  EXPECT_EQ(node.stats().bytes, 10u * 100'063u);
  EXPECT_FALSE(node.contains(key_n(0), kT0));     // the oldest went
  EXPECT_EQ(value_of(node, key_n(10), kT0), "p"); // the stored value is the real one
}

TEST_P(MemcachedNodeTest, EachSlabClassGetsItsFirstPagePastTheLimit) {
  MemcachedNode node(config_with(GetParam(), 1 * kMiB));
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // A small item is another class; memcached's do_slabs_newslab grants a
  // class its first page even past -m (seen: total_malloced 3 MiB at -m 2).
  EXPECT_EQ(set(node, "small", "x", kT0), McStatus::kStored);
  EXPECT_EQ(node.stats().total_malloced, 2 * kMiB);
  EXPECT_EQ(node.stats().evictions, 0u);
}

TEST_P(MemcachedNodeTest, StrictMemoryLimitRefusesAClassWithNoPage) {
  McConfig c = config_with(GetParam(), 1 * kMiB);
  c.strict_memory_limit = true;
  MemcachedNode node(c);
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // No page left for the small item's class and nothing in it to evict.
  EXPECT_EQ(set(node, "small", "x", kT0), McStatus::kNoMemory);
  EXPECT_EQ(node.stats().total_malloced, 1 * kMiB);
  EXPECT_EQ(node.stats().outofmemory, 1u);
}

TEST_P(MemcachedNodeTest, ExpiredItemsAtTheTailAreReclaimedNotEvicted) {
  MemcachedNode node(config_with(GetParam(), 1 * kMiB));
  set(node, key_n(0), kBig, kT0, 5); // expires at kT0 + 5
  for (int i = 1; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // Page full; at kT0 + 10 the tail item is expired and makes room.
  set(node, key_n(10), kBig, kT0 + 10);
  EXPECT_EQ(node.stats().evictions, 0u);
  EXPECT_EQ(node.stats().reclaimed, 1u);
  EXPECT_EQ(node.stats().expired_unfetched, 1u); // never read
  EXPECT_EQ(survivors(node, 11, kT0 + 10), range(1, 11));
}

TEST_P(MemcachedNodeTest, LargeItemsTakeWholeChunksOfTheLargestClass) {
  MemcachedNode node(config_with(GetParam(), 2 * kMiB));
  // 600,000 bytes exceed the 524,288-byte chunk: 2 chunks = a whole page
  // each (simplified from memcached's chunk chains), so 2 MiB holds 2.
  const std::string v(600'000, 'x');
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(set(node, key_n(i), v, kT0), McStatus::kStored);
  }
  EXPECT_EQ(survivors(node, 3, kT0), (std::vector<int>{1, 2}));
  EXPECT_EQ(node.stats().evictions, 1u);
}

TEST_P(MemcachedNodeTest, ClearDropsEverythingAndFreesMemory) {
  MemcachedNode node(config_with(GetParam(), 1 * kMiB));
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  node.clear();
  EXPECT_EQ(node.stats().curr_items, 0u);
  EXPECT_EQ(node.stats().bytes, 0u);
  EXPECT_EQ(node.stats().total_malloced, 0u);
  EXPECT_EQ(node.stats().total_items, 0u); // a restarted memcached's counters start at 0
  EXPECT_TRUE(survivors(node, kBigPerPage, kT0).empty());
  // Memory is whole again: 10 more fit with no eviction, and uniques go on
  // from 11 so none from before the crash can match.
  std::uint64_t cas = 0;
  for (int i = 0; i < kBigPerPage; ++i) {
    node.store(StoreMode::kSet, key_n(i), 0, 0, kBig, 0, kT0, &cas);
  }
  EXPECT_EQ(node.stats().evictions, 0u);
  EXPECT_EQ(cas, 20u);
}

TEST_P(MemcachedNodeTest, StatsCountHitsMissesAndItems) {
  MemcachedNode node(config_with(GetParam()));
  set(node, "a", "1", kT0);
  set(node, "a", "2", kT0);
  node.get("a", kT0, nullptr);
  node.get("b", kT0, nullptr);
  const McStats &s = node.stats();
  EXPECT_EQ(s.cmd_set, 2u);
  EXPECT_EQ(s.total_items, 2u); // two links
  EXPECT_EQ(s.curr_items, 1u);  // one key
  EXPECT_EQ(s.get_hits, 1u);
  EXPECT_EQ(s.get_misses, 1u);
  EXPECT_EQ(s.bytes, internal::item_total_bytes(1, 0, 1)); // 61
  EXPECT_EQ(s.limit_maxbytes, 64 * kMiB);
}

INSTANTIATE_TEST_SUITE_P(AllLruModels, MemcachedNodeTest,
                         ::testing::Values(LruModel::kPlain, LruModel::kClassic,
                                           LruModel::kSegmented),
                         [](const ::testing::TestParamInfo<LruModel> &info) {
                           switch (info.param) {
                           case LruModel::kPlain:
                             return std::string("plain");
                           case LruModel::kClassic:
                             return std::string("classic");
                           case LruModel::kSegmented:
                             return std::string("segmented");
                           }
                           return std::string("unknown");
                         });

// ---- LRU models ----

TEST(MemcachedNodePlainLru, AHitSavesAnItemFromEviction) {
  MemcachedNode node(config_with(LruModel::kPlain, 1 * kMiB));
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  node.get(key_n(0), kT0, nullptr); // k000 moves from the tail to the head
  set(node, key_n(10), kBig, kT0);  // evicts the tail: k001
  EXPECT_TRUE(node.contains(key_n(0), kT0));
  EXPECT_FALSE(node.contains(key_n(1), kT0));
  EXPECT_EQ(node.stats().evictions, 1u);
}

TEST(MemcachedNodePlainLru, EvictionsFollowRecencyOrder) {
  MemcachedNode node(config_with(LruModel::kPlain, 1 * kMiB));
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // Recency, oldest first: 1..9, 0. Nine more stores evict 1..9; the tenth
  // evicts k000 too: a hit buys exactly one pass through the list.
  node.get(key_n(0), kT0, nullptr);
  for (int i = 10; i < 19; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  EXPECT_EQ(survivors(node, 19, kT0), (std::vector<int>{0, 10, 11, 12, 13, 14, 15, 16, 17, 18}));
  set(node, key_n(19), kBig, kT0);
  EXPECT_EQ(survivors(node, 20, kT0), range(10, 20));
}

TEST(MemcachedNodeClassicLru, AHitWithinAMinuteOfTheStoreDoesNotBump) {
  MemcachedNode node(config_with(LruModel::kClassic, 1 * kMiB));
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // k000's time is kT0; a hit bumps only if time < now - 60: kT0 < kT0 + 60
  // - 60 is false, so k000 stays at the tail.
  node.get(key_n(0), kT0 + 60, nullptr);
  set(node, key_n(10), kBig, kT0 + 60);
  EXPECT_FALSE(node.contains(key_n(0), kT0 + 60));
  EXPECT_TRUE(node.contains(key_n(1), kT0 + 60));
}

TEST(MemcachedNodeClassicLru, AHitAfterAMinuteBumps) {
  MemcachedNode node(config_with(LruModel::kClassic, 1 * kMiB));
  for (int i = 0; i < kBigPerPage; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  node.get(key_n(0), kT0 + 61, nullptr); // kT0 < kT0 + 1: relinked at the head
  set(node, key_n(10), kBig, kT0 + 61);
  EXPECT_TRUE(node.contains(key_n(0), kT0 + 61));
  EXPECT_FALSE(node.contains(key_n(1), kT0 + 61));
}

TEST(MemcachedNodeClassicLru, ReadTwiceInTheSameSecondIsStillEvicted) {
  // memcached 1.6.18 with -o no_lru_maintainer, -m 2 -I 512k: 20 items of
  // 100,000 bytes, k000 read twice, 20 more stored: survivors k020..k039.
  MemcachedNode node(config_with(LruModel::kClassic, 2 * kMiB));
  for (int i = 0; i < 20; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  node.get(key_n(0), kT0, nullptr);
  node.get(key_n(0), kT0, nullptr);
  for (int i = 20; i < 40; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  EXPECT_EQ(survivors(node, 40, kT0), range(20, 40));
  EXPECT_EQ(node.stats().evictions, 20u);
}

TEST(MemcachedNodeSegmentedLru, AnItemReadTwiceSurvivesAnEvictionWave) {
  // memcached 1.6.18 (segmented, the default), -m 2 -I 512k: 20 items of
  // 100,000 bytes, k000 read twice, 20 more stored: survivors k000 and
  // k021..k039, evictions 20, moves_to_warm 1.
  MemcachedNode node(config_with(LruModel::kSegmented, 2 * kMiB));
  for (int i = 0; i < 20; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  // k000 sits in COLD: the first read marks it fetched, the second active;
  // the maintainer moves it to WARM, out of the eviction path.
  node.get(key_n(0), kT0, nullptr);
  node.get(key_n(0), kT0, nullptr);
  for (int i = 20; i < 40; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  std::vector<int> expected{0};
  for (int i = 21; i < 40; ++i) {
    expected.push_back(i);
  }
  EXPECT_EQ(survivors(node, 40, kT0), expected);
  EXPECT_EQ(node.stats().evictions, 20u);
  EXPECT_EQ(node.stats().moves_to_warm, 1u);
}

TEST(MemcachedNodeSegmentedLru, AnItemReadOnceIsEvictedLikeTheRest) {
  // memcached 1.6.18, same run with one read: survivors k020..k039.
  MemcachedNode node(config_with(LruModel::kSegmented, 2 * kMiB));
  for (int i = 0; i < 20; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  node.get(key_n(0), kT0, nullptr); // fetched, not yet active
  for (int i = 20; i < 40; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  EXPECT_EQ(survivors(node, 40, kT0), range(20, 40));
}

TEST(MemcachedNodeSegmentedLru, PlainLruLosesTheSameItemInTheSameWave) {
  // The contrast the lecture draws: a plain LRU's bump lasts one pass, so
  // after 20 more stores the twice-read k000 is gone.
  MemcachedNode node(config_with(LruModel::kPlain, 2 * kMiB));
  for (int i = 0; i < 20; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  node.get(key_n(0), kT0, nullptr);
  node.get(key_n(0), kT0, nullptr);
  for (int i = 20; i < 40; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  EXPECT_EQ(survivors(node, 40, kT0), range(20, 40));
}

TEST(MemcachedNodeSegmentedLru, NewItemsEnterHotAndDrainToCold) {
  MemcachedNode node(config_with(LruModel::kSegmented, 2 * kMiB));
  // Each store first juggles the class: HOT's tail moves to COLD while HOT
  // holds over 20% of the class's bytes. Stores 2-5 each push the previous
  // item down (1 item > 20% of 1..4); from 5 items on HOT may keep one more
  // per five, so stores 7-10 push one each: 4 + 4 = 8 moves, and the two
  // newest items are still HOT.
  for (int i = 0; i < 10; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  EXPECT_EQ(node.stats().moves_to_cold, 8u);
}

TEST(MemcachedNodeSegmentedLru, HotItemsOlderThanTheColdTailFactorMoveToCold) {
  MemcachedNode node(config_with(LruModel::kSegmented, 2 * kMiB));
  set(node, key_n(0), kBig, kT0);
  // With COLD empty its age is 0, so hot_age is 0 and any HOT item older
  // than 0 s moves to COLD at the next juggle.
  set(node, key_n(1), kBig, kT0 + 1);
  EXPECT_EQ(node.stats().moves_to_cold, 1u);
}

TEST(MemcachedNodeSegmentedLru, AColdHitMovesToWarmAtTheNextOperation) {
  MemcachedNode node(config_with(LruModel::kSegmented, 2 * kMiB));
  for (int i = 0; i < 10; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  node.get(key_n(0), kT0, nullptr); // k000 is in COLD: fetched
  node.get(key_n(0), kT0, nullptr); // active: queued for the maintainer
  EXPECT_EQ(node.stats().moves_to_warm, 0u);
  node.get("other", kT0, nullptr); // the next operation runs the queue
  EXPECT_EQ(node.stats().moves_to_warm, 1u);
}

TEST(MemcachedNodeSegmentedLru, WarmHoldsAtMostFortyPercentOfTheClass) {
  // memcached 1.6.18, -m 2 -I 512k (twice, same result): 20 items of
  // 100,000 bytes, k000..k009 each read twice, 20 more stored. The ten
  // reads make ten items active; they move to WARM, but WARM may hold only
  // 40% of the class's bytes (8 items), so its tail, k000 and k001, goes
  // back to COLD and is evicted with the rest. Survivors: the 8 in WARM and
  // the 12 newest stores.
  MemcachedNode node(config_with(LruModel::kSegmented, 2 * kMiB));
  for (int i = 0; i < 20; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  for (int i = 0; i < 10; ++i) {
    node.get(key_n(i), kT0, nullptr);
    node.get(key_n(i), kT0, nullptr);
  }
  for (int i = 20; i < 40; ++i) {
    set(node, key_n(i), kBig, kT0);
  }
  std::vector<int> expected = range(2, 10);
  for (int i = 28; i < 40; ++i) {
    expected.push_back(i);
  }
  EXPECT_EQ(survivors(node, 40, kT0), expected);
  EXPECT_EQ(node.stats().evictions, 20u);
  EXPECT_EQ(node.stats().moves_to_warm, 10u);
}

// ---------------------------------------------------------------------------
// Meta protocol state: stale items and the win token (memcached 1.6.18's
// ITEM_STALE and ITEM_TOKEN_SENT; the same sequences ran against it in
// tests/memcached/meta_test.cc).

/// mg with no options but the given ones; returns W/Z/X as a string.
std::string meta_get_flags(MemcachedNode &node, std::string_view key, std::int64_t now_s,
                           const McMetaGetOptions &options = {}) {
  McItemView view;
  McMetaGetResult r;
  if (!node.meta_get(key, options, now_s, &view, &r)) {
    return "<miss>";
  }
  std::string f;
  f += view.win_token_sent ? "Z" : "";
  f += view.stale ? "X" : "";
  f += r.won ? "W" : "";
  return f;
}

TEST(MemcachedNodeMeta, InvalidatedItemWinsOnceThenAnswersTokenSentUntilStored) {
  MemcachedNode node(config_with(LruModel::kSegmented));
  ASSERT_EQ(set(node, "k", "old", kT0), McStatus::kStored);
  // md k I T30: kept, stale, with a new TTL.
  EXPECT_EQ(node.meta_delete("k", false, 0, true, true, kT0 + 30, kT0), McStatus::kDeleted);
  // The first reader wins the recompute (X W), later readers see Z X.
  EXPECT_EQ(meta_get_flags(node, "k", kT0), "XW");
  EXPECT_EQ(meta_get_flags(node, "k", kT0), "ZX");
  EXPECT_EQ(meta_get_flags(node, "k", kT0 + 1), "ZX");
  EXPECT_EQ(value_of(node, "k", kT0 + 1), "old"); // still served
  // A plain set replaces the item: neither stale nor token.
  ASSERT_EQ(set(node, "k", "new", kT0 + 2), McStatus::kStored);
  EXPECT_EQ(meta_get_flags(node, "k", kT0 + 2), "");
}

TEST(MemcachedNodeMeta, ALeaseGivesOneTokenPerKeyPerIntervalUntilADeleteVoidsIt) {
  // The `lease` strategy's mg N10: a miss creates a placeholder that lives
  // the lease interval (10 s) and wins; every reader until then is told Z,
  // whether or not the holder ever fills: one token per key per interval.
  // Once the placeholder expires, the next reader gets the next token. An
  // invalidation (md I) voids the token and re-arms it at once, as memcached
  // does: the holder's fill would carry a page from before the delete.
  MemcachedNode node(config_with(LruModel::kSegmented));
  McMetaGetOptions lease;
  lease.vivify = true;
  const auto at = [&](std::int64_t now) {
    lease.created_exptime = now + 10;
    return meta_get_flags(node, "k", now, lease);
  };
  EXPECT_EQ(at(kT0), "W");
  EXPECT_EQ(at(kT0 + 1), "Z");
  EXPECT_EQ(at(kT0 + 9), "Z");
  EXPECT_EQ(at(kT0 + 10), "W"); // the unfilled placeholder expired: a new token
  EXPECT_EQ(at(kT0 + 11), "Z");
  ASSERT_EQ(node.meta_delete("k", false, 0, true, false, 0, kT0 + 12), McStatus::kDeleted);
  EXPECT_EQ(at(kT0 + 12), "XW");
  EXPECT_EQ(at(kT0 + 12), "ZX");
}

TEST(MemcachedNodeMeta, InvalidateKeepsTheTtlItWasGiven) {
  MemcachedNode node(config_with(LruModel::kSegmented));
  ASSERT_EQ(set(node, "k", "v", kT0, 100), McStatus::kStored);
  ASSERT_EQ(node.meta_delete("k", false, 0, true, true, kT0 + 30, kT0), McStatus::kDeleted);
  McItemView view;
  ASSERT_TRUE(node.peek("k", kT0, &view));
  EXPECT_EQ(view.exptime, kT0 + 30);
  // 30 s later the stale item expires like any other.
  EXPECT_EQ(meta_get_flags(node, "k", kT0 + 30), "<miss>");
}

TEST(MemcachedNodeMeta, AnOlderCasWithInvalidateStoresButStaysStale) {
  MemcachedNode node(config_with(LruModel::kSegmented));
  std::uint64_t cas = 0;
  ASSERT_EQ(node.store(StoreMode::kSet, "k", 0, 0, "a", 0, kT0, &cas), McStatus::kStored);
  ASSERT_EQ(node.meta_delete("k", false, 0, true, false, 0, kT0), McStatus::kDeleted);
  ASSERT_EQ(meta_get_flags(node, "k", kT0), "XW");
  // The invalidation gave the item a newer unique; the old one is "older".
  McMetaStoreOptions late;
  late.has_cas = true;
  late.cas = cas;
  late.invalidate = true;
  EXPECT_EQ(node.meta_store(StoreMode::kSet, "k", 0, 0, "late", late, kT0), McStatus::kStored);
  EXPECT_EQ(meta_get_flags(node, "k", kT0), "ZX"); // stale, token kept
  EXPECT_EQ(value_of(node, "k", kT0), "late");
  // Without I the same cas is refused.
  late.invalidate = false;
  EXPECT_EQ(node.meta_store(StoreMode::kSet, "k", 0, 0, "x", late, kT0), McStatus::kExists);
}

TEST(MemcachedNodeMeta, VivifyCreatesAnEmptyPlaceholderForOneWinner) {
  MemcachedNode node(config_with(LruModel::kSegmented));
  McMetaGetOptions n30;
  n30.vivify = true;
  n30.created_exptime = kT0 + 30;
  EXPECT_EQ(meta_get_flags(node, "k", kT0, n30), "W"); // first client: fill it
  EXPECT_EQ(meta_get_flags(node, "k", kT0, n30), "Z"); // second: someone else is
  McItemView view;
  ASSERT_TRUE(node.peek("k", kT0, &view));
  EXPECT_EQ(view.value, "");
  EXPECT_EQ(view.exptime, kT0 + 30);
  ASSERT_EQ(set(node, "k", "filled", kT0 + 1), McStatus::kStored);
  EXPECT_EQ(meta_get_flags(node, "k", kT0 + 1, n30), "");
}

TEST(MemcachedNodeMeta, RecacheWinsOnceWhenTheTtlFallsBelowTheToken) {
  MemcachedNode node(config_with(LruModel::kSegmented));
  ASSERT_EQ(set(node, "k", "v", kT0, 100), McStatus::kStored);
  McMetaGetOptions r30;
  r30.recache = true;
  r30.recache_time = kT0 + 30; // expires at kT0 + 100: not below
  EXPECT_EQ(meta_get_flags(node, "k", kT0, r30), "");
  McMetaGetOptions r200 = r30;
  r200.recache_time = kT0 + 200; // kT0 + 100 < kT0 + 200: win
  EXPECT_EQ(meta_get_flags(node, "k", kT0, r200), "W");
  EXPECT_EQ(meta_get_flags(node, "k", kT0, r200), "Z");
}

TEST(MemcachedNodeMeta, MetaArithVivifiesWithTheInitialValue) {
  MemcachedNode node(config_with(LruModel::kSegmented));
  McMetaArithOptions opt;
  opt.vivify = true;
  opt.initial = 10;
  std::uint64_t v = 0;
  bool created = false;
  EXPECT_EQ(node.meta_arith("n", opt, kT0, &v, nullptr, &created), McStatus::kOk);
  EXPECT_TRUE(created);
  EXPECT_EQ(v, 10u); // created, not incremented
  EXPECT_EQ(node.meta_arith("n", opt, kT0, &v, nullptr, &created), McStatus::kOk);
  EXPECT_FALSE(created);
  EXPECT_EQ(v, 11u);
  opt.has_cas = true;
  opt.cas = 999;
  EXPECT_EQ(node.meta_arith("n", opt, kT0, &v, nullptr, &created), McStatus::kExists);
}

} // namespace
} // namespace stampede

namespace stampede {
namespace {

// Pins: a reply that points at a value keeps it readable, unchanged, while
// the key is deleted, replaced or pushed out (memcached's item refcount).

TEST(MemcachedNodePins, APinnedValueOutlivesDeleteAndOverwrite) {
  MemcachedNode node(config_with(LruModel::kSegmented));
  const std::string big(5000, 'a');
  ASSERT_EQ(set(node, "k", big, kT0), McStatus::kStored);
  McItemView view;
  ASSERT_TRUE(node.get("k", kT0, &view));
  const std::uint32_t pin = node.pin(view);
  const std::uint64_t bytes_one = node.stats().bytes;
  // Overwritten: the table holds the new item, the reply still the old bytes.
  ASSERT_EQ(set(node, "k", std::string(5000, 'b'), kT0), McStatus::kStored);
  EXPECT_EQ(view.value, big);
  EXPECT_EQ(node.stats().curr_items, 1u);
  EXPECT_EQ(node.stats().bytes, bytes_one); // `bytes` counts linked items only
  EXPECT_EQ(node.pinned_items(), 1u);
  ASSERT_EQ(node.remove("k", kT0), McStatus::kDeleted);
  EXPECT_EQ(view.value, big);
  node.unpin(pin);
  EXPECT_EQ(node.pinned_items(), 0u);
  EXPECT_EQ(node.stats().curr_items, 0u);
}

TEST(MemcachedNodePins, APinnedItemIsNeverEvicted) {
  // 2 MiB holds two 1 MiB pages; 400 KB items take one 512 KiB chunk each of
  // the largest class, so the third and later sets must evict.
  MemcachedNode node(config_with(LruModel::kClassic, 2 * kMiB));
  const std::string value(400'000, 'v');
  ASSERT_EQ(set(node, "first", value, kT0), McStatus::kStored);
  McItemView view;
  ASSERT_TRUE(node.get("first", kT0, &view));
  const std::uint32_t pin = node.pin(view);
  for (int i = 0; i < 10; ++i) {
    set(node, "k" + std::to_string(i), value, kT0 + 1 + i);
  }
  EXPECT_GT(node.stats().evictions, 0u);
  EXPECT_TRUE(node.contains("first", kT0 + 20)) << "the pinned item at the LRU tail was evicted";
  node.unpin(pin);
}

TEST(MemcachedNodePins, IncrDoesNotRewriteAPinnedValueInPlace) {
  // memcached rewrites in place only when no one else holds the item
  // (do_add_delta's refcount == 2); otherwise it stores a new item.
  MemcachedNode node(config_with(LruModel::kSegmented));
  const std::string ten = "10" + std::string(30, ' '); // trailing spaces still parse
  ASSERT_EQ(set(node, "n", ten, kT0), McStatus::kStored);
  McItemView view;
  ASSERT_TRUE(node.get("n", kT0, &view));
  const std::uint32_t pin = node.pin(view);
  std::uint64_t result = 0;
  ASSERT_EQ(node.incr_decr("n", false, 1, kT0, &result), McStatus::kOk);
  EXPECT_EQ(result, 9u);
  EXPECT_EQ(view.value, ten);
  EXPECT_EQ(value_of(node, "n", kT0), "9"); // a new item: no padding
  node.unpin(pin);
  // Unpinned, the rewrite is in place again and keeps the length.
  ASSERT_EQ(set(node, "m", "10", kT0), McStatus::kStored);
  ASSERT_EQ(node.incr_decr("m", false, 1, kT0, &result), McStatus::kOk);
  EXPECT_EQ(value_of(node, "m", kT0), "9 ");
}

} // namespace
} // namespace stampede
