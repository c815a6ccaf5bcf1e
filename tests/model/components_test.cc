// The model's parts of their own (model/balancer.h, database.h,
// app_tier.h, edge_cache.h) driven by hand, without a simulation around them.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "model/app_tier.h"
#include "model/balancer.h"
#include "model/database.h"
#include "model/edge_cache.h"

namespace stampede::internal {
namespace {

TEST(Balancer, RoundRobinGoesAroundThePoolInTheOrderServersJoined) {
  Balancer b(BalancerPolicy::kRoundRobin, Rng::stream(1, "balancer"));
  for (std::uint32_t s : {0u, 1u, 2u})
    b.join(s);
  const auto none = [](std::uint32_t) { return std::uint64_t{0}; };
  std::vector<std::uint32_t> got;
  for (int i = 0; i < 5; ++i)
    got.push_back(b.choose(none));
  EXPECT_EQ(got, (std::vector<std::uint32_t>{0, 1, 2, 0, 1}));
  EXPECT_TRUE(b.leave(2));
  EXPECT_EQ(b.choose(none), 0u) << "past the end of the smaller pool: from its start";
  EXPECT_EQ(b.choose(none), 1u);
}

TEST(Balancer, APoolIsNeverEmptiedAndAServerLeavesOnce) {
  Balancer b(BalancerPolicy::kRoundRobin, Rng::stream(1, "balancer"));
  b.join(0);
  b.join(1);
  EXPECT_FALSE(b.leave(7)) << "not in the pool";
  EXPECT_TRUE(b.leave(0));
  EXPECT_FALSE(b.leave(0));
  EXPECT_FALSE(b.leave(1)) << "the last one stays";
  EXPECT_EQ(b.pool(), (std::vector<std::uint32_t>{1}));
}

TEST(Balancer, LeastConnectionsTakesTheFewestAndTiesGoToTheEarliest) {
  Balancer b(BalancerPolicy::kLeastConnections, Rng::stream(1, "balancer"));
  for (std::uint32_t s : {3u, 1u, 2u})
    b.join(s);
  std::vector<std::uint64_t> load = {0, 5, 2, 2};
  const auto of = [&](std::uint32_t s) { return load[s]; };
  EXPECT_EQ(b.choose(of), 3u) << "3 joined before 2, both with 2";
  load[2] = 1;
  EXPECT_EQ(b.choose(of), 2u);
}

TEST(Balancer, RandomPicksOnlyServersInThePoolAndEachOfThem) {
  Balancer b(BalancerPolicy::kRandom, Rng::stream(1, "balancer"));
  for (std::uint32_t s : {4u, 8u, 9u})
    b.join(s);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 300; ++i)
    seen.insert(b.choose([](std::uint32_t) { return std::uint64_t{0}; }));
  EXPECT_EQ(seen, (std::set<std::uint32_t>{4, 8, 9}));
}

TEST(Database, WaitingStatementsLeaveInTheOrderTheyCameAcrossGrowth) {
  DbConfig config;
  config.connections = 1;
  Database db(config, Rng::stream(1, "db"));
  db.reserve(2);
  db.enqueue(5);
  db.enqueue(6);
  EXPECT_EQ(db.dequeue(), 5u);
  db.enqueue(7); // wraps around the ring
  db.reserve(10);
  db.enqueue(8);
  EXPECT_EQ(db.queued(), 3u);
  EXPECT_EQ(db.dequeue(), 6u);
  EXPECT_EQ(db.dequeue(), 7u);
  EXPECT_EQ(db.dequeue(), 8u);
}

TEST(Database, BusyTimeIsConnectionTimeAndTheLoadLengthensAStatement) {
  DbConfig config;
  config.connections = 2;
  config.query_latency = Distribution::constant(0.1);
  config.load_factor = 1.0;
  Database db(config, Rng::stream(1, "db"));
  EXPECT_EQ(db.start(0, true), seconds_to_ns(0.1));
  EXPECT_TRUE(db.has_free_connection());
  EXPECT_EQ(db.start(seconds_to_ns(1), true), seconds_to_ns(0.15)) << "one other busy of two";
  EXPECT_FALSE(db.has_free_connection());
  db.end(seconds_to_ns(2));
  db.settle(seconds_to_ns(3));
  // One connection for 1 s, two for 1 s, one for 1 s.
  EXPECT_DOUBLE_EQ(db.busy_area(), 4e9);
  EXPECT_EQ(db.busy(), 1u);
}

TEST(AppTier, AFreedWorkerTakesTheRequestWaitingLongestElseGoesIdle) {
  Scenario s;
  s.app.servers = 1;
  s.app.workers = 2;
  s.app.backlog = 1;
  AppTier app(s, /*keys_at_arrival=*/true);
  ASSERT_EQ(app.add_server(0), 0u);
  EXPECT_EQ(app.take_worker(0), 0u) << "the lowest-numbered worker first";
  EXPECT_EQ(app.take_worker(0), 1u);
  EXPECT_EQ(app.take_worker(0), AppTier::kNoWorker);
  app.start(0);
  app.start(0);
  EXPECT_TRUE(app.enqueue(0, Waiting{seconds_to_ns(1), true, false, 42}));
  EXPECT_FALSE(app.enqueue(0, Waiting{seconds_to_ns(2), false, false, 43})) << "app.backlog 1";
  EXPECT_EQ(app.load(0), 3u);
  Waiting next;
  ASSERT_TRUE(app.release(0, 1, next));
  EXPECT_EQ(next.arrival, seconds_to_ns(1));
  EXPECT_TRUE(next.submit);
  EXPECT_EQ(next.key, 42u);
  EXPECT_FALSE(app.release(0, 0, next));
  EXPECT_EQ(app.take_worker(0), 0u) << "idle again";
}

TEST(EdgeCache, ACopyIsServedWhileYoungerThanItsTtl) {
  EdgeConfig config;
  config.enabled = true;
  config.ttl_s = 1;
  EdgeCache edge(config, 2, Rng::stream(1, "edge"));
  EXPECT_EQ(edge.fresh(0, 0), nullptr) << "cold";
  edge.keep(0, Page::newest(3), seconds_to_ns(5));
  ASSERT_NE(edge.fresh(0, seconds_to_ns(5.9)), nullptr);
  EXPECT_EQ(edge.fresh(0, seconds_to_ns(5.9))->posts[0], 3u);
  EXPECT_EQ(edge.fresh(0, seconds_to_ns(6)), nullptr) << "as old as its TTL";
  EXPECT_EQ(edge.fresh(1, seconds_to_ns(5.5)), nullptr);
  const auto a = edge.begin_answer(1);
  const auto b = edge.begin_answer(1);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(edge.begin_answer(1)) << "no more than an event can name";
  edge.end_answer(*a);
  EXPECT_EQ(edge.begin_answer(1), a) << "a freed index is used again";
}

} // namespace
} // namespace stampede::internal
