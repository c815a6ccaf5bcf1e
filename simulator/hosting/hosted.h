// Students' strategies and rings, run in a process of their own (SPEC
// section 10). A HostedStrategy is a Strategy like any other to the
// simulator and the reality lab; behind it, each callback goes to the
// student's code in a sandboxed stampede-student-host, and what that code
// did through its Context comes back as a list of actions, which are
// checked against the strategy contract (strategy.h) before any is carried
// out. A HostedRing does the same for a key placement (student_hashing.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hosting/host_process.h"
#include "hosting/wire.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"

namespace stampede::hosting {

/// How long the student's code may take to return from one callback.
inline constexpr int kCallbackLimitMs = 2000;

/// What a student library registers, as its host reported it.
struct LibraryListing {
  std::vector<std::pair<std::string, std::string>> strategies; ///< (name, description)
  std::vector<std::pair<std::string, std::string>> rings;      ///< (name, description)
};

/// Starts a host on `library` and asks what it registers.
/// @param library the student library's path.
/// @return the listing. @throws StudentCodeError naming what went wrong
/// (the library crashed or threw while loading, did not load, ...).
LibraryListing list_library(const std::string &library);

/// Sets the library hosted strategies and rings are made from (once, at load).
/// @param library its path.
void set_hosted_library(const std::string &library);

/// The most actions one callback may take (many followers answered at once).
inline constexpr std::uint32_t kMaxActions = 1u << 16;

/// Reads a host's answer to a callback: the actions, in order, and the
/// request as the callback left it. Checks every byte it can: the count,
/// the action and operation codes, a page's post count.
/// @param in the payload. @param actions the actions. @param after the request.
/// @return false when the payload is malformed.
bool parse_actions(std::string_view in, std::vector<ActionMsg> &actions, Request &after);

/// While one lives, a host whose strategy ended cleanly is kept and makes the
/// next strategy of its library anew, instead of a new host starting
/// (`stampede explore` makes one per schedule: thousands). The strategy
/// object is new each time; what the library keeps outside it (a global)
/// is not, and explore says so when a replay then differs.
class KeepHosts {
public:
  KeepHosts();
  ~KeepHosts();
  KeepHosts(const KeepHosts &) = delete;
  KeepHosts &operator=(const KeepHosts &) = delete;
};

/// A StrategyFactory for every student strategy: config.name picks it.
/// @param config the run's options. @return the proxy (its host started).
std::unique_ptr<Strategy> make_hosted_strategy(const StrategyConfig &config);

/// A student's strategy, in its host. Called in turn, as every strategy is
/// (the reality lab's threads take a lock around each call into one).
class HostedStrategy final : public Strategy {
public:
  /// Starts a host and makes the strategy `config.name` in it.
  /// @param library the student library. @param config the run's options.
  /// @throws StudentCodeError when it cannot be made.
  HostedStrategy(const std::string &library, const StrategyConfig &config);
  /// Ends the host, or (under KeepHosts, when nothing went wrong) keeps it.
  ~HostedStrategy() override;

  void view(Context &ctx, Request &r) override;
  void submit(Context &ctx, Request &r) override;
  void resume(Context &ctx, Request &r, const Reply &reply) override;
  bool uses_cache() const noexcept override { return made_.uses_cache != 0; }
  bool updates_cache_on_submit() const noexcept override {
    return made_.updates_cache_on_submit != 0;
  }
  std::int64_t cache_ttl_s(const StrategyConfig &) const noexcept override {
    return made_.cache_ttl_s;
  }
  void run_ended(Time now) override;

private:
  // What the proxy knows of each request by Request::id.
  struct Track {
    bool live = false;     // started, not yet ended
    bool answered = false; // answer() or respond() done
    bool pending = false;  // an operation or a wait of it is in flight
    Time parked_at = -1;   // left without an operation since then (-1: not parked)
    Callback parked_in = Callback::kView;
    std::uint16_t parked_step = 0;
    Op parked_after = Op::kNone;
  };
  void call(Callback which, Context &ctx, Request &r, const Reply &reply);
  std::vector<ActionMsg> exchange(Callback which, Context &ctx, const Request &r,
                                  const Reply &reply, Request &after);
  void apply(Context &ctx, Request &r, const ActionMsg &a, const Request &in);
  Track &track(std::uint32_t id);
  [[noreturn]] void fault(std::uint64_t slot, const std::string &after) const;

  std::string name_;
  std::string library_;
  std::unique_ptr<HostProcess> host_;
  mutable bool faulted_ = false; // a fault was raised: the host is not kept
  Made made_;
  std::vector<Track> tracks_;
  // The callback being checked, for the words of a fault.
  Callback in_ = Callback::kView;
  std::uint16_t step_ = 0;
  Op after_ = Op::kNone;
};

/// A student's key placement, in its host.
class HostedRing final : public HashRing {
public:
  /// @param library the student library. @param name `student:NAME`.
  HostedRing(const std::string &library, std::string name);
  void add_node(int node) override;
  void remove_node(int node) override;
  int node_for(std::string_view key) const override;

private:
  std::int32_t call(RingCall what, std::int32_t node, std::string_view key) const;
  std::string name_;
  std::unique_ptr<HostProcess> host_;
};

/// A HashRingFactory for every student ring: `name` picks it.
/// @param name `student:NAME`. @return the proxy.
std::unique_ptr<HashRing> make_hosted_ring(std::string_view name);

} // namespace stampede::hosting
