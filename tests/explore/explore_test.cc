// stampede explore (SPEC section 12): the counts of orders worked out by
// hand, the reduction keeping every outcome, the built-in races' verdicts
// and shortest schedules, and timed runs that never show what explore says
// no order can.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"
#include "stampede/strategy.h"

namespace stampede {
namespace {

Scenario builtin(const std::string &name, const std::vector<std::string> &sets = {}) {
  Parsed<Scenario> s = load_scenario("builtin:" + name, sets);
  if (!s)
    throw std::runtime_error(s.error);
  return *s.value;
}

ExploreResult run(const Scenario &s, bool reduce = true, bool outcomes = false) {
  ExploreOptions o;
  o.reduce = reduce;
  o.collect_outcomes = outcomes;
  return explore(s, StrategyRegistry::global(), o);
}

std::uint64_t schedules(const ExploreResult &r) { return r.explored + r.cut_depth; }

const std::vector<std::string> kRaces = {"race-clear",   "race-update",   "race-update-cas",
                                         "race-refresh", "race-coalesce", "race-lease",
                                         "race-early",   "race-swr"};

// ------------------------------------------------------------ by hand

// clear: a view is 5 steps (arrive, get, query start, query return, set), a
// submit 3 (arrive, commit, delete). The view arrives first (the scenario's
// order), so its arrival is step 1 and the other 4 + 3 steps interleave
// freely: C(7, 3) = 35 orders.
TEST(ExploreByHand, ViewAndSubmitUnderClearIs35Orders) {
  const ExploreResult r = run(builtin("race-clear"), false);
  EXPECT_EQ(schedules(r), 35u);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(r.longest, 8u);
}

// update, warm: a submit is 4 steps (arrive, commit, get, set); #1 arrives
// first: C(3 + 4, 3) = 35 orders.
TEST(ExploreByHand, TwoSubmitsUnderUpdateAre35Orders) {
  EXPECT_EQ(schedules(run(builtin("race-update"), false)), 35u);
}

// refresh, warm: 5 steps a submit (arrive, commit, query start, query
// return, set): C(4 + 5, 4) = 126 orders.
TEST(ExploreByHand, TwoSubmitsUnderRefreshAre126Orders) {
  EXPECT_EQ(schedules(run(builtin("race-refresh"), false)), 126u);
}

// Two views of different keys share nothing but the order they arrive in:
// C(4 + 5, 4) = 126 orders, all one history, so the reduction runs one.
TEST(ExploreByHand, ViewsOfDifferentKeysAreOneHistory) {
  // Uniform keys; seed 2 draws one of each (checked: both end cached).
  Scenario s = builtin("race-clear", {"workload.keys=2", "workload.zipf_alpha=0", "seed=2"});
  s.events = {{0, ScriptedEvent::Kind::kViewBurst, 2}};
  const ExploreResult full = run(s, false, true);
  const ExploreResult reduced = run(s, true, true);
  ASSERT_EQ(full.outcomes.size(), 1u);
  EXPECT_NE(full.outcomes.begin()->find("|no posts;no posts;"), std::string::npos)
      << "the two views should fill different keys: " << *full.outcomes.begin();
  EXPECT_EQ(schedules(full), 126u);
  EXPECT_EQ(schedules(reduced), 1u);
  EXPECT_EQ(reduced.outcomes, full.outcomes);
  EXPECT_GT(reduced.skipped, 0u);
}

// ------------------------------------------------- the reduction is sound

// Every race scenario under every built-in strategy: the same outcomes
// (anomalies with their requests, answers, cached pages) with and without
// the reduction, and never more schedules with it.
TEST(ExploreReduction, KeepsEveryOutcome) {
  const std::vector<std::string> strategies = {
      "naive",      "clear",    "refresh", "update",
      "update+cas", "coalesce", "early",   "stale_while_revalidate",
      "lease",      "none"};
  for (const std::string &race : kRaces) {
    for (const std::string &strategy : strategies) {
      const Scenario s = builtin(race, {"strategy.name=\"" + strategy + "\""});
      const ExploreResult full = run(s, false, true);
      const ExploreResult reduced = run(s, true, true);
      ASSERT_TRUE(full.complete()) << race << " " << strategy;
      EXPECT_EQ(reduced.outcomes, full.outcomes) << race << " under " << strategy;
      EXPECT_LE(schedules(reduced), schedules(full)) << race << " under " << strategy;
      for (const ExploreFinding &f : full.findings)
        EXPECT_EQ(reduced.finding(f.field).schedules > 0, f.schedules > 0)
            << race << " under " << strategy << ": " << f.field;
    }
  }
}

// ------------------------------------------------------------ the verdicts

struct Verdict {
  std::string race;
  std::map<std::string, std::size_t> shortest; // found, with its shortest schedule's steps
  std::vector<std::string> absent;             // in no schedule
};

TEST(ExploreRaces, VerdictsAndShortestSchedules) {
  const std::vector<Verdict> verdicts = {
      {"race-clear", {{"stale_sets", 8}}, {"stale_reads", "lost_updates"}},
      {"race-update", {{"lost_updates", 8}, {"stale_sets", 8}}, {"cas_conflicts"}},
      {"race-update-cas", {{"cas_conflicts", 8}}, {"lost_updates", "stale_sets"}},
      {"race-refresh", {{"lost_updates", 10}, {"stale_sets", 10}}, {"cas_conflicts"}},
      {"race-coalesce", {{"stale_reads", 8}, {"stale_sets", 10}}, {"stampedes"}},
      {"race-lease", {{"lease_refusals", 8}}, {"stale_sets", "lost_updates"}},
      {"race-early", {{"stampedes", 4}, {"stale_sets", 9}}, {"lost_updates"}},
      {"race-swr", {{"stale_sets", 9}}, {"lost_updates"}},
  };
  for (const Verdict &v : verdicts) {
    const Scenario s = builtin(v.race);
    const ExploreResult r = run(s);
    EXPECT_TRUE(r.complete()) << v.race;
    for (const auto &[field, steps] : v.shortest) {
      const ExploreFinding &f = r.finding(field);
      EXPECT_GT(f.schedules, 0u) << v.race << ": " << field;
      EXPECT_EQ(f.order.size(), steps) << v.race << ": " << field;
      ASSERT_FALSE(f.story.empty()) << v.race << ": " << field;
      // The story ends where the anomaly shows (the stale set: at the end).
      EXPECT_FALSE(f.story.back().anomalies.empty()) << v.race << ": " << field;
    }
    for (const std::string &field : v.absent)
      EXPECT_EQ(r.finding(field).schedules, 0u) << v.race << ": " << field;
    // The scenario's own expectations say the same.
    for (const ExpectationResult &e : evaluate_explore_expectations(r, s.expect))
      EXPECT_TRUE(e.ok) << v.race << ": " << e.expr << " (actual " << e.actual << ")";
  }
}

// The issue's own story: clear's stale set, step by step.
TEST(ExploreRaces, ClearsStaleSetIsTold) {
  const ExploreResult r = run(builtin("race-clear"));
  std::vector<std::string> lines;
  for (const ScheduleStep &step : r.finding("stale_sets").story)
    lines.push_back(step.text());
  const std::vector<std::string> expected = {
      "view #1: arrives",
      "view #1: get page -> miss",
      "view #1: page query starts (snapshot: no posts)",
      "view #1: page query returns (no posts)",
      "submit #2: arrives",
      "submit #2: insert commits post 1",
      "submit #2: delete page -> not found; answers",
      "view #1: set page (no posts) -> stored; answers",
      "at the end, the cache keeps no posts while the database has post 1: it lacks post 1: "
      "stale set",
  };
  EXPECT_EQ(lines, expected);
}

// A schedule replayed is the same story, and a wrong one is refused.
TEST(ExploreRaces, ReplayTellsTheSameStoryAndRefusesAStepThatCannotRun) {
  const Scenario s = builtin("race-update");
  const ExploreResult r = run(s);
  const ExploreFinding &f = r.finding("lost_updates");
  const std::vector<ScheduleStep> again = replay_schedule(s, StrategyRegistry::global(), f.order);
  ASSERT_GE(again.size(), f.order.size());
  for (std::size_t i = 0; i < f.story.size(); ++i)
    EXPECT_EQ(again[i].text(), f.story[i].text());
  // Submit #2 cannot arrive before submit #1.
  EXPECT_THROW(replay_schedule(s, StrategyRegistry::global(), {2}), std::invalid_argument);
  EXPECT_THROW(replay_schedule(s, StrategyRegistry::global(), {9}), std::invalid_argument);
}

// A schedule run a step at a time: the stack as a diagram draws it (a
// started query busy in the database until its return step, one waiting
// for its snapshot queued).
TEST(ExploreRaces, AScheduleRunShowsItsQueriesInTheDatabase) {
  const Scenario s = builtin("race-clear");
  const ExploreResult r = run(s);
  ScheduleRun sr(s, StrategyRegistry::global(), r.finding("stale_sets").order);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> db; // (busy, queued) after each step
  for (ScheduleStep step; sr.step(&step);)
    db.emplace_back(sr.state().db_busy, sr.state().db_queue);
  // arrive, get (a query waits for its snapshot), snapshot (running),
  // return, the submit's arrival (its insert running), commit, delete, set.
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected = {
      {0, 0}, {0, 1}, {1, 0}, {0, 0}, {1, 0}, {0, 0}, {0, 0}, {0, 0}};
  EXPECT_EQ(db, expected);
  EXPECT_TRUE(sr.end().has_value());
  EXPECT_EQ(sr.done(), sr.size());
}

// ------------------------------------------------------------ the bounds

TEST(ExploreBounds, DepthAndPreemptionsCutAndSaySo) {
  const Scenario s = builtin("race-coalesce");
  ExploreOptions o;
  o.depth = 6;
  ExploreResult r = explore(s, StrategyRegistry::global(), o);
  EXPECT_FALSE(r.complete());
  EXPECT_GT(r.cut_depth, 0u);
  EXPECT_LE(r.longest, 6u);

  o = ExploreOptions{};
  o.preemptions = 0;
  r = explore(s, StrategyRegistry::global(), o);
  EXPECT_FALSE(r.complete());
  EXPECT_GT(r.cut_preemptions, 0u);
  // No preemption: each request runs on until it finishes or waits.
  EXPECT_EQ(r.finding("stale_reads").schedules, 0u);
  o.preemptions = 2;
  const ExploreResult two = explore(s, StrategyRegistry::global(), o);
  EXPECT_GT(schedules(two), schedules(r));
  EXPECT_GT(two.finding("stale_reads").schedules, 0u); // coalesce's race needs two switches
}

TEST(ExploreBounds, RefusesWhatItCannotOrder) {
  const auto refused = [](const std::vector<std::string> &sets, const std::string &path) {
    try {
      explore(builtin("race-clear", sets), StrategyRegistry::global());
      ADD_FAILURE() << "accepted " << sets.front();
    } catch (const std::invalid_argument &e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ": stampede explore", 0), 0u) << e.what();
    }
  };
  refused({"workload.rate=10"}, "workload.rate");
  refused({"edge.enabled=true"}, "edge.enabled");
  refused({"app.servers=1", "app.workers=1"}, "app.workers");
  Scenario s = builtin("race-clear");
  s.events.push_back({0, ScriptedEvent::Kind::kCrashNode, 0});
  EXPECT_THROW(explore(s, StrategyRegistry::global()), std::invalid_argument);
  s.events = {{0, ScriptedEvent::Kind::kViewBurst, 17}};
  s.app.workers = 32;
  EXPECT_THROW(explore(s, StrategyRegistry::global()), std::invalid_argument);
}

