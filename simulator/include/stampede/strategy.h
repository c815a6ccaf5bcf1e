/// @file strategy.h
/// The interface every caching strategy implements: the five of the lecture
/// (`none`, `naive`, `clear`, `refresh`, `update`), those beyond it, and the
/// ones students write (`student:NAME`).
///
/// A strategy is a small state machine per request. The simulator calls
/// view() or submit() when a request has had its CPU time; the strategy issues
/// ONE operation through the Context (a cache call, a DB query, or the
/// response); when that operation's reply arrives, the simulator calls
/// resume() with it; and so on until the strategy calls respond(). A strategy
/// keeps its place in `Request::step`. Everything a request needs lives in its
/// Request, so a strategy object holds no per-request state and is shared by
/// every request.
///
/// The lecture's `clear`, as a state machine:
///
///     void view(Context& ctx, Request& r) override { r.step = 1; ctx.cache_get(r); }
///     void resume(Context& ctx, Request& r, const Reply& reply) override {
///       switch (r.step) {
///         case 1: if (reply.hit) return ctx.respond(r);          // page in r.page
///                 r.step = 2; return ctx.db_read(r);             // miss: ask the DB
///         case 2: r.step = 3; return ctx.cache_fill(r);          // set (add with cas)
///         case 3: return ctx.respond(r);
///         ...
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/memcached_node.h"
#include "stampede/page.h"
#include "stampede/scenario.h"
#include "stampede/time.h"

namespace stampede {

namespace hosting {
class HostedStrategy;
} // namespace hosting

/// Operations a strategy can issue.
enum class Op : std::uint8_t {
  kNone,
  kCacheGet,    ///< get (or gets, with the unique)
  kCacheSet,    ///< set
  kCacheAdd,    ///< add (store only if absent)
  kCacheCas,    ///< cas against Request::cas
  kCacheDelete, ///< delete
  kDbRead,      ///< the page query
  kDbInsert,    ///< insert this submit's post
  // Leases (Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013,
  // section 3.2.1), as memcached's meta commands give them.
  kCacheLeaseGet,   ///< mg with N: the page, or the key's lease, or neither (wait)
  kCacheLeaseSet,   ///< the lease holder's fill: a cas against its token
  kCacheInvalidate, ///< md with I: the page kept but stale, every token voided
  kWait,            ///< a pause, then resume (a lease loser's wait)
  // A migration to a new tier (SPEC section 2, `migrate_cache`).
  kCacheGetOld, ///< get from the old tier (a miss when no migration is under way)
};

/// @param op a call.
/// @return its name in words: `cache get`, `cache set`, ..., `db read`, `db insert`.
const char *op_label(Op op) noexcept;

/// One request, as a strategy sees it.
struct Request {
  std::uint32_t id = 0;      ///< Slot index; stable while the request lives.
  std::uint32_t key = 0;     ///< The page's key index (0 = the front page).
  std::uint32_t server = 0;  ///< The app server handling it.
  bool submit = false;       ///< A submit (write) rather than a page view.
  std::uint16_t step = 0;    ///< The strategy's own state; 0 at start.
  std::uint16_t retries = 0; ///< Free for the strategy (cas retries, say).
  Page page;                 ///< The working page: set by cache get hits and DB reads; what
                             ///< cache stores write and what a view's response serves.
  std::uint64_t cas = 0;     ///< The unique from the last cache get (gets).
  std::uint32_t post = 0;    ///< This submit's post number, once its insert committed.
};

/// The reply to the last operation a request issued.
struct Reply {
  Op op = Op::kNone;                     ///< Which operation this answers.
  McStatus status = McStatus::kNotFound; ///< Its outcome, memcached's words.
  bool hit = false;                      ///< For kCacheGet: found.
  Time expires_at = 0;                   ///< For a kCacheGet hit: when the page expires (0: never).
  bool lease = false; ///< For kCacheLeaseGet: this request holds the key's lease (token in r.cas).
  bool stale = false; ///< For kCacheLeaseGet: `r.page` is a page a delete invalidated (memcached's
                      ///< X), served only by a strategy that accepts it.
  bool timed_out = false; ///< A cache call the node never answered (`cache.timeout_s`): a get
                          ///< reads as a miss, a store as NOT_STORED; nothing was done.
};

/// What a strategy can do for a request. Each call issues one operation; the
/// request's strategy receives exactly one resume() for it later (or, for
/// respond(), none: the request is over).
///
/// Two worlds implement it: the simulator, where calls act on the cache at
/// the instant they are issued and reply one round trip later (SPEC section
/// 2), and the reality lab, where they go to a real memcached and a real
/// PostgreSQL (`stampede reality`). A strategy written against this
/// interface runs unchanged in both.
class Context {
public:
  virtual ~Context() = default;

