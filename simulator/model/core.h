// The simulation's state and event handlers. Internal: the public face is
// stampede::Simulation (simulation.h) and, for strategies, stampede::Context.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/measurement.h"
#include "model/app_tier.h"
#include "model/balancer.h"
#include "model/cache_routing.h"
#include "model/cache_tier.h"
#include "model/database.h"
#include "model/edge_cache.h"
#include "stampede/event_queue.h"
#include "stampede/memcached_node.h"
#include "stampede/rng.h"
#include "stampede/scenario.h"
#include "stampede/simulation.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"

namespace stampede {

class SimulationCore {
public:
  // Event kinds, dispatched with a switch in dispatch().
  enum Kind : std::uint32_t {
    kArrival,     // target: an ArrivalSource
    kCpuDone,     // target: request slot
    kCacheReply,  // target: request slot
    kDbDone,      // target: request slot
    kScripted,    // target: index into scenario.events
    kIntervalEnd, // target: unused
    kSubmits,     // target: how many submits of a burst arrive now
    kViews,       // target: how many page views of a burst arrive now
    kEdgeDone,    // target: an answer under way in edge_
    kWaitDone,    // target: request slot (Context::wait)
    kNodeNoticed, // target: a tier node the clients now know is dead
    kFallbackLeg, // target: request slot (a migration's call, with another leg to follow)
  };
  enum ArrivalSource : std::uint32_t { kOpenStream, kClosedUser };

  SimulationCore(const Scenario &scenario, const StrategyRegistry &registry);

  // Driving.
  bool step();
  void run_until(Time t);
  bool finished() const noexcept { return queue_.empty() || queue_.top().time >= end_; }
  std::optional<Time> overloaded_at() const noexcept { return overloaded_at_; }
  Report report() const;
  StackState state() const;
  void switch_strategy(const StrategyConfig &config);
  void submit_burst(std::uint32_t count);
  void crash_node(std::uint32_t node);
  bool add_node();
  bool migrate_cache(std::uint32_t nodes);
  bool retire_old_cache();
  void set_interval(Time length);
  bool add_server();
  bool remove_server(std::uint32_t server);
  // The warm-up (--warmup): its length, set before the run starts; its end,
  // from which what is reported counts.
  void set_warmup_end(Time t) noexcept { warmup_end_ = t; }
  void end_warmup();
  // Whether an event is due before `t` (a warm-up ends when none is).
  bool has_event_before(Time t) const noexcept { return !queue_.empty() && queue_.top().time < t; }

  Time now() const noexcept { return now_; }
  Time end() const noexcept { return end_; }
  std::uint64_t events() const noexcept { return events_; }
  const Scenario &scenario() const noexcept { return scenario_; }
  void set_observer(Observer *observer) noexcept { observer_ = observer; }
  // Wall-clock seconds spent running (engine.wall_s).
  void add_wall_time(double seconds) noexcept { wall_s_ += seconds; }

  // Context's operations.
  void cache_op(Request &r, Op op) {
    if (explore_) [[unlikely]]
      return defer(slots_[r.id], StepKind::kCache, op);
    cache_call(r, op);
  }
  void cache_get_old(Request &r) {
    if (explore_) [[unlikely]]
      return defer(slots_[r.id], StepKind::kCache, Op::kCacheGetOld);
    old_get(slots_[r.id], Op::kCacheGetOld);
  }
  void db_op(Request &r, Op op);
  void wait(Request &r, Time pause);
  void respond(Request &r);
  void answer(Request &r);
  void finish(Request &r);
  const StrategyConfig &options_of(const Request &r) const noexcept;
  // The request a worker slot holds (Context::in_flight), or null.
  Request *request_at(std::uint32_t id) noexcept {
    if (explore_) [[unlikely]] // another request's state: the strategy's, whole
      touch(Touch::kStrategyAll, 0, 0, true);
    return id < slots_.size() ? &slots_[id].req : nullptr;
  }
  // Context::now(): in explore mode, the schedule's start (a schedule takes
  // no time, so no strategy's choice depends on how many steps ran before).
  Time strategy_now() const noexcept { return explore_ ? explore_clock_ : now_; }
  double strategy_uniform01() noexcept {
    if (explore_) [[unlikely]]
      touch(Touch::kRng, 0, 0, true);
    return strategy_rng_.uniform01();
  }

