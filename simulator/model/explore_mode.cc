// Explore mode (SPEC section 12): the model with the clock taken out of the
// order of operations. A request's cache call, page query (its start, when
// the snapshot is taken, and its return), insert commit and wait each wait
// as a pending step until the explorer (simulator/explore/) runs one; the
// step's effect happens then, and the strategy hears of it at once, so its
// callback runs between steps exactly as in a timed run. What each step
// read and wrote is noted for the reduction of independent orders.
#include <stdexcept>
#include <string>

#include "model/core.h"

namespace stampede {

namespace {

// "posts 1-10", "posts 2-9, 11", "no posts": ascending, runs joined.
std::string posts_text(const Page &page) {
  if (page.count == 0)
    return "no posts";
  std::string out = page.count == 1 ? "post " : "posts ";
  for (std::uint32_t i = page.count; i-- > 0;) {
    const std::uint32_t first = page.posts[i];
    std::uint32_t last = first;
    while (i > 0 && page.posts[i - 1] == last + 1)
      last = page.posts[--i];
    if (out.back() != ' ')
      out += ", ";
    out += std::to_string(first);
    if (last != first)
      out += "-" + std::to_string(last);
  }
  return out;
}

const char *status_text(McStatus status) {
  switch (status) {
  case McStatus::kStored:
    return "stored";
  case McStatus::kNotStored:
    return "not stored";
  case McStatus::kExists:
    return "exists (the unique changed)";
  case McStatus::kNotFound:
    return "not found";
  case McStatus::kDeleted:
    return "deleted";
  case McStatus::kOk:
    return "ok";
  default:
    return "error";
  }
}

} // namespace

void SimulationCore::Footprint::add(const Touch &t) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    Touch &have = touches[i];
    if (have.what == t.what && have.server == t.server && have.key == t.key) {
      have.write = have.write || t.write;
      return;
    }
  }
  if (count == kMax) {
    everything = true;
    return;
  }
  touches[count++] = t;
}

bool SimulationCore::Footprint::depends_on(const Footprint &other) const noexcept {
  if (everything || other.everything)
    return true;
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = 0; j < other.count; ++j) {
      const Touch &a = touches[i], &b = other.touches[j];
      if (a.what == b.what && a.server == b.server && a.key == b.key && (a.write || b.write))
        return true;
    }
  return false;
}

void SimulationCore::explore_mode() {
  const auto refuse = [](const std::string &path, const std::string &expected) {
    throw std::invalid_argument(path + ": stampede explore " + expected);
  };
  const auto &w = scenario_.workload;
  if (w.kind == WorkloadKind::kClosed && w.users > 0)
    refuse("workload.users", "runs only the scripted requests (view_burst, submit_burst events); "
                             "expected 0 users");
  if (w.kind == WorkloadKind::kOpen && w.rate > 0)
    refuse("workload.rate", "runs only the scripted requests (view_burst, submit_burst events); "
                            "expected 0");
  if (scenario_.edge.enabled)
    refuse("edge.enabled", "does not model the front cache; expected false");
  std::uint64_t requests = 0;
  for (std::size_t i = 0; i < scenario_.events.size(); ++i) {
    const ScriptedEvent &e = scenario_.events[i];
    if (e.kind != ScriptedEvent::Kind::kSubmitBurst && e.kind != ScriptedEvent::Kind::kViewBurst)
      refuse("events[" + std::to_string(i) + "]",
             "takes only view_burst and submit_burst events (every order of a few requests)");
    requests += e.value;
  }
  if (requests == 0)
    refuse("events", "needs requests to order: expected view_burst or submit_burst events");
  if (requests > kMaxExploreRequests)
    refuse("events", "is for a handful of requests: the events hold " + std::to_string(requests) +
                         ", expected at most " + std::to_string(kMaxExploreRequests));
  if (requests > slots_.size())
    refuse("app.workers", "needs a worker for every request (" + std::to_string(requests) +
                              "); expected app.servers x app.workers >= that");
  explore_ = true;
  // The scripted requests arrive in the scenario's order, each a pending
  // start; the intervals' clock is not kept.
  Event e{};
  while (queue_.pop_before(kNever, e)) {
    if (e.kind() == kIntervalEnd)
      continue;
    now_ = explore_clock_ = e.time;
    dispatch(e);
  }
  // From here each step is a millisecond after the last (for the story's
  // clock, the traces and the detectors' order), but memcached's expiry
  // and the strategies read the clock as it is now: no choice depends on
  // how many steps ran before it, only on which.
  explore_clock_ = now_;
}

