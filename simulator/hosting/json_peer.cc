// Calls as JSON over a Channel, nested in both directions: waiting for an answer, a
// side serves the other side's calls (the class exercises' hosts and graded checks).
#include "hosting/json_peer.h"

#include <cxxabi.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

namespace stampede::hosting {

std::string current_exception_words() {
  std::string type = "an exception";
  if (const std::type_info *t = abi::__cxa_current_exception_type(); t != nullptr) {
    int status = 0;
    char *name = abi::__cxa_demangle(t->name(), nullptr, nullptr, &status);
    type = status == 0 && name != nullptr ? name : t->name();
    std::free(name);
  }
  try {
    throw;
  } catch (const std::exception &e) {
    return "threw " + type + ": " + e.what();
  } catch (...) {
    return "threw " + type + " (not a std::exception)";
  }
}

namespace {

JsonPeer *g_host_peer = nullptr;

// What the crash reporter writes: a whole frame, made before any crash.
struct CrashFrame {
  char bytes[64];
  std::size_t size = 0;
};
CrashFrame g_crash_frames[32];
int g_crash_fd = -1;

void on_fatal_signal(int sig) {
  if (g_crash_fd >= 0 && sig > 0 && sig < 32 && g_crash_frames[sig].size > 0) {
    const ssize_t ignored =
        ::write(g_crash_fd, g_crash_frames[sig].bytes, g_crash_frames[sig].size);
    (void)ignored;
  }
  // SA_RESETHAND put the default action back: die of the same signal.
  ::raise(sig);
}

} // namespace

nlohmann::json JsonPeer::call(const nlohmann::json &request, int timeout_ms) {
  channel_.send(Tag::kCall, request.dump());
  for (;;) {
    Channel::Frame f = channel_.receive(timeout_ms);
    switch (f.tag) {
    case Tag::kReturn:
      return nlohmann::json::parse(f.payload);
    case Tag::kError:
      throw PeerFault(f.payload);
    case Tag::kCrashed:
      throw HostCrashed(f.payload);
    case Tag::kCall:
      answer(f.payload);
      break;
    default:
      throw ChannelClosed("an unknown frame");
    }
  }
}

void JsonPeer::answer(const std::string &payload) {
  std::string out;
  Tag tag = Tag::kReturn;
  try {
    out = handler_(nlohmann::json::parse(payload)).dump();
  } catch (const ChannelClosed &) {
    throw; // the channel itself is gone: nothing to answer
  } catch (...) {
    tag = Tag::kError;
    out = current_exception_words();
  }
  channel_.send(tag, out);
}

void JsonPeer::serve() {
  for (;;) {
    Channel::Frame f;
    try {
      f = channel_.receive(-1);
    } catch (const ChannelClosed &) {
      return;
    }
    if (f.tag == Tag::kCall)
      answer(f.payload);
  }
}

ExerciseHost::ExerciseHost(std::string path, int timeout_ms)
    : path_(std::move(path)), timeout_ms_(timeout_ms) {}

void ExerciseHost::start() {
  process_ = std::make_unique<HostProcess>(std::vector<std::string>{path_});
  peer_ = std::make_unique<JsonPeer>(
      process_->channel(), handler_ ? handler_ : [](const nlohmann::json &) -> nlohmann::json {
        throw std::runtime_error("the graded test serves no callback");
      });
}

nlohmann::json ExerciseHost::call(const nlohmann::json &request) {
  if (!process_)
    start();
  if (handler_)
    peer_->set_handler(handler_);
  // A callback (count_visit's `between`) may call the host again: only the
  // outermost call ends a broken host, and it reports the first fault.
  struct Depth {
    int &d;
    explicit Depth(int &depth) : d(++depth) {}
    ~Depth() { --d; }
  } depth(depth_);
  std::string ended;
  try {
    return peer_->call(request, timeout_ms_);
  } catch (const ChannelTimeout &) {
    process_->kill();
    ended = "did not return within " + seconds_words() + " (an endless loop?)";
  } catch (const HostCrashed &e) {
    ended = process_->how_it_ended(e.what());
  } catch (const ChannelClosed &) {
    ended = process_->how_it_ended();
  }
  if (fault_.empty())
    fault_ = ended;
  if (depth_ > 1)
    throw PeerFault(fault_);
  peer_.reset();
  process_.reset(); // the next call starts afresh
  throw PeerFault(std::exchange(fault_, std::string()));
}

std::string ExerciseHost::seconds_words() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", timeout_ms_ / 1000.0);
  return buf;
}

void install_crash_reporter(int fd) {
  g_crash_fd = fd;
  static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
  // A stack of its own, so that an endless recursion's overflow is reported too.
  static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  ::sigaltstack(&ss, nullptr);
  for (const int sig : fatal) {
    const std::string name = signal_name(sig);
    std::string frame;
    put(frame, static_cast<std::uint32_t>(name.size() + 1));
    frame.push_back(static_cast<char>(Tag::kCrashed));
    frame += name;
    std::memcpy(g_crash_frames[sig].bytes, frame.data(), frame.size());
    g_crash_frames[sig].size = frame.size();
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
    ::sigaction(sig, &sa, nullptr);
  }
  // The parent gone (its end closed), the host goes too, even mid-loop.
  std::thread([fd] {
    pollfd pfd{fd, 0, 0};
    while (::poll(&pfd, 1, -1) < 0 || (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) == 0) {
    }
    ::_exit(1);
  }).detach();
}

int serve_exercise_host(JsonPeer::Handler handler) {
  install_crash_reporter(3);
  Channel channel(3, 4);
  JsonPeer peer(channel, std::move(handler));
  g_host_peer = &peer;
  peer.serve();
  return 0;
}

JsonPeer &host_peer() { return *g_host_peer; }

} // namespace stampede::hosting