  /// get, or gets when the strategy's `cas` option is on: on a hit the page
  /// goes into `r.page` and the unique into `r.cas`.
  /// @param r the request.
  virtual void cache_get(Request &r) = 0;
  /// set `r.page` under the request's key, with the strategy's TTL.
  /// @param r the request.
  virtual void cache_set(Request &r) = 0;
  /// add `r.page`: stores only if the key is absent.
  /// @param r the request.
  virtual void cache_add(Request &r) = 0;
  /// cas `r.page` against `r.cas` (EXISTS if someone wrote in between).
  /// @param r the request.
  virtual void cache_cas(Request &r) = 0;
  /// The fill after a miss (SPEC section 3): set, or add when `cas` is on.
  /// @param r the request.
  void cache_fill(Request &r) {
    if (options(r).cas)
      cache_add(r);
    else
      cache_set(r);
  }
  /// delete the request's key. During a migration (`migrate_cache`) the
  /// delete goes to both tiers; with `cache.delete_holdoff_s` it leaves the
  /// key held off (marked stale, so gets miss and an add fails) that long.
  /// @param r the request.
  virtual void cache_delete(Request &r) = 0;
  /// get from the old tier while a migration is under way (after
  /// `migrate_cache`, before `retire_old_cache`): a fallback read written
  /// by hand, as pymemcache's FallbackClient does it for you. A hit puts the
  /// page into `r.page` (reply.hit); a miss, or no old tier, is a miss. The
  /// unique is not kept (`r.cas` is 0): the old tier's uniques mean nothing
  /// to the new one. cache_get() itself reads only the new tier unless
  /// `cache.fallback` is on.
  /// @param r the request.
  virtual void cache_get_old(Request &r) = 0;
  /// The lease get (SPEC section 3, `lease`): memcached's meta get `mg KEY v
  /// c N<lease_interval_s>`. A fresh page goes into `r.page` (reply.hit). On a
  /// miss the node creates an empty placeholder for the key, which lives
  /// `strategy.lease_interval_s`, and gives this request the key's lease
  /// (reply.lease; the token is `r.cas`): it should read the database and
  /// fill with cache_lease_set(). Whoever finds a placeholder another holds
  /// the lease of gets neither: wait() and ask again. After an invalidating
  /// delete the old page is kept, marked stale (reply.stale, the page in
  /// `r.page`): its first reader gets the lease.
  /// @param r the request.
  virtual void cache_lease_get(Request &r) = 0;
  /// The lease holder's fill: `r.page` stored with a cas against the token
  /// in `r.cas`, refused (EXISTS, or NOT_FOUND once the placeholder is gone)
  /// when a delete voided the token since: the stale set leases prevent.
  /// @param r the request.
  virtual void cache_lease_set(Request &r) = 0;
  /// An invalidating delete, `md KEY I`: the page stays, marked stale, and
  /// the key's lease tokens are voided (its unique changes).
  /// @param r the request.
  virtual void cache_invalidate(Request &r) = 0;
  /// Resumes the request after `seconds` without a call (a lease loser's
  /// pause before it asks again). The request keeps its worker meanwhile.
  /// @param r the request. @param seconds how long, more than 0 and at most
  /// an hour. @throws std::invalid_argument otherwise (in both worlds alike).
  void wait(Request &r, double seconds);
  /// The page query: `r.page` receives the page as committed when the query
  /// starts executing on a connection (a statement snapshot).
  /// @param r the request.
  virtual void db_read(Request &r) = 0;
  /// Inserts this submit's post; `r.post` receives its number at commit.
  /// @param r the request (a submit).
  virtual void db_insert(Request &r) = 0;
  /// Ends the request: a view serves `r.page`; a submit acknowledges.
  /// (answer() then finish().)
  /// @param r the request.
  virtual void respond(Request &r) = 0;
  /// Answers the user now (a view serves `r.page`; latency and staleness are
  /// measured here) but keeps the worker for more operations, as a
  /// background refresh does; finish() frees it. Answering twice is an error.
  /// @param r the request.
  virtual void answer(Request &r) = 0;
  /// Frees the worker of a request that was answered with answer().
  /// @param r the request.
  virtual void finish(Request &r) = 0;