void SimulationCore::defer(Slot &s, StepKind kind, Op op, Time pause) {
  pending_.push_back(PendingStep{s.serial, s.req.id, kind, op, pause, steps_run_, now_});
  if (observer_ == nullptr)
    return;
  // What the request waits in until its step runs, for a diagram: an
  // arrival on its worker, a call out to its node, a query for the
  // database (a query's return was told when it started), a wait.
  switch (kind) {
  case StepKind::kStart:
    activity(s, Activity::kCpu, Op::kNone, -1, -1);
    break;
  case StepKind::kCache: {
    const std::int32_t node = scenario_.app.local_cache ? -1 : cache_.tier().node_of(s.req.key);
    activity(s, Activity::kCacheCall, op, node, -1);
    break;
  }
  case StepKind::kDbStart:
    activity(s, Activity::kDbQueued, op, -1, -1);
    break;
  case StepKind::kDbCommit:
    activity(s, Activity::kDbRunning, op, -1, -1);
    break;
  case StepKind::kWait:
    activity(s, Activity::kWait, Op::kWait, -1, -1);
    break;
  case StepKind::kDbReturn:
    break;
  }
}

void SimulationCore::explore_db_op(Slot &s, Op op) {
  Request &r = s.req;
  s.reply = Reply{};
  s.reply.op = op;
  s.op_issue = now_;
  s.node = -1;
  if (op == Op::kDbRead) {
    touch(Touch::kInFlight, 0, r.key, true);
    if (measure_.query_issued(r.key, !r.submit, now_))
      anomaly(AnomalyKind::kStampede, s.serial, r.key);
    defer(s, StepKind::kDbStart, op);
  } else {
    defer(s, StepKind::kDbCommit, op);
  }
}

void SimulationCore::run_pending(std::size_t i, Time at, Footprint *footprint, std::string *line) {
  if (i >= pending_.size())
    throw std::logic_error("run_pending: no such pending step");
  const PendingStep p = pending_[i];
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
  now_ = std::max(now_, at);
  ++steps_run_;
  footprint_ = footprint;
  Slot &s = slots_[p.slot];
  Request &r = s.req;
  const std::uint32_t key = r.key;
  const Strategy &strategy = *strategies_[s.strategy].second;
  // What the strategy's callback may meet other requests' callbacks in.
  const auto callback = [&] {
    switch (strategy.shared_state()) {
    case SharedState::kNone:
      break;
    case SharedState::kPerKey:
      touch(Touch::kStrategyKey, ~0u, key, true);
      break;
    case SharedState::kPerServerKey:
      touch(Touch::kStrategyKey, r.server, key, true);
      break;
    case SharedState::kAll:
      touch(Touch::kStrategyAll, 0, 0, true);
      break;
    }
    // A refresh or update submit's answer reads the cached page and the
    // posts (the lost-update detector).
    if (r.submit && strategy.updates_cache_on_submit()) {
      touch(Touch::kDbKey, 0, key, true);
      touch(Touch::kCacheKey, scenario_.app.local_cache ? r.server : 0, key, false);
    }
  };
  const auto say = [&](const std::string &what) {
    if (line != nullptr)
      *line = what;
  };
  try {
    switch (p.kind) {
    case StepKind::kStart:
      touch(Touch::kArrival, 0, 0, true);
      touch(Touch::kDbKey, 0, key, false);
      callback();
      s.arrival = s.start = now_;
      s.committed_at_arrival = measure_.log().committed_before(key, now_);
      say("arrives");
      on_cpu_done(p.slot);
      break;
    case StepKind::kCache: {
      const bool read = p.op == Op::kCacheGet || p.op == Op::kCacheGetOld;
      touch(Touch::kCacheKey, scenario_.app.local_cache ? r.server : 0, key, !read);
      if (!read)
        touch(Touch::kDbKey, 0, key, false); // a store's lost-update check reads the posts
      callback();
      if (p.op == Op::kCacheGetOld)
        old_get(s, p.op);
      else
        cache_call(r, p.op);
      s.op_issue = p.issued; // the call was in flight from its issue to this step
      if (line != nullptr)
        *line = describe_call(s);
      // Its reply, at once: the strategy's callback runs now.
      Event e{};
      while (queue_.pop_before(kNever, e))
        dispatch(e);
      break;
    }
    case StepKind::kDbStart:
      touch(Touch::kDbKey, 0, key, false);
      // The statement's snapshot: the page as committed now.
      r.page = Page::newest(measure_.log().committed(key));
      r.page.read_at = now_;
      say((num_keys_ == 1 ? std::string("page") : "page " + std::to_string(key)) +
          " query starts (snapshot: " + posts_text(r.page) + ")");
      defer(s, StepKind::kDbReturn, p.op);
      if (observer_)
        activity(s, Activity::kDbRunning, p.op, -1, -1); // until its return step
      break;
    case StepKind::kDbReturn:
      touch(Touch::kInFlight, 0, key, true);
      callback();
      measure_.query_completed(key, !r.submit);
      s.reply.status = McStatus::kOk;
      say("page query returns (" + posts_text(r.page) + ")");
      on_reply(p.slot);
      break;
    case StepKind::kDbCommit:
      touch(Touch::kDbKey, 0, key, true);
      callback();
      measure_.insert_completed();
      r.post = measure_.insert_committed(key, now_);
      s.reply.status = McStatus::kOk;
      say("insert commits post " + std::to_string(r.post));
      on_reply(p.slot);
      break;
    case StepKind::kWait:
      // Its end depends on what ran since it began (explore's fairness).
      if (footprint_ != nullptr)
        footprint_->everything = true;
      now_ += p.pause;
      say("wait ends");
      on_reply(p.slot);
      break;
    }
  } catch (...) {
    footprint_ = nullptr;
    throw;
  }
  footprint_ = nullptr;
}

