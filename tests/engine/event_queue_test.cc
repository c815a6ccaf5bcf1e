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
  EXPECT_EQ(q.pop().target(), 30u);
  EXPECT_EQ(q.pop().target(), 10u);
  EXPECT_EQ(q.pop().target(), 20u);
  EXPECT_EQ(q.pop().target(), 40u);
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
    ASSERT_EQ(e.target(), i);
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

TEST(EventQueue, ManyKindsInterleavedPopInTheOrderOfASortedList) {
  // Every kind, some pushed at a constant delay (their lanes), some at random
  // ones (lanes and heap), pushes and pops interleaved: each pop must be the
  // least (time, insertion) pending, as a sorted reference list says.
  EventQueue q;
  Rng r(17);
  std::vector<std::pair<Time, std::uint32_t>> pending; // (time, insertion number)
  std::uint32_t pushed = 0;
  Time now = 0;
  for (int round = 0; round < 20000; ++round) {
    const int pushes = static_cast<int>(r.below(3));
    for (int i = 0; i < pushes; ++i) {
      const auto kind = static_cast<std::uint32_t>(r.below(Event::kMaxKind + 1));
      const Time delay = kind % 2 == 0 ? 10 * Time{kind + 1} : static_cast<Time>(r.below(200));
      q.push(now + delay, kind, pushed);
      pending.emplace_back(now + delay, pushed++);
    }
    if (q.empty()) {
      ASSERT_TRUE(pending.empty());
      continue;
    }
    const auto least = std::min_element(pending.begin(), pending.end());
    ASSERT_EQ(q.top().target(), least->second) << "round " << round;
    const Event e = q.pop();
    ASSERT_EQ(e.time, least->first) << "round " << round;
    ASSERT_EQ(e.target(), least->second) << "round " << round;
    pending.erase(least);
    now = e.time;
  }
  EXPECT_EQ(q.size(), pending.size());
}

TEST(EventQueue, KindAndTargetSurviveThePacking) {
  EventQueue q;
  q.push(7, Event::kMaxKind, Event::kMaxTarget);
  q.push(7, 0, 0);
  q.push(7, 5, 123456);
  Event e = q.pop();
  EXPECT_EQ(e.kind(), Event::kMaxKind);
  EXPECT_EQ(e.target(), Event::kMaxTarget);
  EXPECT_EQ(e.seq(), 0u);
  e = q.pop();
  EXPECT_EQ(e.kind(), 0u);
  EXPECT_EQ(e.target(), 0u);
  e = q.pop();
  EXPECT_EQ(e.kind(), 5u);
  EXPECT_EQ(e.target(), 123456u);
  EXPECT_EQ(e.seq(), 2u);
}

TEST(EventQueue, RenumberingWhenSequenceRunsOutKeepsTheOrder) {
  // A queue whose sequence numbers run out every 16 pushes: it renumbers its
  // pending events many times, and ties still pop in insertion order.
  EventQueue q(64, 16);
  Rng r(5);
  std::uint32_t pushed = 0, popped = 0;
  std::vector<std::pair<Time, std::uint32_t>> pending; // what must come out, in order
  Time now = 0;
  for (int round = 0; round < 2000; ++round) {
    const int pushes = static_cast<int>(r.below(4));
    for (int i = 0; i < pushes && q.size() < 12; ++i) {
      const Time t = now + static_cast<Time>(r.below(3)); // many ties
      q.push(t, 1, pushed);
      pending.emplace_back(t, pushed++);
    }
    if (!q.empty()) {
      std::stable_sort(pending.begin(), pending.end(),
                       [](const auto &a, const auto &b) { return a.first < b.first; });
      const Event e = q.pop();
      ASSERT_EQ(e.time, pending.front().first);
      ASSERT_EQ(e.target(), pending.front().second) << "pop " << popped;
      ASSERT_LT(e.seq(), 16u);
      pending.erase(pending.begin());
      now = e.time;
      ++popped;
    }
  }
  EXPECT_GT(pushed, 16u * 20); // renumbered at least 20 times
}

} // namespace
} // namespace stampede