  /// @param r a request.
  /// @return the strategy options the request runs with (`strategy.*`).
  virtual const StrategyConfig &options(const Request &r) const noexcept = 0;
  /// @return the current time (virtual in the simulator, the wall clock's in
  /// the reality lab), in ns.
  virtual Time now() const noexcept = 0;
  /// A uniform draw in [0, 1) from the strategies' own random stream (one per
  /// run, derived from the seed: strategies that draw never change what the
  /// rest of the model draws).
  /// @return the draw.
  virtual double uniform01() noexcept = 0;

  /// The request in service with this id, for acting on a request a
  /// strategy left waiting (coalesce's followers): the object the
  /// simulator holds, not a copy.
  /// @param id a Request::id.
  /// @return the request, or null when no request with that id is in service.
  virtual Request *in_flight(std::uint32_t id) noexcept {
    (void)id;
    return nullptr;
  }

protected:
  /// wait(), its pause checked. @param r the request. @param pause ns, > 0.
  virtual void pause(Request &r, Time pause) = 0;
  /// Only the two worlds' contexts are made (SimContext, the lab's RealContext).
  Context() = default;
  /// Copied only as part of a derived context.
  Context(const Context &) = default;
  /// Assigned only as part of a derived context.
  /// @return this context.
  Context &operator=(const Context &) = default;
  /// A student's strategy, run in a process of its own, replays its waits here.
  friend class hosting::HostedStrategy;
};

/// What a strategy's callbacks share between requests besides the cache and
/// the database (SPEC section 12): `stampede explore` takes two requests'
/// steps for independent only when their callbacks cannot meet there.
enum class SharedState : std::uint8_t {
  kNone,         ///< nothing: a request's state is its Request
  kPerKey,       ///< state per key, which every server's requests share
  kPerServerKey, ///< state per app server and key (one process's memory)
  kAll,          ///< anything: a strategy the simulator cannot see into
};

/// A caching strategy (SPEC section 3). One object serves every request.
class Strategy {
public:
  virtual ~Strategy() = default;
  /// A page view has had its CPU time: issue its first operation.
  /// @param ctx where operations go. @param r the request (step is 0).
  virtual void view(Context &ctx, Request &r) = 0;
  /// A submit has had its CPU time: issue its first operation.
  /// @param ctx where operations go. @param r the request (step is 0).
  virtual void submit(Context &ctx, Request &r) = 0;
  /// The reply to the request's last operation: issue the next one.
  /// @param ctx where operations go. @param r the request. @param reply the reply.
  virtual void resume(Context &ctx, Request &r, const Reply &reply) = 0;
  /// @return whether page views consult the cache (false for `none`); warm-up
  /// and the cache columns of the table use it.
  virtual bool uses_cache() const noexcept { return true; }
  /// @return whether a submit writes its post into the cached page (`refresh`,
  /// `update`): the lost-update detector watches such submits' posts.
  virtual bool updates_cache_on_submit() const noexcept { return false; }
  /// The exptime of the pages this strategy stores (and warm-up stores).
  /// @param options the run's strategy options.
  /// @return whole seconds, 0 = never expires; by default `ttl_s` rounded up
  /// (memcached counts whole seconds: 0.5 s means "expires", never 0).
  virtual std::int64_t cache_ttl_s(const StrategyConfig &options) const noexcept {
    return options.ttl_s > 0 ? static_cast<std::int64_t>(std::ceil(options.ttl_s)) : 0;
  }
  /// The run is over (its time is up). A student's strategy checks here that
  /// it left no request waiting for an answer that never came.
  /// @param now the run's end, in ns.
  /// @throws StudentFault (student_hashing.h) when it did.
  virtual void run_ended(Time now) { (void)now; }
  /// @return what the callbacks share between requests; by default anything
  /// (a strategy that says nothing is taken to share everything).
  virtual SharedState shared_state() const noexcept { return SharedState::kAll; }
};

/// Makes a strategy for a run's options.
using StrategyFactory = std::unique_ptr<Strategy> (*)(const StrategyConfig &);

/// Strategy names and their factories.
class StrategyRegistry {
public:
  /// @return the registry holding the built-in strategies (and, once loaded,
  /// students' strategies).
  static StrategyRegistry &global();

