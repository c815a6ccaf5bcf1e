// The proxies that stand for a student's strategy or ring: each call goes to the
// sandboxed host, and what comes back is checked against the contract before it acts.
#include "hosting/hosted.h"

#include <exception>
#include <mutex>

#include <cstring>
#include <nlohmann/json.hpp>

namespace stampede::hosting {

namespace {

std::string g_library; // set once at load, before any run starts

std::string payload_of(Kind kind) { return std::string(1, static_cast<char>(kind)); }

nlohmann::json config_json(const StrategyConfig &c) {
  return {{"name", c.name},
          {"ttl_s", c.ttl_s},
          {"warm", c.warm},
          {"cas", c.cas},
          {"lease_interval_s", c.lease_interval_s},
          {"lease_wait_s", c.lease_wait_s},
          {"lease_stale", c.lease_stale}};
}

// One exchange with a host that takes no callbacks back: the answer, or the
// reason it never came, in words.
std::string ask(HostProcess &host, const std::string &payload, int timeout_ms, std::string *why) {
  try {
    host.channel().send(Tag::kCall, payload);
    Channel::Frame f = host.channel().receive(timeout_ms);
    if (f.tag == Tag::kReturn)
      return f.payload;
    if (f.tag == Tag::kError)
      *why = f.payload;
    else if (f.tag == Tag::kCrashed)
      *why = host.how_it_ended(f.payload);
    else
      *why = "answered with an unknown frame";
  } catch (const ChannelTimeout &) {
    host.kill();
    *why = "did not answer within " + std::to_string(timeout_ms / 1000) + " s (an endless loop?)";
  } catch (const ChannelClosed &) {
    *why = host.how_it_ended();
  }
  return {};
}

std::unique_ptr<HostProcess> start_host(const std::string &library) {
  return std::make_unique<HostProcess>(std::vector<std::string>{student_host_path(), library});
}

// Hosts kept for their library's next strategy (KeepHosts).
std::mutex g_kept_mutex;
int g_keepers = 0;
std::vector<std::pair<std::string, std::unique_ptr<HostProcess>>> g_kept;

std::unique_ptr<HostProcess> take_host(const std::string &library) {
  {
    const std::lock_guard<std::mutex> lock(g_kept_mutex);
    for (auto it = g_kept.begin(); it != g_kept.end(); ++it)
      if (it->first == library) {
        std::unique_ptr<HostProcess> host = std::move(it->second);
        g_kept.erase(it);
        return host;
      }
  }
  return start_host(library);
}

bool same_page(const Page &a, const Page &b) {
  return a.count == b.count && std::memcmp(a.posts, b.posts, sizeof a.posts) == 0 &&
         a.stored_by == b.stored_by && a.stored_at == b.stored_at && a.read_at == b.read_at;
}

// A strategy may move pages, never make them: a request's page is the one
// it had, or the page of the request whose callback this is (a coalesce
// leader's answer for its followers), and a submit may add its own post.
bool page_allowed(const Page &now, const Request &real, const Request &caller) {
  for (const Page *from : {&real.page, &caller.page}) {
    if (same_page(now, *from))
      return true;
    if (real.submit && real.post != 0) {
      Page with = *from;
      with.add(real.post);
      if (same_page(now, with))
        return true;
    }
  }
  return false;
}

// The first field a strategy may not write that differs, as `r.key (0 to
// 4294967295)`; empty when none does. Ids, keys and servers index the
// simulator's tables; post and cas come from the database and the cache.
std::string forged_field(const Request &was, const Request &now) {
  const auto said = [](const char *field, auto a, auto b) {
    return std::string("r.") + field + " (" + std::to_string(a) + " to " + std::to_string(b) + ")";
  };
  if (now.id != was.id)
    return said("id", was.id, now.id);
  if (now.key != was.key)
    return said("key", was.key, now.key);
  if (now.server != was.server)
    return said("server", was.server, now.server);
  if (now.submit != was.submit)
    return said("submit", int{was.submit}, int{now.submit});
  if (now.post != was.post)
    return said("post", was.post, now.post);
  if (now.cas != was.cas)
    return said("cas", was.cas, now.cas);
  return {};
}

const char *action_words(const ActionMsg &a) {
  switch (a.action) {
  case Action::kOp:
    return op_label(a.op);
  case Action::kWait:
    return "wait";
  case Action::kRespond:
    return "respond";
  case Action::kAnswer:
    return "answer";
  case Action::kFinish:
    return "finish";
  }
  return "?";
}

} // namespace

void set_hosted_library(const std::string &library) { g_library = library; }

bool parse_actions(std::string_view in, std::vector<ActionMsg> &actions, Request &after) {
  // The host runs the student's code: its bytes are checked like any input.
  std::uint32_t n = 0;
  if (!take(in, n) || n > kMaxActions)
    return false;
  actions.resize(n);
  for (ActionMsg &a : actions) {
    if (!take(in, a))
      return false;
    const auto action = static_cast<std::uint8_t>(a.action);
    const auto op = static_cast<std::uint8_t>(a.op);
    if (action < static_cast<std::uint8_t>(Action::kOp) ||
        action > static_cast<std::uint8_t>(Action::kFinish) ||
        op > static_cast<std::uint8_t>(Op::kCacheGetOld) || a.request.page.count > kPagePosts)
      return false;
  }
  return take(in, after) && in.empty() && after.page.count <= kPagePosts;
}

LibraryListing list_library(const std::string &library) {
  std::unique_ptr<HostProcess> host = start_host(library);
  std::string why;
  const std::string answer = ask(*host, payload_of(Kind::kList), 10000, &why);
  if (!why.empty()) {
    // The host's own words ("did not load: ...", "threw ... while it was
    // loaded") say when; a crash or an exit is said here to be the load's.
    const bool ended = why.starts_with("crashed") || why.starts_with("exited") ||
                       why.starts_with("did not answer") || why.starts_with("closed");
    throw StudentCodeError(library + ": " + why + (ended ? " while it was loaded" : ""));
  }
  LibraryListing out;
  const nlohmann::json j = nlohmann::json::parse(answer, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw StudentCodeError(library + ": its host answered the listing with no JSON object");
  for (const auto &e : j.value("strategies", nlohmann::json::array()))
    out.strategies.emplace_back(e.at(0).get<std::string>(), e.at(1).get<std::string>());
  for (const auto &e : j.value("rings", nlohmann::json::array()))
    out.rings.emplace_back(e.at(0).get<std::string>(), e.at(1).get<std::string>());
  return out;
}

std::unique_ptr<Strategy> make_hosted_strategy(const StrategyConfig &config) {
  return std::make_unique<HostedStrategy>(g_library, config);
}

std::unique_ptr<HashRing> make_hosted_ring(std::string_view name) {
  return std::make_unique<HostedRing>(g_library, std::string(name));
}

// ------------------------------------------------------------- strategies

KeepHosts::KeepHosts() {
  const std::lock_guard<std::mutex> lock(g_kept_mutex);
  ++g_keepers;
}

KeepHosts::~KeepHosts() {
  std::vector<std::pair<std::string, std::unique_ptr<HostProcess>>> ending;
  {
    const std::lock_guard<std::mutex> lock(g_kept_mutex);
    if (--g_keepers == 0)
      ending.swap(g_kept);
  }
}

HostedStrategy::~HostedStrategy() {
  if (host_ == nullptr || faulted_ || std::uncaught_exceptions() > 0)
    return;
  const std::lock_guard<std::mutex> lock(g_kept_mutex);
  if (g_keepers > 0)
    g_kept.emplace_back(library_, std::move(host_));
}

HostedStrategy::HostedStrategy(const std::string &library, const StrategyConfig &config)
    : name_(config.name), library_(library), host_(take_host(library)) {
  std::string why;
  const std::string answer =
      ask(*host_, payload_of(Kind::kMake) + config_json(config).dump(), 10000, &why);
  if (!why.empty())
    throw StudentCodeError(name_ + ": " + why + " while the strategy was made");
  if (answer.size() != sizeof(Made))
    throw StudentCodeError(name_ + ": its host answered the making with " +
                           std::to_string(answer.size()) + " bytes");
  std::memcpy(&made_, answer.data(), sizeof made_);
}

HostedStrategy::Track &HostedStrategy::track(std::uint32_t id) {
  if (id >= tracks_.size())
    tracks_.resize(id + 1);
  return tracks_[id];
}

void HostedStrategy::fault(std::uint64_t slot, const std::string &after) const {
  faulted_ = true;
  std::string words = " (step " + std::to_string(step_) + ")";
  if (in_ == Callback::kResume)
    words = " after its " + std::string(op_label(after_)) + words;
  throw StudentFault(name_ + ": " + callback_name(in_) + " of request #", slot,
                     words + " " + after);
}

void HostedStrategy::view(Context &ctx, Request &r) { call(Callback::kView, ctx, r, Reply{}); }
void HostedStrategy::submit(Context &ctx, Request &r) { call(Callback::kSubmit, ctx, r, Reply{}); }
void HostedStrategy::resume(Context &ctx, Request &r, const Reply &reply) {
  call(Callback::kResume, ctx, r, reply);
}

std::vector<ActionMsg> HostedStrategy::exchange(Callback which, Context &ctx, const Request &r,
                                                const Reply &reply, Request &after) {
  std::string out = payload_of(Kind::kCallback);
  put(out, CallbackMsg{which, ctx.now(), r, reply});
  Channel &ch = host_->channel();
  std::string ended;
  try {
    ch.send(Tag::kCall, out);
    for (;;) {
      Channel::Frame f = ch.receive(kCallbackLimitMs);
      if (f.tag == Tag::kCall) { // a draw from the strategies' stream, mid-callback
        std::string d;
        put(d, ctx.uniform01());
        ch.send(Tag::kReturn, d);
        continue;
      }
      if (f.tag == Tag::kError)
        fault(r.id, f.payload);
      if (f.tag == Tag::kCrashed) {
        ended = host_->how_it_ended(f.payload);
        break;
      }
      std::vector<ActionMsg> actions;
      if (!parse_actions(f.payload, actions, after))
        fault(r.id, "sent a malformed answer from its host");
      return actions;
    }
  } catch (const ChannelTimeout &) {
    faulted_ = true;
    host_->kill();
    throw StudentFault(
        name_ + ": did not return from " + callback_name(which) + " of request #", r.id,
        " within " + std::to_string(kCallbackLimitMs / 1000) + " s (an endless loop?)");
  } catch (const ChannelClosed &) {
    ended = host_->how_it_ended();
  }
  faulted_ = true;
  std::string where = " (step " + std::to_string(r.step) + ")";
  if (which == Callback::kResume)
    where = " after its " + std::string(op_label(reply.op)) + where;
  throw StudentFault(name_ + ": " + ended + " in " + callback_name(which) + " of request #", r.id,
                     where);
}

void HostedStrategy::call(Callback which, Context &ctx, Request &r, const Reply &reply) {
  const Request received = r; // pages may come from here (a leader's, for its followers)
  std::vector<ActionMsg> actions;
  Request after;
  in_ = which;
  step_ = r.step;
  after_ = reply.op;
  Track &t = track(r.id);
  if (which != Callback::kResume)
    t = Track{.live = true};
  t.pending = false;
  t.parked_at = -1;
  actions = exchange(which, ctx, r, reply, after);
  if (const std::string field = forged_field(r, after); !field.empty())
    fault(r.id, "changed " + field + ", which only the simulator may set");
  const ActionMsg *continued = nullptr;
  for (const ActionMsg &a : actions) {
    const std::uint32_t id = a.request.id;
    const bool own = id == r.id;
    Request *real = own ? &r : ctx.in_flight(id);
    if (real == nullptr || id >= tracks_.size() || !tracks_[id].live)
      fault(r.id, std::string("called ") + action_words(a) + " for request id " +
                      std::to_string(id) + ", which is not in service");
    if (own && continued != nullptr)
      fault(r.id, std::string("issued two operations (") + action_words(*continued) + ", then " +
                      action_words(a) + "); a callback issues one and waits for its reply");
    apply(ctx, *real, a, received);
    if (own && a.action != Action::kAnswer)
      continued = &a;
  }
  if (continued == nullptr && r.id < tracks_.size() && tracks_[r.id].live) {
    // Left waiting: allowed (coalesce's followers are answered by their
    // leader), as long as something answers it; run_ended() checks.
    Track &t = tracks_[r.id];
    r.step = after.step;
    r.retries = after.retries;
    t.parked_at = ctx.now();
    t.parked_in = which;
    t.parked_step = step_;
    t.parked_after = after_;
  }
}

void HostedStrategy::apply(Context &ctx, Request &real, const ActionMsg &a, const Request &caller) {
  const Request &w = a.request;
  Track &t = tracks_[w.id];
  // A fault names the request whose callback this is; an action on another
  // (a follower it left waiting) says which, by its worker slot.
  const auto bad = [&](const std::string &what) {
    fault(caller.id,
          (w.id == caller.id ? std::string()
                             : "for the request in worker slot " + std::to_string(w.id) + ", ") +
              what);
  };
  if (const std::string field = forged_field(real, w); !field.empty())
    bad("changed " + field + ", which only the simulator may set, before its " + action_words(a));
  if (!page_allowed(w.page, real, caller))
    bad(std::string("put a page into r.page that no cache call or query returned, before "
                    "its ") +
        action_words(a));
  const bool ends = a.action == Action::kRespond || a.action == Action::kFinish;
  const bool answers = a.action == Action::kRespond || a.action == Action::kAnswer;
  if (answers && t.answered)
    bad("answered it twice");
  if (a.action == Action::kFinish && !t.answered)
    bad("called finish() before answer()");
  if (!answers && t.pending)
    bad(std::string("issued a ") + action_words(a) + " while its last operation was in flight");
  real.step = w.step;
  real.retries = w.retries;
  real.page = w.page;
  t.answered = t.answered || answers;
  if (a.action == Action::kOp || a.action == Action::kWait) {
    t.pending = true;
    t.parked_at = -1;
  }
  if (ends) {
    t.live = false;
    t.parked_at = -1;
  }
  switch (a.action) {
  case Action::kOp:
    switch (a.op) {
    case Op::kCacheGet:
      return ctx.cache_get(real);
    case Op::kCacheSet:
      return ctx.cache_set(real);
    case Op::kCacheAdd:
      return ctx.cache_add(real);
    case Op::kCacheCas:
      return ctx.cache_cas(real);
    case Op::kCacheDelete:
      return ctx.cache_delete(real);
    case Op::kDbRead:
      return ctx.db_read(real);
    case Op::kDbInsert:
      if (!real.submit)
        bad("inserted a post for a page view");
      return ctx.db_insert(real);
    case Op::kCacheLeaseGet:
      return ctx.cache_lease_get(real);
    case Op::kCacheLeaseSet:
      return ctx.cache_lease_set(real);
    case Op::kCacheInvalidate:
      return ctx.cache_invalidate(real);
    case Op::kCacheGetOld:
      return ctx.cache_get_old(real);
    default:
      bad("issued an operation the simulator does not know");
      return;
    }
  case Action::kWait:
    if (a.pause <= 0 || a.pause > 3600 * kSecond)
      bad("waited for a pause out of range");
    return ctx.pause(real, a.pause);
  case Action::kRespond:
    return ctx.respond(real);
  case Action::kAnswer:
    return ctx.answer(real);
  case Action::kFinish:
    return ctx.finish(real);
  }
}

void HostedStrategy::run_ended(Time now) {
  // Parked longer than this at the end: nothing was coming for it. (The
  // reality lab gives a left request 10 s of wall-clock time alike.)
  constexpr Time kLeftLimit = 10 * kSecond;
  std::uint64_t left = 0;
  std::uint32_t first = 0;
  for (std::uint32_t id = 0; id < tracks_.size(); ++id) {
    const Track &t = tracks_[id];
    if (t.live && t.parked_at >= 0 && now - t.parked_at > kLeftLimit && left++ == 0)
      first = id;
  }
  if (left == 0)
    return;
  const Track &t = tracks_[first];
  in_ = t.parked_in;
  step_ = t.parked_step;
  after_ = t.parked_after;
  fault(first,
        "returned without an operation or an answer, and nothing answered it in the 10 s "
        "that followed" +
            (left > 1 ? " (" + std::to_string(left) + " requests were left so)" : std::string()));
}

// ------------------------------------------------------------------ rings

HostedRing::HostedRing(const std::string &library, std::string name)
    : name_(std::move(name)), host_(start_host(library)) {
  std::string why;
  ask(*host_, payload_of(Kind::kMake) + nlohmann::json{{"ring", name_}}.dump(), 10000, &why);
  if (!why.empty())
    throw StudentCodeError("cache.hashing " + name_ + ": " + why + " while the ring was made");
}

std::int32_t HostedRing::call(RingCall what, std::int32_t node, std::string_view key) const {
  std::string out = payload_of(Kind::kRing);
  put(out, what);
  put(out, node);
  out.append(key);
  std::string why;
  const std::string answer = ask(*host_, out, kCallbackLimitMs, &why);
  const char *fn = what == RingCall::kAdd      ? "add_node("
                   : what == RingCall::kRemove ? "remove_node("
                                               : "node_for(\"";
  const std::string arg =
      what == RingCall::kNodeFor ? std::string(key) + "\"" : std::to_string(node);
  if (!why.empty())
    throw StudentCodeError("cache.hashing " + name_ + ": " + fn + arg + ") " + why);
  std::int32_t result = 0;
  std::string_view in = answer;
  take(in, result);
  return result;
}

void HostedRing::add_node(int node) { call(RingCall::kAdd, node, {}); }
void HostedRing::remove_node(int node) { call(RingCall::kRemove, node, {}); }
int HostedRing::node_for(std::string_view key) const { return call(RingCall::kNodeFor, 0, key); }

} // namespace stampede::hosting
