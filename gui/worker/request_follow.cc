// Following one request: the recent records kept, and a request's events and the
// causes of its anomalies gathered from them as the run goes on.
#include "worker/request_follow.h"

#include <algorithm>
#include <cstdio>

#include "stampede/memcached_node.h"

namespace stampede::gui {

namespace {

/// Seconds with four decimals, as the timeline and the status bar show them.
std::string secs(Time t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f s", ns_to_seconds(t));
  return buf;
}

/// Milliseconds, for durations.
std::string millis(Time d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ns_to_seconds(d) * 1e3);
  return buf;
}

std::string reply_words(const CallRecord &c) {
  if (c.op == Op::kCacheGet || c.op == Op::kCacheLeaseGet || c.op == Op::kCacheGetOld)
    return c.hit ? "hit" : "miss";
  if (c.op == Op::kDbRead || c.op == Op::kDbInsert)
    return "done";
  return status_label(c.status);
}

} // namespace

std::string explain(const AnomalyRecord &a) {
  std::string s = anomaly_label(a.kind);
  switch (a.kind) {
  case AnomalyKind::kStaleRead:
    s += ": the page lacks post " + std::to_string(a.post) + ", committed at " +
         secs(a.post_committed_at);
    if (a.from_old_tier) {
      // A migration's fallback read the page from the old tier and added it
      // to the new one; after a delete, it put back what the delete removed.
      s += "; the page was copied from the old tier by request #" + std::to_string(a.cause_serial) +
           " at " + secs(a.cause_at);
      if (a.outlived_delete != kNoSerial)
        s += ", after request #" + std::to_string(a.outlived_delete) + "'s delete at " +
             secs(a.outlived_delete_at) + ": filled from the old tier after request #" +
             std::to_string(a.outlived_delete) +
             "'s delete, it put back the page that delete removed (the old tier was read before "
             "the delete reached it)";
      else if (a.snapshot_at >= 0 && a.snapshot_at < a.post_committed_at)
        s += ", built by a query that began at " + secs(a.snapshot_at) +
             ", before that commit (the old tier held a stale page)";
    } else if (a.cause_serial != kNoSerial) {
      s += "; the page was stored by request #" + std::to_string(a.cause_serial) + " at " +
           secs(a.cause_at);
      if (a.snapshot_at >= 0) {
        s += ", built by a query that began at " + secs(a.snapshot_at);
        if (a.snapshot_at < a.post_committed_at)
          s += ", before that commit (a stale set)";
      }
    } else if (a.snapshot_at >= 0) {
      s += "; the view's own query began at " + secs(a.snapshot_at);
    } else {
      s += "; the page is the one the warm-up stored, never refreshed";
    }
    break;
  case AnomalyKind::kLostUpdate:
    s += ": post " + std::to_string(a.post) + " (committed at " + secs(a.post_committed_at) +
         ") is missing from the cached page";
    if (a.cause_serial != kNoSerial)
      s += ", overwritten by request #" + std::to_string(a.cause_serial) + "'s write at " +
           secs(a.cause_at);
    break;
  case AnomalyKind::kCasConflict:
    s += ": the unique changed since this request's gets";
    if (a.unique_sent != 0 || a.unique_now != 0)
      s += " (its cas sent unique " + std::to_string(a.unique_sent) + "; the key's is now " +
           std::to_string(a.unique_now) + ")";
    if (a.cause_serial != kNoSerial)
      s += ": request #" + std::to_string(a.cause_serial) + " wrote the key at " + secs(a.cause_at);
    s += ", so memcached answered EXISTS and stored nothing";
    break;
  case AnomalyKind::kStampede:
    s += ": this request's page query started while another for the same key was in flight";
    break;
  case AnomalyKind::kLeaseRefused:
    s += ": the lease token was invalidated";
    if (a.cause_serial != kNoSerial)
      s += " by request #" + std::to_string(a.cause_serial) + "'s delete at " + secs(a.cause_at);
    if (a.snapshot_at >= 0)
      s += ", after this request's query began at " + secs(a.snapshot_at) +
           ": its page could lack that submit's post, so the node kept it out of the cache";
    break;
  }
  return s;
}

