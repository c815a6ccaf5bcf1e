// The search over schedules (SPEC section 12): a depth-first walk of the
// tree of orders, each path replayed from the start on a fresh model (the
// strategy's state is opaque, so nothing is restored: everything is run
// again), with sleep sets for the orders that only swap independent steps
// and the depth and preemption bounds.
#include "stampede/explore.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "model/core.h"
#include "stampede/student_hashing.h"

namespace stampede {

namespace {

using Core = SimulationCore;
using Footprint = Core::Footprint;
using Kind = Core::StepKind;

constexpr Time kStepTime = kSecond / 1000; // each step a millisecond after the last

std::string anomaly_words(const AnomalyRecord &a) {
  std::string out = anomaly_label(a.kind);
  switch (a.kind) {
  case AnomalyKind::kStaleRead:
    out += " (lacks post " + std::to_string(a.post) + ")";
    break;
  case AnomalyKind::kLostUpdate:
    out += " (post " + std::to_string(a.post) + " is missing from the cached page)";
    break;
  case AnomalyKind::kStampede:
    out += " (a second page query for the key while one is in flight)";
    break;
  case AnomalyKind::kCasConflict:
    out += " (the unique changed since the get)";
    break;
  case AnomalyKind::kLeaseRefused:
    out += " (a delete voided the token: the stale set prevented)";
    break;
  }
  return out;
}

// Findings: 0 the stale set, then 1 + each AnomalyKind.
constexpr std::size_t kKinds = static_cast<std::size_t>(AnomalyKind::kLeaseRefused) + 2;
constexpr std::size_t kStaleSet = 0;
std::size_t finding_index(AnomalyKind kind) { return static_cast<std::size_t>(kind) + 1; }

const char *const kFields[kKinds] = {"stale_sets",    "stale_reads",  "stampedes",
                                     "cas_conflicts", "lost_updates", "lease_refusals"};

// The first key whose cached page is stale at the end, told; empty if none.
std::string stale_at_end(const Core &core, std::uint32_t keys) {
  for (std::uint32_t k = 0; k < keys; ++k)
    if (std::string why = core.stale_at_rest(k); !why.empty())
      return why;
  return std::string();
}

// What one run heard: its anomalies and answers, step by step.
class Recorder final : public Observer {
public:
  explicit Recorder(Observer *forward) : forward_(forward) {}
  std::uint32_t step = 0; // the step running (1-based)
  struct Seen {
    AnomalyRecord record;
    std::uint32_t step;
  };
  std::vector<Seen> anomalies;
  std::vector<std::pair<std::uint64_t, bool>> answers;              // (serial, stale)
  std::vector<std::pair<std::uint32_t, std::uint64_t>> answered_at; // (step, serial)

  void on_anomaly(const AnomalyRecord &a) override {
    anomalies.push_back(Seen{a, step});
    if (forward_)
      forward_->on_anomaly(a);
  }
  void on_request(const RequestRecord &r) override {
    answers.emplace_back(r.serial, r.stale);
    answered_at.emplace_back(step, r.serial);
    if (forward_)
      forward_->on_request(r);
  }
  void on_call(const CallRecord &c) override {
    if (forward_)
      forward_->on_call(c);
  }
  void on_activity(const ActivityRecord &a) override {
    if (forward_)
      forward_->on_activity(a);
  }
  void on_interval(const IntervalRecord &i) override {
    if (forward_)
      forward_->on_interval(i);
  }

private:
  Observer *forward_;
};

// One model, replayed along a schedule.
struct Run {
  Recorder recorder;
  std::unique_ptr<Core> core;
  Time base = 0;
  std::uint32_t steps = 0;
  std::uint64_t last_nonwait = 0; // steps run when the last non-wait step ran

  Run(const Scenario &scenario, const StrategyRegistry &registry, Observer *forward)
      : recorder(forward) {
    core = std::make_unique<Core>(scenario, registry);
    core->set_observer(&recorder);
    core->explore_mode();
    base = core->now();
  }

  // The pending steps that may run now, by their requests' serials.
  void enabled(std::vector<std::uint64_t> &out) const {
    out.clear();
    const auto &pending = core->pending();
    std::uint64_t first_start = ~std::uint64_t{0};
    bool other = false;
    for (const Core::PendingStep &p : pending) {
      if (p.kind == Kind::kStart)
        first_start = std::min(first_start, p.serial);
      else if (p.kind != Kind::kWait)
        other = true;
    }
    other = other || first_start != ~std::uint64_t{0};
    for (const Core::PendingStep &p : pending) {
      // Requests arrive in the scenario's order; a wait ends only once
      // another request has taken a step since it began, or when nothing
      // else can run (so a loop of waits cannot spin on its own).
      if (p.kind == Kind::kStart && p.serial != first_start)
        continue;
      if (p.kind == Kind::kWait && last_nonwait <= p.since && other)
        continue;
      out.push_back(p.serial);
    }
    std::sort(out.begin(), out.end());
  }

