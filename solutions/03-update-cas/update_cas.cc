// Exercise 03: update the cached page in place, with gets/cas and a retry
// loop.
#include "stampede/student.h"

namespace {

using stampede::Context;
using stampede::McStatus;
using stampede::Reply;
using stampede::Request;

class UpdateCas final : public stampede::Strategy {
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
    case kViewRead:
      r.step = kViewFill;
      return ctx.cache_add(r); // never overwrite a page a submit just updated
    case kInsert:              // r.post is committed: now the cached page
      r.step = kGets;
      return ctx.cache_get(r);
    case kGets:
      if (!reply.hit)
        return ctx.respond(r); // no page cached: the next view fills it
      r.page.add(r.post);      // the page just read, plus this post
      r.step = kCas;
      return ctx.cache_cas(r);
    case kCas:
      if (reply.status == McStatus::kExists) { // someone wrote first: read again
        r.step = kGets;
        return ctx.cache_get(r);
      }
      return ctx.respond(r);
    default: // kViewFill
      return ctx.respond(r);
    }
  }

  bool updates_cache_on_submit() const noexcept override { return true; }

private:
  static constexpr std::uint16_t kViewGet = 1, kViewRead = 2, kViewFill = 3, kInsert = 4, kGets = 5,
                                 kCas = 6;
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(update_cas, UpdateCas, "exercise 03: update the page with gets/cas");