StampedeCause RecentRecords::stampede_cause(const AnomalyRecord &a) const {
  // The ring holds the newest records: the delete that emptied the key, and
  // the page queries of the key issued before this one, with their ends.
  StampedeCause c;
  std::vector<StampedeCause::Query> queries;
  const std::uint64_t n = std::min<std::uint64_t>(next_, ring_.size());
  for (std::uint64_t i = next_ - n; i < next_; ++i) {
    const Record &r = ring_[i % ring_.size()];
    if (r.kind != Record::Kind::kActivity || r.activity.key != a.key || r.activity.from > a.at)
      continue;
    const ActivityRecord &x = r.activity;
    if (x.activity == Activity::kCacheCall &&
        (x.op == Op::kCacheDelete || x.op == Op::kCacheInvalidate)) {
      c.deleter = x.serial;
      c.deleted_at = x.from;
      c.deleter_submit = x.submit;
    }
    if (x.activity == Activity::kCacheCall && (x.op == Op::kCacheSet || x.op == Op::kCacheAdd ||
                                               x.op == Op::kCacheCas || x.op == Op::kCacheLeaseSet))
      c.deleter = kNoSerial; // filled again since: that delete is not why it missed
    if ((x.activity == Activity::kDbQueued || x.activity == Activity::kDbRunning) &&
        x.op == Op::kDbRead && x.serial != a.serial) {
      auto q = std::find_if(queries.begin(), queries.end(),
                            [&](const StampedeCause::Query &y) { return y.serial == x.serial; });
      if (q == queries.end())
        queries.push_back({x.serial, x.from, x.until});
      else
        q->until = x.until; // queued, then running: its end is known now
    }
  }
  // Only those still in flight when this one was issued overlapped it.
  std::erase_if(queries,
                [&](const StampedeCause::Query &q) { return q.until >= 0 && q.until <= a.at; });
  if (!queries.empty()) {
    c.overlapped = queries.front();
    c.others = queries.size() - 1;
  }
  return c;
}

std::string RecentRecords::stampede_story(const AnomalyRecord &a) const {
  if (a.kind != AnomalyKind::kStampede)
    return {};
  const StampedeCause c = stampede_cause(a);
  std::string s;
  if (c.deleter != kNoSerial)
    s += "; " + std::string(c.deleter_submit ? "submit" : "request") + " #" +
         std::to_string(c.deleter) + " deleted the page at " + secs(c.deleted_at) +
         ", so every view after it missed";
  if (c.overlapped.serial != kNoSerial) {
    s += "; it overlapped request #" + std::to_string(c.overlapped.serial) +
         "'s query, issued at " + secs(c.overlapped.from) +
         (c.overlapped.until >= 0 ? " and running until " + secs(c.overlapped.until)
                                  : std::string());
    if (c.others > 0)
      s += ", and " + std::to_string(c.others) + " more of the same page";
  }
  return s;
}

void RequestFollower::add(Lane lane, Time at, Time until, std::string what, bool anomaly) {
  news_.push_back(what + " at " + secs(at));
  entries_.push_back(TimelineEntry{lane, at, until, std::move(what), anomaly});
}

std::string RequestFollower::take_step() {
  if (news_.empty())
    return {};
  std::string s = "req #" + std::to_string(serial_) + ": ";
  for (std::size_t i = 0; i < news_.size(); ++i)
    s += (i > 0 ? "; " : "") + news_[i];
  news_.clear();
  return s;
}

