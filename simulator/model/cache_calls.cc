// A request's cache calls: get, set, add, cas, delete and the lease calls,
// each carried out on the node the routing names (or the server's local
// cache), answered after the round trip, and the facts they feed the
// measurement (hits, stores, CAS conflicts, refused leases).
#include <cmath>
#include <stdexcept>

#include "model/core.h"
#include "model/memcached_meta.h"

namespace stampede {

const StrategyConfig &SimulationCore::options_of(const Request &r) const noexcept {
  return strategies_[slots_[r.id].strategy].first;
}

void SimulationCore::cache_call(Request &r, Op op) {
  Slot &s = slots_[r.id];
  char kbuf[24];
  const std::string_view key = key_names_(r.key, kbuf);

  MemcachedNode *node = nullptr;
  Time rtt = 0; // the local dictionary answers at once
  s.node = -1;
  if (scenario_.app.local_cache) {
    node = app_.local(r.server);
  } else {
    s.node = cache_.tier().node_of(r.key);
    if (s.node >= 0)
      node = &cache_.tier().node(static_cast<std::uint32_t>(s.node));
    rtt = scenario_.cache.rtt.sample(cache_rng_);
  }
  if (cache_.modelled() && !scenario_.app.local_cache) [[unlikely]] {
    internal::CacheRouting::Route to;
    if (!cache_.route(r.key, key, now_, to))
      return timed_out(s, op);
    node = to.node;
    s.node = to.index;
    rtt += to.queued;
  }

  Reply reply;
  reply.op = op;
  bool leg = false; // a migration's leg follows the reply (kFallbackLeg)
  switch (op) {
  case Op::kCacheGet: {
    // The member view, not a fresh one: a McItemView is ~100 bytes of
    // defaults to zero, and a hit overwrites every field anyway (a miss
    // leaves it unread).
    McItemView &item = get_view_;
    // The clients read as `mg KEY v c` does: an item a delete marked stale
    // (memcached's X; the hold-off), or an empty placeholder, is a miss.
    reply.hit =
        node != nullptr && node->get(key, now_s(), &item) && !item.stale && !item.value.empty();
    reply.status = reply.hit ? McStatus::kOk : McStatus::kNotFound;
    measure_.cache_get(reply.hit);
    if (!reply.hit && fallback_on()) [[unlikely]] {
      s.fallback = Slot::Fallback::kOldGet; // on to the old tier when this miss arrives
      leg = true;
    }
    if (on_gutter(s)) [[unlikely]]
      measure_.gutter_get(reply.hit);
    if (reply.hit) {
      Page::decode_into(item.value, r.page);
      r.cas = item.cas;
      // memcached's whole-second exptime, back on the virtual clock: the item
      // is gone once now_s() reaches it.
      if (item.exptime != 0)
        reply.expires_at = (item.exptime - kEpochUnixS) * kSecond;
    }
    break;
  }
  case Op::kCacheSet:
  case Op::kCacheAdd:
  case Op::kCacheCas:
    reply.status = cache_store(s, op, node, key);
    break;
  case Op::kCacheDelete:
    measure_.cache_delete();
    // The gutter is never invalidated: its entries expire instead.
    reply.status =
        node == nullptr || on_gutter(s) ? McStatus::kNotFound : remove_on(node, key, false);
    if (cache_.old_tier() != nullptr) [[unlikely]] {
      removed_from_new(s, false); // then the old tier's, one round trip later
      leg = true;
    }
    break;
  case Op::kCacheLeaseGet:
  case Op::kCacheLeaseSet:
  case Op::kCacheInvalidate:
    lease_op(s, op, node, key, reply);
    if (s.fallback != Slot::Fallback::kNone) // an invalidation during a migration
      leg = true;
    break;
  default:
    throw std::logic_error("cache_op called with a non-cache operation");
  }
  s.reply = reply;
  s.op_issue = now_;
  // The kind a constant on the usual path: its lane is known at compile time.
  if (!leg) [[likely]]
    queue_.push(now_ + rtt, kCacheReply, r.id);
  else
    queue_.push(now_ + rtt, kFallbackLeg, r.id);
  if (observer_)
    activity(s, Activity::kCacheCall, op, s.node, now_ + rtt, reply.hit);
}

// Out of line: a store is one cache call in fifty on a read-mostly page, and
// its buffers and anomaly bookkeeping would otherwise weigh on every get.
McStatus SimulationCore::cache_store(Slot &s, Op op, MemcachedNode *node, std::string_view key) {
  Request &r = s.req;
  measure_.cache_set();
  if (op == Op::kCacheCas)
    measure_.cas_sent(s.cas_sent++ > 0);
  const StoreMode mode = op == Op::kCacheSet   ? StoreMode::kSet
                         : op == Op::kCacheAdd ? StoreMode::kAdd
                                               : StoreMode::kCas;
  const auto &[options, strategy] = strategies_[s.strategy];
  const std::int64_t ttl = cache_.store_ttl(strategy->cache_ttl_s(options), on_gutter(s));
  // The stored page says which write stored it, for explaining anomalies.
  Page stored = r.page;
  stored.stored_by = s.serial;
  stored.stored_at = now_;
  char vbuf[kEncodedPageBytes];
  const McStatus status = node == nullptr
                              ? McStatus::kNotStored
                              : node->store(mode, key, 0, ttl, stored.encode(vbuf), r.cas, now_s(),
                                            nullptr, scenario_.cache.item_bytes);
  if (status == McStatus::kStored) {
    check_written(r, s.serial);
  } else if (op == Op::kCacheCas && status == McStatus::kExists) {
    measure_.cas_refused();
    AnomalyRecord a{AnomalyKind::kCasConflict, now_, s.serial, r.key};
    if (observer_) {
      // The write that changed the unique stored the page there now.
      McItemView current;
      if (node->peek(key, now_s(), &current)) {
        const Page there = Page::decode(current.value);
        a.cause_serial = there.stored_by;
        a.cause_at = there.stored_at;
        a.snapshot_at = there.read_at;
        a.unique_sent = r.cas;
        a.unique_now = current.cas;
      }
    }
    anomaly(a);
  }
  return status;
}

void SimulationCore::lease_op(Slot &s, Op op, MemcachedNode *node, std::string_view key,
                              Reply &reply) {
  const bool gutter = on_gutter(s);
  Request &r = s.req;
  const StrategyConfig &options = strategies_[s.strategy].first;
  switch (op) {
  case Op::kCacheLeaseGet: {
    // mg KEY v c N<interval>: a miss vivifies a placeholder and wins (W);
    // a stale item's first reader wins; everyone else is told Z.
    McMetaGetOptions mg;
    mg.vivify = true;
    mg.created_exptime = now_s() + static_cast<std::int64_t>(std::ceil(options.lease_interval_s));
    McMetaGetResult got;
    McItemView &item = get_view_;
    const bool found = node != nullptr && node->meta_get(key, mg, now_s(), &item, &got);
    reply.lease = found && got.won;
    const bool page = found && !got.created && !item.value.empty();
    reply.stale = page && item.stale;
    reply.hit = page && !item.stale;
    if (gutter)
      measure_.gutter_get(reply.hit);
    reply.status = reply.hit ? McStatus::kOk : McStatus::kNotFound;
    if (found)
      r.cas = item.cas;
    if (page)
      Page::decode_into(item.value, r.page);
    measure_.cache_get(reply.hit);
    if (reply.hit && item.exptime != 0)
      reply.expires_at = (item.exptime - kEpochUnixS) * kSecond;
    // A miss won during a migration: the old tier may have the page.
    if (found && got.created && got.won && fallback_on())
      s.fallback = Slot::Fallback::kOldLeaseGet;
    break;
  }
  case Op::kCacheLeaseSet: {
    // The holder's fill: a cas against its token. A delete since changed
    // the unique (md I) or removed the placeholder: refused.
    measure_.cache_set();
    Page stored = r.page;
    stored.stored_by = s.serial;
    stored.stored_at = now_;
    char vbuf[kEncodedPageBytes];
    const std::int64_t ttl =
        cache_.store_ttl(strategies_[s.strategy].second->cache_ttl_s(options), gutter);
    reply.status = node == nullptr
                       ? McStatus::kNotStored
                       : node->store(StoreMode::kCas, key, 0, ttl, stored.encode(vbuf), r.cas,
                                     now_s(), nullptr, scenario_.cache.item_bytes);
    if (reply.status == McStatus::kStored) {
      check_written(r, s.serial);
    } else {
      measure_.lease_refused();
      AnomalyRecord a{AnomalyKind::kLeaseRefused, now_, s.serial, r.key};
      if (r.key < invalidated_by_.size() && invalidated_by_[r.key].first != kNoSerial) {
        a.cause_serial = invalidated_by_[r.key].first;
        a.cause_at = invalidated_by_[r.key].second;
      }
      a.snapshot_at = r.page.read_at;
      anomaly(a);
    }
    break;
  }
  case Op::kCacheInvalidate:
    if (gutter) { // the gutter is never invalidated
      measure_.cache_delete();
      reply.status = McStatus::kNotFound;
      break;
    }
    // Remembered for explaining the fills it refuses.
    if (invalidated_by_.size() <= r.key)
      invalidated_by_.resize(r.key + 1, {kNoSerial, -1});
    invalidated_by_[r.key] = {s.serial, now_};
    measure_.cache_delete();
    reply.status = node == nullptr ? McStatus::kNotFound : remove_on(node, key, true);
    if (cache_.old_tier() != nullptr)
      removed_from_new(s, true);
    break;
  default:
    throw std::logic_error("lease_op called with another operation");
  }
}

void SimulationCore::timed_out(Slot &s, Op op) {
  Reply reply;
  reply.op = op;
  reply.timed_out = true;
  const bool store =
      op == Op::kCacheSet || op == Op::kCacheAdd || op == Op::kCacheCas || op == Op::kCacheLeaseSet;
  reply.status = store ? McStatus::kNotStored : McStatus::kNotFound;
  measure_.cache_timeout();
  if (op == Op::kCacheGet || op == Op::kCacheLeaseGet)
    measure_.cache_get(false);
  else if (store)
    measure_.cache_set();
  else
    measure_.cache_delete();
  s.reply = reply;
  s.op_issue = now_;
  queue_.push(now_ + cache_.timeout(), kCacheReply, s.req.id);
  if (observer_)
    activity(s, Activity::kCacheCall, op, s.node, now_ + cache_.timeout(), false);
}

void SimulationCore::wait(Request &r, Time pause) {
  Slot &s = slots_[r.id];
  s.reply = Reply{};
  s.reply.op = Op::kWait;
  s.reply.status = McStatus::kOk;
  s.op_issue = now_;
  s.node = -1;
  if (explore_) [[unlikely]]
    return defer(s, StepKind::kWait, Op::kWait, pause);
  const Time until = now_ + pause;
  queue_.push(until, kWaitDone, r.id);
  if (observer_)
    activity(s, Activity::kWait, Op::kWait, -1, until);
}

bool SimulationCore::cached_page(std::uint32_t key, std::uint32_t server, Page *out) const {
  char kbuf[24];
  McItemView item;
  const MemcachedNode *node = nullptr;
  if (scenario_.app.local_cache) {
    node = app_.local(server);
  } else {
    node = cache_.tier().home(key);
  }
  if (node == nullptr || !node->peek(key_names_(key, kbuf), now_s(), &item))
    return false;
  *out = Page::decode(item.value);
  return true;
}

} // namespace stampede
