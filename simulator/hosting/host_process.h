// A process that runs student code, apart from the simulator (SPEC section
// 10). Started inside Debian's bubblewrap where it can start (no network, a
// read-only file system but for a private /tmp, its own process ids, gone
// when its parent goes), always under CPU-time, memory and file-size limits,
// and killed with every process it started when this object goes.
//
// The shape, from the outside in:
//
//     simulator --fork--> keeper (own process group) --fork/exec--> bwrap -> host
//
// The keeper exists so that the sandbox's "die with parent" follows a
// process that lives as long as the host, not the simulator thread that
// happened to start it (Linux sends the parent-death signal when the
// creating thread exits). Killing the keeper's group ends them all.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "hosting/channel.h"

namespace stampede::hosting {

/// Limits every host runs under (setrlimit, inherited through bwrap).
struct HostLimits {
  int cpu_s = 300;                    ///< CPU time in all (RLIMIT_CPU).
  long long memory_bytes = 2LL << 30; ///< Address space (RLIMIT_AS).
  long long file_bytes = 64LL << 20;  ///< Largest file written (RLIMIT_FSIZE).
};

/// How sandboxing went on this machine: decided once per process.
struct SandboxState {
  bool bwrap = false;  ///< Hosts run inside bubblewrap.
  std::string why_not; ///< When not: why, in a sentence.
};

/// @return whether bubblewrap can start here (tried once; `STAMPEDE_NO_SANDBOX=1`
/// turns it off). When it cannot, the first call says so once on stderr.
const SandboxState &sandbox_state();

/// A running host, with the simulator's end of its channel.
class HostProcess {
public:
  /// Starts `argv` (argv[0] a path) as a host; its fds 3 and 4 are the
  /// channel (3 in, 4 out); its stdout goes to our stderr. The environment
  /// variable STAMPEDE_HOST_CPU_S, when set, replaces the CPU-time limit.
  /// @throws std::runtime_error when it cannot be started.
  explicit HostProcess(const std::vector<std::string> &argv, HostLimits limits = {});
  ~HostProcess();
  HostProcess(const HostProcess &) = delete;
  HostProcess &operator=(const HostProcess &) = delete;

  /// @return our end of the channel.
  Channel &channel() noexcept { return channel_; }

  /// Kills the host and everything it started, then reaps it.
  void kill() noexcept;

  /// After the channel closed: waits (a little) for the host to end and says
  /// how, as `crashed (SIGSEGV)` or `exited (status 0)`, or the crash the
  /// host's own handler reported, if it did.
  /// @param reported what a kCrashed frame said, if one came.
  /// @return the phrase.
  std::string how_it_ended(const std::string &reported = {});

private:
  pid_t keeper_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  Channel channel_;
};

/// @param sig a signal number. @return its name, `SIGSEGV`, or `signal N`.
std::string signal_name(int sig);

/// Where the strategy and ring host is: STAMPEDE_STUDENT_HOST if set, else
/// `stampede-student-host` beside the running executable, else the build
/// tree's.
std::string student_host_path();

} // namespace stampede::hosting
