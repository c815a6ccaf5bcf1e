// The event queue: order by (time, insertion), whatever the push order.
#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "stampede/event_queue.h"
#include "stampede/rng.h"

namespace stampede {
namespace {

TEST(EventQueue, SameTimeEventsPopInInsertionOrder) {
  EventQueue q;
  q.push(5, 1, 10);
  q.push(5, 2, 20);
  q.push(3, 3, 30);
  q.push(5, 4, 40);
  // t=3 first; then the three t=5 events in the order they were pushed.
  EXPECT_EQ(q.pop().target, 30u);
  EXPECT_EQ(q.pop().target, 10u);
  EXPECT_EQ(q.pop().target, 20u);
  EXPECT_EQ(q.pop().target, 40u);
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, PopsARandomMixInSortedOrder) {
  EventQueue q;
  Rng r(9);
  std::vector<std::pair<Time, std::uint32_t>> expected;
  for (std::uint32_t i = 0; i < 10000; ++i) {
    const Time t = static_cast<Time>(r.below(500)); // many ties
    q.push(t, 0, i);
    expected.emplace_back(t, i); // i is also the insertion order
  }
  std::sort(expected.begin(), expected.end());
  for (const auto &[t, i] : expected) {
    const Event e = q.pop();
    ASSERT_EQ(e.time, t);
    ASSERT_EQ(e.target, i);
  }
}

TEST(EventQueue, InterleavedPushAndPopKeepOrder) {
  // A simulation pushes while it pops: every pop must be >= the previous one.
  EventQueue q;
  Rng r(11);
  for (int i = 0; i < 64; ++i)
    q.push(static_cast<Time>(r.below(1000)), 0, 0);
  Time last = 0;
  for (int i = 0; i < 100000; ++i) {
    const Event e = q.pop();
    ASSERT_GE(e.time, last);
    last = e.time;
    q.push(e.time + static_cast<Time>(r.below(1000)), 0, 0);
  }
  EXPECT_EQ(q.size(), 64u);
}

} // namespace
} // namespace stampede
