// RunControl's live app servers (issue 12, item 3): Add app server joins one
// to the balancer's pool, Remove app server takes the newest out, the last
// one stays; each says what it did in the next snapshot.
#include <gtest/gtest.h>

#include "../model/hand_built.h"
#include "worker/run_control.h"

namespace stampede::gui {
namespace {

TEST(RunControlServers, AddAndRemoveSayWhatTheyDid) {
  RunControl rc(stampede::testing::hand_built("clear", /*warm=*/true, /*servers=*/2));
  rc.add_server();
  Snapshot s = rc.take_snapshot();
  EXPECT_EQ(s.stack.busy_workers.size(), 3u);
  EXPECT_EQ(s.stack.app_in_pool, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(s.message, "app server 2 joined the balancer's pool");

  rc.remove_server();
  s = rc.take_snapshot();
  EXPECT_EQ(s.stack.app_in_pool, (std::vector<bool>{true, true, false}));
  EXPECT_NE(s.message.find("app server 2 left the balancer's pool"), std::string::npos);
  rc.remove_server();
  rc.take_snapshot();
  rc.remove_server(); // server 0 is the last in the pool
  s = rc.take_snapshot();
  EXPECT_EQ(s.stack.app_in_pool, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(s.message, "Remove app server: the last app server in the pool stays");
}

// Step names the event it ran (issue 12, item 2): the clock's own events
// (an interval's end) say so; a request's say what happened to it.
TEST(RunControlStep, SaysWhatRan) {
  Scenario s = stampede::testing::hand_built("clear", /*warm=*/true);
  stampede::testing::at(s, 0.5, ScriptedEvent::Kind::kViewBurst, 1);
  RunControl rc(s);
  rc.step();
  EXPECT_EQ(rc.take_snapshot().message.rfind("Step: an event at 0.0", 0), 0u);
  std::string said;
  for (int i = 0; i < 1000 && said.rfind("Step: req #", 0) != 0; ++i) {
    rc.step();
    said = rc.take_snapshot().message;
  }
  EXPECT_EQ(said, "Step: req #0: page view arrives at 0.5000 s; CPU on app 0 (0.0 ms) at 0.5000 s");
  // Following it, each Step runs to its next event.
  rc.follow(0);
  rc.step();
  EXPECT_EQ(rc.take_snapshot().message, "Step: req #0: cache get to memcached 0 at 0.5000 s");
  rc.step();
  const Snapshot after = rc.take_snapshot();
  EXPECT_EQ(after.message, "Step: req #0: cache get -> hit at 0.5005 s; answered after 0.5 ms at "
                           "0.5005 s; lets go of its worker at 0.5005 s");
  EXPECT_EQ(after.followed, 0u);
  EXPECT_TRUE(after.timeline_done);
  EXPECT_EQ(after.timeline.size(), 5u);
}

} // namespace
} // namespace stampede::gui