void RequestFollower::on_activity(const ActivityRecord &a) {
  if (a.serial != serial_)
    return;
  switch (a.activity) {
  case Activity::kCpu:
    seen_start_ = true;
    add(Lane::kUser, a.arrival, -1, a.submit ? "submit arrives" : "page view arrives");
    if (a.from > a.arrival)
      add(Lane::kApp, a.arrival, a.from,
          "waits for a worker on app " + std::to_string(a.server) + " (" +
              millis(a.from - a.arrival) + ")");
    add(Lane::kApp, a.from, a.until,
        "CPU on app " + std::to_string(a.server) + " (" + millis(a.until - a.from) + ")");
    break;
  case Activity::kCacheCall:
    open_call_ = static_cast<std::int64_t>(entries_.size());
    add(Lane::kCache, a.from, a.until,
        std::string(op_label(a.op)) +
            (a.node >= 0 ? " to " + node_name(a.node) : std::string(" to the local cache")));
    if (conflict_) {
      // The model decides a cas as it issues it and says so first: the
      // conflict goes after the call that met it, which it explains.
      const auto cas = static_cast<std::size_t>(open_call_);
      add(Lane::kApp, conflict_->at, -1, explain(*conflict_), true);
      tell_cas(cas, conflict_->unique_sent);
      conflict_.reset();
    }
    break;
  case Activity::kDbQueued:
    add(Lane::kDatabase, a.from, -1, std::string(op_label(a.op)) + ": waits for a DB connection");
    break;
  case Activity::kWait:
    add(Lane::kApp, a.from, a.until,
        "waits for another request's lease (" + millis(a.until - a.from) + "), then asks again");
    break;
  case Activity::kDbRunning:
    if (!entries_.empty() && entries_.back().lane == Lane::kDatabase && entries_.back().until < 0)
      entries_.back().until = a.from; // the wait ended
    open_call_ = static_cast<std::int64_t>(entries_.size());
    add(Lane::kDatabase, a.from, a.until,
        std::string(op_label(a.op)) + " runs (" + millis(a.until - a.from) + ")");
    break;
  case Activity::kDone:
    done_ = true;
    add(Lane::kApp, a.from, -1, "lets go of its worker");
    break;
  }
}

std::string RequestFollower::node_name(std::int32_t node) const {
  if (old_from_ >= 0 && node >= old_from_)
    return "old memcached " + std::to_string(node - old_from_);
  return "memcached " + std::to_string(node);
}

void RequestFollower::tell_cas(std::size_t cas_entry, std::uint64_t unique) {
  // The CAS story: the get before was a gets, and its unique is what the cas
  // sent. Told once, when the conflict is known or when the reply comes.
  std::string &cas = entries_[cas_entry].what;
  if (cas.find("(sent unique") != std::string::npos)
    return;
  cas += " (sent unique " + std::to_string(unique) + ")";
  if (last_get_ >= 0 && static_cast<std::size_t>(last_get_) < entries_.size()) {
    std::string &get = entries_[static_cast<std::size_t>(last_get_)].what;
    if (get.starts_with("cache get ") && !get.starts_with("cache gets"))
      get.replace(0, 9, "cache gets");
    get += ", unique " + std::to_string(unique);
  }
  last_get_ = -1;
}

void RequestFollower::on_call(const CallRecord &c) {
  if (c.serial != serial_)
    return;
  std::string what = std::string(op_label(c.op)) + " -> " + reply_words(c);
  const bool open = open_call_ >= 0 && static_cast<std::size_t>(open_call_) < entries_.size();
  if (!open && c.op == Op::kCacheAdd && c.node >= 0) {
    // A migration's fallback: the old tier's hit is added to the new tier
    // (noreply) before the strategy hears it; no activity precedes it.
    add(Lane::kCache, c.issue, -1,
        "copies the old tier's page to " + node_name(c.node) + " with cache add -> " +
            reply_words(c));
    return;
  }
  if (c.op == Op::kCacheCas && open) {
    tell_cas(static_cast<std::size_t>(open_call_), c.unique);
    what = std::string(op_label(c.op)) + " (sent unique " + std::to_string(c.unique) + ") -> " +
           reply_words(c);
  }
  if (open)
    entries_[static_cast<std::size_t>(open_call_)].what += " -> " + reply_words(c);
  if (c.op == Op::kCacheGet && c.hit && open)
    last_get_ = open_call_;
  open_call_ = -1;
  news_.push_back(what + " at " + secs(c.reply));
}

