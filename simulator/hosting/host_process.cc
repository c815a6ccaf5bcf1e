// Starting a process for student code: bubblewrap where it can start, limits on CPU
// time, memory and file size always, and the whole process group killed at the end.
#include "hosting/host_process.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

namespace stampede::hosting {

namespace {

namespace fs = std::filesystem;

constexpr const char *kBwrap = "/usr/bin/bwrap";
constexpr uid_t kNobody = 65534; // Debian's nobody and nogroup

// The sandbox: the whole file system read-only, a private /tmp (the one
// place the student's code may write), its own /dev and /proc, no network,
// no shared process ids, IPC or host name, no capabilities, a new session
// (no terminal to push keystrokes into), gone when the keeper goes.
std::vector<std::string> bwrap_prefix() {
  return {kBwrap,
          "--ro-bind",
          "/",
          "/",
          "--dev",
          "/dev",
          "--proc",
          "/proc",
          "--tmpfs",
          "/tmp",
          "--chdir",
          "/tmp",
          "--unshare-all",
          "--die-with-parent",
          "--new-session",
          "--cap-drop",
          "ALL",
          "--"};
}

SandboxState probe() {
  SandboxState s;
  if (const char *off = std::getenv("STAMPEDE_NO_SANDBOX"); off != nullptr && *off == '1') {
    s.why_not = "STAMPEDE_NO_SANDBOX=1 is set";
    return s;
  }
  if (::access(kBwrap, X_OK) != 0) {
    s.why_not = std::string(kBwrap) + " is not installed (Debian package bubblewrap)";
    return s;
  }
  std::string command;
  for (const std::string &a : bwrap_prefix())
    command += a + " ";
  command += "/bin/true 2>&1";
  FILE *p = ::popen(command.c_str(), "r");
  if (p == nullptr) {
    s.why_not = "bubblewrap could not be run";
    return s;
  }
  std::string said;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p) != nullptr)
    said += buf;
  const int status = ::pclose(p);
  if (status == 0) {
    s.bwrap = true;
    return s;
  }
  while (!said.empty() && (said.back() == '\n' || said.back() == ' '))
    said.pop_back();
  s.why_not = "bubblewrap cannot start here (" + (said.empty() ? "it failed" : said) +
              "; a container without user namespaces?)";
  return s;
}

// Whether a user who owns nothing here (nobody) can reach and read `path`:
// every folder on the way searchable by others, the file readable.
bool others_can_read(const fs::path &path) {
  std::error_code ec;
  const fs::path full = fs::absolute(path, ec);
  if (ec)
    return false;
  fs::path at = full.root_path();
  for (const fs::path &part : full.relative_path()) {
    const fs::perms p = fs::status(at, ec).permissions();
    if (ec || (p & fs::perms::others_exec) == fs::perms::none)
      return false;
    at /= part;
  }
  const fs::perms p = fs::status(at, ec).permissions();
  return !ec && (p & fs::perms::others_read) != fs::perms::none;
}

void set_limit(int resource, rlim_t value) {
  rlimit r{value, value};
  ::setrlimit(resource, &r);
}

} // namespace

const SandboxState &sandbox_state() {
  static std::once_flag once;
  static SandboxState state;
  std::call_once(once, [] {
    state = probe();
    if (!state.bwrap)
      std::cerr << "stampede: student code runs without a sandbox: " << state.why_not
                << "; it still runs in a process of its own, under CPU-time and memory limits"
                << (::geteuid() == 0 ? ", as the user nobody where it can read the code" : "")
                << "\n";
  });
  return state;
}

std::string signal_name(int sig) {
  switch (sig) {
  case SIGSEGV:
    return "SIGSEGV";
  case SIGBUS:
    return "SIGBUS";
  case SIGFPE:
    return "SIGFPE";
  case SIGILL:
    return "SIGILL";
  case SIGABRT:
    return "SIGABRT";
  case SIGKILL:
    return "SIGKILL";
  case SIGXCPU:
    return "SIGXCPU: out of CPU time";
  case SIGXFSZ:
    return "SIGXFSZ: a file too large";
  case SIGTERM:
    return "SIGTERM";
  case SIGPIPE:
    return "SIGPIPE";
  case SIGTRAP:
    return "SIGTRAP";
  default:
    return "signal " + std::to_string(sig);
  }
}

std::string student_host_path() {
  if (const char *env = std::getenv("STAMPEDE_STUDENT_HOST"); env != nullptr && *env != '\0')
    return env;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = self.parent_path() / "stampede-student-host";
    if (fs::exists(beside, ec))
      return beside.string();
  }
  return STAMPEDE_HOST_BIN;
}

