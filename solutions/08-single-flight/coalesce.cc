// Exercise 08: single flight. As clear, but a page view that misses while
// another view on the same app server is already querying the database for
// the same page waits for that query's answer instead of asking again.
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
    r.step = kGet;
    ctx.cache_get(r);
  }

  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    switch (r.step) {
    case kGet: {
      if (reply.hit)
        return ctx.respond(r);
      Flight &flight = flights_[{r.server, r.key}];
      if (flight.in_flight) { // this server is already asking: wait for its answer
        r.step = kWaiting;
        flight.waiters.push_back(&r);
        return; // no operation: the leader answers this view
      }
      flight.in_flight = true; // this view leads the flight
      r.step = kRead;
      return ctx.db_read(r);
    }
    case kRead: {
      // The flight is over: the next miss on this server asks afresh.
      Flight &flight = flights_[{r.server, r.key}];
      flight.in_flight = false;
      std::vector<Request *> waiters = std::move(flight.waiters);
      flight.waiters.clear();
      for (Request *w : waiters) { // oldest first, each with the leader's page
        w->page = r.page;
        ctx.respond(*w);
      }
      r.step = kFill;
      return ctx.cache_fill(r);
    }
    case kInsert:
      r.step = kDelete;
      return ctx.cache_delete(r);
    default: // kFill, kDelete
      return ctx.respond(r);
    }
  }

private:
  // One flight per (app server, key): app servers share no memory, so each
  // one can only wait for the queries it sent itself.
  struct Flight {
    bool in_flight = false;
    std::vector<Request *> waiters; // views waiting for the leader's answer
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, Flight> flights_;

  static constexpr std::uint16_t kGet = 1, kRead = 2, kFill = 3, kWaiting = 4, kInsert = 5,
                                 kDelete = 6;
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(coalesce, Coalesce, "exercise 08: single flight (coalesce)");