void RequestFollower::on_request(const RequestRecord &r) {
  if (r.serial != serial_)
    return;
  std::string what = "answered after " + millis(r.response - r.arrival);
  if (r.stale)
    what += ", with a stale page";
  add(Lane::kUser, r.response, -1, std::move(what));
}

void RequestFollower::on_anomaly(const AnomalyRecord &a, const std::string &story) {
  if (a.serial != serial_)
    return;
  if (a.kind == AnomalyKind::kCasConflict) {
    conflict_ = a; // added after its cas call's entry (on_activity)
    return;
  }
  add(Lane::kApp, a.at, -1, explain(a) + story, true);
}

void RequestFollower::on_fault(Time at, const std::string &why) {
  add(Lane::kApp, at, -1, "the run stopped here: " + why, true);
}

void RequestFollower::on_gap() {
  if (entries_.empty() || done_)
    return; // nothing of it was fed yet, or nothing of it was lost
  add(Lane::kApp, entries_.back().at, -1,
      "(what it did next is no longer kept: the run's first and newest records are)");
}

RecentRecords::RecentRecords(std::size_t capacity, std::size_t first)
    : ring_(capacity > 0 ? capacity : 1), first_capacity_(first) {
  first_.reserve(first);
}

std::uint64_t RecentRecords::Record::serial() const noexcept {
  switch (kind) {
  case Kind::kActivity:
    return activity.serial;
  case Kind::kCall:
    return call.serial;
  case Kind::kRequest:
    return request.serial;
  case Kind::kAnomaly:
    return anomaly.serial;
  }
  return 0;
}

void RecentRecords::feed(RequestFollower &f, const Record &r) const {
  switch (r.kind) {
  case Record::Kind::kActivity:
    f.on_activity(r.activity);
    break;
  case Record::Kind::kCall:
    f.on_call(r.call);
    break;
  case Record::Kind::kRequest:
    f.on_request(r.request);
    break;
  case Record::Kind::kAnomaly:
    f.on_anomaly(r.anomaly,
                 r.anomaly.kind == AnomalyKind::kStampede && r.anomaly.serial == f.serial()
                     ? stampede_story(r.anomaly)
                     : std::string());
    break;
  }
}

std::string RecentRecords::describe_since(std::uint64_t mark, std::int32_t old_from) const {
  const std::uint64_t first = std::max(mark, next_ - std::min<std::uint64_t>(next_, ring_.size()));
  std::vector<std::uint64_t> serials;
  for (std::uint64_t i = first; i < next_; ++i) {
    const std::uint64_t s = ring_[i % ring_.size()].serial();
    if (std::find(serials.begin(), serials.end(), s) == serials.end())
      serials.push_back(s);
  }
  std::string out;
  for (const std::uint64_t s : serials) {
    RequestFollower f(s);
    f.set_old_tier_from(old_from);
    for (std::uint64_t i = first; i < next_; ++i) {
      const Record &r = ring_[i % ring_.size()];
      if (r.serial() != s)
        continue;
      feed(f, r);
    }
    const std::string step = f.take_step();
    if (!step.empty())
      out += (out.empty() ? "" : " | ") + step;
  }
  return out;
}

void RecentRecords::replay(RequestFollower &f) const {
  const std::uint64_t n = std::min<std::uint64_t>(next_, ring_.size());
  const std::uint64_t ring_from = next_ - n; // the oldest record still in the ring
  // The run's first records the ring no longer holds, then the ring's.
  const std::uint64_t head = std::min<std::uint64_t>(first_.size(), ring_from);
  for (std::uint64_t i = 0; i < head; ++i)
    if (first_[i].serial() == f.serial())
      feed(f, first_[i]);
  if (head > 0 && ring_from > head)
    f.on_gap();
  for (std::uint64_t i = ring_from; i < next_; ++i) {
    const Record &r = ring_[i % ring_.size()];
    if (r.serial() != f.serial())
      continue;
    feed(f, r);
  }
}

} // namespace stampede::gui
