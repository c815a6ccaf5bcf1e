// The reality lab's calls: a get, a store, a delete, a pause, a page query
// or an insert carried out on the real servers for one request, timed, and
// fed to the shared measurement; and a request's answer.
#include "reality/real_context.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "model/cache_tier.h"
#include "reality/services.h"
#include "stampede/page.h"

namespace stampede::reality::stack {
namespace {

/// The page of post numbers a query's ids stand for: each id's number is
/// given when its insert's COMMIT returns, which may come a moment after
/// the query saw the row; wait for it (briefly) so the page is exact.
Page page_of(Shared &sh, const std::vector<std::int64_t> &ids, Time read_at) {
  std::unique_lock<std::mutex> lock(sh.mu);
  std::vector<std::uint32_t> posts;
  for (const std::int64_t id : ids) {
    if (!sh.committed_cv.wait_for(lock, std::chrono::seconds(5),
                                  [&] { return sh.post_of_id.count(id) > 0; })) {
      throw ServiceError("a post the database returned (seq " + std::to_string(id) +
                         ") was never reported committed");
    }
    posts.push_back(sh.post_of_id.at(id));
  }
  std::sort(posts.begin(), posts.end(), std::greater<>());
  Page p;
  p.count = static_cast<std::uint32_t>(std::min<std::size_t>(posts.size(), kPagePosts));
  std::copy(posts.begin(), posts.begin() + p.count, p.posts);
  p.read_at = read_at;
  return p;
}

} // namespace

Reply RealContext::execute(Op op) {
  char kbuf[24];
  const std::string_view key = internal::cache_key(r_.key, kbuf);
  switch (op) {
  case Op::kCacheGet:
  case Op::kCacheLeaseGet:
    return cache_read(op, key);
  case Op::kCacheDelete:
  case Op::kCacheInvalidate:
    return cache_remove(op, key);
  case Op::kWait:
    return wait();
  case Op::kCacheGetOld:
    return old_read(op, key);
  case Op::kCacheSet:
  case Op::kCacheAdd:
  case Op::kCacheCas:
  case Op::kCacheLeaseSet:
    return cache_store(op, key);
  case Op::kDbRead:
  case Op::kDbInsert:
    return db_call(op);
  case Op::kNone:
    break;
  }
  throw std::logic_error("RealContext: an operation it does not know");
}

std::optional<McClient::Item> RealContext::read_item(McClient &mc, std::string_view key,
                                                     bool lease) {
  // A lease get is mg KEY v f c t N<interval>: a miss creates the
  // placeholder and wins. Pages that expire are read with a meta get too,
  // which says how many seconds each has left (early needs the moment), and
  // so are pages a hold-off may have marked stale (X) or left empty.
  const auto interval = static_cast<std::int64_t>(std::ceil(sh_.options.lease_interval_s));
  if (lease)
    return mc.meta_get(key, interval);
  if (sh_.expiring || sh_.scenario.cache.delete_holdoff_s > 0)
    return mc.meta_get(key);
  return mc.get(key, sh_.options.cas);
}

Reply RealContext::cache_read(Op op, std::string_view key) {
  Reply reply;
  reply.op = op;
  const bool lease = op == Op::kCacheLeaseGet;
  const Time t0 = sh_.now();
  const std::optional<McClient::Item> item = read_item(tier(), key, lease);
  const Time rtt = sh_.now() - t0;
  calls_ns_ += rtt;
  // A lease's (or a hold-off's) empty placeholder is no page.
  const bool page = item.has_value() && !item->value.empty();
  reply.lease = item.has_value() && item->won;
  reply.stale = lease && page && item->stale;
  reply.hit = page && !item->stale;
  reply.status = reply.hit ? McStatus::kOk : McStatus::kNotFound;
  if (item)
    r_.cas = item->cas;
  if (page)
    r_.page = Page::decode(
        std::string_view(item->value).substr(0, std::min(item->value.size(), kEncodedPageBytes)));
  if (reply.hit && sh_.expiring && item->ttl_s >= 0)
    reply.expires_at = sh_.expiry(t0, item->ttl_s);
  {
    const std::lock_guard<std::mutex> lock(sh_.mu);
    sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
    sh_.m.cache_get(reply.hit);
  }
  // FallbackClient((new, old)): a miss in the new tier asks the old one;
  // under lease, the request that won the miss, copying with its token.
  const bool won_miss = lease && reply.lease && !page;
  if (!reply.hit && (!lease || won_miss) && sh_.scenario.cache.fallback && old_tier() != nullptr) {
    const std::uint64_t token = r_.cas;
    Reply old = old_read(op, key);
    if (old.hit) {
      r_.cas = token;
      copy_to_new(key, lease ? StoreMode::kCas : StoreMode::kAdd);
      r_.cas = 0;
      return old;
    }
    r_.cas = token;
  }
  return reply;
}

Reply RealContext::old_read(Op op, std::string_view key) {
  Reply reply;
  reply.op = op;
  reply.status = McStatus::kNotFound;
  McClient *old = old_tier();
  if (old == nullptr)
    return reply; // no migration under way: no call, a miss
  const Time t0 = sh_.now();
  const std::optional<McClient::Item> item = read_item(*old, key, false);
  const Time rtt = sh_.now() - t0;
  calls_ns_ += rtt;
  reply.hit = item.has_value() && !item->value.empty() && !item->stale;
  if (reply.hit) {
    reply.status = McStatus::kOk;
    r_.cas = 0; // the old tier's unique means nothing to the new one
    r_.page = Page::decode(
        std::string_view(item->value).substr(0, std::min(item->value.size(), kEncodedPageBytes)));
    if (sh_.expiring && item->ttl_s >= 0)
      reply.expires_at = sh_.expiry(t0, item->ttl_s);
  }
  const std::lock_guard<std::mutex> lock(sh_.mu);
  sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
  sh_.m.fallback_get(reply.hit);
  return reply;
}

void RealContext::copy_to_new(std::string_view key, StoreMode mode) {
  Page stored = r_.page;
  stored.stored_by = job_.serial;
  stored.stored_at = sh_.now();
  char vbuf[kEncodedPageBytes];
  std::string value(stored.encode(vbuf));
  if (value.size() < sh_.scenario.cache.item_bytes)
    value.resize(sh_.scenario.cache.item_bytes, '\0');
  std::unique_lock<std::mutex> in_order = sh_.write_order();
  const Time t0 = sh_.now();
  const McStatus status =
      tier().store(mode, key, value, 0, sh_.strategy->cache_ttl_s(sh_.options), r_.cas);
  const Time rtt = sh_.now() - t0;
  calls_ns_ += rtt;
  const std::lock_guard<std::mutex> lock(sh_.mu);
  sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
  sh_.m.cache_set();
  if (status == McStatus::kStored)
    sh_.m.cache_written(r_.key, r_.server, r_.page, [](std::uint32_t) {});
}

Reply RealContext::cache_remove(Op op, std::string_view key) {
  Reply reply;
  reply.op = op;
  // delete, or md KEY I; with a hold-off, md KEY I T<s> (and a placeholder
  // where the key was absent). During a migration the old tier's follows.
  const auto holdoff = static_cast<std::int64_t>(std::ceil(sh_.scenario.cache.delete_holdoff_s));
  auto remove = [&](McClient &mc) {
    return holdoff > 0              ? mc.holdoff(key, holdoff)
           : op == Op::kCacheDelete ? mc.remove(key)
                                    : mc.invalidate(key);
  };
  McClient *old = old_tier();
  const Time t0 = sh_.now();
  reply.status = remove(tier());
  if (old != nullptr)
    remove(*old);
  const Time rtt = sh_.now() - t0;
  calls_ns_ += rtt;
  const std::lock_guard<std::mutex> lock(sh_.mu);
  sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
  sh_.m.cache_delete();
  return reply;
}

Reply RealContext::wait() {
  Reply reply;
  reply.op = Op::kWait;
  const Time t0 = sh_.now();
  std::this_thread::sleep_for(std::chrono::nanoseconds(wait_ns_));
  calls_ns_ += sh_.now() - t0; // not the app's work
  reply.status = McStatus::kOk;
  return reply;
}

Reply RealContext::db_call(Op op) {
  const bool read = op == Op::kDbRead;
  const double hold_s = ns_to_seconds(
      (read ? sh_.scenario.db.query_latency : sh_.scenario.db.insert_latency).sample(rng_));
  {
    const std::lock_guard<std::mutex> lock(sh_.mu);
    sh_.m.db_queue_seen(pool_.waiting());
    const Time t = sh_.now(); // under the lock: the times only grow
    if (read)
      sh_.m.query_issued(r_.key, !r_.submit, t, t < sh_.end);
  }
  std::vector<std::int64_t> ids;
  std::int64_t id = 0;
  Time start = 0, done = 0;
  const Time issued = sh_.now();
  {
    PgPool::Lease conn = pool_.acquire();
    start = sh_.now();
    if (read)
      ids = read_page(conn.get(), r_.key, hold_s);
    else
      id = insert_post(conn.get(), r_.key, hold_s);
    done = sh_.now();
  }
  if (read)
    r_.page = page_of(sh_, ids, start);
  calls_ns_ += sh_.now() - issued;
  std::unique_lock<std::mutex> lock(sh_.mu);
  sh_.sample(read ? sh_.timings.db_read_s : sh_.timings.db_insert_s, ns_to_seconds(done - start));
  sh_.db_busy_ns += static_cast<double>(std::min(done, sh_.end) - std::min(start, sh_.end));
  if (read)
    sh_.m.query_completed(r_.key, !r_.submit, done < sh_.end);
  else
    insert_returned(id, done, lock);
  Reply reply;
  reply.op = op;
  reply.status = McStatus::kOk;
  return reply;
}

// Committed when the statement returned. Posts are numbered in the order of
// their `seq` (taken as each insert's sleep ended, just before its commit),
// the order the page query sorts by: an insert that returns before one with
// a lower seq waits for it (microseconds), so the commit log's numbers,
// times and the database's page agree. Times are taken under the lock, so
// they only grow.
void RealContext::insert_returned(std::int64_t id, Time done, std::unique_lock<std::mutex> &lock) {
  sh_.returned.emplace(id, r_.key);
  for (auto next = sh_.returned.find(sh_.next_seq); next != sh_.returned.end();
       next = sh_.returned.find(sh_.next_seq)) {
    sh_.post_of_id[sh_.next_seq++] = sh_.m.insert_committed(next->second, sh_.now());
    sh_.returned.erase(next);
  }
  sh_.committed_cv.notify_all();
  if (!sh_.committed_cv.wait_for(lock, std::chrono::seconds(5),
                                 [&] { return sh_.post_of_id.count(id) > 0; }))
    throw ServiceError("an insert before post " + std::to_string(id) +
                       " never reported its commit");
  r_.post = sh_.post_of_id.at(id);
  if (done < sh_.end)
    sh_.m.insert_completed();
}

Reply RealContext::cache_store(Op op, std::string_view key) {
  Reply reply;
  reply.op = op;
  const StoreMode mode = op == Op::kCacheSet   ? StoreMode::kSet
                         : op == Op::kCacheAdd ? StoreMode::kAdd
                                               : StoreMode::kCas;
  Page stored = r_.page;
  stored.stored_by = job_.serial;
  stored.stored_at = sh_.now();
  char vbuf[kEncodedPageBytes];
  std::string value(stored.encode(vbuf));
  // The item is as large as the scenario's (cache.item_bytes), as the model's is.
  if (value.size() < sh_.scenario.cache.item_bytes)
    value.resize(sh_.scenario.cache.item_bytes, '\0');
  std::unique_lock<std::mutex> in_order = sh_.write_order();
  const Time t0 = sh_.now();
  reply.status = tier().store(mode, key, value, 0, sh_.strategy->cache_ttl_s(sh_.options), r_.cas);
  const Time rtt = sh_.now() - t0;
  calls_ns_ += rtt;
  const std::lock_guard<std::mutex> lock(sh_.mu);
  sh_.sample(sh_.timings.cache_rtt_s, ns_to_seconds(rtt));
  sh_.m.cache_set();
  if (op == Op::kCacheCas) {
    sh_.m.cas_sent(cas_sent_++ > 0);
    if (reply.status == McStatus::kExists)
      sh_.m.cas_refused();
  }
  if (op == Op::kCacheLeaseSet && reply.status != McStatus::kStored)
    sh_.m.lease_refused(); // a delete voided the token: the stale set prevented
  if (reply.status == McStatus::kStored)
    sh_.m.cache_written(r_.key, r_.server, r_.page, [](std::uint32_t) {});
  return reply;
}

void RealContext::answer_own() {
  Request &r = r_;
  if (answered_)
    throw std::logic_error("a request was answered twice");
  answered_ = true;
  // What a lost update is judged against: the page in the cache now (read
  // apart from the counted calls, as the model peeks at its node).
  std::optional<Page> cached;
  std::unique_lock<std::mutex> in_order = sh_.write_order();
  if (r.submit && sh_.strategy->updates_cache_on_submit() && r.post != 0) {
    char kbuf[24];
    if (const auto item = tier().get(internal::cache_key(r.key, kbuf), false))
      cached = Page::decode(
          std::string_view(item->value).substr(0, std::min(item->value.size(), kEncodedPageBytes)));
  }
  const Time t = sh_.now();
  const std::lock_guard<std::mutex> lock(sh_.mu);
  if (t >= sh_.end)
    return; // the run is over: responses after its end are not counted (SPEC 6)
  const Time latency = t - job_.arrival;
  if (r.submit) {
    sh_.m.submit_answered(latency);
    if (sh_.strategy->updates_cache_on_submit() && sh_.m.on_page(r.key, r.post))
      sh_.m.submit_post_answered(r.key, r.post, r.server, cached ? &*cached : nullptr);
  } else {
    sh_.m.view_answered(latency, r.page, r.key, job_.arrival, job_.committed_at_arrival);
  }
}

} // namespace stampede::reality::stack