  // ------------------------------------------------- explore mode
  // `stampede explore` (simulator/explore/): the operations in flight do not
  // complete by the clock. Each waits as a pending step (a request's start,
  // a cache call, a page query's start and its return, an insert's commit,
  // a wait's end) until the explorer runs it; the cache call or commit takes
  // effect when its step runs, and the strategy hears of it at once.

  /// What a pending step does.
  enum class StepKind : std::uint8_t { kStart, kCache, kDbStart, kDbReturn, kDbCommit, kWait };
  struct PendingStep {
    std::uint64_t serial = 0; // the request's: names the step across replays
    std::uint32_t slot = 0;
    StepKind kind = StepKind::kStart;
    Op op = Op::kNone;       // kCache: the call; kDbStart, kDbReturn, kDbCommit: the query
    Time pause = 0;          // kWait: how long
    std::uint64_t since = 0; // kWait: how many steps had run when it began
    Time issued = 0;         // when it became pending (a call's span starts there)
  };
  /// One thing a step read or wrote (the reduction's independence test).
  struct Touch {
    enum Class : std::uint8_t {
      kCacheKey,    // a key's cached page (per server with app.local_cache)
      kDbKey,       // a key's posts, and the lost-update detector's view of them
      kInFlight,    // a key's page queries in flight (the stampede detector)
      kStrategyKey, // the strategy's own state for a key (on a server, or on all)
      kStrategyAll, // the strategy's own state, whole (opaque: a student's)
      kRng,         // Context::uniform01's stream
      kArrival,     // the order requests arrive in
      kEverything,  // a wait's end: depends on what ran since
    };
    Class what;
    std::uint32_t server, key;
    bool write;
  };
  struct Footprint {
    static constexpr std::size_t kMax = 16;
    Touch touches[kMax];
    std::size_t count = 0;
    bool everything = false; // overflowed, or a wait: depends on every step
    void add(const Touch &t) noexcept;
    bool depends_on(const Footprint &other) const noexcept;
  };
  /// Enters explore mode: checks the scenario is one explore can run (only
  /// scripted bursts of requests, no live events) and lets the scripted
  /// requests arrive, each a pending start. @throws std::invalid_argument
  /// naming the field explore cannot take.
  void explore_mode();
  /// The steps that could run next, in the order they became pending.
  const std::vector<PendingStep> &pending() const noexcept { return pending_; }
  /// Runs pending step `i` at virtual time `at` (later than now()), noting
  /// what it read and wrote in `footprint` and what it did in `line` (a
  /// story's line: "get page -> miss"); either may be null.
  void run_pending(std::size_t i, Time at, Footprint *footprint, std::string *line);
  /// Whether the request in a slot is a submit (else a page view).
  bool request_is_submit(std::uint32_t slot) const noexcept { return slots_[slot].req.submit; }
  /// After a schedule's last step: when a key's cached page (any server's,
  /// with app.local_cache) lacks a post the database shows, what it keeps and
  /// lacks, in words (a stale set, which stays until it expires or is
  /// deleted); else empty.
  std::string stale_at_rest(std::uint32_t key) const;
  /// A schedule's end: the strategy checks it left no request unanswered
  /// (Strategy::run_ended; a student's throws StudentFault if it did).
  void explore_end();
  /// A key's cached page (app server 0's with app.local_cache) in words.
  std::string cached_text(std::uint32_t key) const;
  /// The most requests explore takes (its search grows with their steps' orders).
  static constexpr std::uint64_t kMaxExploreRequests = 16;

private:
  struct Slot;
  bool explore_ = false;
  Time explore_clock_ = 0; // the clocks memcached and strategies read in explore mode
  std::vector<PendingStep> pending_;
  Footprint *footprint_ = nullptr; // the running step's, in explore mode
  void defer(Slot &s, StepKind kind, Op op, Time pause = 0);
  std::string describe_call(const Slot &s) const; // a cache call's story line, after it
  void touch(Touch::Class what, std::uint32_t server, std::uint32_t key, bool write) noexcept {
    if (footprint_ != nullptr)
      footprint_->add(Touch{what, server, key, write});
  }
  std::uint64_t steps_run_ = 0;

  const Scenario scenario_;
  Time now_ = 0;
  Time end_;
  std::uint64_t events_ = 0;
  double wall_s_ = 0;
  Observer *observer_ = nullptr;
  Time interval_length_ = kSecond;

