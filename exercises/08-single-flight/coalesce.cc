// Exercise 08: single flight. As clear, but a page view that misses while
// another view on the same app server is already querying the database for
// the same page waits for that query's answer instead of asking again.
// Complete the TODOs.
#include <map>
#include <utility>
#include <vector>

#include "stampede/student.h"

namespace {

using stampede::Context;
using stampede::Reply;
using stampede::Request;

class Coalesce final : public stampede::Strategy {
public:
  void view(Context &ctx, Request &r) override {
    // TODO: the cache get that starts a page view.
    ctx.respond(r);
  }

  void submit(Context &ctx, Request &r) override {
    // TODO: the insert that starts a submit (then, in resume, clear's delete).
    ctx.respond(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    // TODO, by r.step:
    // - a get that missed: if this server's flight for this key is in the
    //   air, join it (remember &r, issue nothing); else lead it: db_read.
    // - the leader's read: end the flight, answer every waiter with the
    //   leader's page (oldest first), then fill the cache and respond.
    // - the submit: after the insert, delete the key; then respond.
    (void)reply;
    ctx.respond(r);
  }

private:
  // TODO: one flight per app server and key. A suggestion:
  struct Flight {
    bool in_flight = false;         // a view on this server is querying the DB
    std::vector<Request *> waiters; // views waiting for its answer
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, Flight> flights_; // by (server, key)
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(coalesce, Coalesce, "exercise 08: single flight (coalesce)");
