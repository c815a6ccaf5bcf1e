// Test harness for `stampede memcached`: start a real memcached or our server
// on a free loopback port, talk to it with timeouts, stop it by pid.
#pragma once

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace stampede::mctest {

inline constexpr const char *kRealMemcached = "/usr/bin/memcached";

/// A port the kernel just handed out for 127.0.0.1 (free a moment ago).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
  const int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

/// A connected client socket with 5 s send/receive timeouts, or -1.
inline int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Reads until the peer closes (or the 5 s timeout).
inline std::string read_to_eof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

/// Reads until `out` ends with `suffix` (or the 5 s timeout).
inline std::string read_until(int fd, std::string_view suffix) {
  std::string out;
  char buf[65536];
  while (!std::string_view(out).ends_with(suffix)) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

/// A "kB" line of /proc/PID/status (`VmRSS`: resident now, `VmHWM`: the peak
/// resident size since the process started), in MiB; -1 when unreadable.
inline double proc_status_mib(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      return static_cast<double>(std::stol(line.substr(field.size() + 1))) / 1024.0;
    }
  }
  return -1;
}
inline double rss_mib(pid_t pid) { return proc_status_mib(pid, "VmRSS"); }
inline double peak_rss_mib(pid_t pid) { return proc_status_mib(pid, "VmHWM"); }

/// CPU time (user + system) PID has used, in seconds, from /proc/PID/stat.
inline double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces; the fields after its ')' are fixed:
  // state is field 3, utime field 14, stime field 15.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) {
    return -1;
  }
  std::vector<std::string> f;
  std::size_t i = close + 2;
  while (i < stat.size() && f.size() < 13) {
    const std::size_t j = std::min(stat.find(' ', i), stat.size());
    f.push_back(stat.substr(i, j - i));
    i = j + 1;
  }
  if (f.size() < 13) {
    return -1;
  }
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return static_cast<double>(std::stoull(f[11]) + std::stoull(f[12])) / ticks;
}

/// Raises this process's soft limit on open files to at least `n` (tests
/// that open a thousand client sockets; a shell's default is often 1,024).
/// @return false when the hard limit does not allow it.
inline bool ensure_open_files(rlim_t n) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) {
    return false;
  }
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < n) {
    if (r.rlim_max != RLIM_INFINITY && r.rlim_max < n) {
      return false;
    }
    r.rlim_cur = n;
    return ::setrlimit(RLIMIT_NOFILE, &r) == 0;
  }
  return true;
}

inline void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