  // Runs the step of request `serial`.
  void take(std::uint64_t serial, Footprint *fp, std::string *line) {
    const auto &pending = core->pending();
    std::size_t i = 0;
    while (i < pending.size() && pending[i].serial != serial)
      ++i;
    if (i == pending.size())
      throw std::invalid_argument("the schedule names request #" + std::to_string(serial + 1) +
                                  ", which has no step that can run there");
    const bool wait = pending[i].kind == Kind::kWait;
    ++steps;
    recorder.step = steps;
    core->run_pending(i, base + static_cast<Time>(steps) * kStepTime, fp, line);
    if (!wait)
      last_nonwait = steps;
  }

  bool has_step(std::uint64_t serial, const std::vector<std::uint64_t> &enabled) const {
    return std::binary_search(enabled.begin(), enabled.end(), serial);
  }
};

struct Sleeper {
  std::uint64_t serial;
  Footprint fp;
};

// A node of the search: the state after the steps above it.
struct Node {
  std::vector<std::uint64_t> enabled; // serials, ascending
  std::vector<Sleeper> sleep;         // asleep on arrival here
  std::vector<Sleeper> done;          // explored from here, with what they touched
  std::uint64_t chosen = 0;           // the step being explored from here
  Footprint chosen_fp;
  std::uint32_t preemptions = 0;              // so far, on arrival
  std::uint64_t previous = ~std::uint64_t{0}; // the request whose step led here
};

bool asleep(const std::vector<Sleeper> &set, std::uint64_t serial) {
  return std::any_of(set.begin(), set.end(), [&](const Sleeper &s) { return s.serial == serial; });
}

std::string outcome_of(const Run &run, std::uint32_t keys) {
  std::vector<std::string> parts;
  for (const auto &seen : run.recorder.anomalies)
    parts.push_back(std::string(anomaly_label(seen.record.kind)) + "@" +
                    std::to_string(seen.record.serial) + "/" + std::to_string(seen.record.post));
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto &p : parts)
    out += p + ";";
  auto answers = run.recorder.answers;
  std::sort(answers.begin(), answers.end());
  out += "|";
  for (const auto &[serial, stale] : answers)
    out += std::to_string(serial) + (stale ? "s;" : ";");
  out += "|";
  for (std::uint32_t k = 0; k < keys; ++k)
    out += run.core->cached_text(k) + ";";
  return out;
}

} // namespace

std::string ScheduleStep::text() const {
  std::string out = request == 0
                        ? what
                        : (submit ? "submit #" : "view #") + std::to_string(request) + ": " + what;
  for (std::size_t i = 0; i < anomalies.size(); ++i)
    out += (i == 0 ? ": " : ", ") + anomalies[i];
  return out;
}

const ExploreFinding &ExploreResult::finding(std::string_view field) const {
  for (const ExploreFinding &f : findings)
    if (f.field == field)
      return f;
  throw std::out_of_range("ExploreResult::finding: no such kind");
}

struct ScheduleRun::Impl {
  Impl(const Scenario &s, const StrategyRegistry &registry, std::vector<std::uint64_t> o,
       Observer *observer)
      : run(s, registry, observer), order(std::move(o)), keys(s.workload.keys) {
    for (const Core::PendingStep &p : run.core->pending()) {
      if (submit.size() <= p.serial)
        submit.resize(p.serial + 1);
      submit[p.serial] = run.core->request_is_submit(p.slot);
    }
  }
  Run run;
  std::vector<std::uint64_t> order;
  std::uint32_t keys;
  std::vector<bool> submit; // by serial
  std::size_t done = 0;
  std::vector<std::uint64_t> enabled;
};

ScheduleRun::ScheduleRun(const Scenario &scenario, const StrategyRegistry &registry,
                         std::vector<std::uint64_t> order, Observer *observer)
    : impl_(std::make_unique<Impl>(scenario, registry, std::move(order), observer)) {}

ScheduleRun::~ScheduleRun() = default;