// ------------------------------------------ timed runs agree with explore

// What no order shows, no timed run shows: each race scenario's timed
// version (its own times and latencies) under every strategy, seeds 1-100.
TEST(ExploreAgreesWithTimedRuns, NoTimedRunShowsWhatNoOrderCan) {
  const std::vector<std::string> strategies = {
      "clear",    "refresh", "update", "update+cas",
      "coalesce", "lease",   "early",  "stale_while_revalidate"};
  std::uint64_t runs = 0, seen = 0;
  for (const std::string &race : kRaces) {
    for (const std::string &strategy : strategies) {
      const Scenario s = builtin(race, {"strategy.name=\"" + strategy + "\""});
      const ExploreResult r = run(s);
      ASSERT_TRUE(r.complete());
      for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        Scenario timed = s;
        timed.seed = seed;
        Simulation sim(timed);
        sim.run();
        const Report rep = sim.report();
        ++runs;
        const std::pair<const char *, std::uint64_t> counts[] = {
            {"stale_reads", rep.stale_reads},
            {"stampedes", rep.stampedes},
            {"cas_conflicts", rep.cas_conflicts},
            {"lost_updates", rep.lost_updates},
            {"lease_refusals", rep.lease_refusals}};
        for (const auto &[field, n] : counts) {
          if (n == 0)
            continue;
          ++seen;
          EXPECT_GT(r.finding(field).schedules, 0u)
              << race << " under " << strategy << ", seed " << seed << ": a timed run shows " << n
              << " " << field << " but explore found none";
        }
      }
    }
  }
  EXPECT_EQ(runs, 6400u);
  EXPECT_GT(seen, 0u); // the timed runs do show races
}

} // namespace
} // namespace stampede
