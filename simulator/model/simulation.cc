// The per-request path: the event loop's dispatch, arrivals and the
// balancer, app-server CPU, database calls, answers and the facts they feed
// the measurement. A request's cache calls are in cache_calls.cc; the stack
// as a whole (construction, live changes, intervals, the report) is in
// stack.cc.
#include "stampede/simulation.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>

#include "engine/event_loop.h"
#include "model/core.h"
#include "model/popularity.h"
#include "model/sim_context.h"

namespace stampede {

// ------------------------------------------------------------------ driving

bool SimulationCore::step() {
  const bool more =
      internal::run_events(queue_, end_, 1, now_, [this](const Event &e) { dispatch(e); }) > 0;
  events_ += more ? 1 : 0;
  finish_if_over();
  return more;
}

void SimulationCore::run_until(Time t) {
  events_ += internal::run_events(queue_, std::min(t, end_), ~std::uint64_t{0}, now_,
                                  [this](const Event &e) { dispatch(e); });
  finish_if_over();
}

void SimulationCore::dispatch(const Event &e) {
  switch (e.kind()) {
  case kArrival:
    on_arrival(e.target());
    break;
  case kCpuDone:
    on_cpu_done(e.target());
    break;
  case kCacheReply:
  case kWaitDone:
    on_reply(e.target());
    break;
  case kNodeNoticed:
    cache_.noticed(e.target());
    break;
  case kFallbackLeg:
    on_fallback_leg(e.target());
    break;
  case kDbDone:
    on_db_done(e.target());
    break;
  case kScripted:
    on_scripted(e.target());
    break;
  case kIntervalEnd:
    on_interval_end();
    break;
  case kSubmits:
    on_burst(e.target(), true);
    break;
  case kViews:
    on_burst(e.target(), false);
    break;
  case kEdgeDone:
    on_edge_done(e.target());
    break;
  default: // an event kind added without its handler: our bug, never silence
    throw std::logic_error("SimulationCore::dispatch: unknown event kind " +
                           std::to_string(static_cast<int>(e.kind())));
  }
}

// ---------------------------------------------------------------- workload

void SimulationCore::on_arrival(std::uint32_t source) {
  const bool submit = mix_rng_.uniform01() < scenario_.workload.submit_ratio;
  if (source == kOpenStream)
    queue_.push(now_ + interarrival_.sample(arrival_rng_), kArrival, kOpenStream);
  admit(now_, submit, false);
}

// A burst is one event whatever its size, so that a million requests cost
// one queue entry, not a million. Its requests arrive one after another in
// this loop, which is the order one event per request would give: those
// events would sit next to each other in (time, sequence) order, and every
// event their arrivals schedule comes after all of them. engine.events
// counts each request as the event it would have been.
void SimulationCore::on_burst(std::uint32_t count, bool submit) {
  events_ += count - 1;
  for (std::uint32_t i = 0; i < count && !overloaded_at_; ++i)
    admit(now_, submit, true);
}

void SimulationCore::push_burst(std::uint32_t count, bool submit) {
  // A count beyond an event's target field arrives as several events in a row.
  while (count > 0) {
    const std::uint32_t n = std::min(count, Event::kMaxTarget);
    queue_.push(now_, submit ? kSubmits : kViews, n);
    count -= n;
  }
}

void SimulationCore::admit(Time arrival, bool submit, bool burst) {
  measure_.arrival();
  // A front cache sees a page view first: its key is drawn here, and only a
  // view it cannot answer goes on to the balancer, with that key.
  std::uint32_t key = kNone;
  if (edge_.on() && !submit) [[unlikely]] {
    key = edge_front(arrival, burst);
    if (key == kAnsweredAtEdge)
      return;
  }
  const std::uint32_t s = choose_server();
  if (const std::uint32_t slot = app_.take_worker(s); slot != internal::AppTier::kNoWorker) {
    start(slot, arrival, submit, burst, key);
  } else if (app_.enqueue(s, internal::Waiting{arrival, submit, burst, key})) {
    if (app_.overloaded())
      overload();
  } else {
    // Refused (app.backlog): the user sees an error at once; a closed
    // workload's user thinks and comes back, as after an answer.
    measure_.rejected();
    user_comes_back(burst);
  }
}

// The front cache answers a page view from its copy of the page while the
// copy is younger than edge.ttl_s. It never hears of submits, so the copy
// can lack posts committed since: the view is checked as any other.
std::uint32_t SimulationCore::edge_front(Time arrival, bool burst) {
  const std::uint32_t key = draw_key();
  const Page *copy = edge_.fresh(key, now_);
  measure_.edge_seen(copy != nullptr);
  if (copy == nullptr)
    return key;
  const std::optional<std::uint32_t> index = edge_.begin_answer(Event::kMaxTarget);
  if (!index) { // more answers under way than events can name: as an overloaded stack
    overload();
    return kAnsweredAtEdge;
  }
  internal::EdgeCache::Answer &a = edge_.answer(*index);
  a.arrival = arrival;
  a.serial = serial_next_++;
  a.key = key;
  a.committed_at_arrival = measure_.log().committed_before(key, arrival);
  a.burst = burst;
  a.page = *copy;
  queue_.push(now_ + edge_.latency(), kEdgeDone, *index);
  return kAnsweredAtEdge;
}

void SimulationCore::on_edge_done(std::uint32_t index) {
  const internal::EdgeCache::Answer &a = edge_.answer(index);
  double staleness_s = 0;
  const bool stale =
      view_answered(a.page, a.key, a.arrival, a.committed_at_arrival, a.serial, &staleness_s);
  if (observer_)
    observer_->on_request(RequestRecord{kEdgeServer, a.serial, a.key, kEdgeServer, false, stale,
                                        a.arrival, a.arrival, now_, staleness_s});
  user_comes_back(a.burst);
  edge_.end_answer(index);
}

// A closed workload's user, after an answer or a refusal, thinks and sends
// the next request; a burst's requests have no user behind them.
inline void SimulationCore::user_comes_back(bool burst) {
  if (scenario_.workload.kind == WorkloadKind::kClosed && !burst)
    queue_.push(now_ + scenario_.workload.think_time.sample(think_rng_), kArrival, kClosedUser);
}

// Past kMaxQueuedRequests waiting requests the run stops here: an open
// workload beyond capacity would queue (and take memory) without bound.
void SimulationCore::overload() {
  overloaded_at_ = now_;
  queue_.clear();
  end_ = now_;
}

inline std::uint32_t SimulationCore::choose_server() {
  return balancer_.choose([this](std::uint32_t i) { return app_.load(i); });
}

std::uint32_t SimulationCore::draw_key() {
  return zipf_cdf_.empty() ? 0 : internal::key_of(zipf_cdf_, key_rng_.uniform01());
}

void SimulationCore::start(std::uint32_t slot, Time arrival, bool submit, bool burst,
                           std::uint32_t key) {
  Slot &s = slots_[slot];
  const std::uint32_t server = s.server;
  // Reset in place: `s.req = Request{}` builds the request on the stack and
  // copies it over (~120 bytes twice, on every request).
  std::construct_at(&s.req);
  s.req.id = slot;
  s.req.server = server;
  s.req.submit = submit;
  s.req.key = key != kNone ? key : draw_key();
  if (s.req.key >= num_keys_)
    s.req.key = num_keys_ - 1;
  s.arrival = arrival;
  s.start = now_;
  s.serial = serial_next_++;
  s.burst = burst;
  s.cas_sent = 0;
  s.answered = false;
  s.strategy = current_strategy_;
  s.committed_at_arrival = measure_.log().committed_before(s.req.key, arrival);
  const Time cpu_done = now_ + app_.start(server);
  if (explore_) [[unlikely]]
    return defer(s, StepKind::kStart, Op::kNone);
  queue_.push(cpu_done, kCpuDone, slot);
  if (observer_)
    activity(s, Activity::kCpu, Op::kNone, -1, cpu_done);
}

void SimulationCore::activity(const Slot &s, Activity what, Op op, std::int32_t node, Time until,
                              bool hit) {
  observer_->on_activity(ActivityRecord{s.serial, s.req.id, s.req.server, s.req.key, s.req.submit,
                                        what, op, node, s.arrival, now_, until, hit});
}

void SimulationCore::on_cpu_done(std::uint32_t slot) {
  Slot &s = slots_[slot];
  SimContext ctx(*this);
  Strategy &strategy = *strategies_[s.strategy].second;
  try {
    if (s.req.submit)
      strategy.submit(ctx, s.req);
    else
      strategy.view(ctx, s.req);
  } catch (StudentFault &f) {
    name_request(f);
    throw;
  }
}

void SimulationCore::name_request(StudentFault &f) const noexcept {
  if (f.slot() < slots_.size())
    f.name_request(slots_[f.slot()].serial);
}

void SimulationCore::call_done(const Slot &s) {
  const bool unique = s.reply.op == Op::kCacheCas || (s.reply.op == Op::kCacheGet && s.reply.hit);
  observer_->on_call(CallRecord{s.serial, s.req.server, s.reply.op, s.reply.status, s.reply.hit,
                                s.node, s.op_issue, now_, unique ? s.req.cas : 0});
}

inline void SimulationCore::resume(Slot &s) {
  SimContext ctx(*this);
  const Reply reply = s.reply;
  try {
    strategies_[s.strategy].second->resume(ctx, s.req, reply);
  } catch (StudentFault &f) {
    name_request(f);
    throw;
  }
}

void SimulationCore::on_reply(std::uint32_t slot) {
  Slot &s = slots_[slot];
  if (observer_)
    call_done(s);
  resume(s);
}

// A migration's call whose reply leads to another leg (model/migration.cc):
// the strategy hears when the last one is done.
void SimulationCore::on_fallback_leg(std::uint32_t slot) {
  Slot &s = slots_[slot];
  if (observer_)
    call_done(s);
  if (!fallback_next(s))
    resume(s);
}

// ---------------------------------------------------------------- database

void SimulationCore::db_op(Request &r, Op op) {
  Slot &s = slots_[r.id];
  if (explore_) [[unlikely]]
    return explore_db_op(s, op);
  s.reply = Reply{};
  s.reply.op = op;
  s.op_issue = now_;
  s.node = -1;
  if (op == Op::kDbRead && measure_.query_issued(r.key, !r.submit, now_))
    anomaly(AnomalyKind::kStampede, s.serial, r.key);
  if (db_.has_free_connection()) {
    db_start(r.id);
  } else {
    db_.enqueue(r.id);
    if (observer_)
      activity(s, Activity::kDbQueued, op, -1, -1);
    measure_.db_queue_seen(db_.queued());
    interval_record_.db_queue_max = std::max<std::uint32_t>(
        interval_record_.db_queue_max, static_cast<std::uint32_t>(db_.queued()));
  }
}

void SimulationCore::db_start(std::uint32_t slot) {
  Slot &s = slots_[slot];
  const bool read = s.reply.op == Op::kDbRead;
  const Time latency = db_.start(now_, read);
  // A statement snapshot: the page as committed when the query starts executing.
  if (read) {
    s.req.page = Page::newest(measure_.log().committed(s.req.key));
    s.req.page.read_at = now_;
  }
  queue_.push(now_ + latency, kDbDone, slot);
  if (observer_)
    activity(s, Activity::kDbRunning, s.reply.op, -1, now_ + latency);
}

void SimulationCore::on_db_done(std::uint32_t slot) {
  Slot &s = slots_[slot];
  Request &r = s.req;
  if (s.reply.op == Op::kDbRead) {
    measure_.query_completed(r.key, !r.submit);
  } else {
    // The insert commits now: the post takes the key's next number.
    measure_.insert_completed();
    r.post = measure_.insert_committed(r.key, now_);
  }
  s.reply.status = McStatus::kOk;
  db_.end(now_);
  if (db_.queued() > 0)
    db_start(db_.dequeue());
  on_reply(slot);
}

// --------------------------------------------------------------- the truth

void SimulationCore::check_written(const Request &writer, std::uint64_t serial) {
  const std::uint32_t key = writer.key;
  measure_.cache_written(key, writer.server, writer.page, [&](std::uint32_t post) {
    AnomalyRecord a{AnomalyKind::kLostUpdate, now_, serial, key};
    a.post = post;
    a.post_committed_at = measure_.log().commit_time(key, post);
    a.cause_serial = serial;
    a.cause_at = now_;
    a.snapshot_at = writer.page.read_at;
    anomaly(a);
  });
}

void SimulationCore::respond(Request &r) {
  answer(r);
  finish_request(slots_[r.id]);
}

void SimulationCore::finish(Request &r) {
  Slot &s = slots_[r.id];
  if (!s.answered)
    throw std::logic_error("finish() before answer(): a request must be answered first");
  finish_request(s);
}

void SimulationCore::answer(Request &r) {
  Slot &s = slots_[r.id];
  if (s.answered)
    throw std::logic_error("a request was answered twice");
  s.answered = true;
  const Time latency = now_ - s.arrival;
  bool stale = false;
  double staleness_s = 0;
  if (r.submit) {
    measure_.submit_answered(latency);
    if (strategies_[s.strategy].second->updates_cache_on_submit() &&
        measure_.on_page(r.key, r.post)) {
      Page cached;
      const bool in_cache = cached_page(r.key, r.server, &cached);
      if (measure_.submit_post_answered(r.key, r.post, r.server, in_cache ? &cached : nullptr)) {
        AnomalyRecord a{AnomalyKind::kLostUpdate, now_, s.serial, r.key};
        a.post = r.post;
        a.post_committed_at = measure_.log().commit_time(r.key, r.post);
        a.cause_serial = cached.stored_by;
        a.cause_at = cached.stored_at;
        a.snapshot_at = cached.read_at;
        anomaly(a);
      }
    }
  } else {
    stale = view_answered(r.page, r.key, s.arrival, s.committed_at_arrival, s.serial, &staleness_s);
    if (edge_.on()) [[unlikely]] // the front cache keeps what the app server answered
      edge_.keep(r.key, r.page, now_);
  }
  if (observer_) {
    observer_->on_request(RequestRecord{r.id, s.serial, r.key, r.server, r.submit, stale, s.arrival,
                                        s.start, now_, staleness_s});
  }
}

// A view answered: the measurement says what the page lacked, if anything;
// an observer hears of it as an anomaly.
inline bool SimulationCore::view_answered(const Page &page, std::uint32_t key, Time arrival,
                                          std::uint32_t committed_at_arrival, std::uint64_t serial,
                                          double *staleness_s) {
  const std::optional<internal::StaleRead> found =
      measure_.view_answered(now_ - arrival, page, key, arrival, committed_at_arrival);
  if (!found)
    return false;
  *staleness_s = ns_to_seconds(found->age);
  AnomalyRecord a{AnomalyKind::kStaleRead, now_, serial, key};
  a.post = found->post;
  a.post_committed_at = measure_.log().commit_time(key, found->post);
  a.cause_serial = page.stored_by;
  a.cause_at = page.stored_at;
  a.snapshot_at = page.read_at;
  if (!copies_.empty()) [[unlikely]]
    explain_copy(a, page);
  anomaly(a);
  return true;
}

void SimulationCore::finish_request(Slot &s) {
  if (observer_)
    activity(s, Activity::kDone, Op::kNone, -1, now_);
  user_comes_back(s.burst);
  internal::Waiting next; // written by release() when it returns true
  if (app_.release(s.req.server, s.req.id, next))
    start(s.req.id, next.arrival, next.submit, next.burst, next.key);
}

void SimulationCore::anomaly(AnomalyKind kind, std::uint64_t serial, std::uint32_t key) {
  anomaly(AnomalyRecord{kind, now_, serial, key});
}

void SimulationCore::anomaly(const AnomalyRecord &a) {
  if (observer_)
    observer_->on_anomaly(a);
}

} // namespace stampede
