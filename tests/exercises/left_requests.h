// Requests never answered, for the graded strategy tests (02, 03, 08): the
// report counts only the requests answered, so a strategy that leaves some
// hanging makes every count per request look wrong. These runs follow each
// request (a stampede::Observer) to say how many were never answered, and
// after which reply each was left: the check that explains the others.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graded.h"
#include "stampede/student_hashing.h"
#include "strategy_runs.h"

namespace graded::left {

/// A request with no operation out for this long when the run ends was left:
/// every answer in these scenarios comes within a few queries.
inline constexpr stampede::Time kLeftFor = stampede::kSecond;

/// Where a request never answered was left: the last reply it got.
struct Left {
  bool submit = false;
  stampede::Op op = stampede::Op::kNone; // none: view() or submit() issued nothing
  stampede::McStatus status = stampede::McStatus::kOk;
  bool hit = false;
  // A view's get that missed while another view on its server was querying
  // the database for its page (a flight in the air, in exercise 08).
  bool read_in_air = false;
  auto key() const { return std::tuple(submit, op, status, hit, read_in_air); }
};

/// A run of the student's strategy, followed request by request.
struct Watched {
  stampede::Report r;
  std::uint64_t views_started = 0;   // page views a worker took
  std::uint64_t submits_started = 0; // submits a worker took
  std::vector<Left> left;            // requests never answered
  std::uint64_t waiting = 0;         // requests still waiting for a worker at the end
  std::string fault;                 // the simulator's words, when it ended the run with them
};

class Follower final : public stampede::Observer {
public:
  void on_activity(const stampede::ActivityRecord &a) override {
    using stampede::Activity;
    if (a.activity == Activity::kCpu) { // a worker took it
      ++(a.submit ? w_.submits_started : w_.views_started);
      open_[a.serial] = Open{Left{a.submit}, a.server, a.key, a.until, false};
      return;
    }
    const auto it = open_.find(a.serial);
    if (it == open_.end() || a.activity == Activity::kDone)
      return; // answered already
    Open &o = it->second;
    // A queued query that starts running is not a second query.
    const bool issued = a.activity != Activity::kDbRunning || !o.queued;
    if (issued && !o.last.submit && a.op == stampede::Op::kDbRead)
      ++reading_[{o.server, o.key}];
    o.queued = a.activity == Activity::kDbQueued;
    o.until = a.until; // -1 while queued: an operation is out
  }

  void on_call(const stampede::CallRecord &c) override {
    const auto it = open_.find(c.serial);
    if (it == open_.end())
      return;
    Open &o = it->second;
    const bool view = !o.last.submit;
    if (view && c.op == stampede::Op::kDbRead)
      --reading_[{o.server, o.key}];
    const bool missed = view && c.op == stampede::Op::kCacheGet && !c.hit;
    o.last = Left{o.last.submit, c.op, c.status, c.hit, missed && reading_[{o.server, o.key}] > 0};
    o.until = c.reply;
  }

  void on_request(const stampede::RequestRecord &r) override { open_.erase(r.serial); }

