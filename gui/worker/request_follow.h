// Following one request: its life as a sequence of events (arrival, queue,
// CPU, each cache call with its reply, each query with its wait and its
// service, the response), gathered from the observer's records, and each
// anomaly it showed with its cause in words. Qt-free, like RunControl: the
// worker keeps a RecentRecords ring of every record (and the run's first
// records, so its first requests stay followable), and when the user picks
// a request (a dot, an anomaly marker, a row, a student's fault), a
// RequestFollower is seeded from the ring and then fed live until the
// request is done.
//
//     RecentRecords recent;              // fed every record of the run
//     RequestFollower f(5027);
//     recent.replay(f);                  // what happened so far
//     ...f.on_activity(a)...             // then live
//     f.entries();                       // the timeline
//     f.take_step();                     // "req #5027: cache get -> miss at 10.0153 s"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stampede/simulation.h"

namespace stampede::gui {

/// Where an entry sits in the sequence diagram.
enum class Lane : std::uint8_t { kUser, kApp, kCache, kDatabase };

/// One event or span of a followed request.
struct TimelineEntry {
  Lane lane = Lane::kApp;
  Time at = 0;          ///< When it began.
  Time until = -1;      ///< When it ended; -1: an instant, or not yet known.
  std::string what;     ///< In words: "cache get -> miss", "waits for a DB connection".
  bool anomaly = false; ///< An anomaly this request showed (with its cause).
};

/// An anomaly and its cause, in a sentence for the timeline.
/// @param a the record (AnomalyRecord carries the post, cause and snapshot).
/// @return e.g. "stale read: the page lacks post 12, committed at 10.020 s;
///         it was stored by request #4990 at 10.101 s from a query that began
///         at 10.001 s, before that commit"; for a page a migration's
///         fallback copied from the old tier, who copied it and the delete
///         the copy outlived ("... copied from the old tier by request #1 at
///         2.0207 s, after request #0's delete at 2.0200 s: ...").
std::string explain(const AnomalyRecord &a);

/// The life of one request, as far as it is known.
class RequestFollower {
public:
  /// @param serial the request to follow.
  explicit RequestFollower(std::uint64_t serial) : serial_(serial) {}

  /// @return the request followed.
  std::uint64_t serial() const noexcept { return serial_; }

  /// Where the old tier's nodes begin among a cache call's node indices
  /// while a migration is under way (StackState: the tier's nodes, the
  /// gutter pool's, then the old tier's, from cache_items.size()), so the
  /// calls that follow name their node as "old memcached I".
  /// @param first that index; -1 (kNoOldTier): no migration is under way.
  void set_old_tier_from(std::int32_t first) noexcept { old_from_ = first; }
  static constexpr std::int32_t kNoOldTier = -1;

  // Records of the run; those of other requests are ignored.
  void on_activity(const ActivityRecord &a);
  void on_call(const CallRecord &c);
  void on_request(const RequestRecord &r);
  /// @param a the anomaly. @param story what else is known of its cause
  ///        (RecentRecords::stampede_story), appended to its sentence.
  void on_anomaly(const AnomalyRecord &a, const std::string &story = {});
  /// The run stopped in this request: a student's strategy broke the
  /// strategy contract while it ran (StudentFault). Adds it to the
  /// timeline as an anomaly, where it happened in the request's life.
  /// @param at when. @param why the fault's sentence.
  void on_fault(Time at, const std::string &why);
  /// Records of this request were lost between those fed so far and the
  /// next (RecentRecords::replay): the timeline says so where they are missing.
  void on_gap();

  /// @return the timeline, in the order things happened.
  const std::vector<TimelineEntry> &entries() const noexcept { return entries_; }
  /// @return true once the request let go of its worker.
  bool done() const noexcept { return done_; }
  /// @return true when the first records of the request were no longer
  ///         kept when following began (the timeline starts later).
  bool begins_late() const noexcept { return !seen_start_ && !entries_.empty(); }
  /// What happened to the request since the last call, in words, for Step:
  /// "req #5027: cache get -> miss at 10.0153 s; db read runs (100.0 ms) at
  /// 10.0153 s". @return it, or empty when nothing did.
  std::string take_step();

private:
  void add(Lane lane, Time at, Time until, std::string what, bool anomaly = false);
  /// Names the cas at `cas_entry` with the unique it sent, and the get
  /// before it a gets that returned it (once).
  void tell_cas(std::size_t cas_entry, std::uint64_t unique);

  /// A cache call's node in words: "memcached 1", "old memcached 0".
  std::string node_name(std::int32_t node) const;

