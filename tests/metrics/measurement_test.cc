// One measurement fed facts by hand (metrics/measurement.h), as the model
// and the reality lab feed it: the report, the warm-up's subtraction, an
// interval's growth and the facts a lab counts only within its run.
#include <gtest/gtest.h>

#include "metrics/measurement.h"

namespace stampede::internal {
namespace {

Time at(double s) { return seconds_to_ns(s); }

Page page_of(std::uint32_t newest) { return Page::newest(newest); }

StackGauges gauges(double busy_s, double elapsed_s, std::uint32_t connections = 1) {
  StackGauges g;
  g.db_busy_area = busy_s * 1e9;
  g.elapsed = at(elapsed_s);
  g.db_connections = connections;
  return g;
}

TEST(Measurement, FactsBecomeTheReportsCountsRatiosAndAnomalies) {
  Measurement m(1, false);
  for (int i = 0; i < 4; ++i)
    m.arrival();
  m.rejected();
  // A submit's insert commits post 1 at 1 s; a view that arrived at 2 s is
  // answered with the empty page: stale by 1 s.
  m.insert_committed(0, at(1));
  m.insert_completed();
  m.submit_answered(at(0.02));
  m.cache_get(false);
  EXPECT_FALSE(m.query_issued(0, true, at(2)));
  m.query_completed(0, true);
  const auto stale = m.view_answered(at(0.1), page_of(0), 0, at(2), 1);
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->post, 1u);
  EXPECT_EQ(stale->age, at(1));
  m.cache_get(true);
  EXPECT_FALSE(m.view_answered(at(0.05), page_of(1), 0, at(3), 1).has_value());

  const Report r = m.report(gauges(0.5, 10, 2));
  EXPECT_EQ(r.arrivals, 4u);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.page_views, 2u);
  EXPECT_EQ(r.submits, 1u);
  EXPECT_EQ(r.db_reads, 1u);
  EXPECT_EQ(r.db_reads_by_page_views, 1u);
  EXPECT_EQ(r.db_writes, 1u);
  EXPECT_DOUBLE_EQ(r.db_reads_per_page_view, 0.5);
  EXPECT_EQ(r.cache_gets, 2u);
  EXPECT_DOUBLE_EQ(r.cache_hit_ratio, 0.5);
  EXPECT_EQ(r.stale_reads, 1u);
  EXPECT_DOUBLE_EQ(r.stale_read_ratio, 0.5);
  EXPECT_DOUBLE_EQ(r.max_staleness_s, 1.0);
  EXPECT_DOUBLE_EQ(r.db_utilization, 0.5 / (10 * 2));
  EXPECT_EQ(r.db_peak_reads_per_s, 1u);
}

TEST(Measurement, ASecondViewQueryOfAKeyInFlightBeginsAStampede) {
  Measurement m(1, false);
  EXPECT_FALSE(m.query_issued(0, true, at(1)));
  EXPECT_TRUE(m.query_issued(0, true, at(1.1)));
  EXPECT_FALSE(m.query_issued(0, false, at(1.2))) << "a submit's query is no stampede";
  m.query_completed(0, true);
  m.query_completed(0, true);
  m.query_completed(0, false);
  const Report r = m.report(gauges(0, 2));
  EXPECT_EQ(r.stampedes, 1u);
  EXPECT_EQ(r.redundant_db_reads, 1u);
  EXPECT_EQ(r.db_reads, 3u);
  EXPECT_EQ(r.db_reads_by_submits, 1u);
  EXPECT_EQ(r.db_peak_reads_per_s, 3u);
}

TEST(Measurement, WhatALabDoesAfterItsEndEndsAStampedeButIsNotCounted) {
  Measurement m(1, false);
  m.query_issued(0, true, at(9.9));
  m.query_issued(0, true, at(10.1), /*counted=*/false);
  m.query_completed(0, true, /*counted=*/false);
  m.query_completed(0, true, /*counted=*/false);
  // The key has no query in flight now: the next one is no stampede.
  EXPECT_FALSE(m.query_issued(0, true, at(10.2), false));
  const Report r = m.report(gauges(0, 10));
  EXPECT_EQ(r.db_reads, 0u);
  EXPECT_EQ(r.db_peak_reads_per_s, 1u);
}

TEST(Measurement, AWarmUpsCountsAreSubtractedAndItsMaximaForgotten) {
  Measurement m(1, false);
  m.arrival();
  m.cache_get(false);
  m.db_queue_seen(7);
  m.query_issued(0, true, at(0.5));
  m.query_issued(0, true, at(0.6)); // a stampede in the warm-up
  m.query_completed(0, true);
  m.query_completed(0, true);
  m.view_answered(at(0.9), page_of(0), 0, at(0.1), 0);
  m.cas_refused();

  StackGauges warm = gauges(1, 2);
  warm.evictions = 3;
  m.end_warmup(/*db_queue=*/2, warm);
  m.arrival();
  m.cache_get(true);
  m.query_issued(0, false, at(2.5));
  m.query_completed(0, false);

  StackGauges end = gauges(1.5, 8);
  end.evictions = 5;
  const Report r = m.report(end);
  EXPECT_EQ(r.arrivals, 1u);
  EXPECT_EQ(r.cache_gets, 1u);
  EXPECT_EQ(r.cache_hits, 1u);
  EXPECT_EQ(r.page_views, 0u);
  EXPECT_EQ(r.stampedes, 0u);
  EXPECT_EQ(r.redundant_db_reads, 0u);
  EXPECT_EQ(r.cas_conflicts, 0u);
  EXPECT_EQ(r.db_reads, 1u);
  EXPECT_EQ(r.db_max_queue, 2u) << "the largest queue restarts at the queue then";
  EXPECT_EQ(r.db_peak_reads_per_s, 1u);
  EXPECT_EQ(r.cache_evictions, 2u);
  EXPECT_DOUBLE_EQ(r.db_utilization, 0.5 / 8);
  EXPECT_EQ(r.page_view_latency.max, 0) << "latencies restart at the warm-up's end";
}

TEST(Measurement, AnIntervalHoldsTheGrowthSinceTheLastOne) {
  Measurement m(1, false);
  m.arrival();
  m.arrival();
  m.view_answered(at(0.004), page_of(0), 0, 0, 0);
  IntervalRecord first;
  m.close_interval(first);
  EXPECT_EQ(first.arrivals, 2u);
  EXPECT_EQ(first.page_views, 1u);
  EXPECT_NEAR(first.view_p50_ms, 4, 0.5);

  m.arrival();
  IntervalRecord second;
  m.close_interval(second);
  EXPECT_EQ(second.arrivals, 1u);
  EXPECT_EQ(second.page_views, 0u);
  EXPECT_EQ(second.view_p50_ms, 0) << "no view answered in it";
}

TEST(Measurement, ASubmitsPostIsWatchedUntilAWriteDropsIt) {
  Measurement m(1, false);
  const std::uint32_t post = m.insert_committed(0, at(1));
  ASSERT_TRUE(m.on_page(0, post));
  EXPECT_FALSE(m.on_page(0, 0)) << "no post";
  const Page with = page_of(1);
  EXPECT_FALSE(m.submit_post_answered(0, post, 0, &with));
  int lost = 0;
  m.cache_written(0, 0, page_of(0), [&](std::uint32_t p) {
    EXPECT_EQ(p, post);
    ++lost;
  });
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(m.report(gauges(0, 2)).lost_updates, 1u);
}

} // namespace
} // namespace stampede::internal
