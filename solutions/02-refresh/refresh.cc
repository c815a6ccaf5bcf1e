// Exercise 02: the lecture's refresh strategy.
#include "stampede/student.h"

namespace {

using stampede::Context;
using stampede::Reply;
using stampede::Request;

class Refresh final : public stampede::Strategy {
public:
  void view(Context &ctx, Request &r) override {
    r.step = kViewGet;
    ctx.cache_get(r);
  }

  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    switch (r.step) {
    case kViewGet:
      if (reply.hit)
        return ctx.respond(r);
      r.step = kViewRead;
      return ctx.db_read(r);
    case kViewRead: // the page from the database is in r.page
      r.step = kViewFill;
      return ctx.cache_fill(r);
    case kInsert: // the post is committed: re-run the query...
      r.step = kRead;
      return ctx.db_read(r);
    case kRead: // ...and overwrite the cached page with its answer
      r.step = kSet;
      return ctx.cache_set(r);
    default: // kViewFill, kSet
      return ctx.respond(r);
    }
  }

  bool updates_cache_on_submit() const noexcept override { return true; }

private:
  static constexpr std::uint16_t kViewGet = 1, kViewRead = 2, kViewFill = 3, kInsert = 4, kRead = 5,
                                 kSet = 6;
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(refresh, Refresh, "exercise 02: refresh the cache on submit");
