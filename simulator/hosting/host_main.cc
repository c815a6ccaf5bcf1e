// stampede-student-host LIBRARY: the process a student's strategies and
// rings run in (SPEC section 10). The simulator starts it sandboxed
// (host_process.h) and drives it over fds 3 and 4 (wire.h): it loads the
// student library here, never in the simulator, and answers one call at a
// time. What the student's code does through its Context is recorded, not
// done: the simulator checks it and does it.
#include <dlfcn.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hosting/channel.h"
#include "hosting/json_peer.h"
#include "hosting/wire.h"
#include "stampede/strategy.h"
#include "stampede/student_hashing.h"

namespace {

using namespace stampede;
using namespace stampede::hosting;

// The Context a student's strategy sees here: it records each call.
class Recorder final : public Context {
public:
  Recorder(Channel &channel, const StrategyConfig &options,
           std::vector<std::unique_ptr<Request>> &requests, Time now)
      : channel_(channel), options_(options), requests_(requests), now_(now) {}

  std::vector<ActionMsg> actions;

  void cache_get(Request &r) override { op(r, Op::kCacheGet); }
  void cache_set(Request &r) override { op(r, Op::kCacheSet); }
  void cache_add(Request &r) override { op(r, Op::kCacheAdd); }
  void cache_cas(Request &r) override { op(r, Op::kCacheCas); }
  void cache_delete(Request &r) override { op(r, Op::kCacheDelete); }
  void cache_lease_get(Request &r) override { op(r, Op::kCacheLeaseGet); }
  void cache_lease_set(Request &r) override { op(r, Op::kCacheLeaseSet); }
  void cache_invalidate(Request &r) override { op(r, Op::kCacheInvalidate); }
  void cache_get_old(Request &r) override { op(r, Op::kCacheGetOld); }
  void db_read(Request &r) override { op(r, Op::kDbRead); }
  void db_insert(Request &r) override { op(r, Op::kDbInsert); }
  void respond(Request &r) override { record(Action::kRespond, Op::kNone, 0, r); }
  void answer(Request &r) override { record(Action::kAnswer, Op::kNone, 0, r); }
  void finish(Request &r) override { record(Action::kFinish, Op::kNone, 0, r); }
  const StrategyConfig &options(const Request &) const noexcept override { return options_; }
  Time now() const noexcept override { return now_; }
  double uniform01() noexcept override {
    // The simulator's stream, so that a run draws alike wherever the strategy runs.
    channel_.send(Tag::kCall, std::string(1, static_cast<char>(Kind::kDraw)));
    Channel::Frame f = channel_.receive(-1);
    double d = 0;
    std::string_view in = f.payload;
    take(in, d);
    return d;
  }
  Request *in_flight(std::uint32_t id) noexcept override {
    return id < requests_.size() ? requests_[id].get() : nullptr;
  }

protected:
  void pause(Request &r, Time pause) override { record(Action::kWait, Op::kNone, pause, r); }

private:
  void op(Request &r, Op o) { record(Action::kOp, o, 0, r); }
  void record(Action a, Op o, Time pause, const Request &r) {
    actions.push_back(ActionMsg{a, o, pause, r});
  }
  Channel &channel_;
  const StrategyConfig &options_;
  std::vector<std::unique_ptr<Request>> &requests_;
  Time now_;
};

struct Host {
  Channel channel{3, 4};
  StrategyRegistry strategies;
  HashingRegistry rings;
  std::string load_error;
  StrategyConfig options;
  std::unique_ptr<Strategy> strategy;
  std::unique_ptr<HashRing> ring;
  // One object per Request::id, kept between calls: a strategy may hold a
  // pointer to a request it left waiting (coalesce) and act on it later.
  std::vector<std::unique_ptr<Request>> requests;

