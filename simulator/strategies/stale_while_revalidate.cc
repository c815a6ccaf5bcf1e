// `stale_while_revalidate` (SPEC section 3, beyond the lecture; the name is
// HTTP's, RFC 5861). `ttl_s` is how long a cached page counts as fresh; the
// page itself stays in memcached (stored without an exptime) until a delete
// or an eviction. A view that finds the page fresh serves it; a view that
// finds it stale serves it at once all the same, and then, if no other
// request is already at it, keeps its worker to re-read the page and store
// it fresh: the users never wait for the database, except on a cold miss.
// Submits only insert, as naive. A page's freshness counts from when the
// query that built it was issued: its snapshot is taken then, or later if it
// waits for a connection, so a page never holds less than its stamp says.
// A view is then served a page at most ttl_s, plus the wait for the first
// view that finds it stale, plus one re-read (its queue wait and query) after
// that page's snapshot. With ttl_s 0 every page stays fresh forever: `naive`.
//
// The freshness stamp of each page is kept here, as an HTTP cache keeps a
// response's Date; the strategy's state is the app servers' shared view of it.
#include <vector>

#include "strategies/builtin.h"

namespace stampede::internal {
namespace {

class StaleWhileRevalidate final : public Strategy {
public:
  SharedState shared_state() const noexcept override { return SharedState::kPerKey; }
  void view(Context &ctx, Request &r) override {
    r.step = kGet;
    ctx.cache_get(r);
  }

  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    const StrategyConfig &options = ctx.options(r);
    switch (r.step) {
    case kGet:
      if (!reply.hit) { // cold: this view has to wait for the database
        r.step = kRead;
        return read(ctx, r);
      }
      if (fresh(r.key, ctx.now(), options))
        return ctx.respond(r);
      ctx.answer(r); // the stale page, now
      if (state(r.key).revalidating)
        return ctx.finish(r);
      state(r.key).revalidating = true;
      r.step = kRevalidate;
      return read(ctx, r);
    case kRead:
    case kRevalidate:
      // Stamped as the set is issued (the cache acts at that instant), so the
      // stamp is always that of the page the cache now holds, even when two
      // cold reads finish out of order.
      state(r.key).read_at = read_issued_at_[r.id];
      r.step = r.step == kRead ? kFill : kStore;
      return ctx.cache_set(r);
    case kStore:
      state(r.key).revalidating = false;
      return ctx.finish(r);
    default: // kFill, kInsert
      return ctx.respond(r);
    }
  }

  // Pages never expire in memcached: freshness is judged here.
  std::int64_t cache_ttl_s(const StrategyConfig &) const noexcept override { return 0; }

private:
  struct PageState {
    Time read_at = -1; // when the cached page's query was issued; -1: unknown
    bool revalidating = false;
  };
  static constexpr std::uint16_t kGet = 1, kRead = 2, kFill = 3, kRevalidate = 4, kStore = 5,
                                 kInsert = 10;

  // The page query, remembering when it was issued: the page's age starts
  // there (its snapshot is no older), not when the answer comes back, which
  // would leave it one query older than ttl_s allows.
  void read(Context &ctx, Request &r) {
    if (r.id >= read_issued_at_.size())
      read_issued_at_.resize(r.id + 1);
    read_issued_at_[r.id] = ctx.now();
    ctx.db_read(r);
  }

  PageState &state(std::uint32_t key) {
    if (key >= pages_.size())
      pages_.resize(key + 1);
    return pages_[key];
  }
  bool fresh(std::uint32_t key, Time now, const StrategyConfig &options) {
    if (options.ttl_s <= 0)
      return true;
    const PageState &p = state(key);
    // A page warmed before the run, or filled by another strategy, has no
    // stamp: treated as stale, so the first view refreshes it.
    return p.read_at >= 0 && now < p.read_at + seconds_to_ns(options.ttl_s);
  }

  std::vector<PageState> pages_;
  std::vector<Time> read_issued_at_; // by request slot: its page query's issue time
};

} // namespace

std::unique_ptr<Strategy> make_stale_while_revalidate(const StrategyConfig &) {
  return std::make_unique<StaleWhileRevalidate>();
}

} // namespace stampede::internal