std::size_t ScheduleRun::size() const noexcept { return impl_->order.size(); }
std::size_t ScheduleRun::done() const noexcept { return impl_->done; }
Time ScheduleRun::now() const noexcept { return impl_->run.core->now(); }
StackState ScheduleRun::state() const { return impl_->run.core->state(); }
Report ScheduleRun::report() const { return impl_->run.core->report(); }

bool ScheduleRun::step(ScheduleStep *out) {
  Impl &m = *impl_;
  if (m.done == m.order.size())
    return false;
  const std::uint64_t number = m.order[m.done];
  const std::uint64_t serial = number - 1;
  m.run.enabled(m.enabled);
  if (number == 0 || !m.run.has_step(serial, m.enabled))
    throw std::invalid_argument("the schedule's step " + std::to_string(m.done + 1) +
                                " names request #" + std::to_string(number) +
                                ", which has no step that can run there");
  ScheduleStep step;
  step.request = number;
  step.submit = serial < m.submit.size() && m.submit[serial];
  const std::size_t seen = m.run.recorder.anomalies.size();
  const std::size_t answered = m.run.recorder.answered_at.size();
  m.run.take(serial, nullptr, &step.what);
  ++m.done;
  for (std::size_t i = seen; i < m.run.recorder.anomalies.size(); ++i) {
    const AnomalyRecord &a = m.run.recorder.anomalies[i].record;
    std::string words = anomaly_words(a);
    // Another request's anomaly (a view a leader's query answered): name it.
    if (a.serial != serial && a.serial < m.submit.size())
      words.insert(std::string_view(anomaly_label(a.kind)).size(),
                   std::string(" of ") + (m.submit[a.serial] ? "submit #" : "view #") +
                       std::to_string(a.serial + 1));
    step.anomalies.push_back(std::move(words));
  }
  for (std::size_t i = answered; i < m.run.recorder.answered_at.size(); ++i)
    if (m.run.recorder.answered_at[i].second == serial)
      step.what += "; answers";
  if (out != nullptr)
    *out = std::move(step);
  return true;
}

std::optional<ScheduleStep> ScheduleRun::end() const {
  Impl &m = *impl_;
  if (m.done != m.order.size())
    return std::nullopt;
  m.run.enabled(m.enabled);
  if (!m.enabled.empty())
    return std::nullopt; // steps remain: the schedule stops short of its end
  std::string why = stale_at_end(*m.run.core, m.keys);
  if (why.empty())
    return std::nullopt;
  ScheduleStep end;
  end.what = "at the end, " + why;
  end.anomalies.push_back("stale set");
  return end;
}

std::vector<ScheduleStep> replay_schedule(const Scenario &scenario,
                                          const StrategyRegistry &registry,
                                          const std::vector<std::uint64_t> &order,
                                          Observer *observer) {
  ScheduleRun run(scenario, registry, order, observer);
  std::vector<ScheduleStep> story;
  for (ScheduleStep step; run.step(&step);)
    story.push_back(std::move(step));
  if (std::optional<ScheduleStep> end = run.end())
    story.push_back(std::move(*end));
  return story;
}

