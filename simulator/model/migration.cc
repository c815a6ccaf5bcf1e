// A migration to a new memcached tier (SPEC section 2: `migrate_cache`,
// `retire_old_cache`, `cache.fallback`, `cache.delete_holdoff_s`): a get
// that misses the new tier reads the old one, as the course's pymemcache
// tutorial warms a cold cache with FallbackClient((new, old)); and, as
// Facebook warms a cold cluster (Nishtala et al., NSDI 2013, section 4.3),
// a hit there is copied into the new tier with `add` (pymemcache copies
// nothing, and deletes from the new tier alone); a delete goes to the new
// tier, then (one round trip later, as a client that loops over its tiers)
// to the old one. A copy read from the old tier before a delete reached it
// and stored after the delete left the new tier puts back what the delete
// removed: a delete's hold-off leaves the key stale in the new tier for a
// while, so the add fails; without it, the stale reads that follow are
// named after the delete the copy outlived.
#include <cmath>

#include "model/core.h"

namespace stampede {

bool SimulationCore::migrate_cache(std::uint32_t nodes) {
  if (scenario_.app.local_cache)
    return false; // the servers' own dictionaries are not a tier to migrate
  return cache_.migrate(nodes);
}

bool SimulationCore::retire_old_cache() { return cache_.retire_old(); }

void SimulationCore::old_get(Slot &s, Op op) {
  Request &r = s.req;
  char kbuf[24];
  const std::string_view key = key_names_(r.key, kbuf);
  internal::CacheTier *old = cache_.old_tier();
  MemcachedNode *node = nullptr;
  s.node = -1;
  if (old != nullptr) {
    const std::int32_t n = old->node_of(r.key);
    if (n >= 0) {
      node = &old->node(static_cast<std::uint32_t>(n));
      s.node = cache_.old_index(static_cast<std::uint32_t>(n));
    }
  }
  Reply reply;
  reply.op = Op::kCacheGetOld;
  McItemView &item = get_view_;
  reply.hit =
      node != nullptr && node->get(key, now_s(), &item) && !item.stale && !item.value.empty();
  reply.status = reply.hit ? McStatus::kOk : McStatus::kNotFound;
  if (old != nullptr)
    measure_.fallback_get(reply.hit);
  if (reply.hit) {
    Page::decode_into(item.value, r.page);
    if (s.fallback != Slot::Fallback::kLeaseCopy)
      r.cas = 0; // the old tier's unique means nothing to the new one (a lease keeps its token)
    if (item.exptime != 0)
      reply.expires_at = (item.exptime - kEpochUnixS) * kSecond;
  }
  // No old tier: no call is made, and the miss is known at once.
  const Time rtt = old != nullptr ? scenario_.cache.rtt.sample(cache_rng_) : 0;
  s.reply = reply;
  s.op_issue = now_;
  // A fallback's copy follows its reply; a strategy's own call ends there.
  const bool copy = s.fallback == Slot::Fallback::kCopy || s.fallback == Slot::Fallback::kLeaseCopy;
  queue_.push(now_ + rtt, copy ? kFallbackLeg : kCacheReply, r.id);
  if (observer_)
    activity(s, Activity::kCacheCall, op, s.node, now_ + rtt, reply.hit);
}

bool SimulationCore::fallback_next(Slot &s) {
  if (s.fallback == Slot::Fallback::kOldDelete || s.fallback == Slot::Fallback::kOldInvalidate) {
    // A client that loops over its tiers: the old tier's delete follows the
    // new tier's answer.
    const bool invalidate = s.fallback == Slot::Fallback::kOldInvalidate;
    s.fallback = Slot::Fallback::kNone;
    remove_on_old(s, invalidate);
    return true;
  }
  if (s.fallback == Slot::Fallback::kOldGet || s.fallback == Slot::Fallback::kOldLeaseGet) {
    // The new tier missed: FallbackClient asks the next client in its list.
    s.fallback =
        s.fallback == Slot::Fallback::kOldGet ? Slot::Fallback::kCopy : Slot::Fallback::kLeaseCopy;
    old_get(s, Op::kCacheGetOld);
    return true;
  }
  const bool lease = s.fallback == Slot::Fallback::kLeaseCopy;
  s.fallback = Slot::Fallback::kNone;
  if (!lease) {
    s.reply.op = Op::kCacheGet; // the strategy hears the answer to its get
    if (s.reply.hit)
      copy_to_new(s, StoreMode::kAdd);
    return false;
  }
  // A lease get: a hit in the old tier is the page, filled with the token
  // (a delete since voided it: refused); a miss, the lease it won.
  Reply &reply = s.reply;
  reply.op = Op::kCacheLeaseGet;
  if (reply.hit) {
    copy_to_new(s, StoreMode::kCas);
    s.req.cas = 0;
  } else {
    reply.lease = true;
  }
  return false;
}

void SimulationCore::copy_to_new(Slot &s, StoreMode mode) {
  const Time read_at = s.op_issue; // when the old tier was read
  Request &r = s.req;
  char kbuf[24];
  const std::string_view key = key_names_(r.key, kbuf);
  MemcachedNode *node = cache_.tier().home(r.key);
  std::int32_t index = cache_.tier().node_of(r.key);
  if (cache_.modelled()) {
    internal::CacheRouting::Route to;
    if (!cache_.route(r.key, key, now_, to))
      return; // a dead node: the copy is lost, as noreply calls are
    node = to.node;
    index = to.index;
  }
  measure_.cache_set();
  const auto &[options, strategy] = strategies_[s.strategy];
  const std::int64_t ttl =
      cache_.store_ttl(strategy->cache_ttl_s(options), cache_.is_gutter(index));
  Page stored = r.page;
  stored.stored_by = s.serial;
  stored.stored_at = now_;
  char vbuf[kEncodedPageBytes];
  const McStatus status =
      node == nullptr
          ? McStatus::kNotStored
          : node->store(mode, key, 0, ttl, stored.encode(vbuf), mode == StoreMode::kCas ? r.cas : 0,
                        now_s(), nullptr, scenario_.cache.item_bytes);
  if (status == McStatus::kStored) {
    check_written(r, s.serial);
    if (copies_.size() <= r.key)
      copies_.resize(r.key + 1);
    Copy &c = copies_[r.key];
    c = Copy{s.serial, now_, kNoSerial, -1};
    // Read from the old tier before a delete reached it, stored after the
    // delete reached the new tier: the copy puts back what it removed.
    if (r.key < deleted_by_.size()) {
      const DeleteMark &d = deleted_by_[r.key];
      if (d.by != kNoSerial && d.new_at <= now_ && read_at < d.old_at) {
        c.outlived = d.by;
        c.outlived_at = d.new_at;
      }
    }
  }
  if (observer_)
    observer_->on_call(CallRecord{s.serial, r.server,
                                  mode == StoreMode::kCas ? Op::kCacheLeaseSet : Op::kCacheAdd,
                                  status, false, index, now_, now_, 0});
}

McStatus SimulationCore::remove_on(MemcachedNode *node, std::string_view key, bool invalidate) {
  const double holdoff_s = scenario_.cache.delete_holdoff_s;
  if (holdoff_s <= 0)
    return invalidate ? node->meta_delete(key, false, 0, true, false, 0, now_s())
                      : node->remove(key, now_s());
  // `md KEY I T<s>`: the item stays, stale, for the hold-off; where the key
  // was absent, `ms KEY S0 T<s> ME` (an add, pipelined with it: one round
  // trip) leaves an empty placeholder. Either way an add fails until then.
  const auto holdoff = static_cast<std::int64_t>(std::ceil(holdoff_s));
  const McStatus status = node->meta_delete(key, false, 0, true, true, now_s() + holdoff, now_s());
  if (status == McStatus::kNotFound)
    node->store(StoreMode::kAdd, key, 0, holdoff, std::string_view(), 0, now_s());
  return status;
}

void SimulationCore::removed_from_new(Slot &s, bool invalidate) {
  const std::uint32_t k = s.req.key;
  if (deleted_by_.size() <= k)
    deleted_by_.resize(k + 1);
  deleted_by_[k] = DeleteMark{s.serial, now_, kNever};
  s.fallback = invalidate ? Slot::Fallback::kOldInvalidate : Slot::Fallback::kOldDelete;
}

void SimulationCore::remove_on_old(Slot &s, bool invalidate) {
  Request &r = s.req;
  char kbuf[24];
  const std::string_view key = key_names_(r.key, kbuf);
  internal::CacheTier *old = cache_.old_tier();
  s.node = -1;
  if (old != nullptr) { // retired since the new tier's leg: nothing to delete
    const std::int32_t n = old->node_of(r.key);
    if (n >= 0) {
      remove_on(&old->node(static_cast<std::uint32_t>(n)), key, invalidate);
      s.node = cache_.old_index(static_cast<std::uint32_t>(n));
    }
  }
  if (r.key < deleted_by_.size() && deleted_by_[r.key].by == s.serial)
    deleted_by_[r.key].old_at = now_;
  // The strategy hears the new tier's answer (s.reply) after this leg.
  const Time rtt = old != nullptr ? scenario_.cache.rtt.sample(cache_rng_) : 0;
  s.op_issue = now_;
  queue_.push(now_ + rtt, kCacheReply, r.id);
  if (observer_)
    activity(s, Activity::kCacheCall, s.reply.op, s.node, now_ + rtt);
}

void SimulationCore::explain_copy(AnomalyRecord &a, const Page &page) const noexcept {
  if (a.key >= copies_.size())
    return;
  const Copy &c = copies_[a.key];
  if (c.by != page.stored_by || c.at != page.stored_at)
    return;
  a.from_old_tier = true;
  a.outlived_delete = c.outlived;
  a.outlived_delete_at = c.outlived_at;
}

} // namespace stampede