void SimulationCore::explore_end() {
  try {
    for (auto &[config, strategy] : strategies_)
      strategy->run_ended(now_);
  } catch (StudentFault &f) {
    name_request(f);
    throw;
  }
}

std::string SimulationCore::stale_at_rest(std::uint32_t key) const {
  const Page truth = Page::newest(measure_.log().committed(key));
  char kbuf[24];
  const std::string_view name = key_names_(key, kbuf);
  const std::uint32_t servers = scenario_.app.local_cache ? app_.size() : 1;
  for (std::uint32_t server = 0; server < servers; ++server) {
    const MemcachedNode *node =
        scenario_.app.local_cache ? app_.local(server) : cache_.tier().home(key);
    McItemView item;
    // What a get would serve: an item a delete marked stale, or a lease's
    // empty placeholder, is a miss, and a miss reads the database.
    if (node == nullptr || !node->peek(name, now_s(), &item) || item.stale || item.value.empty())
      continue;
    const Page page = Page::decode(item.value);
    for (std::uint32_t i = 0; i < truth.count; ++i)
      if (!page.contains(truth.posts[i]))
        return std::string("the cache") +
               (scenario_.app.local_cache ? " of app server " + std::to_string(server) : "") +
               " keeps " + posts_text(page) + " while the database has " + posts_text(truth) +
               ": it lacks post " + std::to_string(truth.posts[i]);
  }
  return std::string();
}

std::string SimulationCore::cached_text(std::uint32_t key) const {
  Page page;
  return cached_page(key, 0, &page) ? posts_text(page) : "not cached";
}

std::string SimulationCore::describe_call(const Slot &s) const {
  const Reply &reply = s.reply;
  const std::string page = "(" + posts_text(s.req.page) + ")";
  // "page", or with several keys "page 3" (the key's index).
  const std::string name = num_keys_ == 1 ? "page" : "page " + std::to_string(s.req.key);
  switch (reply.op) {
  case Op::kCacheGet:
    return reply.hit ? "get " + name + " -> hit " + page : "get " + name + " -> miss";
  case Op::kCacheGetOld:
    return reply.hit ? "get " + name + " from the old tier -> hit " + page
                     : "get " + name + " from the old tier -> miss";
  case Op::kCacheSet:
    return "set " + name + " " + page + " -> " + status_text(reply.status);
  case Op::kCacheAdd:
    return "add " + name + " " + page + " -> " + status_text(reply.status);
  case Op::kCacheCas:
    return "cas " + name + " " + page + " -> " + status_text(reply.status);
  case Op::kCacheDelete:
    return "delete " + name + " -> " + status_text(reply.status);
  case Op::kCacheLeaseGet:
    if (reply.hit)
      return "lease get -> hit " + page;
    if (reply.lease)
      return reply.stale ? "lease get -> stale page " + page + ", lease won"
                         : "lease get -> miss, lease won";
    return reply.stale ? "lease get -> stale page " + page + ", no lease"
                       : "lease get -> no page, no lease";
  case Op::kCacheLeaseSet:
    return "lease set " + name + " " + page + " -> " +
           (reply.status == McStatus::kStored ? "stored" : "refused (the token was voided)");
  case Op::kCacheInvalidate:
    return "invalidate " + name + " -> " + status_text(reply.status);
  default:
    return op_label(reply.op);
  }
}

} // namespace stampede
