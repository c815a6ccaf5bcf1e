// Exercise 10: the fallback read path. During a migration to a new memcached
// tier, a page view should read the new tier, then the old one, then the
// database. As it stands it is plain cache-aside on the new tier alone, so
// the new tier starts cold and the database takes the herd: complete the
// TODOs.
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
      // TODO: the new tier missed. Before the database, ask the old tier
      // (ctx.cache_get_old(r)). On its hit, the page is in r.page: answer
      // the view (ctx.answer(r)), copy the page into the new tier with
      // ctx.cache_add(r), and ctx.finish(r) when the add replies. On its
      // miss, read the database as below.
      r.step = kRead;
      return ctx.db_read(r);
    // TODO: a case for the old tier's reply, and one for the copy's.
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
  // TODO: steps for the old tier's get and the copy.
  static constexpr std::uint16_t kGetNew = 1, kRead = 4, kFill = 5, kInsert = 6, kDelete = 7;
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(fallback, Fallback, "exercise 10: the fallback read path");