  // A request in service: it holds a worker from its start to its response.
  struct Slot {
    Request req;
    Time arrival = 0, start = 0, op_issue = 0;
    std::uint64_t serial = 0;
    std::uint32_t committed_at_arrival = 0; // the key's posts committed before arrival
    std::uint16_t strategy = 0;             // index into strategies_
    bool burst = false;                     // a scripted submit (no closed user behind it)
    std::uint16_t cas_sent = 0;             // cas calls so far: later ones are retries
    bool answered = false;                  // answer() done (respond, or answer then finish)
    Reply reply;
    std::int32_t node = -1;   // node of the last cache call
    std::uint32_t server = 0; // the app server whose worker this is, fixed at its creation
    // During a migration: a get that missed the new tier goes on to the old
    // tier (cache.fallback: kOldGet), whose hit is copied into the new tier
    // (kCopy) before the strategy hears; a delete or invalidation of the new
    // tier goes on to the old one (kOldDelete, kOldInvalidate).
    // A lease get that won a miss does the same (kOldLeaseGet, kLeaseCopy),
    // its copy a cas against the lease token, as the holder's fill is.
    enum class Fallback : std::uint8_t {
      kNone,
      kOldGet,
      kCopy,
      kOldLeaseGet,
      kLeaseCopy,
      kOldDelete,
      kOldInvalidate
    } fallback = Fallback::kNone;
  };
  static constexpr std::uint32_t kNone = internal::AppTier::kNoKey; // no key, no slot

  void new_server();
  void cache_call(Request &r, Op op); // a cache call carried out now, answered after the round trip
  void explore_db_op(Slot &s, Op op);
  void dispatch(const Event &e);
  void on_arrival(std::uint32_t source);
  [[gnu::noinline]] void on_burst(std::uint32_t count, bool submit);
  void push_burst(std::uint32_t count, bool submit);
  void admit(Time arrival, bool submit, bool burst);
  // The front cache's part of an arrival, out of line (the usual run has
  // none): the view's key, or kAnsweredAtEdge when the front cache answers it.
  [[gnu::noinline]] std::uint32_t edge_front(Time arrival, bool burst);
  static constexpr std::uint32_t kAnsweredAtEdge = 0xfffffffeu;
  void on_edge_done(std::uint32_t index);
  void overload();
  [[gnu::always_inline]] void user_comes_back(bool burst);
  void start(std::uint32_t slot, Time arrival, bool submit, bool burst, std::uint32_t key = kNone);
  [[gnu::always_inline]] bool view_answered(const Page &page, std::uint32_t key, Time arrival,
                                            std::uint32_t committed_at_arrival,
                                            std::uint64_t serial, double *staleness_s);
  // Out of line, as the other handlers are (on_burst too): dispatch() is then
  // a jump to each, with no registers of its own to save and restore on
  // every event.
  [[gnu::noinline]] void on_cpu_done(std::uint32_t slot);
  void on_reply(std::uint32_t slot);
  // A reply's record for the observer, and the strategy's resume() with it.
  void call_done(const Slot &s);
  [[gnu::always_inline]] void resume(Slot &s);
  [[gnu::noinline]] void on_fallback_leg(std::uint32_t slot);
  void on_db_done(std::uint32_t slot);
  void on_scripted(std::uint32_t index);
  void on_interval_end();
  void close_interval(Time end);
  void finish_if_over();
  void name_request(StudentFault &f) const noexcept;
  [[gnu::noinline]] McStatus cache_store(Slot &s, Op op, MemcachedNode *node, std::string_view key);
  // The lease calls (Op::kCacheLeaseGet, kCacheLeaseSet, kCacheInvalidate),
  // out of line: only `lease` makes them.
  [[gnu::noinline]] void lease_op(Slot &s, Op op, MemcachedNode *node, std::string_view key,
                                  Reply &reply);
  void db_start(std::uint32_t slot);
  void finish_request(Slot &s);
  [[gnu::always_inline]] std::uint32_t choose_server();
  std::uint32_t draw_key();
  void check_written(const Request &writer, std::uint64_t serial);
  bool cached_page(std::uint32_t key, std::uint32_t server, Page *out) const;
  void anomaly(AnomalyKind kind, std::uint64_t serial, std::uint32_t key);
  void anomaly(const AnomalyRecord &a);
  /// Tells the observer (which must be set) that a request's activity began.
  void activity(const Slot &s, Activity what, Op op, std::int32_t node, Time until,
                bool hit = false);
  // memcached's clock, whole seconds: in explore mode, the schedule's start.
  std::int64_t now_s() const noexcept {
    return kEpochUnixS + (explore_ ? explore_clock_ : now_) / kSecond;
  }
  void warm();