  void load(const char *path) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char *err = dlerror();
      load_error = std::string("did not load: ") + (err != nullptr ? err : "dlopen failed");
      return;
    }
    void *entry = dlsym(handle, kStudentEntryPoint);
    if (entry == nullptr) {
      load_error = std::string("does not export ") + kStudentEntryPoint;
      return;
    }
    reinterpret_cast<StudentEntryPoint>(entry)(strategies);
    if (void *hashings = dlsym(handle, kStudentHashingEntryPoint); hashings != nullptr)
      reinterpret_cast<StudentHashingEntryPoint>(hashings)(rings);
  }

  std::string list() const {
    nlohmann::json j = {{"strategies", nlohmann::json::array()},
                        {"rings", nlohmann::json::array()}};
    for (const std::string &n : strategies.names())
      j["strategies"].push_back({n, strategies.description(n)});
    for (const std::string &n : rings.names())
      j["rings"].push_back({n, rings.description(n)});
    return j.dump();
  }

  std::string make(std::string_view text) {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (j.contains("ring")) {
      ring = rings.make(j["ring"].get<std::string>());
      return {};
    }
    options.name = j.at("name");
    options.ttl_s = j.at("ttl_s");
    options.warm = j.at("warm");
    options.cas = j.at("cas");
    options.lease_interval_s = j.at("lease_interval_s");
    options.lease_wait_s = j.at("lease_wait_s");
    options.lease_stale = j.at("lease_stale");
    strategy = strategies.make(options);
    requests.clear(); // a host kept for the next run (KeepHosts) starts it afresh
    Made m;
    m.uses_cache = strategy->uses_cache() ? 1 : 0;
    m.updates_cache_on_submit = strategy->updates_cache_on_submit() ? 1 : 0;
    m.cache_ttl_s = strategy->cache_ttl_s(options);
    std::string out;
    put(out, m);
    return out;
  }

  std::string callback(std::string_view in) {
    CallbackMsg msg;
    if (!take(in, msg) || strategy == nullptr)
      throw std::runtime_error("a callback before the strategy was made");
    const std::uint32_t id = msg.request.id;
    if (id >= requests.size())
      requests.resize(id + 1);
    if (!requests[id])
      requests[id] = std::make_unique<Request>();
    Request &r = *requests[id];
    r = msg.request;
    Recorder ctx(channel, options, requests, msg.now);
    switch (msg.which) {
    case Callback::kView:
      strategy->view(ctx, r);
      break;
    case Callback::kSubmit:
      strategy->submit(ctx, r);
      break;
    case Callback::kResume:
      strategy->resume(ctx, r, msg.reply);
      break;
    }
    std::string out;
    put(out, static_cast<std::uint32_t>(ctx.actions.size()));
    for (const ActionMsg &a : ctx.actions)
      put(out, a);
    put(out, r);
    return out;
  }

  std::string ring_call(std::string_view in) {
    RingCall what{};
    std::int32_t node = 0;
    if (!take(in, what) || !take(in, node) || ring == nullptr)
      throw std::runtime_error("a ring call before the ring was made");
    std::int32_t result = 0;
    switch (what) {
    case RingCall::kAdd:
      ring->add_node(node);
      break;
    case RingCall::kRemove:
      ring->remove_node(node);
      break;
    case RingCall::kNodeFor:
      result = ring->node_for(in);
      break;
    }
    std::string out;
    put(out, result);
    return out;
  }

  std::string serve(std::string_view payload) {
    const Kind kind = static_cast<Kind>(payload.empty() ? 0 : payload[0]);
    payload.remove_prefix(payload.empty() ? 0 : 1);
    switch (kind) {
    case Kind::kList:
      return list();
    case Kind::kMake:
      return make(payload);
    case Kind::kCallback:
      return callback(payload);
    case Kind::kRing:
      return ring_call(payload);
    default:
      throw std::runtime_error("an unknown call");
    }
  }
};

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: stampede-student-host LIBRARY (started by stampede, fds 3/4)\n");
    return 2;
  }
  install_crash_reporter(3);
  Host host;
  try {
    host.load(argv[1]);
  } catch (...) {
    host.load_error = current_exception_words() + " while it was loaded";
  }
  for (;;) {
    Channel::Frame f;
    try {
      f = host.channel.receive(-1);
    } catch (const ChannelClosed &) {
      return 0;
    }
    if (f.tag != Tag::kCall)
      continue;
    if (!host.load_error.empty()) {
      host.channel.send(Tag::kError, host.load_error);
      continue;
    }
    try {
      const std::string out = host.serve(f.payload);
      host.channel.send(Tag::kReturn, out);
    } catch (const ChannelClosed &) {
      return 0;
    } catch (...) {
      host.channel.send(Tag::kError, current_exception_words());
    }
  }
}
