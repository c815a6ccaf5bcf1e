// Exercise 02: the lecture's refresh strategy. Complete the TODOs.
#include "stampede/student.h"

namespace {

using stampede::Context;
using stampede::Reply;
using stampede::Request;

class Refresh final : public stampede::Strategy {
public:
  void view(Context &ctx, Request &r) override {
    // TODO: start the page view: the cache get.
    ctx.respond(r);
  }

  void submit(Context &ctx, Request &r) override {
    // TODO: start the submit: the insert.
    ctx.respond(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    // TODO: the next operation, by r.step (and reply.hit after a get).
    (void)reply;
    ctx.respond(r);
  }

  bool updates_cache_on_submit() const noexcept override {
    return false; // TODO: does your submit write the cached page?
  }
};

} // namespace

STAMPEDE_STUDENT_STRATEGY(refresh, Refresh, "exercise 02: refresh the cache on submit");
