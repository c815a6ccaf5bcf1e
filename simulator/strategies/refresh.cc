// `refresh`: a submit inserts, then queries the page and sets it in the cache
// (overwriting): one DB read per submit, and views never miss after warm-up.
#include "strategies/builtin.h"
#include "strategies/read_through.h"

namespace stampede::internal {
namespace {

class Refresh final : public ReadThrough {
public:
  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }
  bool updates_cache_on_submit() const noexcept override { return true; }

protected:
  void resume_submit(Context &ctx, Request &r, const Reply &) override {
    switch (r.step) {
    case kInsert:
      r.step = kRead;
      return ctx.db_read(r);
    case kRead:
      r.step = kSet;
      return ctx.cache_set(r);
    default:
      return ctx.respond(r);
    }
  }

private:
  static constexpr std::uint16_t kInsert = kSubmitStep, kRead = kSubmitStep + 1,
                                 kSet = kSubmitStep + 2;
};

} // namespace

std::unique_ptr<Strategy> make_refresh(const StrategyConfig &) {
  return std::make_unique<Refresh>();
}

} // namespace stampede::internal
