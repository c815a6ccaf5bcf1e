// The simulator's Context (strategy.h): a strategy's calls become the
// model's operations on virtual time. Built on the stack for each call into
// a strategy (SimulationCore::start, ::resume); it holds only the core.
#pragma once

#include "model/core.h"
#include "stampede/strategy.h"

namespace stampede {

class SimContext final : public Context {
public:
  explicit SimContext(SimulationCore &core) noexcept : core_(core) {}

  void cache_get(Request &r) override { core_.cache_op(r, Op::kCacheGet); }
  void cache_set(Request &r) override { core_.cache_op(r, Op::kCacheSet); }
  void cache_add(Request &r) override { core_.cache_op(r, Op::kCacheAdd); }
  void cache_cas(Request &r) override { core_.cache_op(r, Op::kCacheCas); }
  void cache_delete(Request &r) override { core_.cache_op(r, Op::kCacheDelete); }
  void cache_lease_get(Request &r) override { core_.cache_op(r, Op::kCacheLeaseGet); }
  void cache_lease_set(Request &r) override { core_.cache_op(r, Op::kCacheLeaseSet); }
  void cache_invalidate(Request &r) override { core_.cache_op(r, Op::kCacheInvalidate); }
  void cache_get_old(Request &r) override { core_.cache_get_old(r); }
  void pause(Request &r, Time pause) override { core_.wait(r, pause); }
  void db_read(Request &r) override { core_.db_op(r, Op::kDbRead); }
  void db_insert(Request &r) override { core_.db_op(r, Op::kDbInsert); }
  void respond(Request &r) override { core_.respond(r); }
  void answer(Request &r) override { core_.answer(r); }
  void finish(Request &r) override { core_.finish(r); }
  const StrategyConfig &options(const Request &r) const noexcept override {
    return core_.options_of(r);
  }
  Time now() const noexcept override { return core_.strategy_now(); }
  double uniform01() noexcept override { return core_.strategy_uniform01(); }
  Request *in_flight(std::uint32_t id) noexcept override { return core_.request_at(id); }

private:
  SimulationCore &core_;
};

} // namespace stampede
