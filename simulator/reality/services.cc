// The reality lab's servers: a fresh PostgreSQL cluster (initdb, then postgres) and
// a memcached process, each started on a free loopback port, waited for, and
// stopped by its process id.
#include "reality/services.h"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <libpq-fe.h>

namespace stampede::reality {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Debian's PostgreSQL server binaries: the newest /usr/lib/postgresql/N/bin.
fs::path postgres_bindir() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "postgres", ec)) {
      found.push_back(entry.path() / "bin");
    }
  }
  if (found.empty()) {
    throw ServiceError("PostgreSQL's server is not installed (no /usr/lib/postgresql/N/bin/"
                       "postgres); ./dev installs Debian's postgresql");
  }
  // Versions are whole numbers (15, 16): the longest name, then the largest.
  std::sort(found.begin(), found.end(), [](const fs::path &a, const fs::path &b) {
    const std::string x = a.parent_path().filename(), y = b.parent_path().filename();
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  return found.back();
}

/// The `postgres` account, when this process is root (servers refuse root).
const passwd *postgres_user() {
  if (geteuid() != 0) {
    return nullptr;
  }
  const passwd *pw = getpwnam("postgres");
  if (pw == nullptr) {
    throw ServiceError("running as root, PostgreSQL needs the `postgres` user, which Debian's "
                       "postgresql package creates; it is not there");
  }
  return pw;
}

/// The last lines of a log, for a message.
std::string tail_of(const fs::path &log) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  std::string out;
  for (std::size_t i = lines.size() > 6 ? lines.size() - 6 : 0; i < lines.size(); ++i) {
    out += "\n  " + lines[i];
  }
  return out.empty() ? std::string(" (no log)") : out;
}

/// Starts `args` with stdout and stderr into `log`, as `user` when given,
/// in a process group of its own (a Ctrl-C meant for us is not its).
pid_t spawn(const std::vector<std::string> &args, const fs::path &log, const passwd *user) {
  const pid_t pid = fork();
  if (pid < 0) {
    throw ServiceError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null = open("/dev/null", O_RDONLY);
    if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
      _exit(126);
    }
    if (user != nullptr &&
        (setgid(user->pw_gid) != 0 || initgroups(user->pw_name, user->pw_gid) != 0 ||
         setuid(user->pw_uid) != 0)) {
      _exit(126);
    }
    std::vector<char *> argv;
    for (const std::string &a : args) {
      argv.push_back(const_cast<char *>(a.c_str()));
    }
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

/// Waits for `pid` to exit within `limit`. @return its status, or -1 if it has not.
int wait_for(pid_t pid, std::chrono::milliseconds limit) {
  const Clock::time_point until = Clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) {
      return r == pid ? status : 0;
    }
    if (Clock::now() >= until) {
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

/// Sends `signal`, waits `grace`, then kills. Never throws.
void stop_process(pid_t pid, int signal, std::chrono::milliseconds grace) noexcept {
  if (pid <= 0) {
    return;
  }
  kill(pid, signal);
  if (wait_for(pid, grace) == -1) {
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
  }
}

/// A port the kernel just handed out for 127.0.0.1 (free a moment ago).
int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
    if (fd >= 0) {
      close(fd);
    }
    throw ServiceError(std::string("no free loopback port: ") + std::strerror(errno));
  }
  const int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

bool accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
  if (fd >= 0) {
    close(fd);
  }
  return ok;
}

} // namespace

