// App servers added and removed live (the lecture's stateless app tier
// scaling out and in): the balancer's pool changes, nothing in flight is
// lost. Hand-built stacks, round robin, exact counts.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "hand_built.h"

namespace stampede {
namespace {

/// Which server each request started on (its first activity, the CPU).
struct Starts final : Observer {
  std::map<std::uint32_t, int> per_server;
  void on_activity(const ActivityRecord &a) override {
    if (a.activity == Activity::kCpu)
      ++per_server[a.server];
  }
};

TEST(LiveServers, AnAddedServerTakesItsShareAtOnce) {
  // One server, then a second joins at 1.5 s: of the 10 views of the burst
  // at 2 s, round robin sends 5 to each; the 4 views at 1 s all went to the
  // first. Under `none` every view reads the DB, so all 14 are answered by
  // 2.2 s.
  Scenario s = testing::hand_built("none", /*warm=*/false, /*servers=*/1);
  testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 4);
  testing::at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 10);
  Simulation sim(s);
  Starts starts;
  sim.set_observer(&starts);
  sim.run_until(seconds_to_ns(1.5));
  ASSERT_TRUE(sim.add_server());
  sim.run();
  EXPECT_EQ(starts.per_server[0], 4 + 5);
  EXPECT_EQ(starts.per_server[1], 5);
  EXPECT_EQ(sim.report().page_views, 14u);
  const StackState st = sim.state();
  ASSERT_EQ(st.busy_workers.size(), 2u);
  EXPECT_EQ(st.app_in_pool, (std::vector<bool>{true, true}));
}

TEST(LiveServers, ARemovedServerFinishesWhatItHoldsAndGetsNothingMore) {
  // Two servers; 4 views at 1 s (2 on each, 100 ms queries); server 1 leaves
  // the pool at 1.05 s with its 2 views still at the database: they are
  // answered there. The 4 views at 1.2 s all go to server 0.
  Scenario s = testing::hand_built("none", /*warm=*/false, /*servers=*/2);
  testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 4);
  testing::at(s, 1.2, ScriptedEvent::Kind::kViewBurst, 4);
  Simulation sim(s);
  Starts starts;
  sim.set_observer(&starts);
  sim.run_until(seconds_to_ns(1.05));
  EXPECT_EQ(sim.state().busy_workers[1], 2u);
  ASSERT_TRUE(sim.remove_server(1));
  EXPECT_FALSE(sim.remove_server(1)) << "already out of the pool";
  EXPECT_FALSE(sim.remove_server(0)) << "the last server in the pool stays";
  EXPECT_FALSE(sim.remove_server(7)) << "no such server";
  sim.run();
  EXPECT_EQ(starts.per_server[0], 2 + 4);
  EXPECT_EQ(starts.per_server[1], 2);
  EXPECT_EQ(sim.report().page_views, 8u);
  EXPECT_EQ(sim.state().app_in_pool, (std::vector<bool>{true, false}));
}

// The same two moves as scripted events (`add_app_server`,
// `remove_app_server`): a scenario file scales the app tier as the window's
// buttons do, at the time it names.
TEST(ScriptedServers, EventsAddAndRemoveAppServersAtTheirTime) {
  Scenario s = testing::hand_built("none", /*warm=*/false, /*servers=*/1);
  testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 4);
  testing::at(s, 1.5, ScriptedEvent::Kind::kAddAppServer, 0);
  testing::at(s, 2.0, ScriptedEvent::Kind::kViewBurst, 10);
  testing::at(s, 2.5, ScriptedEvent::Kind::kRemoveAppServer, 0);
  testing::at(s, 3.0, ScriptedEvent::Kind::kViewBurst, 6);
  Simulation sim(s);
  Starts starts;
  sim.set_observer(&starts);
  sim.run();
  EXPECT_EQ(starts.per_server[0], 4 + 5);
  EXPECT_EQ(starts.per_server[1], 5 + 6);
  EXPECT_EQ(sim.report().page_views, 20u);
  EXPECT_EQ(sim.state().app_in_pool, (std::vector<bool>{false, true}));
}

} // namespace
} // namespace stampede