  std::uint64_t serial_;
  std::int32_t old_from_ = kNoOldTier; ///< set_old_tier_from()
  std::vector<TimelineEntry> entries_;
  std::vector<std::string> news_; ///< Facts since take_step().
  bool done_ = false;
  bool seen_start_ = false;
  std::int64_t open_call_ = -1;           ///< Entry index of the call awaiting its reply.
  std::int64_t last_get_ = -1;            ///< Entry index of the last get that hit.
  std::optional<AnomalyRecord> conflict_; ///< A CAS conflict awaiting its call's entry.
};

/// What the kept records say started a stampede (RecentRecords::stampede_cause).
struct StampedeCause {
  std::uint64_t deleter = kNoSerial; ///< The request whose delete emptied the key (none: unknown).
  Time deleted_at = -1;              ///< When it deleted.
  bool deleter_submit = false;       ///< It was a submit.
  /// A page query of the key.
  struct Query {
    std::uint64_t serial = kNoSerial; ///< Its request.
    Time from = -1, until = -1;       ///< Issued; ended (-1: still queued).
  };
  Query overlapped;       ///< The first query still in flight when the stampede began.
  std::size_t others = 0; ///< How many more of the same page were in flight.
};

/// The newest records of a run (a ring of fixed size: no allocation once
/// full), so a request picked after the fact can still be followed, and
/// its first records, kept for the whole run: a request of the run's first
/// moments (a student's strategy typically breaks on request #0, and one
/// never answered is noticed only at the run's end) can be followed however
/// long ago it began.
class RecentRecords {
public:
  /// @param capacity records kept (activities, calls, requests, anomalies).
  /// @param first the run's first records kept besides (0: none).
  explicit RecentRecords(std::size_t capacity = 1u << 16, std::size_t first = 1u << 12);

  void on_activity(const ActivityRecord &a) { push(Record{a}); }
  void on_call(const CallRecord &c) { push(Record{c}); }
  void on_request(const RequestRecord &r) { push(Record{r}); }
  void on_anomaly(const AnomalyRecord &a) { push(Record{a}); }
  /// Forgets everything (a restart).
  void clear() noexcept {
    next_ = 0;
    first_.clear();
  }

  /// Feeds `f` every kept record of its request, oldest first (the run's
  /// first records, then the ring's; RequestFollower::on_gap() between
  /// them when records were lost in between).
  /// @param f the follower.
  void replay(RequestFollower &f) const;

  /// @return how many records were ever pushed (a mark for describe_since).
  std::uint64_t count() const noexcept { return next_; }
  /// What the records pushed since `mark` say happened, in words, request
  /// by request ("req #12: cache get -> miss at 1.0005 s | req #13: ...").
  /// @param mark an earlier count().
  /// @param old_from where the old tier's node indices begin
  ///        (RequestFollower::set_old_tier_from), -1: no migration.
  /// @return the words, empty when nothing was pushed.
  std::string describe_since(std::uint64_t mark,
                             std::int32_t old_from = RequestFollower::kNoOldTier) const;
  /// A stampede's cause as the kept records tell it: the delete that
  /// emptied the key before it (none if the key was filled again since), and
  /// the page queries of the key in flight when it began.
  /// @param a the stampede (its key and instant).
  StampedeCause stampede_cause(const AnomalyRecord &a) const;
  /// The same in words, for the timeline ("; submit #5000 deleted the page
  /// at 5.0004 s, ...; it overlapped request #5003's query, issued at
  /// 5.0011 s ..., and 3 more"). @param a an anomaly. @return the words,
  /// empty for another kind or when nothing is kept.
  std::string stampede_story(const AnomalyRecord &a) const;

private:
  struct Record {
    enum class Kind : std::uint8_t { kActivity, kCall, kRequest, kAnomaly } kind;
    union {
      ActivityRecord activity;
      CallRecord call;
      RequestRecord request;
      AnomalyRecord anomaly;
    };
    explicit Record(const ActivityRecord &a) : kind(Kind::kActivity), activity(a) {}
    explicit Record(const CallRecord &c) : kind(Kind::kCall), call(c) {}
    explicit Record(const RequestRecord &r) : kind(Kind::kRequest), request(r) {}
    explicit Record(const AnomalyRecord &a) : kind(Kind::kAnomaly), anomaly(a) {}
    Record() : kind(Kind::kCall), call{} {}
    std::uint64_t serial() const noexcept;
  };
  void push(const Record &r) {
    if (first_.size() < first_capacity_)
      first_.push_back(r); // reserved up front: never reallocates
    ring_[next_++ % ring_.size()] = r;
  }
  void feed(RequestFollower &f, const Record &r) const;

  std::vector<Record> ring_;
  std::vector<Record> first_; // records 0 .. first_capacity_ - 1 of the run
  std::size_t first_capacity_;
  std::uint64_t next_ = 0;
};

} // namespace stampede::gui
