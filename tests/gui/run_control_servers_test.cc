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

} // namespace
} // namespace stampede::gui