ExploreResult explore(const Scenario &scenario, const StrategyRegistry &registry,
                      const ExploreOptions &options) {
  const auto started = std::chrono::steady_clock::now();
  ExploreResult result;
  result.scenario = scenario.name;
  result.strategy = strategy_label(normalize_strategy(scenario.strategy));
  for (std::size_t k = 0; k < kKinds; ++k)
    result.findings.push_back(ExploreFinding{
        kFields[k],
        k == kStaleSet ? "stale set" : anomaly_label(static_cast<AnomalyKind>(k - 1)),
        0,
        {},
        {}});
  std::vector<std::uint32_t> shortest(kKinds, ~std::uint32_t{0});

  std::vector<Node> stack;
  std::vector<std::uint64_t> enabled;
  bool first = true;
  while (true) {
    if (result.explored + result.cut_depth >= options.max_schedules) {
      result.stopped = true;
      break;
    }
    Run run(scenario, registry, nullptr);
    if (first)
      result.requests = static_cast<std::uint32_t>(run.core->pending().size());
    first = false;
    // Replay the path to the deepest node, then take its chosen step.
    try {
      for (Node &node : stack)
        run.take(node.chosen, &node.chosen_fp, nullptr);
    } catch (const std::invalid_argument &) {
      // The same order gave another history: something the model does not
      // make anew for each schedule (a student library's global, say).
      throw StudentCodeError(result.strategy +
                             ": the same order of steps, replayed, went another way (does "
                             "the strategy keep state outside its object, in a global?)");
    }
    // Then extend: the first step not asleep at each new node.
    bool cut = false, blocked = false;
    while (true) {
      run.enabled(enabled);
      if (enabled.empty())
        break;
      if (run.steps >= options.depth) {
        cut = true;
        break;
      }
      Node node;
      node.enabled = enabled;
      if (!stack.empty()) {
        const Node &parent = stack.back();
        node.previous = parent.chosen;
        node.preemptions = parent.preemptions;
        if (parent.previous != ~std::uint64_t{0} && parent.chosen != parent.previous &&
            std::binary_search(parent.enabled.begin(), parent.enabled.end(), parent.previous))
          ++node.preemptions;
        if (options.reduce) {
          for (const std::vector<Sleeper> *set : {&parent.sleep, &parent.done})
            for (const Sleeper &s : *set)
              if (!s.fp.depends_on(parent.chosen_fp))
                node.sleep.push_back(s);
        }
      }
      // The first step this node may take.
      std::uint64_t pick = ~std::uint64_t{0};
      for (const std::uint64_t serial : enabled) {
        if (asleep(node.sleep, serial)) {
          ++result.skipped;
          continue;
        }
        const bool preempts = node.previous != ~std::uint64_t{0} && serial != node.previous &&
                              run.has_step(node.previous, enabled);
        if (preempts && node.preemptions >= options.preemptions) {
          ++result.cut_preemptions;
          continue;
        }
        if (pick == ~std::uint64_t{0})
          pick = serial;
      }
      if (pick == ~std::uint64_t{0}) { // every step asleep: an order already tried
        blocked = true;
        break;
      }
      node.chosen = pick;
      stack.push_back(std::move(node));
      run.take(pick, &stack.back().chosen_fp, nullptr);
    }
    result.steps += run.steps;
    if (!blocked && !cut) {
      try {
        run.core->explore_end();
      } catch (const StudentCodeError &e) {
        // The student's fault, with the order that shows it.
        std::string order;
        for (const Node &node : stack)
          order += (order.empty() ? "" : ",") + std::to_string(node.chosen + 1);
        throw StudentCodeError(std::string(e.what()) +
                               " (found by stampede explore at the end of the schedule whose "
                               "steps were those of requests " +
                               order + ", in that order)");
      }
    }
    if (!blocked) {
      if (cut)
        ++result.cut_depth;
      else
        ++result.explored;
      result.longest = std::max(result.longest, run.steps);
      // Judge the history: each kind it shows, and the earliest step it did.
      std::vector<std::uint32_t> at(kKinds, ~std::uint32_t{0});
      for (const auto &seen : run.recorder.anomalies) {
        const std::size_t k = finding_index(seen.record.kind);
        at[k] = std::min(at[k], seen.step);
      }
      if (!cut && !stale_at_end(*run.core, scenario.workload.keys).empty())
        at[kStaleSet] = run.steps;
      for (std::size_t k = 0; k < kKinds; ++k) {
        if (at[k] == ~std::uint32_t{0})
          continue;
        ++result.findings[k].schedules;
        if (at[k] < shortest[k]) {
          shortest[k] = at[k];
          auto &order = result.findings[k].order;
          order.clear();
          for (std::uint32_t d = 0; d < at[k]; ++d)
            order.push_back(stack[d].chosen + 1);
        }
      }
      if (options.collect_outcomes)
        result.outcomes.insert(outcome_of(run, scenario.workload.keys));
    }
    // Backtrack: the deepest node with a step left to try.
    bool more = false;
    while (!stack.empty()) {
      Node &node = stack.back();
      node.done.push_back(Sleeper{node.chosen, node.chosen_fp});
      std::uint64_t next = ~std::uint64_t{0};
      for (const std::uint64_t serial : node.enabled) {
        if (serial <= node.chosen || asleep(node.sleep, serial) || asleep(node.done, serial))
          continue;
        const bool preempts =
            node.previous != ~std::uint64_t{0} && serial != node.previous &&
            std::binary_search(node.enabled.begin(), node.enabled.end(), node.previous);
        if (preempts && node.preemptions >= options.preemptions)
          continue; // counted when the node was made
        next = serial;
        break;
      }
      if (next != ~std::uint64_t{0}) {
        node.chosen = next;
        node.chosen_fp = Footprint{};
        more = true;
        break;
      }
      stack.pop_back();
    }
    if (!more)
      break;
  }
  // The shortest schedules, told.
  for (ExploreFinding &f : result.findings)
    if (!f.order.empty())
      f.story = replay_schedule(scenario, registry, f.order);
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

} // namespace stampede
