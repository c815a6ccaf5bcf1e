// `clear`: a submit inserts, then deletes the cached page; the next views
// miss and refill it. Correct but for brief races, and every view that
// misses before the refill lands queries the DB: a stampede after each submit.
#include "strategies/builtin.h"
#include "strategies/read_through.h"

namespace stampede::internal {
namespace {

class Clear final : public ReadThrough {
public:
  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }

protected:
  void resume_submit(Context &ctx, Request &r, const Reply &) override {
    if (r.step == kInsert) {
      r.step = kDelete;
      return ctx.cache_delete(r);
    }
    ctx.respond(r);
  }

private:
  static constexpr std::uint16_t kInsert = kSubmitStep, kDelete = kSubmitStep + 1;
};

} // namespace

std::unique_ptr<Strategy> make_clear(const StrategyConfig &) { return std::make_unique<Clear>(); }

} // namespace stampede::internal
