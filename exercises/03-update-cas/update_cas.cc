// Exercise 03: update the cached page in place, with gets/cas and a retry
// loop. Complete the TODOs.
#include "stampede/student.h"

namespace {

using stampede::Context;
using stampede::Reply;
using stampede::Request;

class UpdateCas final : public stampede::Strategy {
public:
  void view(Context &ctx, Request &r) override {
    // TODO: the cache get that starts a page view.
    ctx.respond(r);
  }

  void submit(Context &ctx, Request &r) override {
    // TODO: the insert that starts a submit.
    ctx.respond(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    // TODO: the next operation, by r.step: the view's miss path, and the
    // submit's get, add-the-post, cas, and retry on kExists.
    (void)reply;
    ctx.respond(r);
  }

  bool updates_cache_on_submit() const noexcept override {
    return false; // TODO: does your submit write the cached page?
  }
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(update_cas, UpdateCas, "exercise 03: update the page with gets/cas");
