/// @file trace.h
/// An Observer that writes a run as Chrome trace-event JSON
/// (`stampede run --trace FILE.json`), which Perfetto (ui.perfetto.dev) and
/// chrome://tracing open.
///
/// Each request is an "X" (complete) event named `view` or `submit`, from
/// arrival to response, with its cache and DB calls as "X" events nested
/// inside it (`cache get`, `db read`, ...), and the time it waited for a
/// worker as a `queued` span. Anomalies are instant events. Times are
/// microseconds with nanosecond precision.
///
/// Design note: a trace viewer draws the spans of one thread as a stack, so
/// spans on one thread must nest. Requests on one app server overlap, so each
/// server gets as many lanes (trace threads, named `server S`) as it has
/// requests open at once, and a finished request goes to its server's first
/// lane that was free when it arrived. Calls are held until their request
/// ends (only those of requests in flight, so memory follows concurrency,
/// not the length of the run); everything else streams to the output as it
/// happens. The bytes depend only on the run, never on addresses or hashing.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "stampede/simulation.h"

namespace stampede {

/// Streams a Chrome trace: `{"traceEvents":[ ... ]}`.
class TraceWriter final : public Observer {
public:
  /// Writes the opening of the document.
  /// @param out where events go; must outlive the writer (or its close()).
  explicit TraceWriter(std::ostream &out);
  /// Closes the document if close() was not called.
  ~TraceWriter() override;
  TraceWriter(const TraceWriter &) = delete;
  TraceWriter &operator=(const TraceWriter &) = delete;

  /// Writes the request's span and the spans of its calls.
  /// @param r the finished request.
  void on_request(const RequestRecord &r) override;
  /// Holds the call until its request ends. @param c the call.
  void on_call(const CallRecord &c) override;
  /// Writes an instant event. @param a the anomaly.
  void on_anomaly(const AnomalyRecord &a) override;

  /// Writes the calls of requests still in flight (on their own lanes) and
  /// the end of the document. Later events are ignored.
  void close();

  /// @return events written so far.
  std::uint64_t events() const noexcept { return events_; }

private:
  struct Lane {
    Time end = 0;      // the latest end of a span on this lane
    std::uint32_t tid; // the trace thread id
  };

  std::uint32_t lane_for(std::uint32_t server, Time start, Time end);
  void write_call(const CallRecord &c, std::uint32_t tid);
  void emit(const std::string &event);

  std::ostream &out_;
  bool closed_ = false;
  std::uint64_t events_ = 0;
  std::uint32_t next_tid_ = 1;
  std::vector<std::vector<Lane>> lanes_; // per server
  std::vector<Lane> edge_lanes_;         // page views the front cache answered (kEdgeServer)
  std::unordered_map<std::uint64_t, std::vector<CallRecord>> pending_; // by request serial
  std::vector<std::vector<CallRecord>> spare_;                         // emptied call lists, reused
  std::string buf_;
};

} // namespace stampede