/// One server process, stopped by pid (SIGTERM, then waitpid) when destroyed.
class ServerProcess {
public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess &) = delete;
  ServerProcess &operator=(const ServerProcess &) = delete;
  ~ServerProcess() { stop(); }

  /// Real memcached 1.6 on a free port, with the options the node models.
  bool start_real(std::vector<std::string> extra = {}) {
    port_ = free_port();
    std::vector<std::string> args = {kRealMemcached,
                                     "-p",
                                     std::to_string(port_),
                                     "-U",
                                     "0",
                                     "-l",
                                     "127.0.0.1",
                                     "-m",
                                     "64",
                                     "-o",
                                     "no_slab_reassign,no_slab_automove"};
    if (::geteuid() == 0) {
      args.insert(args.end(), {"-u", "nobody"});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    if (!spawn(args, false)) {
      return false;
    }
    // Wait until it accepts connections.
    for (int i = 0; i < 200; ++i) {
      const int fd = connect_to(port_);
      if (fd >= 0) {
        ::close(fd);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  /// `stampede memcached --port 0 ...`; the port is read from its stderr.
  bool start_stampede(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {STAMPEDE_BIN, "memcached", "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    if (!spawn(args, true)) {
      return false;
    }
    std::string line;
    char c = 0;
    pollfd p{stderr_fd_, POLLIN, 0};
    while (line.find('\n') == std::string::npos) {
      if (::poll(&p, 1, 5000) <= 0 || ::read(stderr_fd_, &c, 1) != 1) {
        stderr_ += line;
        stderr_bytes_ += line.size();
        return false;
      }
      line.push_back(c);
    }
    stderr_ += line;
    stderr_bytes_ += line.size();
    const auto colon = line.rfind(':');
    if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
      return false;
    }
    port_ = std::stoi(line.substr(colon + 1));
    return true;
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      // A server that ignores SIGTERM, or is blocked writing to a stderr pipe
      // nobody reads, is killed after 5 s (stderr is drained meanwhile).
      if (!wait_exit(5000, true)) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exit_status_ = status;
        pid_ = -1;
      }
    }
    if (stderr_fd_ >= 0) {
      ::close(stderr_fd_);
      stderr_fd_ = -1;
    }
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  int exit_status() const { return exit_status_; }

  /// Runs in the child between fork and exec (e.g. setrlimit), for the next start.
  void set_child_setup(std::function<void()> setup) { child_setup_ = std::move(setup); }

  /// What the server wrote on stderr so far (ours only; the first 64 KiB),
  /// reading for at most `wait_ms` while nothing new arrives.
  const std::string &stderr_text(int wait_ms = 0) {
    if (stderr_fd_ >= 0) {
      char buf[65536];
      pollfd p{stderr_fd_, POLLIN, 0};
      // At most 1 MiB a call, so a server flooding stderr cannot keep us here.
      for (std::size_t got = 0; got < (1u << 20) && ::poll(&p, 1, wait_ms) > 0;) {
        const ssize_t n = ::read(stderr_fd_, buf, sizeof buf);
        if (n <= 0) {
          break;
        }
        got += static_cast<std::size_t>(n);
        stderr_bytes_ += static_cast<std::size_t>(n);
        stderr_.append(buf, std::min(static_cast<std::size_t>(n), kStderrKept - stderr_.size()));
      }
    }
    return stderr_;
  }
  /// How many bytes the server wrote on stderr (as far as read by stderr_text).
  std::size_t stderr_bytes() const { return stderr_bytes_; }

  /// Waits up to `timeout_ms` for the process to exit on its own, reading
  /// its stderr meanwhile (so a chatty server cannot block on the pipe) if
  /// `drain_stderr`; its wait status, or nothing if it still runs.
  std::optional<int> wait_exit(int timeout_ms, bool drain_stderr = true) {
    for (int waited = 0; pid_ > 0; waited += 10) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        pid_ = -1;
        return status;
      }
      if (waited >= timeout_ms) {
        return std::nullopt;
      }
      if (drain_stderr) {
        stderr_text(0);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_status_;
  }

private:
  bool spawn(const std::vector<std::string> &args, bool capture_stderr) {
    int pipefd[2] = {-1, -1};
    if (capture_stderr && ::pipe(pipefd) != 0) {
      return false;
    }
    pid_ = ::fork();
    if (pid_ < 0) {
      return false;
    }
    if (pid_ == 0) {
      // A test runner that ignores SIGPIPE must not hand that on to the server.
      std::signal(SIGPIPE, SIG_DFL);
      if (child_setup_) {
        child_setup_();
      }
      if (capture_stderr) {
        ::dup2(pipefd[1], STDERR_FILENO);
        ::close(pipefd[0]);
        ::close(pipefd[1]);
      }
      const int devnull = ::open("/dev/null", O_RDWR);
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDOUT_FILENO);
      std::vector<char *> argv;
      for (const std::string &a : args) {
        argv.push_back(const_cast<char *>(a.c_str()));
      }
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (capture_stderr) {
      ::close(pipefd[1]);
      stderr_fd_ = pipefd[0];
    }
    return true;
  }

  pid_t pid_ = -1;
  int port_ = 0;
  int stderr_fd_ = -1;
  int exit_status_ = 0;
  static constexpr std::size_t kStderrKept = 65536;
  std::string stderr_;
  std::size_t stderr_bytes_ = 0;
  std::function<void()> child_setup_;
};

/// Sends a session on a new connection, then `quit`, and returns every byte
/// of the reply up to the server's close.
inline std::string session(int port, std::string_view bytes, bool add_quit = true) {
  const int fd = connect_to(port);
  if (fd < 0) {
    return "<connect failed>";
  }
  send_all(fd, bytes);
  if (add_quit) {
    send_all(fd, "quit\r\n");
  }
  std::string out = read_to_eof(fd);
  ::close(fd);
  return out;
}

/// Replaces CAS uniques (the 4th number of a `VALUE` line of gets/gats, and
/// meta `c` flags) by their order of first appearance in this server's replies.
class CasNormalizer {
public:
  std::string normalize(const std::string &reply) {
    std::string out;
    std::size_t pos = 0;
    while (pos < reply.size()) {
      std::size_t eol = reply.find("\r\n", pos);
      if (eol == std::string::npos) {
        out.append(reply, pos, std::string::npos);
        break;
      }
      std::string line = reply.substr(pos, eol - pos);
      std::size_t next = eol + 2;
      if (line.rfind("VALUE ", 0) == 0) {
        // VALUE key flags bytes [cas]; the data block follows.
        std::vector<std::string> f = split(line);
        if (f.size() == 5) {
          f[4] = map(f[4]);
        }
        line = join(f);
        if (f.size() >= 4) {
          const std::size_t bytes = std::stoul(f[3]);
          out += line + "\r\n";
          out.append(reply, next, std::min(bytes + 2, reply.size() - next));
          pos = next + bytes + 2;
          continue;
        }
      } else if (line.rfind("HD", 0) == 0 || line.rfind("VA ", 0) == 0 ||
                 line.rfind("EX", 0) == 0 || line.rfind("NS", 0) == 0) {
        std::vector<std::string> f = split(line);
        for (std::size_t i = 1; i < f.size(); ++i) {
          if (f[i].size() > 1 && f[i][0] == 'c' &&
              std::isdigit(static_cast<unsigned char>(f[i][1]))) {
            f[i] = "c" + map(f[i].substr(1));
          }
        }
        line = join(f);
        if (line.rfind("VA ", 0) == 0 && f.size() >= 2) {
          const std::size_t bytes = std::stoul(f[1]);
          out += line + "\r\n";
          out.append(reply, next, std::min(bytes + 2, reply.size() - next));
          pos = next + bytes + 2;
          continue;
        }
      }
      out += line + "\r\n";
      pos = next;
    }
    return out;
  }

private:
  std::string map(const std::string &cas) {
    auto [it, inserted] = seen_.emplace(cas, seen_.size());
    return "#" + std::to_string(it->second);
  }
  static std::vector<std::string> split(const std::string &line) {
    std::vector<std::string> f;
    std::size_t i = 0;
    while (i <= line.size()) {
      const std::size_t j = std::min(line.find(' ', i), line.size());
      f.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    return f;
  }
  static std::string join(const std::vector<std::string> &f) {
    std::string s;
    for (std::size_t i = 0; i < f.size(); ++i) {
      s += (i ? " " : "") + f[i];
    }
    return s;
  }
  std::map<std::string, std::size_t> seen_;
};

/// A test suite that talks to real memcached and to `stampede memcached`,
/// both started once for the suite on free loopback ports and stopped by pid.
/// Each suite (the template argument) gets its own pair of servers.
template <class Suite> class BothServers : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    real_ = new ServerProcess;
    ours_ = new ServerProcess;
    if (::access(kRealMemcached, X_OK) != 0) {
      return;
    }
    ASSERT_TRUE(real_->start_real());
    ASSERT_TRUE(ours_->start_stampede());
  }
  static void TearDownTestSuite() {
    delete real_;
    delete ours_;
    real_ = ours_ = nullptr;
  }
  void SetUp() override {
    if (::access(kRealMemcached, X_OK) != 0) {
      GTEST_SKIP() << "no " << kRealMemcached;
    }
  }
  /// Both servers start the next session with an empty cache.
  static void flush_both() {
    session(real_->port(), "flush_all\r\n");
    session(ours_->port(), "flush_all\r\n");
  }

  static inline ServerProcess *real_ = nullptr;
  static inline ServerProcess *ours_ = nullptr;
};

} // namespace stampede::mctest
