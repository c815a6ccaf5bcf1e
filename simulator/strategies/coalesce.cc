// `coalesce` (SPEC section 3, beyond the lecture): as clear, but a page view
// that misses while another view on the same app server already has the
// page query for that key in flight does not query again: it waits, and
// gets the page when that one query answers ("single flight", per app
// server). A stampede after a delete shrinks to one query per app server.
//
// State: per (app server, key), whether a query is in flight and who waits
// for it. Requests are addressed by pointer: they live in the simulation's
// slots, which never move during a run. The waiter lists keep their storage
// between episodes, so a steady run allocates nothing here.
#include <unordered_map>
#include <vector>

#include "strategies/builtin.h"

namespace stampede::internal {
namespace {

class Coalesce final : public Strategy {
public:
  SharedState shared_state() const noexcept override { return SharedState::kPerServerKey; }
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
      Flight &f = flights_[group(r)];
      if (f.in_flight) { // someone on this server is already asking: wait
        r.step = kWaiting;
        f.waiters.push_back(&r);
        return;
      }
      f.in_flight = true;
      r.step = kRead;
      return ctx.db_read(r);
    }
    case kRead: {
      // The answer, for the leader and everyone who waited for it.
      Flight &f = flights_[group(r)];
      f.in_flight = false;
      served_.swap(f.waiters); // f.waiters may grow again while we answer
      for (Request *w : served_) {
        w->page = r.page;
        ctx.respond(*w);
      }
      served_.clear();
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
  struct Flight {
    bool in_flight = false;
    std::vector<Request *> waiters;
  };
  static std::uint64_t group(const Request &r) { return std::uint64_t{r.server} << 32 | r.key; }

  static constexpr std::uint16_t kGet = 1, kRead = 2, kFill = 3, kWaiting = 4, kInsert = 10,
                                 kDelete = 11;
  std::unordered_map<std::uint64_t, Flight> flights_;
  std::vector<Request *> served_;
};

} // namespace

std::unique_ptr<Strategy> make_coalesce(const StrategyConfig &) {
  return std::make_unique<Coalesce>();
}

} // namespace stampede::internal
