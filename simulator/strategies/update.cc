// `update`: a submit inserts, then changes the cached page in place (get, add
// the post, set) without reading the DB. Two concurrent submits can both read
// the same old page and the second set drops the first's post: a lost update.
// With `cas: true` the get is a gets and the set a cas; on EXISTS the submit
// reads again and recomputes the page from the fresh value (the correct loop:
// the new value is rebuilt from what the retry read, never reused).
#include "strategies/builtin.h"
#include "strategies/read_through.h"

namespace stampede::internal {
namespace {

class Update final : public ReadThrough {
public:
  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }
  bool updates_cache_on_submit() const noexcept override { return true; }

protected:
  void resume_submit(Context &ctx, Request &r, const Reply &reply) override {
    const bool cas = ctx.options(r).cas;
    switch (r.step) {
    case kInsert: // r.post is the committed post
      r.step = kGet;
      return ctx.cache_get(r);
    case kGet:
      // A miss leaves the cache alone: the next view fills it (SPEC section 3).
      if (!reply.hit)
        return ctx.respond(r);
      r.page.add(r.post);
      r.step = kWrite;
      return cas ? ctx.cache_cas(r) : ctx.cache_set(r);
    default: // kWrite
      if (cas && reply.status == McStatus::kExists) {
        ++r.retries;
        r.step = kGet;
        return ctx.cache_get(r);
      }
      return ctx.respond(r);
    }
  }

private:
  static constexpr std::uint16_t kInsert = kSubmitStep, kGet = kSubmitStep + 1,
                                 kWrite = kSubmitStep + 2;
};

} // namespace

std::unique_ptr<Strategy> make_update(const StrategyConfig &) { return std::make_unique<Update>(); }

} // namespace stampede::internal
