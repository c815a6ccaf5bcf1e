// `lease` (SPEC section 3, beyond the lecture): Facebook's memcache leases
// (Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013, 3.2.1), as
// memcached's meta protocol gives them.
//
// A page view asks with a lease get (mg with N). A hit serves the page. A
// miss makes the node create an empty placeholder for the key and hand this
// view the lease: the view alone reads the database and fills, with a cas
// against its token. Every other view that misses meanwhile finds the
// placeholder, gets no lease, waits `lease_wait_s` and asks again, so one
// query answers the herd: no thundering herd after a delete. A submit
// inserts, then invalidates the page (md with I): the page stays, marked
// stale, and its unique changes, so a fill whose token predates the delete
// is refused: no stale set, the race `clear` loses. The stale page's first
// reader gets the new lease; with `lease_stale`, the others serve the stale
// page at once instead of waiting (the paper's trade of freshness for
// latency). A token lives `lease_interval_s`: if its holder never fills, the
// placeholder expires then and the next view gets a lease.
//
// So, without deletes, a key gets at most one token per lease interval (the
// paper's 10 s): the placeholder's life. A delete voids the token and, as in
// memcached's meta protocol, re-arms it at once: the holder's fill would
// carry a page from before the delete, and a limit that outlived the delete
// would leave nobody with a valid token and every view waiting until the
// interval ran out. With a delete every few hundred milliseconds that gives
// one query per delete instead of one per waiting view.
#include "strategies/builtin.h"

namespace stampede::internal {
namespace {

class Lease final : public Strategy {
public:
  SharedState shared_state() const noexcept override { return SharedState::kNone; }
  void view(Context &ctx, Request &r) override {
    r.step = kGet;
    ctx.cache_lease_get(r);
  }

  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    switch (r.step) {
    case kGet:
      if (reply.hit)
        return ctx.respond(r);
      if (reply.lease) { // ours to fill; the token is in r.cas
        r.step = kRead;
        return ctx.db_read(r);
      }
      if (reply.stale && ctx.options(r).lease_stale)
        return ctx.respond(r); // the invalidated page, now
      ++r.retries;
      r.step = kWait;
      return ctx.wait(r, ctx.options(r).lease_wait_s);
    case kWait:
      r.step = kGet;
      return ctx.cache_lease_get(r);
    case kRead:
      r.step = kFill;
      return ctx.cache_lease_set(r); // refused if a delete voided the token: serve what we read
    case kInsert:
      r.step = kInvalidate;
      return ctx.cache_invalidate(r);
    default: // kFill, kInvalidate
      return ctx.respond(r);
    }
  }

private:
  static constexpr std::uint16_t kGet = 1, kWait = 2, kRead = 3, kFill = 4, kInsert = 10,
                                 kInvalidate = 11;
};

} // namespace

std::unique_ptr<Strategy> make_lease(const StrategyConfig &) { return std::make_unique<Lease>(); }

} // namespace stampede::internal