  /// Registers a strategy.
  /// @param name its name as the CLI, scenario files and GUI spell it.
  /// @param factory makes it.
  /// @param description one line for `--help` and the GUI.
  void add(std::string name, StrategyFactory factory, std::string description);

  /// @param name a name; `update+cas` is accepted and means `update` with cas.
  /// @return whether it is known.
  bool contains(std::string_view name) const;

  /// Makes the named strategy.
  /// @param config the options; `config.name` picks it (`update+cas` sets cas).
  /// @return the strategy.
  /// @throws std::invalid_argument for an unknown name.
  std::unique_ptr<Strategy> make(const StrategyConfig &config) const;

  /// @param name a registered name.
  /// @return its factory, or null if unknown.
  StrategyFactory factory(std::string_view name) const;

  /// @return every registered name, in registration order.
  std::vector<std::string> names() const;
  /// @param name a registered name.
  /// @return its description, empty if unknown.
  std::string description(std::string_view name) const;

private:
  struct Entry {
    std::string name, description;
    StrategyFactory factory;
  };
  std::vector<Entry> entries_;
};

/// The function a student library exports (C linkage, this exact name) to add
/// its strategies to a registry, each named `student:NAME`:
///
///     extern "C" void stampede_register_strategies(stampede::StrategyRegistry &r) {
///       r.add("student:cache_aside", &make_cache_aside, "my cache-aside");
///     }
///
/// The library is built apart from `stampede` (exercises/), so a student's
/// compile error never breaks the simulator; see load_student_strategies().
using StudentEntryPoint = void (*)(StrategyRegistry &);

/// The entry point's symbol name.
inline constexpr const char *kStudentEntryPoint = "stampede_register_strategies";

/// Splits `update+cas` into (`update`, cas on); other names pass unchanged.
/// @param config options whose name may carry `+cas`.
/// @return the same options with the suffix folded into `cas`.
StrategyConfig normalize_strategy(StrategyConfig config);

/// The same options with another strategy, as `compare` and the GUI switch:
/// `update+cas` turns `cas` on, any other name turns it off.
/// @param options the run's strategy options (ttl_s and warm are kept).
/// @param name a strategy name, `update+cas` included.
/// @return the options, normalized.
StrategyConfig with_strategy(StrategyConfig options, std::string_view name);

/// @param config options.
/// @return the name a report shows: `update+cas` when update runs with cas.
std::string strategy_label(const StrategyConfig &config);

/// The built-in strategy names of the lecture, in the table's order
/// (compare's default set): none, naive, clear, refresh, update, update+cas.
/// @return the names.
const std::vector<std::string> &lecture_strategies();

} // namespace stampede
