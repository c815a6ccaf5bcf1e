// Chrome trace-event JSON (see trace.h).
#include "io/trace.h"

#include "internal/portable.h"
#include <algorithm>
#include <string_view>
#include <utility>

namespace stampede {
namespace {

constexpr std::uint32_t kPid = 1;

void append_int(std::string &s, std::int64_t v) {
  char buf[24];
  const auto [end, ec] = portable::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, ec == std::errc() ? end : buf);
}

/// Appends the shortest text that reads back as exactly `v`.
void append_real(std::string &s, double v) {
  char buf[32];
  const auto [end, ec] = portable::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, ec == std::errc() ? end : buf);
}

/// Appends nanoseconds as microseconds with three decimals, from the integer,
/// so the text is exact and the same everywhere.
void append_us(std::string &s, Time ns) {
  if (ns < 0) {
    s += '-';
    ns = -ns;
  }
  append_int(s, ns / 1000);
  const auto frac = static_cast<int>(ns % 1000);
  s += '.';
  s += static_cast<char>('0' + frac / 100);
  s += static_cast<char>('0' + frac / 10 % 10);
  s += static_cast<char>('0' + frac % 10);
}

bool is_db(Op op) { return op == Op::kDbRead || op == Op::kDbInsert; }

/// Appends the common head of an event: name, category, phase, ids, time.
void head(std::string &s, std::string_view name, std::string_view cat, char ph, std::uint32_t tid,
          Time ts) {
  s += "{\"name\":\"";
  s += name;
  s += "\",\"cat\":\"";
  s += cat;
  s += "\",\"ph\":\"";
  s += ph;
  s += "\",\"pid\":";
  append_int(s, kPid);
  s += ",\"tid\":";
  append_int(s, tid);
  s += ",\"ts\":";
  append_us(s, ts);
}

} // namespace

TraceWriter::TraceWriter(std::ostream &out) : out_(out) {
  out_ << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  emit(R"({"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"stampede"}})");
  emit(R"({"name":"thread_name","ph":"M","pid":1,"tid":0,"args":{"name":"anomalies"}})");
}

TraceWriter::~TraceWriter() { close(); }

void TraceWriter::emit(const std::string &event) {
  if (events_ > 0) {
    out_ << ",\n";
  }
  out_ << event;
  ++events_;
}

std::uint32_t TraceWriter::lane_for(std::uint32_t server, Time start, Time end) {
  const bool edge = server == kEdgeServer;
  if (!edge && server >= lanes_.size()) {
    lanes_.resize(server + 1);
  }
  std::vector<Lane> &lanes = edge ? edge_lanes_ : lanes_[server];
  // A lane whose spans all ended by `start` cannot overlap this one.
  for (Lane &lane : lanes) {
    if (lane.end <= start) {
      lane.end = std::max(lane.end, end);
      return lane.tid;
    }
  }
  const std::uint32_t tid = next_tid_++;
  lanes.push_back({end, tid});
  std::string &s = buf_;
  s.clear();
  s += R"({"name":"thread_name","ph":"M","pid":1,"tid":)";
  append_int(s, tid);
  if (edge) {
    s += R"(,"args":{"name":"front cache"}})";
  } else {
    s += R"(,"args":{"name":"server )";
    append_int(s, server);
    s += "\"}}";
  }
  emit(s);
  s.clear();
  s += R"({"name":"thread_sort_index","ph":"M","pid":1,"tid":)";
  append_int(s, tid);
  s += R"(,"args":{"sort_index":)";
  append_int(s, tid);
  s += "}}";
  emit(s);
  return tid;
}

void TraceWriter::write_call(const CallRecord &c, std::uint32_t tid) {
  std::string &s = buf_;
  s.clear();
  head(s, op_label(c.op), is_db(c.op) ? "db" : "cache", 'X', tid, c.issue);
  s += ",\"dur\":";
  append_us(s, c.reply - c.issue);
  s += ",\"args\":{\"serial\":";
  append_int(s, static_cast<std::int64_t>(c.serial));
  if (c.op == Op::kCacheGet) {
    s += ",\"hit\":";
    s += c.hit ? "true" : "false";
  }
  s += ",\"status\":\"";
  s += status_label(c.status);
  s += "\",\"node\":";
  append_int(s, c.node);
  s += "}}";
  emit(s);
}

void TraceWriter::on_call(const CallRecord &c) {
  if (closed_) {
    return;
  }
  auto [it, inserted] = pending_.try_emplace(c.serial);
  if (inserted && !spare_.empty()) {
    it->second = std::move(spare_.back());
    spare_.pop_back();
  }
  it->second.push_back(c);
}

void TraceWriter::on_request(const RequestRecord &r) {
  if (closed_) {
    return;
  }
  const std::uint32_t tid = lane_for(r.server, r.arrival, r.response);
  std::string &s = buf_;
  s.clear();
  head(s, r.submit ? "submit" : "view", "request", 'X', tid, r.arrival);
  s += ",\"dur\":";
  append_us(s, r.response - r.arrival);
  s += ",\"args\":{\"serial\":";
  append_int(s, static_cast<std::int64_t>(r.serial));
  s += ",\"key\":";
  append_int(s, r.key);
  if (r.server == kEdgeServer) {
    s += ",\"edge\":true";
  } else {
    s += ",\"server\":";
    append_int(s, r.server);
  }
  s += ",\"stale\":";
  s += r.stale ? "true" : "false";
  if (r.stale) {
    s += ",\"staleness_s\":";
    append_real(s, r.staleness_s);
  }
  s += "}}";
  emit(s);
  if (r.start > r.arrival) {
    s.clear();
    head(s, "queued", "app", 'X', tid, r.arrival);
    s += ",\"dur\":";
    append_us(s, r.start - r.arrival);
    s += "}";
    emit(s);
  }
  if (auto it = pending_.find(r.serial); it != pending_.end()) {
    for (const CallRecord &c : it->second) {
      write_call(c, tid);
    }
    it->second.clear();
    spare_.push_back(std::move(it->second));
    pending_.erase(it);
  }
}

void TraceWriter::on_anomaly(const AnomalyRecord &a) {
  if (closed_) {
    return;
  }
  std::string &s = buf_;
  s.clear();
  head(s, anomaly_label(a.kind), "anomaly", 'i', 0, a.at);
  s += ",\"s\":\"p\",\"args\":{\"serial\":";
  append_int(s, static_cast<std::int64_t>(a.serial));
  s += ",\"key\":";
  append_int(s, a.key);
  s += "}}";
  emit(s);
}

void TraceWriter::close() {
  if (closed_) {
    return;
  }
  // Requests the run ended before answering: their calls, in serial order
  // (the map's order is not deterministic), each request on one lane.
  std::vector<std::uint64_t> serials;
  serials.reserve(pending_.size());
  for (const auto &entry : pending_) {
    serials.push_back(entry.first);
  }
  std::sort(serials.begin(), serials.end());
  for (const std::uint64_t serial : serials) {
    const std::vector<CallRecord> &calls = pending_.at(serial);
    if (calls.empty()) {
      continue;
    }
    const std::uint32_t tid =
        lane_for(calls.front().server, calls.front().issue, calls.back().reply);
    for (const CallRecord &c : calls) {
      write_call(c, tid);
    }
  }
  pending_.clear();
  closed_ = true;
  out_ << "\n]}\n";
  out_.flush();
}

} // namespace stampede
