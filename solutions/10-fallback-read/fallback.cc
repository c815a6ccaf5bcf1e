// Exercise 10: the fallback read path. During a migration to a new memcached
// tier, a page view reads the new tier, then the old one, then the
// database; a page found in the old tier is copied into the new one with
// add, so that a delete's hold-off can refuse it. Submits are clear's.
#include "stampede/student.h"

namespace {

using stampede::Context;
using stampede::Reply;
using stampede::Request;

class Fallback final : public stampede::Strategy {
public:
  void view(Context &ctx, Request &r) override {
    r.step = kGetNew;
    ctx.cache_get(r);
  }

  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    switch (r.step) {
    case kGetNew:
      if (reply.hit)
        return ctx.respond(r);
      r.step = kGetOld; // the new tier lacks it: the old tier may still have it
      return ctx.cache_get_old(r);
    case kGetOld:
      if (reply.hit) {
        // The user has the page now; the copy into the new tier is ours to
        // wait for, not theirs (as FallbackClient's copy is noreply).
        ctx.answer(r);
        r.step = kCopy;
        return ctx.cache_add(r);
      }
      r.step = kRead; // in neither tier: the database has it
      return ctx.db_read(r);
    case kCopy:
      return ctx.finish(r);
    case kRead:
      // add, not set: a delete's hold-off refuses a page read before it.
      r.step = kFill;
      return ctx.cache_add(r);
    case kInsert:
      r.step = kDelete; // both tiers: the simulator sends it to the old one too
      return ctx.cache_delete(r);
    default: // kFill, kDelete
      return ctx.respond(r);
    }
  }

private:
  static constexpr std::uint16_t kGetNew = 1, kGetOld = 2, kCopy = 3, kRead = 4, kFill = 5,
                                 kInsert = 6, kDelete = 7;
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(fallback, Fallback, "exercise 10: the fallback read path");
