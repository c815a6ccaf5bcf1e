// A student library as ./dev grade builds one from exercises/: here, the
// cache-aside page view with a submit that only inserts. It must behave
// exactly like the built-in `naive`, which the CLI test checks.
#include "stampede/strategy.h"

namespace {

using namespace stampede;

class CacheAside final : public Strategy {
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
    case kGet:
      if (reply.hit)
        return ctx.respond(r);
      r.step = kRead;
      return ctx.db_read(r);
    case kRead:
      r.step = kFill;
      return ctx.cache_fill(r);
    default: // kFill, kInsert
      return ctx.respond(r);
    }
  }

private:
  static constexpr std::uint16_t kGet = 1, kRead = 2, kFill = 3, kInsert = 4;
};

// The lecture's clear, as a student writes it: cache-aside views, and a
// submit that inserts and then deletes the page. What the student host
// costs is measured on it against the built-in clear (tests/bench).
class Clear final : public Strategy {
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
    case kGet:
      if (reply.hit)
        return ctx.respond(r);
      r.step = kRead;
      return ctx.db_read(r);
    case kRead:
      r.step = kFill;
      return ctx.cache_fill(r);
    case kInsert:
      r.step = kDelete;
      return ctx.cache_delete(r);
    default: // kFill, kDelete
      return ctx.respond(r);
    }
  }

private:
  static constexpr std::uint16_t kGet = 1, kRead = 2, kFill = 3, kInsert = 4, kDelete = 5;
};

std::unique_ptr<Strategy> make(const StrategyConfig &) { return std::make_unique<CacheAside>(); }
std::unique_ptr<Strategy> make_clear(const StrategyConfig &) { return std::make_unique<Clear>(); }

} // namespace

extern "C" void stampede_register_strategies(stampede::StrategyRegistry &r) {
  r.add("student:cache_aside", &make, "a student's cache-aside (as naive)");
  r.add("student:clear", &make_clear, "a student's clear (as the built-in)");
}
