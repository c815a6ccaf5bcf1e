// `stale_while_revalidate` (SPEC section 3, beyond the lecture; the name is
// HTTP's, RFC 5861). `ttl_s` is how long a cached page counts as fresh; the
// page itself stays in memcached (stored without an exptime) until a delete
// or an eviction. A view that finds the page fresh serves it; a view that
// finds it stale serves it at once all the same, and then, if no other
// request is already at it, keeps its worker to re-read the page and store
// it fresh: the users never wait for the database, except on a cold miss.
// Submits only insert, as naive: staleness is bounded by ttl_s plus one
// re-read. With ttl_s 0 every page stays fresh forever: `naive`.
//
// The freshness stamp of each page is kept here, as an HTTP cache keeps a
// response's Date; the strategy's state is the app servers' shared view of it.
#include <vector>

#include "strategies/builtin.h"

namespace stampede::internal {
namespace {

class StaleWhileRevalidate final : public Strategy {
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
    const StrategyConfig &options = ctx.options(r);
    switch (r.step) {
    case kGet:
      if (!reply.hit) { // cold: this view has to wait for the database
        r.step = kRead;
        return ctx.db_read(r);
      }
      if (fresh(r.key, ctx.now(), options))
        return ctx.respond(r);
      ctx.answer(r); // the stale page, now
      if (state(r.key).revalidating)
        return ctx.finish(r);
      state(r.key).revalidating = true;
      r.step = kRevalidate;
      return ctx.db_read(r);
    case kRead:
    case kRevalidate:
      state(r.key).read_at = ctx.now(); // the page's age starts at its read
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
    Time read_at = -1; // when the cached page was read from the database; -1: unknown
    bool revalidating = false;
  };
  static constexpr std::uint16_t kGet = 1, kRead = 2, kFill = 3, kRevalidate = 4, kStore = 5,
                                 kInsert = 10;

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
};

} // namespace

std::unique_ptr<Strategy> make_stale_while_revalidate(const StrategyConfig &) {
  return std::make_unique<StaleWhileRevalidate>();
}

} // namespace stampede::internal
