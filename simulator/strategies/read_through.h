// The page view shared by the lecture's caching strategies (SPEC section 3:
// naive, clear, refresh and update all read "as naive"): get; on a miss,
// query the DB and fill the cache; serve the page.
#pragma once

#include "stampede/strategy.h"

namespace stampede::internal {

class ReadThrough : public Strategy {
public:
  SharedState shared_state() const noexcept override { return SharedState::kNone; }

  void view(Context &ctx, Request &r) override {
    r.step = kViewGet;
    ctx.cache_get(r);
  }

  void resume(Context &ctx, Request &r, const Reply &reply) override {
    switch (r.step) {
    case kViewGet:
      if (reply.hit)
        return ctx.respond(r); // the cached page is in r.page
      r.step = kViewRead;
      return ctx.db_read(r);
    case kViewRead: // r.page holds the DB's page
      r.step = kViewFill;
      return ctx.cache_fill(r);
    case kViewFill:
      return ctx.respond(r);
    default:
      return resume_submit(ctx, r, reply);
    }
  }

protected:
  /// Steps at or above kSubmitStep belong to the submit.
  static constexpr std::uint16_t kViewGet = 1, kViewRead = 2, kViewFill = 3, kSubmitStep = 10;

  /// The submit's continuation, for steps >= kSubmitStep.
  virtual void resume_submit(Context &ctx, Request &r, const Reply &reply) = 0;
};

} // namespace stampede::internal