  const StrategyRegistry &registry_; // where strategy names are looked up (switches too)
  EventQueue queue_;
  std::vector<std::pair<StrategyConfig, std::unique_ptr<Strategy>>> strategies_;
  std::uint16_t current_strategy_ = 0;

  // Random streams, one per component (STYLE.md section 6).
  Rng arrival_rng_, mix_rng_, key_rng_, think_rng_, cache_rng_;
  Rng strategy_rng_;             // Context::uniform01, for strategies that draw (early)
  std::vector<double> zipf_cdf_; // empty when keys == 1
  Distribution interarrival_;    // exponential, mean 1 / rate (open workloads)

  internal::AppTier app_;       // servers, their backlogs and local caches
  std::vector<Slot> slots_;     // every worker's request in service, by slot
  internal::Balancer balancer_; // its pool: the servers it sends to, in the order they joined
  std::uint64_t serial_next_ = 0;
  std::optional<Time> overloaded_at_;

  internal::CacheRouting cache_;      // the tier, and where a call goes when nodes fail
  internal::CacheKeyNames key_names_; // cache keys ("page:42") by key index
  McItemView get_view_;               // what cache_op's last get found (scratch, read at once)

  internal::EdgeCache edge_; // the front cache (edge.enabled): a copy per key, answers under way

  // The truth, the detectors and the counts: one measurement (metrics/),
  // fed the facts of the run as the reality lab feeds it the facts of its.
  std::uint32_t num_keys_;
  internal::Measurement measure_;

  internal::Database db_;

  // The current interval's record (its counts are filled by measure_ when it closes).
  IntervalRecord interval_record_;
  double interval_busy_area_start_ = 0;
  std::uint64_t interval_evictions_start_ = 0;
  bool final_interval_done_ = false;

  Time warmup_end_ = 0; // 0: no warm-up
  // The stack's gauges for a report: the database's busy time, the evictions.
  internal::StackGauges gauges() const noexcept;
  // Per key: the request whose invalidating delete (lease) came last, and when.
  std::vector<std::pair<std::uint64_t, Time>> invalidated_by_;

  void node_failed(std::uint32_t node);
  void timed_out(Slot &s, Op op); // the reply of a call never answered

  // A migration (model/migration.cc): the fallback read's legs, the
  // deletes that go to both tiers, the hold-off, and what explains a stale
  // read of a page copied from the old tier.
  // (No migration with app.local_cache: migrate_cache refuses it.)
  bool fallback_on() const noexcept {
    return scenario_.cache.fallback && cache_.old_tier() != nullptr;
  }
  // The old tier's get (a fallback's second leg, or Op::kCacheGetOld): the
  // reply, and the round trip, after which on_reply continues.
  void old_get(Slot &s, Op op);
  // The fallback's next leg when its reply arrives: true when the strategy
  // does not hear yet.
  bool fallback_next(Slot &s);
  // The old tier's page into the new tier: add, or a cas against a lease token.
  void copy_to_new(Slot &s, StoreMode mode);
  // A delete or invalidation on one node, with the hold-off
  // (cache.delete_holdoff_s) when there is one.
  McStatus remove_on(MemcachedNode *node, std::string_view key, bool invalidate);
  // A delete or invalidation of the new tier during a migration: the mark
  // that explains a copy that outlives it, and the old tier's leg to follow.
  [[gnu::noinline]] void removed_from_new(Slot &s, bool invalidate);
  // The old tier's leg of a delete or invalidation, one round trip later.
  void remove_on_old(Slot &s, bool invalidate);
  // A stale read's page, when it was the old tier's copy: from where, and
  // the delete it outlived.
  void explain_copy(AnomalyRecord &a, const Page &page) const noexcept;
  struct Copy {
    std::uint64_t by = kNoSerial; // the request whose add stored it
    Time at = -1;                 // when
    std::uint64_t outlived = kNoSerial;
    Time outlived_at = -1;
  };
  // Per key, during a migration: the last delete, when it reached the new
  // tier and when the old (kNever until it does).
  struct DeleteMark {
    std::uint64_t by = kNoSerial;
    Time new_at = -1, old_at = -1;
  };
  static constexpr Time kNever = std::numeric_limits<Time>::max();
  std::vector<DeleteMark> deleted_by_;
  std::vector<Copy> copies_; // per key: the last copy stored
  // Whether the slot's cache call went to the gutter pool.
  bool on_gutter(const Slot &s) const noexcept { return cache_.is_gutter(s.node); }
  std::uint64_t evictions() const noexcept; // the tier's and the local caches'
};

} // namespace stampede
