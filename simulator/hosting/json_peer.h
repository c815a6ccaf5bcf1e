// Calls as JSON over a Channel, in both directions and nested: a side that
// waits for its call's answer serves the other side's calls meanwhile. The
// class exercises' hosts use it (a student's TinyCache in the host, the
// graded checks in the parent, a callback such as count_visit's `between`
// going back to the parent and calling the cache again).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hosting/channel.h"
#include "hosting/host_process.h"

namespace stampede::hosting {

/// The host's side of a call failed: it threw (`what` is its message), it
/// crashed or exited (`ended` says how), or it did not answer in time.
struct PeerFault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Inside a catch: what was thrown, in words (`threw int`, `threw
/// std::out_of_range: vector::at`).
/// @return the words.
std::string current_exception_words();

/// One side of a JSON call channel.
class JsonPeer {
public:
  /// Serves one call from the other side: its request, our answer. What it
  /// throws goes back as an error.
  using Handler = std::function<nlohmann::json(const nlohmann::json &)>;

  /// @param channel our end. @param handler serves the other side's calls.
  JsonPeer(Channel &channel, Handler handler) : channel_(channel), handler_(std::move(handler)) {}

  /// Calls the other side and waits for its answer, serving its calls
  /// meanwhile. @param request the call. @param timeout_ms how long the
  /// other side may take (negative: forever).
  /// @return its answer. @throws PeerFault when it threw; ChannelClosed or
  /// ChannelTimeout when it is gone or late.
  nlohmann::json call(const nlohmann::json &request, int timeout_ms);

  /// Serves calls until the other side closes the channel (a host's main loop).
  void serve();

  /// Sets the handler. @param handler serves the other side's calls.
  void set_handler(Handler handler) { handler_ = std::move(handler); }

private:
  void answer(const std::string &payload);
  Channel &channel_;
  Handler handler_;
};

/// A class exercise's host, seen from the graded test: started sandboxed,
/// each call answered within a time limit, every fault a PeerFault whose
/// message says what the student's code did ("crashed (SIGSEGV)",
/// "did not return within 2 s (an endless loop?)", "threw std::out_of_range:
/// ...").
class ExerciseHost {
public:
  /// @param path the host executable. @param timeout_ms each call's limit.
  explicit ExerciseHost(std::string path, int timeout_ms = 2000);

  /// Calls the student's code; restarts the host first if a fault ended it.
  /// @param request `{"op": ..., ...}` as the exercise's adapter reads it.
  /// @return its answer. @throws PeerFault.
  nlohmann::json call(const nlohmann::json &request);

  /// Serves the host's calls back (count_visit's `between`, a Ring's hash).
  /// @param handler the parent's side.
  void on_callback(JsonPeer::Handler handler) { handler_ = std::move(handler); }

private:
  void start();
  std::string seconds_words() const;
  std::string path_;
  int depth_ = 0;
  std::string fault_;
  int timeout_ms_;
  JsonPeer::Handler handler_;
  std::unique_ptr<HostProcess> process_;
  std::unique_ptr<JsonPeer> peer_;
};

/// The host's end: serves the parent's calls with `handler` on fds 3/4 until
/// the parent goes; installs the crash reporter first. For a host's main().
/// @param handler the adapter. @return the process's exit status.
int serve_exercise_host(JsonPeer::Handler handler);

/// The host's end, for a callback into the parent while serving a call.
/// @return the peer serve_exercise_host() runs (valid only inside it).
JsonPeer &host_peer();

/// Installs the host's crash reporter: a fatal signal sends a kCrashed frame
/// naming it on fd `fd` before the process dies; the process also exits when
/// the parent's end of fd closes, even while the student's code loops.
/// @param fd the channel's fd.
void install_crash_reporter(int fd);

} // namespace stampede::hosting
