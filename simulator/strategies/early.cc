// `early` (SPEC section 3, beyond the lecture): probabilistic early
// recomputation ("XFetch", Vattani, Chierichetti and Lowenstein, "Optimal
// probabilistic cache stampede prevention", VLDB 2015). Pages are cached with
// the strategy's TTL and submits only insert, as naive with a TTL: without
// more, every expiry sends all the views that miss to the database at once.
// Here a view that hits recomputes the page early, with a probability that
// rises as expiry nears:
//
//     recompute when  now - delta * beta * ln(u) >= expiry,  u uniform in (0, 1]
//
// where delta is how long the last recomputation of that page took (measured
// here, per key) and beta = 1. One view usually refreshes the page a little
// before it expires, so the others never miss. With ttl_s 0 pages never
// expire and `early` is `naive`.
#include <vector>

#include "stampede/distribution.h"
#include "strategies/builtin.h"

namespace stampede::internal {
namespace {

class Early final : public Strategy {
public:
  SharedState shared_state() const noexcept override { return SharedState::kPerKey; }
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
      if (reply.hit && !recompute_early(ctx, r, reply))
        return ctx.respond(r);
      // A miss, or a hit chosen to refresh the page before it expires.
      r.step = reply.hit ? kRecompute : kRead;
      started(r, ctx.now());
      return ctx.db_read(r);
    case kRead:
    case kRecompute:
      measured(r, ctx.now());
      // A miss fills (set, or add with cas); an early recomputation
      // overwrites the page that is still there, with a fresh TTL.
      if (r.step == kRead) {
        r.step = kStore;
        return ctx.cache_fill(r);
      }
      r.step = kStore;
      return ctx.cache_set(r);
    default: // kStore, kInsert
      return ctx.respond(r);
    }
  }

private:
  static constexpr std::uint16_t kGet = 1, kRead = 2, kRecompute = 3, kStore = 4, kInsert = 10;
  static constexpr double kBeta = 1.0;

  bool recompute_early(Context &ctx, const Request &r, const Reply &reply) {
    if (reply.expires_at == 0 || r.key >= delta_.size() || delta_[r.key] == 0)
      return false; // never expires, or no recomputation measured yet
    // -ln(u) for u in (0, 1]: 1 - uniform01() is never 0.
    const double gap = -portable_log(1.0 - ctx.uniform01());
    const double lead = static_cast<double>(delta_[r.key]) * kBeta * gap;
    return static_cast<double>(ctx.now()) + lead >= static_cast<double>(reply.expires_at);
  }

  // The recomputation's duration, from the query's issue to its answer
  // (queueing included: that is what a view waits for).
  void started(const Request &r, Time now) {
    if (r.id >= issued_.size())
      issued_.resize(r.id + 1, 0);
    issued_[r.id] = now;
  }
  void measured(const Request &r, Time now) {
    if (r.key >= delta_.size())
      delta_.resize(r.key + 1, 0);
    delta_[r.key] = now - issued_[r.id];
  }

  std::vector<Time> issued_; // per request slot: when its query was issued
  std::vector<Time> delta_;  // per key: the last recomputation's duration
};

} // namespace

std::unique_ptr<Strategy> make_early(const StrategyConfig &) { return std::make_unique<Early>(); }

} // namespace stampede::internal
