// Test harness for `stampede memcached`: start a real memcached or our server
// on a free loopback port, talk to it with timeouts, stop it by pid.
#pragma once

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
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
        return false;
      }
      line.push_back(c);
    }
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
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exit_status_ = status;
      pid_ = -1;
    }
    if (stderr_fd_ >= 0) {
      ::close(stderr_fd_);
      stderr_fd_ = -1;
    }
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  int exit_status() const { return exit_status_; }

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
