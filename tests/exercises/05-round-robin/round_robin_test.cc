// Exercise 05: round robin. Each check says what it expected, the grader adds
// what it saw, and a hint names the likely bug (chosen from what was seen).
#include <map>
#include <string>
#include <vector>

#include "graded.h"
#include "remote.h"

namespace exercise {
namespace {

/// "app0 app1 app2": the servers `n` calls of next() return, in order.
std::vector<std::string> calls(RoundRobin &lb, int n) {
  std::vector<std::string> seen;
  for (int i = 0; i < n; ++i)
    seen.push_back(lb.next());
  return seen;
}

std::string joined(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : " ") + n;
  return out;
}

/// The likely bug when next() returned `seen` for `servers`, most specific
/// first, as a hint.
std::string cycle_hint(const std::vector<std::string> &servers,
                       const std::vector<std::string> &seen) {
  bool all_same = true;
  for (const std::string &s : seen)
    all_same = all_same && s == seen.front();
  if (all_same)
    return graded::hint("next() always returns the same server: move position_ on by one after "
                        "each call");
  bool shifted = true; // the right cycle, one step ahead
  for (std::size_t i = 0; i < seen.size(); ++i)
    shifted = shifted && seen[i] == servers[(i + 1) % servers.size()];
  if (shifted)
    return graded::hint("it starts at the second server: take the server at position_ first, "
                        "then move position_ on (moving it first skips the first server)");
  bool last_seen = false;
  for (const std::string &s : seen)
    last_seen = last_seen || s == servers.back();
  if (!last_seen)
    return graded::hint("the last server never gets a request: go back to the first after the "
                        "last server has had its turn, not when you reach it",
                        "after moving on: if (position_ == servers_.size()) position_ = 0;");
  return graded::hint("take the server at your place in the cycle, then move on by one, and go "
                      "back to the first after the last",
                      "const std::string &s = servers_[position_]; position_ = (position_ + 1) "
                      "% servers_.size(); return s;");
}

TEST(RoundRobin, ServersInTurnThenAround) {
  POINTS(2);
  const std::vector<std::string> servers = {"app0", "app1", "app2"};
  RoundRobin lb(servers);
  const std::vector<std::string> seen = calls(lb, 7);
  EXPECT_EQ(joined(seen), "app0 app1 app2 app0 app1 app2 app0")
      << "7 requests over app0, app1, app2 should go to each in turn, from the first, then "
         "around again"
      << cycle_hint(servers, seen);
}

TEST(RoundRobin, EveryServerGetsItsShare) {
  POINTS(1);
  const std::vector<std::string> servers = {"a", "b", "c", "d"};
  RoundRobin lb(servers);
  const std::vector<std::string> seen = calls(lb, 1000);
  std::map<std::string, int> count;
  for (const std::string &s : seen)
    ++count[s];
  std::string shares;
  for (const std::string &s : servers)
    shares += (shares.empty() ? "" : ", ") + s + " " + std::to_string(count[s]);
  EXPECT_EQ(shares, "a 250, b 250, c 250, d 250")
      << "1000 requests over 4 servers: 250 each"
      << cycle_hint(servers, {seen.begin(), seen.begin() + 8});
}

TEST(RoundRobin, EachBalancerKeepsItsOwnPlace) {
  POINTS(1);
  RoundRobin first({"x", "y"}), second({"x", "y"});
  const std::string a = first.next();
  const std::string b = first.next();
  const std::string c = second.next();
  const std::string d = first.next();
  // For the hints only: two more new balancers answer their first call alike
  // unless every balancer moves one shared place.
  RoundRobin third({"x", "y"}), fourth({"x", "y"});
  const bool shared = third.next() != fourth.next();
  // One root cause explains every check: named once, on the first.
  const char *root = shared     ? "the balancers share one place in the cycle: keep it in the "
                                  "member position_, not in a static or global variable"
                     : a == "y" ? "it starts at the second server: take the server at position_ "
                                  "first, then move position_ on"
                                : nullptr;
  const auto or_root = [&](const char *own) {
    return root != nullptr ? std::string() : graded::hint(own);
  };
  EXPECT_EQ(a, "x") << "a new balancer starts with the first server"
                    << (root != nullptr ? graded::hint(root)
                                        : graded::hint("a new balancer's first call returns the "
                                                       "first server",
                                                       "position_ starts at 0"));
  EXPECT_EQ(b, "y") << "then the second" << or_root("move position_ on after each call");
  EXPECT_EQ(c, "x") << "another balancer starts from the beginning"
                    << or_root("each RoundRobin starts at its first server");
  EXPECT_EQ(d, "x") << "and the first one goes on where it was (x, y, then x again)"
                    << or_root("after the last server, go back to the first");
}

} // namespace
} // namespace exercise
