// One app worker's Context in the reality lab: the strategy's calls for the
// request it serves, carried out on the real memcached and PostgreSQL, each
// fed to the shared measurement as the model feeds its own. Internal to
// reality/.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "reality/clients.h"
#include "reality/database.h"
#include "reality/real_parts.h"
#include "stampede/rng.h"
#include "stampede/strategy.h"

namespace stampede::reality::stack {

/// One app worker's Context: each call is recorded, and the worker's loop
/// carries it out on the real servers and resumes the strategy with the
/// reply, so a strategy's calls never nest.
class RealContext final : public Context {
public:
  /// @param mc the first tier's client; @param next the second tier's (a
  /// migration's new memcached), or null when the scenario has none.
  RealContext(Shared &sh, McClient &mc, McClient *next, PgPool &pool, Rng &rng, const Job &job,
              Request &r)
      : sh_(sh), mc_(mc), next_(next), pool_(pool), rng_(rng), job_(job), r_(r) {}

  // A call may be for another worker's request (coalesce answers those that
  // wait for its query): each goes to the context of the request it names.
  void cache_get(Request &r) override { owner(r).issue(Op::kCacheGet); }
  void cache_set(Request &r) override { owner(r).issue(Op::kCacheSet); }
  void cache_add(Request &r) override { owner(r).issue(Op::kCacheAdd); }
  void cache_cas(Request &r) override { owner(r).issue(Op::kCacheCas); }
  void cache_delete(Request &r) override { owner(r).issue(Op::kCacheDelete); }
  void cache_lease_get(Request &r) override { owner(r).issue(Op::kCacheLeaseGet); }
  void cache_lease_set(Request &r) override { owner(r).issue(Op::kCacheLeaseSet); }
  void cache_invalidate(Request &r) override { owner(r).issue(Op::kCacheInvalidate); }
  void cache_get_old(Request &r) override { owner(r).issue(Op::kCacheGetOld); }
  void pause(Request &r, Time pause) override {
    RealContext &o = owner(r);
    o.wait_ns_ = pause;
    o.issue(Op::kWait);
  }
  void db_read(Request &r) override { owner(r).issue(Op::kDbRead); }
  void db_insert(Request &r) override { owner(r).issue(Op::kDbInsert); }
  void respond(Request &r) override {
    RealContext &o = owner(r);
    if (!o.answered_)
      o.answer_own();
    o.finish_own();
  }
  void answer(Request &r) override { owner(r).answer_own(); }
  void finish(Request &r) override { owner(r).finish_own(); }
  const StrategyConfig &options(const Request &) const noexcept override { return sh_.options; }
  Time now() const noexcept override { return sh_.now(); }
  double uniform01() noexcept override { return rng_.uniform01(); }
  // Under strategy_mu, as every call into the strategy is made.
  Request *in_flight(std::uint32_t id) noexcept override {
    RealContext *o = id < sh_.contexts.size() ? sh_.contexts[id] : nullptr;
    return o != nullptr ? &o->r_ : nullptr;
  }

  /// Drives the request from its first call to its end. A request the
  /// strategy leaves without a call (one waiting for another's query, as
  /// coalesce's followers do) keeps its worker, as in the model, until a
  /// call for it or its answer comes from another worker's thread.
  void run() {
    std::unique_lock<std::mutex> lock(sh_.strategy_mu);
    sh_.contexts.at(r_.id) = this;
    if (r_.submit)
      sh_.strategy->submit(*this, r_);
    else
      sh_.strategy->view(*this, r_);
    while (!finished_) {
      if (pending_ == Op::kNone) {
        const Time t0 = sh_.now();
        const bool woken = sh_.handoff_cv.wait_for(
            lock, kHandoffLimit, [&] { return finished_ || pending_ != Op::kNone; });
        calls_ns_ += sh_.now() - t0; // waiting is not the app's work
        if (!woken) {
          sh_.contexts.at(r_.id) = nullptr;
          throw std::logic_error("a strategy left a request without a call or an answer for " +
                                 std::to_string(kHandoffLimit.count()) +
                                 " s: no other request took it up");
        }
        continue;
      }
      const Op op = pending_;
      pending_ = Op::kNone;
      lock.unlock();
      const Reply reply = execute(op);
      lock.lock();
      sh_.strategy->resume(*this, r_, reply);
    }
    sh_.contexts.at(r_.id) = nullptr;
  }

private:
  static constexpr std::chrono::seconds kHandoffLimit{10};

  /// The context of the request `r` names (this one's, or a waiting one's).
  RealContext &owner(Request &r) {
    if (&r == &r_)
      return *this;
    RealContext *o = r.id < sh_.contexts.size() ? sh_.contexts[r.id] : nullptr;
    if (o == nullptr || &o->r_ != &r)
      throw std::logic_error("a strategy called for a request that is not in service");
    return *o;
  }
  // Each under strategy_mu (strategy calls are made holding it); a call or
  // an answer for a waiting request wakes its thread.
  void issue(Op op) {
    pending_ = op;
    sh_.handoff_cv.notify_all();
  }
  void finish_own() {
    finished_ = true;
    sh_.handoff_cv.notify_all();
  }
  void answer_own();

  // Carries out a call on the real servers: @return its reply.
  Reply execute(Op op);
  Reply cache_read(Op op, std::string_view key); // get, gets, or a lease's mg
  Reply old_read(Op op, std::string_view key);   // the old tier's get (fallback, get_old)
  // A get's item from `mc`: a plain get, or mg when a stale item or a
  // placeholder may be there (the hold-off) or the TTL left is wanted.
  std::optional<McClient::Item> read_item(McClient &mc, std::string_view key, bool lease);
  // The old tier's page, copied into the tier in use (cache.fallback) with
  // add, or under lease with a cas against the token in r_.cas.
  void copy_to_new(std::string_view key, StoreMode mode);
  // The tier in use, and the old one during a migration (else null).
  McClient &tier() noexcept {
    return sh_.tier_phase.load() == 0 || next_ == nullptr ? mc_ : *next_;
  }
  McClient *old_tier() noexcept {
    return sh_.tier_phase.load() == 1 && next_ != nullptr ? &mc_ : nullptr;
  }
  Reply cache_remove(Op op, std::string_view key); // delete, or md KEY I
  Reply cache_store(Op op, std::string_view key);
  Reply wait();
  Reply db_call(Op op);
  // An insert returned: the posts committed by then are numbered in order.
  void insert_returned(std::int64_t id, Time done, std::unique_lock<std::mutex> &lock);

  Shared &sh_;
  McClient &mc_;   // the first tier
  McClient *next_; // a migration's new tier, or null
  PgPool &pool_;
  Rng &rng_;
  const Job &job_;
  Request &r_;
  Op pending_ = Op::kNone;
  Time wait_ns_ = 0; // the pause a kWait asks for
  bool answered_ = false, finished_ = false;
  std::uint16_t cas_sent_ = 0;

public:
  Time calls_ns_ = 0; // time spent in this request's calls (the rest was the app's)
};

} // namespace stampede::reality::stack