  /// What the run left, once it is over.
  Watched result(const stampede::Simulation &sim) {
    const stampede::Time end = sim.overloaded_at().value_or(sim.end());
    for (const auto &[serial, o] : open_) {
      // A view waiting for its server's query for the page (a flight in the
      // air, in exercise 08) is waiting, not left.
      const bool waits = !o.last.submit && o.last.op == stampede::Op::kCacheGet && !o.last.hit &&
                         reading_[{o.server, o.key}] > 0;
      if (o.until >= 0 && end - o.until > kLeftFor && !waits)
        w_.left.push_back(o.last);
    }
    for (const std::uint64_t queued : sim.state().app_queue)
      w_.waiting += queued;
    w_.r = sim.report();
    return std::move(w_);
  }

private:
  struct Open {
    Left last;
    std::uint32_t server = 0, key = 0;
    stampede::Time until = 0; // when its last activity ended; -1: an operation is out
    bool queued = false;      // its query waits for a connection
  };
  std::unordered_map<std::uint64_t, Open> open_; // by serial, until answered
  std::map<std::pair<std::uint32_t, std::uint32_t>, int>
      reading_; // views' queries, by (server, key)
  Watched w_;
};

/// The hint for a request left where no exercise's own hint applies: one
/// that never started, or one left after some other reply.
inline std::string any_left_hint(const Left &l) {
  if (l.op == stampede::Op::kNone)
    return graded::hint(std::string(l.submit ? "submit()" : "view()") +
                        " must start the request with its first operation");
  return graded::hint("each request must end with an answer: after the reply named above, "
                      "issue the next operation or respond");
}

/// A student's run to its end, watched by an observer: the simulation, for
/// the observer's result, and the words of the requests left at the end
/// (empty when none). A fault during the run is thrown: its words are the
/// verdict.
struct StudentRun {
  std::unique_ptr<stampede::Simulation> sim;
  std::string fault;
};

/// Runs `scenario` with the student's strategy `strategy` and `overrides`,
/// `observer` watching.
inline StudentRun run_student(const std::string &strategy, const std::string &scenario,
                              std::vector<std::string> overrides, stampede::Observer &observer) {
  overrides.push_back("strategy.name=" + strategy);
  const auto s = stampede::load_scenario(scenario, overrides);
  if (!s)
    throw std::runtime_error(s.error);
  StudentRun run{std::make_unique<stampede::Simulation>(*s.value, graded::registry()), ""};
  run.sim->set_observer(&observer);
  try {
    run.sim->run();
  } catch (const stampede::StudentFault &e) {
    if (!run.sim->finished())
      throw;              // a fault during the run: its words are the verdict
    run.fault = e.what(); // requests left at the end, which the observer counts
  }
  return run;
}

/// Runs `scenario` with the student's strategy `strategy`, followed.
inline Watched watched(const std::string &strategy, const std::string &scenario,
                       std::vector<std::string> overrides = {}) {
  Follower follower;
  const StudentRun run = run_student(strategy, scenario, std::move(overrides), follower);
  Watched w = follower.result(*run.sim);
  w.fault = run.fault;
  return w;
}

/// 12345 as "12,345".
inline std::string counted(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

/// The place most requests of a kind (or of both: `kind` empty) were left,
/// and how many were left there.
inline std::pair<Left, std::uint64_t> most_left(const Watched &w, std::optional<bool> submit = {}) {
  std::map<decltype(Left{}.key()), std::pair<Left, std::uint64_t>> at;
  for (const Left &l : w.left)
    if (!submit || l.submit == *submit) {
      auto &[where, count] = at[l.key()];
      where = l;
      ++count;
    }
  std::pair<Left, std::uint64_t> most{};
  for (const auto &[key, where] : at)
    if (where.second > most.second)
      most = where;
  return most;
}

/// "its cache cas, which answered EXISTS": the reply a request was left after.
inline std::string after(const Left &l) {
  using stampede::Op;
  if (l.op == Op::kNone)
    return std::string(l.submit ? "submit()" : "view()") + ", which issued no operation";
  std::string out = std::string("its ") + stampede::op_label(l.op);
  if (l.op == Op::kCacheGet)
    out += l.hit ? ", which hit" : ", which missed";
  else if (l.op != Op::kDbRead && l.op != Op::kDbInsert)
    out += std::string(", which answered ") + stampede::status_label(l.status);
  return out;
}

/// "28 of 32 submits were never answered: each was left after its cache cas,
/// which answered EXISTS"; "" when every request was answered.
inline std::string never_answered(const Watched &w) {
  std::string out;
  for (const bool submit : {false, true}) {
    const auto [where, most] = most_left(w, submit);
    if (most == 0)
      continue;
    const auto n = static_cast<std::uint64_t>(std::count_if(
        w.left.begin(), w.left.end(), [&](const Left &l) { return l.submit == submit; }));
    out += (out.empty() ? "" : "; ") + counted(n) + " of " +
           counted(submit ? w.submits_started : w.views_started) +
           (submit ? " submits" : " page views") + " were never answered: " +
           (most < n ? counted(most) + " were"
            : n == 1 ? "it was"
                     : "each was") +
           " left after " + after(where);
  }
  if (out.empty())
    return w.fault;
  if (w.waiting > 0)
    out += " (their workers stayed busy: " + counted(w.waiting) +
           " more requests still waited for one at the end)";
  return out;
}

/// A check whose words come from the grader: fails with `why` unless it is "".
inline ::testing::AssertionResult holds(const char *, const std::string &why) {
  if (why.empty())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << why;
}

/// `hint`, unless `explained` (another check of the test explains this one).
inline std::string unless(bool explained, const std::string &hint) { return explained ? "" : hint; }

} // namespace graded::left
