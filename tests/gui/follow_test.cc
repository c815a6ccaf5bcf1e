// Following one request (gui/worker/request_follow.h): its timeline from the
// observer's records, its anomaly's cause in words, and the ring that lets a
// request be followed after the fact. Qt-free; hand-built runs.
#include <algorithm>
#include <gtest/gtest.h>

#include "../model/hand_built.h"
#include "worker/request_follow.h"

namespace stampede::gui {
namespace {

/// Feeds every record to the ring, and to a follower of `serial` if set.
struct Feed final : Observer {
  RecentRecords recent;
  RequestFollower *live = nullptr;
  std::vector<std::uint64_t> serials; // in the order requests took a worker
  // @param ring the newest records kept. @param first the run's first ones kept besides.
  explicit Feed(std::size_t ring, std::size_t first = 0) : recent(ring, first) {}
  void on_activity(const ActivityRecord &a) override {
    if (a.activity == Activity::kCpu)
      serials.push_back(a.serial);
    recent.on_activity(a);
    if (live)
      live->on_activity(a);
  }
  void on_call(const CallRecord &c) override {
    recent.on_call(c);
    if (live)
      live->on_call(c);
  }
  void on_request(const RequestRecord &r) override {
    recent.on_request(r);
    if (live)
      live->on_request(r);
  }
  void on_anomaly(const AnomalyRecord &a) override {
    recent.on_anomaly(a);
    if (live)
      live->on_anomaly(a);
  }
};

/// The stale-set race under clear (tests/model/anomaly_cause_test.cc):
/// view 1 at 0.5 s fills late, the submit at 0.51 s commits in between, view
/// 3 at 1 s is stale.
Scenario stale_set() {
  Scenario s = stampede::testing::hand_built("clear", /*warm=*/false);
  stampede::testing::at(s, 0.5, ScriptedEvent::Kind::kViewBurst, 1);
  stampede::testing::at(s, 0.51, ScriptedEvent::Kind::kSubmitBurst, 1);
  stampede::testing::at(s, 1.0, ScriptedEvent::Kind::kViewBurst, 1);
  return s;
}

std::vector<std::string> words(const RequestFollower &f) {
  std::vector<std::string> w;
  for (const TimelineEntry &e : f.entries())
    w.push_back(e.what);
  return w;
}

TEST(RequestFollow, TheFillingViewsLifeInOrder) {
  // View 1: arrives 0.5 s, no CPU, get (miss) 0.5-0.5005, the page query
  // 0.5005-0.6005, the fill's set 0.6005-0.601, answered, worker let go.
  Simulation sim(stale_set());
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run();
  RequestFollower f(feed.serials.at(0));
  feed.recent.replay(f);
  EXPECT_FALSE(f.begins_late());
  EXPECT_TRUE(f.done());
  const std::vector<std::string> want = {"page view arrives",
                                         "CPU on app 0 (0.0 ms)",
                                         "cache get to memcached 0 -> miss",
                                         "db read runs (100.0 ms) -> done",
                                         "cache set to memcached 0 -> STORED",
                                         "answered after 101.0 ms",
                                         "lets go of its worker"};
  EXPECT_EQ(words(f), want);
  const std::vector<TimelineEntry> &e = f.entries();
  ASSERT_EQ(e.size(), want.size());
  EXPECT_EQ(e[2].at, seconds_to_ns(0.5));
  EXPECT_EQ(e[2].until, seconds_to_ns(0.5005));
  EXPECT_EQ(e[3].at, seconds_to_ns(0.5005));
  EXPECT_EQ(e[3].until, seconds_to_ns(0.6005));
  for (std::size_t i = 1; i < e.size(); ++i)
    EXPECT_LE(e[i - 1].at, e[i].at) << "entries out of order at " << i;
}

TEST(RequestFollow, TheStaleViewSaysWhoStoredItsPage) {
  Simulation sim(stale_set());
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run();
  const std::uint64_t filler = feed.serials.at(0), stale = feed.serials.at(2);
  RequestFollower f(stale);
  feed.recent.replay(f);
  bool found = false;
  for (const TimelineEntry &e : f.entries()) {
    if (!e.anomaly)
      continue;
    found = true;
    EXPECT_EQ(e.what, "stale read: the page lacks post 1, committed at 0.5300 s; the page was "
                      "stored by request #" +
                          std::to_string(filler) +
                          " at 0.6005 s, built by a query that began at 0.5005 s, before that "
                          "commit (a stale set)");
  }
  EXPECT_TRUE(found);
}

/// The migration's race (tests/model/migration_test.cc, copy_race): one key
/// warm on the old tier; at 1 s a new tier of one node takes over, read
/// first, the old tier on a miss (cache.fallback). The submit at 2.0 s
/// commits at 2.02 s and deletes the page from the new tier then, from the
/// old at 2.0205 s; view 1, arrived at 2.0197 s, missed the new tier, read
/// the old page at 2.0202 s and adds it to the new tier at 2.0207 s; view 2
/// at 2.5 s is served that copy. Request serials: submit 0, views 1 and 2.
Scenario copy_race() {
  Scenario s = stampede::testing::hand_built("clear", /*warm=*/true);
  s.cache.fallback = true;
  stampede::testing::at(s, 1.0, ScriptedEvent::Kind::kMigrateCache, 1);
  stampede::testing::at(s, 2.0, ScriptedEvent::Kind::kSubmitBurst, 1);
  stampede::testing::at(s, 2.0197, ScriptedEvent::Kind::kViewBurst, 1);
  stampede::testing::at(s, 2.5, ScriptedEvent::Kind::kViewBurst, 1);
  return s;
}

TEST(RequestFollow, AStaleCopyFromTheOldTierNamesTheDeleteItOutlived) {
  // The record the model gives view 2 (migration_test: copied by request #1
  // at 2.0207 s, after request #0's delete at 2.02 s, post 1 committed then).
  AnomalyRecord a{};
  a.kind = AnomalyKind::kStaleRead;
  a.serial = 2;
  a.post = 1;
  a.post_committed_at = seconds_to_ns(2.02);
  a.cause_serial = 1;
  a.cause_at = seconds_to_ns(2.0207);
  a.snapshot_at = -1; // the warm-up's page
  a.from_old_tier = true;
  a.outlived_delete = 0;
  a.outlived_delete_at = seconds_to_ns(2.02);
  EXPECT_EQ(explain(a), "stale read: the page lacks post 1, committed at 2.0200 s; the page was "
                        "copied from the old tier by request #1 at 2.0207 s, after request #0's "
                        "delete at 2.0200 s: filled from the old tier after request #0's delete, "
                        "it put back the page that delete removed (the old tier was read before "
                        "the delete reached it)");
  // A copy that outlived no delete: who copied it, and when.
  a.outlived_delete = kNoSerial;
  a.outlived_delete_at = -1;
  EXPECT_EQ(explain(a), "stale read: the page lacks post 1, committed at 2.0200 s; the page was "
                        "copied from the old tier by request #1 at 2.0207 s");
  // Nor one whose page, on the old tier, was already stale: built before
  // the commit.
  a.snapshot_at = seconds_to_ns(1.9);
  EXPECT_EQ(explain(a), "stale read: the page lacks post 1, committed at 2.0200 s; the page was "
                        "copied from the old tier by request #1 at 2.0207 s, built by a query "
                        "that began at 1.9000 s, before that commit (the old tier held a stale "
                        "page)");
}

TEST(RequestFollow, TheCopyingViewReadsBothTiersAndTheStaleViewSaysSo) {
  Simulation sim(copy_race());
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run();
  // View 1's calls: the new tier's node 0, then the old tier's node 0
  // (index 1: after the new tier's one node), then the copy into node 0.
  RequestFollower copier(1);
  copier.set_old_tier_from(1);
  feed.recent.replay(copier);
  const std::vector<std::string> want = {
      "page view arrives",
      "CPU on app 0 (0.0 ms)",
      "cache get to memcached 0 -> miss",
      "cache get old to old memcached 0 -> hit",
      "copies the old tier's page to memcached 0 with cache add -> STORED",
      "answered after 1.0 ms",
      "lets go of its worker"};
  EXPECT_EQ(words(copier), want);
  // View 2's stale read, in its timeline, is explain()'s sentence.
  RequestFollower stale(2);
  stale.set_old_tier_from(1);
  feed.recent.replay(stale);
  std::vector<std::string> anomalies;
  for (const TimelineEntry &e : stale.entries())
    if (e.anomaly)
      anomalies.push_back(e.what);
  ASSERT_EQ(anomalies.size(), 1u);
  EXPECT_NE(anomalies[0].find("copied from the old tier by request #1 at 2.0207 s, after request "
                              "#0's delete at 2.0200 s: filled from the old tier after request "
                              "#0's delete"),
            std::string::npos)
      << anomalies[0];
}

TEST(RequestFollow, ALeaseFillRefusedSaysWhichDeleteVoidedItsToken) {
  // The same race under lease: view 1 holds the lease, the submit's
  // invalidating delete at 0.53 s voids its token, and its fill is refused.
  // While it queried, views that came would wait; view 3 gets a new lease.
  Scenario s = stale_set();
  s.strategy.name = "lease";
  Simulation sim(s);
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run();
  const std::uint64_t filler = feed.serials.at(0), submit = feed.serials.at(1);
  RequestFollower f(filler);
  feed.recent.replay(f);
  const std::vector<std::string> want = {
      "page view arrives",
      "CPU on app 0 (0.0 ms)",
      "cache lease get to memcached 0 -> miss",
      "db read runs (100.0 ms) -> done",
      "refused lease fill: the lease token was invalidated by request #" + std::to_string(submit) +
          "'s delete at 0.5300 s, after this request's query began "
          "at 0.5005 s: its page could lack that submit's post, so "
          "the node kept it out of the cache",
      "cache lease set to memcached 0 -> EXISTS",
      "answered after 101.0 ms",
      "lets go of its worker"};
  EXPECT_EQ(words(f), want);
}

TEST(RequestFollow, StepSaysWhatRanLive) {
  // Followed from before it starts, one event of the run at a time, as Step
  // runs them: each step says what happened to view 1 in that event.
  Simulation sim(stale_set());
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run_until(seconds_to_ns(0.5)); // nothing of view 1 yet
  RequestFollower f(0);
  feed.live = &f;
  std::vector<std::string> steps;
  while (!f.done() && sim.step()) {
    const std::string step = f.take_step();
    if (!step.empty())
      steps.push_back(step);
  }
  const std::vector<std::string> want = {
      "req #0: page view arrives at 0.5000 s; CPU on app 0 (0.0 ms) at 0.5000 s",
      "req #0: cache get to memcached 0 at 0.5000 s",
      "req #0: cache get -> miss at 0.5005 s; db read runs (100.0 ms) at 0.5005 s",
      "req #0: db read -> done at 0.6005 s; cache set to memcached 0 at 0.6005 s",
      "req #0: cache set -> STORED at 0.6010 s; answered after 101.0 ms at 0.6010 s; lets go of "
      "its worker at 0.6010 s"};
  EXPECT_EQ(steps, want);
}

TEST(RequestFollow, AShortRingSaysTheStartIsGone) {
  Simulation sim(stale_set());
  Feed feed(3); // the last three records only
  sim.set_observer(&feed);
  sim.run();
  RequestFollower f(feed.serials.at(2));
  feed.recent.replay(f);
  EXPECT_TRUE(f.begins_late());
}

TEST(RequestFollow, TheRunsFirstRecordsKeepItsFirstRequestWhole) {
  // The ring holds the last three records; the first eight are kept
  // besides. View 1 (serial 0) is the run's first request: its first
  // records are among the eight, the rest (from its fill's set on) in
  // neither, so the timeline says where they go missing.
  Simulation sim(stale_set());
  Feed feed(3, 8);
  sim.set_observer(&feed);
  sim.run();
  RequestFollower f(feed.serials.at(0));
  feed.recent.replay(f);
  EXPECT_FALSE(f.begins_late());
  const std::vector<std::string> got = words(f);
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got.front(), "page view arrives");
  EXPECT_EQ(got.back(),
            "(what it did next is no longer kept: the run's first and newest records are)");
}

TEST(RequestFollow, AFaultIsTheLastEntryOfItsRequest) {
  // A student's strategy broke the contract in view 1's resume() after its
  // get: the fault goes where it happened, as an anomaly, in the sentence.
  Simulation sim(stale_set());
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run_until(seconds_to_ns(0.5006));
  RequestFollower f(feed.serials.at(0));
  feed.recent.replay(f);
  f.on_fault(seconds_to_ns(0.5005), "student:x: crashed (SIGSEGV) in resume() of request #0 after "
                                    "its cache get (step 1)");
  ASSERT_FALSE(f.entries().empty());
  const TimelineEntry &last = f.entries().back();
  EXPECT_TRUE(last.anomaly);
  EXPECT_EQ(last.at, seconds_to_ns(0.5005));
  EXPECT_EQ(last.what, "the run stopped here: student:x: crashed (SIGSEGV) in resume() of request "
                       "#0 after its cache get (step 1)");
}

TEST(RequestFollow, AStampedeNamesTheDeleteAndTheQueryItOverlapped) {
  // Issue 23: a stampede's cause named neither the delete that opened it nor
  // the query it overlapped. Under clear, the submit at 0.5 s inserts (20
  // ms) and deletes the page at 0.52 s; the view at 0.6 s misses and queries
  // (0.6005-0.7005 s); the view at 0.62 s misses too, and its query is the
  // stampede's first redundant one.
  Scenario s = stampede::testing::hand_built("clear", /*warm=*/true);
  stampede::testing::at(s, 0.5, ScriptedEvent::Kind::kSubmitBurst, 1);
  stampede::testing::at(s, 0.6, ScriptedEvent::Kind::kViewBurst, 1);
  stampede::testing::at(s, 0.62, ScriptedEvent::Kind::kViewBurst, 1);
  Simulation sim(s);
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run();
  const std::uint64_t submit = feed.serials.at(0), first = feed.serials.at(1),
                      second = feed.serials.at(2);
  RequestFollower f(second);
  feed.recent.replay(f);
  std::string said;
  for (const TimelineEntry &e : f.entries())
    if (e.anomaly)
      said = e.what;
  EXPECT_EQ(said, "stampede: this request's page query started while another for the same key "
                  "was in flight; submit #" +
                      std::to_string(submit) +
                      " deleted the page at 0.5200 s, so every view after it missed; it "
                      "overlapped request #" +
                      std::to_string(first) +
                      "'s query, issued at 0.6005 s and running until 0.7005 s");
}

TEST(RequestFollow, ACasConflictTellsItsGetsAndTheUniques) {
  // Issue 23: the CAS timeline showed the conflict before its cas call, and
  // neither the gets nor the uniques. Two submits at 0.5 s under
  // update+cas: both insert, both gets the page (one unique), the first cas
  // stores it (a new unique), the second meets EXISTS.
  Scenario s = stampede::testing::hand_built("update+cas", /*warm=*/true);
  stampede::testing::at(s, 0.5, ScriptedEvent::Kind::kSubmitBurst, 2);
  Simulation sim(s);
  Feed feed(1024);
  sim.set_observer(&feed);
  sim.run();
  ASSERT_GE(sim.report().cas_conflicts, 1u);
  bool conflicted = false;
  for (const std::uint64_t serial : {feed.serials.at(0), feed.serials.at(1)}) {
    RequestFollower f(serial);
    feed.recent.replay(f);
    const std::vector<std::string> w = words(f);
    const auto conflict = std::find_if(
        w.begin(), w.end(), [](const std::string &x) { return x.starts_with("CAS conflict"); });
    if (conflict == w.end())
      continue;
    conflicted = true;
    // The gets, its unique, then the cas that sent it and met EXISTS, then
    // the conflict with both uniques.
    const auto gets = std::find_if(w.begin(), w.end(), [](const std::string &x) {
      return x.starts_with("cache gets to memcached 0 -> hit, unique ");
    });
    ASSERT_NE(gets, w.end()) << ::testing::PrintToString(w);
    const std::string unique = gets->substr(gets->rfind(' ') + 1);
    const auto cas = std::find(w.begin(), w.end(),
                               "cache cas to memcached 0 (sent unique " + unique + ") -> EXISTS");
    ASSERT_NE(cas, w.end()) << ::testing::PrintToString(w);
    EXPECT_LT(gets, cas);
    EXPECT_EQ(conflict, cas + 1) << ::testing::PrintToString(w);
    EXPECT_NE(conflict->find("(its cas sent unique " + unique + "; the key's is now "),
              std::string::npos)
        << *conflict;
    EXPECT_NE(conflict->find("so memcached answered EXISTS and stored nothing"), std::string::npos);
  }
  EXPECT_TRUE(conflicted);
}

} // namespace
} // namespace stampede::gui