namespace {

// The command the keeper runs: argv, inside the sandbox when there is one.
std::vector<std::string> host_command(const std::vector<std::string> &argv) {
  std::vector<std::string> full;
  if (sandbox_state().bwrap) {
    full = bwrap_prefix();
    full.pop_back(); // "--"
    // The host and the library it loads may live under /tmp (a clone
    // there): shown read-only over the private /tmp.
    std::error_code ec;
    for (const std::string &a : argv) {
      if (a.starts_with("/") && fs::exists(a, ec)) {
        const std::string real = fs::canonical(a, ec).string();
        for (const std::string &p : {a, real}) {
          if (ec || p.empty())
            continue;
          full.insert(full.end(), {"--ro-bind", p, p});
        }
      }
    }
    full.push_back("--");
  }
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

// Without the sandbox, a host started by root runs as nobody: the
// student's code can then neither write what root owns (a graded test's
// report, results.json) nor look into root's processes.
// (Only where nobody can read the host and the library: a checkout under
// /root cannot be, and then the host keeps root's user.)
bool host_runs_as_nobody(const std::vector<std::string> &argv) {
  bool drop_to_nobody = !sandbox_state().bwrap && ::geteuid() == 0;
  for (const std::string &a : argv)
    if (drop_to_nobody && a.starts_with("/") && !others_can_read(a))
      drop_to_nobody = false;
  return drop_to_nobody;
}

// The keeper, in the child of fork: under the limits, in a process group of
// its own, it starts the host (args, a null-terminated argv) with the
// channel as fds 3 and 4, waits for it and exits as it did. Between fork and
// exec only async-signal-safe calls: everything is prepared in advance.
[[noreturn]] void run_keeper(const HostLimits &limits, int channel_fd, int devnull,
                             char *const *args, bool drop_to_nobody) {
  ::setpgid(0, 0);
  set_limit(RLIMIT_CPU, static_cast<rlim_t>(limits.cpu_s));
  set_limit(RLIMIT_AS, static_cast<rlim_t>(limits.memory_bytes));
  set_limit(RLIMIT_FSIZE, static_cast<rlim_t>(limits.file_bytes));
  set_limit(RLIMIT_CORE, 0);
  const int ours = ::fcntl(channel_fd, F_DUPFD, 10);
  if (ours < 0 || ::dup2(ours, 3) < 0 || ::dup2(ours, 4) < 0)
    ::_exit(126);
  if (devnull >= 0)
    ::dup2(devnull, 0);
  ::dup2(2, 1); // what the student prints goes to our stderr, never into a report on stdout
  ::close_range(5, ~0U, 0);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  const pid_t host = ::fork();
  if (host < 0)
    ::_exit(126);
  if (host == 0) {
    if (drop_to_nobody &&
        (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0))
      ::_exit(126);
    ::execv(args[0], args);
    ::_exit(127);
  }
  ::close(3);
  ::close(4);
  int status = 0;
  while (::waitpid(host, &status, 0) < 0 && errno == EINTR) {
  }
  ::_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

} // namespace

HostProcess::HostProcess(const std::vector<std::string> &argv, HostLimits limits) {
  // A grader gives each host seconds of CPU, not minutes (grade.py).
  if (const char *cpu = std::getenv("STAMPEDE_HOST_CPU_S"); cpu != nullptr && std::atoi(cpu) > 0)
    limits.cpu_s = std::atoi(cpu);
  std::vector<std::string> full = host_command(argv);
  std::vector<char *> args;
  for (std::string &a : full)
    args.push_back(a.data());
  args.push_back(nullptr);
  const bool drop_to_nobody = host_runs_as_nobody(argv);

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  // Between fork and exec only async-signal-safe calls: everything above is
  // prepared in advance.
  const pid_t keeper = ::fork();
  if (keeper < 0) {
    ::close(sv[0]);
    ::close(sv[1]);
    ::close(devnull);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (keeper == 0)
    run_keeper(limits, sv[1], devnull, args.data(), drop_to_nobody);
  ::close(sv[1]);
  if (devnull >= 0)
    ::close(devnull);
  keeper_ = keeper;
  ::setpgid(keeper, keeper); // also here: no race with the kill below
  channel_ = Channel(sv[0], sv[0]);
}

HostProcess::~HostProcess() {
  kill();
  if (channel_.in_fd() >= 0)
    ::close(channel_.in_fd());
}

void HostProcess::kill() noexcept {
  if (keeper_ <= 0 || reaped_)
    return;
  ::kill(-keeper_, SIGKILL);
  ::kill(keeper_, SIGKILL);
  while (::waitpid(keeper_, &status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

std::string HostProcess::how_it_ended(const std::string &reported) {
  if (!reaped_) {
    using namespace std::chrono;
    const auto deadline = steady_clock::now() + seconds(2);
    while (!reaped_ && steady_clock::now() < deadline) {
      const pid_t done = ::waitpid(keeper_, &status_, WNOHANG);
      if (done == keeper_)
        reaped_ = true;
      else
        std::this_thread::sleep_for(milliseconds(5));
    }
    if (!reaped_) {
      kill();
      return reported.empty() ? "closed its channel" : "crashed (" + reported + ")";
    }
  }
  // Kill what the host may have left running (processes it started).
  ::kill(-keeper_, SIGKILL);
  if (!reported.empty())
    return "crashed (" + reported + ")";
  if (WIFEXITED(status_)) {
    const int code = WEXITSTATUS(status_);
    if (code > 128)
      return "crashed (" + signal_name(code - 128) + ")";
    return "exited (status " + std::to_string(code) + ")";
  }
  return "crashed (" + signal_name(WTERMSIG(status_)) + ")";
}

} // namespace stampede::hosting
