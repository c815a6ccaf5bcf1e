// The time series as CSV (see timeseries.h).
#include "stampede/timeseries.h"

#include "internal/portable.h"
#include <array>
#include <string>

namespace stampede {
namespace {

/// Appends the shortest text that reads back as exactly `v`.
void append_real(std::string &line, double v) {
  std::array<char, 32> buf{};
  const auto [end, ec] = portable::to_chars(buf.data(), buf.data() + buf.size(), v);
  line.append(buf.data(), ec == std::errc() ? end : buf.data());
}

void append_count(std::string &line, std::uint64_t v) {
  std::array<char, 24> buf{};
  const auto [end, ec] = portable::to_chars(buf.data(), buf.data() + buf.size(), v);
  line.append(buf.data(), ec == std::errc() ? end : buf.data());
}

} // namespace

const char *TimeseriesWriter::header() noexcept {
  return "time_s,arrivals,page_views,submits,db_reads,db_writes,db_queue,db_queue_max,"
         "db_utilization,hit_ratio,view_p50_ms,view_p99_ms,stale_reads,redundant_db_reads,"
         "cas_conflicts,lost_updates,evictions,app_backlog";
}

TimeseriesWriter::TimeseriesWriter(std::ostream &out) : out_(out) { out_ << header() << '\n'; }

void TimeseriesWriter::on_interval(const IntervalRecord &i) {
  std::string line;
  line.reserve(160);
  append_real(line, ns_to_seconds(i.end));
  for (const std::uint64_t v : {i.arrivals, i.page_views, i.submits, i.db_reads, i.db_writes,
                                std::uint64_t{i.db_queue}, std::uint64_t{i.db_queue_max}}) {
    line += ',';
    append_count(line, v);
  }
  line += ',';
  append_real(line, i.db_utilization);
  line += ',';
  // A ratio over no gets is undefined: an empty cell, not a made-up 0.
  if (i.cache_gets > 0) {
    append_real(line, static_cast<double>(i.cache_hits) / static_cast<double>(i.cache_gets));
  }
  line += ',';
  append_real(line, i.view_p50_ms);
  line += ',';
  append_real(line, i.view_p99_ms);
  for (const std::uint64_t v : {i.stale_reads, i.redundant_db_reads, i.cas_conflicts,
                                i.lost_updates, i.evictions, i.app_backlog}) {
    line += ',';
    append_count(line, v);
  }
  line += '\n';
  out_ << line;
}

} // namespace stampede
