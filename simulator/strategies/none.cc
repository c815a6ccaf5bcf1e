// `none`: no cache. Every page view queries the database; a submit inserts.
#include "strategies/builtin.h"

namespace stampede::internal {
namespace {

class NoCache final : public Strategy {
public:
  SharedState shared_state() const noexcept override { return SharedState::kNone; }
  void view(Context &ctx, Request &r) override {
    r.step = kRead;
    ctx.db_read(r);
  }
  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }
  void resume(Context &ctx, Request &r, const Reply &) override { ctx.respond(r); }
  bool uses_cache() const noexcept override { return false; }

private:
  static constexpr std::uint16_t kRead = 1, kInsert = 2;
};

} // namespace

std::unique_ptr<Strategy> make_none(const StrategyConfig &) { return std::make_unique<NoCache>(); }

} // namespace stampede::internal
