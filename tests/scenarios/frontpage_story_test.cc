// The lecture's table, measured on builtin:frontpage, must tell the lecture's
// story (SPEC section 7). One test per row, each asserting that row's claims.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "stampede/scenario_file.h"
#include "stampede/simulation.h"

namespace stampede {
namespace {

const Report &frontpage(const std::string &strategy) {
  static std::map<std::string, Report> cache;
  auto it = cache.find(strategy);
  if (it == cache.end()) {
    const auto s = load_scenario("builtin:frontpage", {"strategy.name=" + strategy});
    EXPECT_TRUE(s) << s.error;
    Simulation sim(*s.value);
    sim.run();
    it = cache.emplace(strategy, sim.report()).first;
  }
  return it->second;
}

TEST(FrontpageStory, NoneReadsTheDatabaseOnEveryViewAndIsNeverStale) {
  const Report &r = frontpage("none");
  EXPECT_GT(r.page_views, 10000u);
  EXPECT_NEAR(r.db_reads_per_page_view, 1.0, 0.01);
  EXPECT_EQ(r.cache_gets, 0u);
  EXPECT_EQ(r.stale_reads, 0u);
  EXPECT_EQ(r.db_reads_per_submit, 0.0);
}

TEST(FrontpageStory, NaiveServesStalePagesForLong) {
  const Report &r = frontpage("naive");
  // After the first submit the cached page never changes again: nearly every
  // view is stale. A missing post counts while it is among the 10 newest, so
  // at ~2 submits/s the staleness age reaches about 10 / 2 = 5 s.
  EXPECT_GT(r.stale_read_ratio, 0.9);
  EXPECT_GT(r.max_staleness_s, 3.0);
  EXPECT_EQ(r.db_reads, 0u); // warm cache, nothing ever clears it
}

TEST(FrontpageStory, ClearEndsLastingStalenessButStampedesAfterEachSubmit) {
  const Report &clear = frontpage("clear");
  const Report &naive = frontpage("naive");
  // What staleness is left comes from the stale-set race (a fill that queried
  // before a commit lands after its delete) and lasts until the next submit's
  // delete: a fraction of naive's.
  EXPECT_LT(clear.max_staleness_s, naive.max_staleness_s / 2);
  EXPECT_LT(clear.stale_reads * 10, naive.stale_reads);
  // Under 200 views/s, each delete leaves ~10 views missing at once.
  EXPECT_GT(clear.stampedes, clear.submits / 2);
  EXPECT_GT(clear.redundant_db_reads, 3 * clear.submits);
  EXPECT_GE(clear.peak_concurrent_same_key, 5u);
  EXPECT_EQ(clear.db_reads_per_submit, 0.0);
}

TEST(FrontpageStory, RefreshReadsOncePerSubmitAndNeverStampedes) {
  const Report &r = frontpage("refresh");
  EXPECT_NEAR(r.db_reads_per_submit, 1.0, 0.02);
  EXPECT_EQ(r.db_reads_by_page_views, 0u);
  EXPECT_EQ(r.redundant_db_reads, 0u);
  EXPECT_EQ(r.stampedes, 0u);
  EXPECT_EQ(r.lost_updates, 0u);
  EXPECT_LT(r.max_staleness_s, 0.2);
}

TEST(FrontpageStory, UpdateReadsNothingAndLosesUpdatesUnderConcurrentSubmits) {
  const Report &r = frontpage("update");
  EXPECT_EQ(r.db_reads, 0u);
  EXPECT_GT(r.lost_updates, 0u);
  EXPECT_EQ(r.cas_attempts, 0u);
}

TEST(FrontpageStory, UpdateWithCasLosesNoneAndShowsConflicts) {
  const Report &r = frontpage("update+cas");
  EXPECT_EQ(r.strategy, "update+cas");
  EXPECT_EQ(r.db_reads, 0u);
  EXPECT_EQ(r.lost_updates, 0u);
  EXPECT_GT(r.cas_conflicts, 0u);
  EXPECT_EQ(r.cas_retries, r.cas_conflicts);
}

} // namespace
} // namespace stampede
