// Exercise 05: round robin.
#include <map>

#include "graded.h"
#include "round_robin.h"

namespace exercise {
namespace {

TEST(RoundRobin, ServersInTurnThenAround) {
  POINTS(2);
  RoundRobin lb({"app0", "app1", "app2"});
  const char *expected[] = {"app0", "app1", "app2", "app0", "app1", "app2", "app0"};
  for (int i = 0; i < 7; ++i)
    EXPECT_EQ(lb.next(), expected[i]) << "request " << i << " should go to " << expected[i];
}

TEST(RoundRobin, EveryServerGetsItsShare) {
  POINTS(1);
  RoundRobin lb({"a", "b", "c", "d"});
  std::map<std::string, int> count;
  for (int i = 0; i < 1000; ++i)
    ++count[lb.next()];
  for (const char *s : {"a", "b", "c", "d"})
    EXPECT_EQ(count[s], 250) << "1000 requests over 4 servers: 250 each for " << s;
}

TEST(RoundRobin, EachBalancerKeepsItsOwnPlace) {
  POINTS(1);
  RoundRobin first({"x", "y"}), second({"x", "y"});
  EXPECT_EQ(first.next(), "x") << "a new balancer starts with the first server";
  EXPECT_EQ(first.next(), "y") << "then the second";
  EXPECT_EQ(second.next(), "x") << "another balancer starts from the beginning";
  EXPECT_EQ(first.next(), "x") << "and the first one goes on where it was";
}

} // namespace
} // namespace exercise
