// The CSV time series and the Chrome trace, fed records by hand.
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/trace.h"
#include "stampede/timeseries.h"

namespace stampede {
namespace {

TEST(TimeseriesWriter, HeaderThenOneExactRowPerInterval) {
  std::ostringstream out;
  TimeseriesWriter csv(out);
  IntervalRecord i;
  i.start = 0;
  i.end = kSecond;
  i.arrivals = 10;
  i.page_views = 9;
  i.submits = 1;
  i.db_reads = 2;
  i.db_writes = 1;
  i.db_queue = 3;
  i.db_queue_max = 4;
  i.db_utilization = 0.5;
  i.cache_gets = 8;
  i.cache_hits = 6; // hit ratio 6/8 = 0.75
  i.view_p50_ms = 1.5;
  i.view_p99_ms = 100.25;
  i.stale_reads = 5;
  i.redundant_db_reads = 6;
  i.cas_conflicts = 7;
  i.lost_updates = 8;
  i.evictions = 9;
  i.app_backlog = 11;
  csv.on_interval(i);
  IntervalRecord idle; // no gets: the hit ratio is empty, not 0
  idle.start = kSecond;
  idle.end = kSecond + kSecond / 2;
  csv.on_interval(idle);
  EXPECT_EQ(out.str(), std::string(TimeseriesWriter::header()) +
                           "\n1,10,9,1,2,1,3,4,0.5,0.75,1.5,100.25,5,6,7,8,9,11\n"
                           "1.5,0,0,0,0,0,0,0,0,,0,0,0,0,0,0,0,0\n");
}

RequestRecord request(std::uint64_t serial, std::uint32_t server, Time arrival, Time response) {
  return {0, serial, 0, server, false, false, arrival, arrival, response, 0};
}

CallRecord call(std::uint64_t serial, std::uint32_t server, Op op, Time issue, Time reply) {
  return {serial, server, op, McStatus::kNotFound, false, 0, issue, reply};
}

nlohmann::json close_and_parse(TraceWriter &trace, const std::ostringstream &out) {
  trace.close();
  return nlohmann::json::parse(out.str());
}

TEST(TraceWriter, EmptyTraceIsValidJson) {
  std::ostringstream out;
  TraceWriter trace(out);
  const nlohmann::json j = close_and_parse(trace, out);
  EXPECT_TRUE(j["traceEvents"].is_array());
}

TEST(TraceWriter, OverlappingRequestsOnAServerGetTheirOwnLanes) {
  std::ostringstream out;
  TraceWriter trace(out);
  // Server 0: A [0, 10 ms) and B [1 ms, 5 ms) overlap; C [6 ms, 8 ms) does
  // not overlap B, so it reuses B's lane. Reported in response order.
  trace.on_call(call(2, 0, Op::kCacheGet, 1'500'000, 2'000'000));
  trace.on_request(request(2, 0, 1'000'000, 5'000'000)); // B
  trace.on_request(request(3, 0, 6'000'000, 8'000'000)); // C
  trace.on_call(call(1, 0, Op::kDbRead, 1'000'000, 9'000'000));
  trace.on_request(request(1, 0, 0, 10'000'000)); // A
  const nlohmann::json j = close_and_parse(trace, out);
  std::map<std::uint64_t, int> tid;
  for (const nlohmann::json &e : j["traceEvents"]) {
    if (e["ph"] == "X" && e["name"] == "view") {
      tid[e["args"]["serial"].get<std::uint64_t>()] = e["tid"].get<int>();
    }
    if (e["name"] == "cache get") {
      EXPECT_EQ(e["ts"], 1500.0);
      EXPECT_EQ(e["dur"], 500.0);
      EXPECT_EQ(e["cat"], "cache");
      EXPECT_EQ(e["args"]["hit"], false);
      EXPECT_EQ(e["args"]["status"], "NOT_FOUND");
    }
  }
  ASSERT_EQ(tid.size(), 3u);
  EXPECT_EQ(tid[2], tid[3]);
  EXPECT_NE(tid[1], tid[2]);
}

TEST(TraceWriter, TimesAreMicrosecondsWithNanosecondDigits) {
  std::ostringstream out;
  TraceWriter trace(out);
  trace.on_request(request(0, 0, 1'234'567'891, 1'234'568'000));
  trace.close();
  EXPECT_NE(out.str().find("\"ts\":1234567.891,\"dur\":0.109"), std::string::npos) << out.str();
}

TEST(TraceWriter, CallsOfUnfinishedRequestsAreWrittenAtClose) {
  std::ostringstream out;
  TraceWriter trace(out);
  trace.on_call(call(9, 1, Op::kDbRead, 0, 100));
  trace.on_anomaly({AnomalyKind::kStampede, 50, 9, 0});
  const nlohmann::json j = close_and_parse(trace, out);
  std::set<std::string> names;
  for (const nlohmann::json &e : j["traceEvents"]) {
    names.insert(e["name"].get<std::string>());
  }
  EXPECT_TRUE(names.count("db read"));
  EXPECT_TRUE(names.count("stampede"));
}

} // namespace
} // namespace stampede
