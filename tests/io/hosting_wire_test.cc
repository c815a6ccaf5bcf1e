// A student's host answers each callback with bytes (hosting/wire.h): the
// simulator reads them as it reads any input, refusing what is malformed
// instead of acting on it (a count past the limit, an unknown action or
// operation, a page with more posts than a page holds, bytes short or left
// over).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hosting/hosted.h"
#include "stampede/rng.h"

namespace {

using namespace stampede;
using namespace stampede::hosting;

std::string answer(const std::vector<ActionMsg> &actions, const Request &after) {
  std::string out;
  put(out, static_cast<std::uint32_t>(actions.size()));
  for (const ActionMsg &a : actions)
    put(out, a);
  put(out, after);
  return out;
}

TEST(HostingWire, AWellFormedAnswerReadsBack) {
  Request r;
  r.id = 3;
  r.step = 2;
  ActionMsg get{Action::kOp, Op::kCacheGet, 0, r};
  ActionMsg respond{Action::kRespond, Op::kNone, 0, r};
  std::vector<ActionMsg> actions;
  Request after;
  ASSERT_TRUE(parse_actions(answer({get, respond}, r), actions, after));
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].op, Op::kCacheGet);
  EXPECT_EQ(actions[1].action, Action::kRespond);
  EXPECT_EQ(after.id, 3u);
  EXPECT_EQ(after.step, 2u);
}

TEST(HostingWire, MalformedAnswersAreRefused) {
  Request r;
  std::vector<ActionMsg> actions;
  Request after;
  const std::string good = answer({ActionMsg{Action::kOp, Op::kDbRead, 0, r}}, r);
  EXPECT_FALSE(parse_actions(good.substr(0, good.size() - 1), actions, after)) << "short";
  EXPECT_FALSE(parse_actions(good + "x", actions, after)) << "bytes left over";
  EXPECT_FALSE(parse_actions("", actions, after)) << "empty";

  std::string many;
  put(many, kMaxActions + 1);
  EXPECT_FALSE(parse_actions(many, actions, after)) << "a count past the limit";

  ActionMsg bad{Action::kOp, Op::kDbRead, 0, r};
  bad.action = static_cast<Action>(9);
  EXPECT_FALSE(parse_actions(answer({bad}, r), actions, after)) << "an unknown action";
  bad.action = Action::kOp;
  bad.op = static_cast<Op>(200);
  EXPECT_FALSE(parse_actions(answer({bad}, r), actions, after)) << "an unknown operation";
  bad.op = Op::kDbRead;
  bad.request.page.count = kPagePosts + 1;
  EXPECT_FALSE(parse_actions(answer({bad}, r), actions, after)) << "a page past its posts";
  Request long_page;
  long_page.page.count = 200;
  EXPECT_FALSE(parse_actions(answer({}, long_page), actions, after)) << "the request's page";
}

TEST(HostingWire, RandomBytesNeverCrashTheReader) {
  // A small fuzz: random payloads, and
  // good ones with random bytes flipped, are read or refused, never more.
  Rng rng(7);
  Request r;
  const std::string good = answer(
      {ActionMsg{Action::kOp, Op::kCacheSet, 0, r}, ActionMsg{Action::kAnswer, Op::kNone, 0, r}},
      r);
  std::vector<ActionMsg> actions;
  Request after;
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = good;
    if (i % 2 == 0) {
      bytes.resize(rng.below(2 * good.size()));
      for (char &c : bytes)
        c = static_cast<char>(rng.below(256));
    } else {
      bytes[rng.below(bytes.size())] ^= static_cast<char>(1u << rng.below(8));
    }
    refused += parse_actions(bytes, actions, after) ? 0 : 1;
  }
  EXPECT_GT(refused, 10000);
}

} // namespace