PostgresCluster PostgresCluster::start(int max_connections) {
  const fs::path bin = postgres_bindir();
  const passwd *user = postgres_user();
  std::string tmpl = (fs::temp_directory_path() / "stampede-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw ServiceError(std::string("cannot make a folder for the cluster: ") +
                       std::strerror(errno));
  }
  PostgresCluster c;
  c.dir_ = tmpl;
  if (user != nullptr && chown(c.dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw ServiceError("cannot give " + c.dir_ + " to postgres: " + std::strerror(errno));
  }
  const fs::path dir = c.dir_;
  // --no-sync: initdb's files need not reach the disk; the run's own
  // inserts still flush the WAL at every commit, as in production.
  const pid_t init = spawn({(bin / "initdb").string(), "-D", (dir / "data").string(), "-A", "trust",
                            "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"},
                           dir / "initdb.log", user);
  const int status = wait_for(init, std::chrono::seconds(120));
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    stop_process(init, SIGKILL, std::chrono::milliseconds(0));
    throw ServiceError("initdb failed:" + tail_of(dir / "initdb.log"));
  }
  c.pid_ = spawn({(bin / "postgres").string(), "-D", (dir / "data").string(), "-k", c.dir_, "-c",
                  "listen_addresses=", "-c", "max_connections=" + std::to_string(max_connections)},
                 dir / "postgres.log", user);
  const std::string info = c.conninfo();
  const Clock::time_point until = Clock::now() + std::chrono::seconds(60);
  while (PQping(info.c_str()) != PQPING_OK) {
    int exited = 0;
    if (waitpid(c.pid_, &exited, WNOHANG) == c.pid_) {
      c.pid_ = -1;
      throw ServiceError("postgres stopped while starting:" + tail_of(dir / "postgres.log"));
    }
    if (Clock::now() >= until) {
      throw ServiceError("postgres did not accept connections within 60 s:" +
                         tail_of(dir / "postgres.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return c;
}

PostgresCluster::PostgresCluster(PostgresCluster &&other) noexcept
    : dir_(std::move(other.dir_)), pid_(other.pid_) {
  other.dir_.clear();
  other.pid_ = -1;
}

PostgresCluster::~PostgresCluster() { stop(); }

void PostgresCluster::stop() noexcept {
  // SIGINT: postgres's fast shutdown (open transactions are rolled back).
  stop_process(pid_, SIGINT, std::chrono::seconds(10));
  pid_ = -1;
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

std::string PostgresCluster::conninfo() const {
  return "host=" + dir_ + " port=5432 dbname=postgres user=postgres connect_timeout=10";
}

MemcachedProcess MemcachedProcess::start(std::uint64_t memory_mb) {
  constexpr const char *kMemcached = "/usr/bin/memcached";
  if (access(kMemcached, X_OK) != 0) {
    throw ServiceError("memcached is not installed (/usr/bin/memcached); ./dev installs it");
  }
  MemcachedProcess m;
  m.port_ = free_loopback_port();
  std::vector<std::string> args = {kMemcached,
                                   "-l",
                                   "127.0.0.1",
                                   "-p",
                                   std::to_string(m.port_),
                                   "-U",
                                   "0",
                                   "-m",
                                   std::to_string(memory_mb)};
  if (geteuid() == 0) {
    args.insert(args.end(), {"-u", "nobody"});
  }
  const fs::path log =
      fs::temp_directory_path() / ("stampede-memcached-" + std::to_string(m.port_) + ".log");
  m.pid_ = spawn(args, log, nullptr);
  const Clock::time_point until = Clock::now() + std::chrono::seconds(10);
  while (!accepts(m.port_)) {
    int exited = 0;
    if (waitpid(m.pid_, &exited, WNOHANG) == m.pid_ || Clock::now() >= until) {
      const std::string why = tail_of(log);
      m.stop();
      throw ServiceError("memcached did not start on 127.0.0.1:" + std::to_string(m.port_) + ":" +
                         why);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::error_code ec;
  fs::remove(log, ec);
  return m;
}

MemcachedProcess::MemcachedProcess(MemcachedProcess &&other) noexcept
    : port_(other.port_), pid_(other.pid_) {
  other.pid_ = -1;
}

MemcachedProcess::~MemcachedProcess() { stop(); }

void MemcachedProcess::stop() noexcept {
  stop_process(pid_, SIGTERM, std::chrono::seconds(5));
  pid_ = -1;
}

} // namespace stampede::reality
