// `naive`: read through the cache; a submit only inserts, so the cached page
// goes stale and stays stale (until its TTL, if any).
#include "strategies/builtin.h"
#include "strategies/read_through.h"

namespace stampede::internal {
namespace {

class Naive final : public ReadThrough {
public:
  void submit(Context &ctx, Request &r) override {
    r.step = kSubmitStep;
    ctx.db_insert(r);
  }

protected:
  void resume_submit(Context &ctx, Request &r, const Reply &) override { ctx.respond(r); }
};

} // namespace

std::unique_ptr<Strategy> make_naive(const StrategyConfig &) { return std::make_unique<Naive>(); }

} // namespace stampede::internal
