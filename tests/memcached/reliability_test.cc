// Reliability of `stampede memcached` under hostile load (issue 15, items
// 1-5): each case against a real server process on a free loopback port, its
// memory read from /proc/PID/status (VmRSS now, VmHWM the peak since start).
//
// The RSS bounds are calibrated against real memcached 1.6.18 (`memcached
// -m 64`, the harness's start_real) given the same load on a 2-core test
// machine; the figures are beside each bound. Set
// STAMPEDE_MC_CALIBRATE=1 to run the loads against both servers again and
// print the pairs (Reliability.CalibrateAgainstRealMemcached).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <regex>

#include <sys/resource.h>
#include <sys/stat.h>

#include "mc_harness.h"

namespace stampede::mctest {
namespace {

using Clock = std::chrono::steady_clock;

/// A value whose every byte depends on its offset, so a reply that is cut,
/// doubled or shifted anywhere cannot match.
std::string patterned(std::size_t n, unsigned salt = 0) {
  std::string v(n, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<char>('a' + (i * 7 + i / 26 + salt) % 26);
  }
  return v;
}

std::string set_command(const std::string &key, const std::string &value) {
  return "set " + key + " 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
}

/// Reads a reply that must be `unit` `count` times, then `tail`. Returns how
/// many bytes matched before the first difference, the peer's close or a
/// 5 s stall (the socket's timeout).
std::uint64_t read_expecting(int fd, std::string_view unit, std::uint64_t count,
                             std::string_view tail) {
  const std::uint64_t body = unit.size() * count;
  const std::uint64_t total = body + tail.size();
  std::uint64_t pos = 0;
  std::vector<char> buf(1 << 20);
  while (pos < total) {
    const ssize_t n = ::recv(fd, buf.data(), std::min<std::uint64_t>(buf.size(), total - pos), 0);
    if (n <= 0) {
      break;
    }
    std::size_t off = 0;
    while (off < static_cast<std::size_t>(n)) {
      const std::string_view want =
          pos < body ? unit.substr(pos % unit.size()) : tail.substr(pos - body);
      const std::size_t len = std::min(want.size(), static_cast<std::size_t>(n) - off);
      if (std::memcmp(buf.data() + off, want.data(), len) != 0) {
        std::size_t i = 0;
        while (buf[off + i] == want[i]) {
          ++i;
        }
        return pos + i;
      }
      pos += len;
      off += len;
    }
  }
  return pos;
}

/// True when nothing more arrives on fd within 100 ms.
bool nothing_more(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 100) == 0) {
    return true;
  }
  char c = 0;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) == 0; // a close is not more bytes
}

/// Reads reply lines (and nothing else) from a connection, buffered.
class LineReader {
public:
  explicit LineReader(int fd) : fd_(fd) {}
  /// The next line without its CRLF; "<eof>" on close or a 5 s stall.
  std::string line() {
    for (;;) {
      const std::size_t eol = buf_.find("\r\n", pos_);
      if (eol != std::string::npos) {
        std::string l = buf_.substr(pos_, eol - pos_);
        pos_ = eol + 2;
        if (pos_ > 65536) {
          buf_.erase(0, pos_);
          pos_ = 0;
        }
        return l;
      }
      char tmp[65536];
      const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) {
        return "<eof>";
      }
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }

private:
  int fd_;
  std::string buf_;
  std::size_t pos_ = 0;
};

/// Our server with its address space capped (2 GiB), so a regression that
/// copies without bound dies of bad_alloc, failing the test, rather than
/// eating a shared machine. AddressSanitizer reserves terabytes of address
/// space, so builds with it go uncapped.
void cap_address_space(ServerProcess &server) {
#if !defined(__SANITIZE_ADDRESS__)
  server.set_child_setup([] {
    const rlimit r{rlim_t{2} << 30, rlim_t{2} << 30};
    ::setrlimit(RLIMIT_AS, &r);
  });
#else
  (void)server;
#endif
}

bool real_available() { return ::access(kRealMemcached, X_OK) == 0; }

// ---------------------------------------------------------------------------
// The loads. Each takes a running server (ours or real memcached) and reports
// what it measured, so the tests and the calibration share them.

constexpr std::size_t kBigValueBytes = 1048000; // the largest value -I 1m takes

/// Item 1: `set a 0 0 1048000`, then one `get` line naming `a` `names` times.
/// Returns the bytes of the reply that matched (all of them when complete).
std::uint64_t multiget_one_big_value(ServerProcess &server, int names, std::uint64_t *expected) {
  const std::string value = patterned(kBigValueBytes);
  const int fd = connect_to(server.port());
  send_all(fd, set_command("a", value));
  EXPECT_EQ(read_until(fd, "\r\n"), "STORED\r\n");
  std::string line = "get";
  for (int i = 0; i < names; ++i) {
    line += " a";
  }
  send_all(fd, line + "\r\n");
  const std::string unit = "VALUE a 0 " + std::to_string(kBigValueBytes) + "\r\n" + value + "\r\n";
  *expected = unit.size() * static_cast<std::uint64_t>(names) + 5;
  std::uint64_t got = read_expecting(fd, unit, static_cast<std::uint64_t>(names), "END\r\n");
  if (got == *expected && !nothing_more(fd)) {
    got = 0; // more bytes than the reply has is as wrong as fewer
  }
  ::close(fd);
  return got;
}

/// Item 1, the pipelining client: `get a\r\n` (a is 1 MB) sent up to `gets`
/// times without reading a byte, until the server stops taking them for 2 s.
/// Returns how many gets the server took in.
std::uint64_t pipeline_gets_without_reading(ServerProcess &server, std::uint64_t gets) {
  {
    const int fd = connect_to(server.port());
    send_all(fd, set_command("a", patterned(kBigValueBytes)));
    EXPECT_EQ(read_until(fd, "\r\n"), "STORED\r\n");
    ::close(fd);
  }
  const int fd = connect_to(server.port());
  set_nonblocking(fd);
  std::string batch;
  for (int i = 0; i < 1000; ++i) {
    batch += "get a\r\n";
  }
  std::uint64_t sent_bytes = 0;
  const std::uint64_t want_bytes = gets * 7;
  while (sent_bytes < want_bytes) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 2000) <= 0) {
      break; // the server has stopped reading: back-pressure
    }
    const std::size_t off = sent_bytes % batch.size();
    const std::size_t len = std::min<std::uint64_t>(batch.size() - off, want_bytes - sent_bytes);
    const ssize_t n = ::send(fd, batch.data() + off, len, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EAGAIN) {
        continue;
      }
      break;
    }
    sent_bytes += static_cast<std::uint64_t>(n);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::close(fd);
  return sent_bytes / 7;
}

/// Item 4: `conns` connections each send a 1 MB set's header and 999 KB of its
/// data block, and hold there. Returns the bytes the server took in.
std::uint64_t hold_unfinished_big_sets(ServerProcess &server, int conns, double *rss_held) {
  const std::string data = patterned(999 * 1024);
  std::vector<int> fds;
  std::vector<std::string> pending;
  for (int i = 0; i < conns; ++i) {
    const int fd = connect_to(server.port());
    EXPECT_GE(fd, 0) << "connection " << i;
    if (fd < 0) {
      break;
    }
    set_nonblocking(fd);
    fds.push_back(fd);
    pending.push_back("set big" + std::to_string(i) + " 0 0 " + std::to_string(kBigValueBytes) +
                      "\r\n");
  }
  std::vector<std::size_t> sent(fds.size(), 0);
  std::uint64_t total = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(12);
  bool progress = true;
  while (progress && Clock::now() < deadline) {
    progress = false;
    std::vector<pollfd> ps;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (sent[i] < pending[i].size() + data.size()) {
        ps.push_back({fds[i], POLLOUT, 0});
        which.push_back(i);
      }
    }
    if (ps.empty() || ::poll(ps.data(), ps.size(), 2000) <= 0) {
      break;
    }
    for (std::size_t k = 0; k < ps.size(); ++k) {
      if ((ps[k].revents & POLLOUT) == 0) {
        continue;
      }
      const std::size_t i = which[k];
      const std::string &head = pending[i];
      const bool in_head = sent[i] < head.size();
      const char *p = in_head ? head.data() + sent[i] : data.data() + (sent[i] - head.size());
      const std::size_t len =
          in_head ? head.size() - sent[i] : data.size() - (sent[i] - head.size());
      const ssize_t n = ::send(fds[i], p, len, MSG_NOSIGNAL);
      if (n > 0) {
        sent[i] += static_cast<std::size_t>(n);
        total += static_cast<std::uint64_t>(n);
        progress = true;
      }
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  *rss_held = rss_mib(server.pid());
  for (const int fd : fds) {
    ::close(fd);
  }
  return total;
}

/// Item 4: `rounds` rounds of sets, each writing about `round_bytes` of values
/// whose sizes are log-uniform in [16, 1,000,000] bytes, on 50,000 keys.
/// Returns the RSS after each round; counts the replies.
std::vector<double> random_size_rounds(ServerProcess &server, int rounds, std::uint64_t round_bytes,
                                       std::uint64_t *stored, std::uint64_t *out_of_memory) {
  std::mt19937_64 rng(15); // the test's own fixed choices
  const std::string pool = patterned(1000000);
  const int fd = connect_to(server.port());
  LineReader reader(fd);
  std::vector<double> rss;
  for (int r = 0; r < rounds; ++r) {
    std::uint64_t written = 0;
    while (written < round_bytes) {
      // A batch of sets up to ~2 MB, then its replies: pipelined, but bounded.
      std::string batch;
      int in_batch = 0;
      while (batch.size() < (2u << 20) && written < round_bytes) {
        const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
        const auto size = static_cast<std::size_t>(16.0 * std::pow(62500.0, u));
        const std::string key = "r" + std::to_string(rng() % 50000);
        batch += "set " + key + " 0 0 " + std::to_string(size) + "\r\n";
        batch.append(pool, 0, size);
        batch += "\r\n";
        written += size;
        in_batch += 1;
      }
      send_all(fd, batch);
      for (int i = 0; i < in_batch; ++i) {
        const std::string l = reader.line();
        if (l == "STORED") {
          *stored += 1;
        } else if (l == "SERVER_ERROR out of memory storing object") {
          *out_of_memory += 1;
        } else {
          ADD_FAILURE() << "round " << r << ": unexpected reply " << l;
          ::close(fd);
          return rss;
        }
      }
    }
    rss.push_back(rss_mib(server.pid()));
  }
  ::close(fd);
  return rss;
}

/// Item 4: `items` sets of 100-byte values on distinct keys (more than 64 MB
/// holds, so the cache fills and then evicts). Returns the RSS at the end.
double fill_with_small_items(ServerProcess &server, int items) {
  const std::string value = patterned(100);
  const int fd = connect_to(server.port());
  LineReader reader(fd);
  char key[32];
  for (int done = 0; done < items;) {
    std::string batch;
    const int n = std::min(2000, items - done);
    for (int i = 0; i < n; ++i) {
      std::snprintf(key, sizeof key, "k%07d", done + i);
      batch += "set ";
      batch += key;
      batch += " 0 0 100\r\n" + value + "\r\n";
    }
    send_all(fd, batch);
    for (int i = 0; i < n; ++i) {
      const std::string l = reader.line();
      if (l != "STORED") {
        ADD_FAILURE() << "set " << done + i << ": " << l;
        ::close(fd);
        return -1;
      }
    }
    done += n;
  }
  ::close(fd);
  return rss_mib(server.pid());
}

/// The server still answers a new connection and stores and returns a
/// 1 MB value (memory held by aborted sets came back).
void expect_still_serving(ServerProcess &server) {
  const std::string value = patterned(kBigValueBytes, 3);
  const std::string reply = session(server.port(), set_command("after", value) + "get after\r\n");
  EXPECT_EQ(reply, "STORED\r\nVALUE after 0 " + std::to_string(value.size()) + "\r\n" + value +
                       "\r\nEND\r\n")
      << "the server stopped serving (" << reply.size() << " bytes of reply)";
}

// ---------------------------------------------------------------------------
// Item 1: replies must not copy values without bound.

// Peak RSS bound for the multi-gets and the pipelining client. Measured with
// real memcached 1.6.18 -m 64 here: peak 7.9 MiB for 1,000 names, 12.8 MiB
// for 5,000, 6.8 MiB for the pipelining client (it holds one 1 MB item and
// its replies point at it; the machine saw 87 MB). At 5a03929 ours
// peaked at 417 MB for 200 names and 2.08 GB for 1,000 (a copy per name).
// 200 MB leaves ours room for output buffers and a filled --memory 64, while
// a copy per name cannot pass.
constexpr double kMultiGetPeakMib = 200;

void check_multiget(int names) {
  ServerProcess server;
  cap_address_space(server);
  ASSERT_TRUE(server.start_stampede());
  std::uint64_t expected = 0;
  const std::uint64_t got = multiget_one_big_value(server, names, &expected);
  const double peak = peak_rss_mib(server.pid());
  std::printf("[ figures  ] get naming a 1 MB value %d times: %llu of %llu bytes, peak RSS "
              "%.1f MiB\n",
              names, static_cast<unsigned long long>(got),
              static_cast<unsigned long long>(expected), peak);
  EXPECT_EQ(got, expected) << "the reply is cut short or wrong at byte " << got;
  EXPECT_GT(peak, 0) << "the server died";
  EXPECT_LT(peak, kMultiGetPeakMib);
}

TEST(Reliability, GetNamingOneBigValue1000TimesIsCompleteAndBounded) { check_multiget(1000); }

TEST(Reliability, GetNamingOneBigValue5000TimesIsCompleteAndBounded) { check_multiget(5000); }

TEST(Reliability, PipelinedGetsWithoutReadingKeepMemoryBounded) {
  ServerProcess server;
  cap_address_space(server);
  ASSERT_TRUE(server.start_stampede());
  // 2,000,000 gets (14 MB) would be 2 TB of replies: the server must stop
  // reading once its output backs up (memcached took 411,000: what the
  // kernel's socket buffers hold).
  const std::uint64_t taken = pipeline_gets_without_reading(server, 2000000);
  const double peak = peak_rss_mib(server.pid());
  std::printf("[ figures  ] pipelined `get a` (1 MB) without reading: server took %llu gets, "
              "peak RSS %.1f MiB\n",
              static_cast<unsigned long long>(taken), peak);
  EXPECT_GT(peak, 0) << "the server died";
  EXPECT_LT(peak, kMultiGetPeakMib);
  EXPECT_LT(taken, 2000000u) << "the server read every get without sending replies";
  expect_still_serving(server);
}

// ---------------------------------------------------------------------------
// Item 2: flush before closing.

/// `get KEY` then shutdown(SHUT_WR), as `nc -N` does; every reply byte until close.
std::string get_then_half_close(int port, const std::string &gets) {
  const int fd = connect_to(port);
  send_all(fd, gets);
  ::shutdown(fd, SHUT_WR);
  std::string out = read_to_eof(fd);
  ::close(fd);
  return out;
}

TEST(Reliability, HalfCloseAfterGetReceivesTheWholeReply) {
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede());
  const std::string mv = patterned(20000);
  EXPECT_EQ(session(server.port(), set_command("mv", mv)), "STORED\r\n");
  // "VALUE mv 0 20000\r\n" (18) + 20,000 + "\r\n" (2) + "END\r\n" (5) = 20,025
  // bytes: all of them, as memcached sends (the figure: 16,384).
  const std::string want = "VALUE mv 0 20000\r\n" + mv + "\r\nEND\r\n";
  const std::string got = get_then_half_close(server.port(), "get mv\r\n");
  EXPECT_EQ(got.size(), 20025u);
  EXPECT_TRUE(got == want)
      << "the reply differs from byte "
      << std::mismatch(got.begin(), got.end(), want.begin(), want.end()).first - got.begin();
  if (real_available()) {
    ServerProcess real;
    ASSERT_TRUE(real.start_real());
    session(real.port(), set_command("mv", mv));
    EXPECT_EQ(get_then_half_close(real.port(), "get mv\r\n").size(), 20025u) << "real memcached";
  }
}

TEST(Reliability, HalfCloseAfterPipelinedBigGetsReceivesEveryByte) {
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede());
  const std::string value = patterned(kBigValueBytes);
  EXPECT_EQ(session(server.port(), set_command("a", value)), "STORED\r\n");
  // Eight 1 MB replies: more than any socket or output buffer holds at once.
  std::string gets;
  for (int i = 0; i < 8; ++i) {
    gets += "get a\r\n";
  }
  const std::string unit = "VALUE a 0 1048000\r\n" + value + "\r\nEND\r\n";
  const std::string got = get_then_half_close(server.port(), gets);
  EXPECT_EQ(got.size(), 8 * unit.size());
  std::string want;
  for (int i = 0; i < 8; ++i) {
    want += unit;
  }
  EXPECT_TRUE(got == want);
}

// ---------------------------------------------------------------------------
// Item 3: out of file descriptors.

/// The soft limit on open files of PID, from /proc/PID/limits; -1 if unknown.
long open_files_limit(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      return std::stol(line.substr(std::strlen("Max open files")));
    }
  }
  return -1;
}

/// Each client sends `version` and waits up to 5 s in all for one line.
/// Counts VERSION replies, memcached's refusal, and the rest (silence: a hang).
struct Answers {
  int served = 0;
  int refused = 0;
  int silent = 0;
};
Answers ask_version(const std::vector<int> &fds) {
  for (const int fd : fds) {
    send_all(fd, "version\r\n");
  }
  Answers a;
  std::vector<std::string> got(fds.size());
  std::vector<bool> done(fds.size(), false);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  std::size_t open = fds.size();
  while (open > 0 && Clock::now() < deadline) {
    std::vector<pollfd> ps;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!done[i]) {
        ps.push_back({fds[i], POLLIN, 0});
        which.push_back(i);
      }
    }
    if (::poll(ps.data(), ps.size(), 200) <= 0) {
      continue;
    }
    for (std::size_t k = 0; k < ps.size(); ++k) {
      if (ps[k].revents == 0) {
        continue;
      }
      const std::size_t i = which[k];
      char buf[256];
      const ssize_t n = ::recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        got[i].append(buf, static_cast<std::size_t>(n));
      }
      if (n == 0 || (n < 0 && errno != EAGAIN) || got[i].find("\r\n") != std::string::npos) {
        done[i] = true;
        open -= 1;
        if (got[i].rfind("VERSION ", 0) == 0) {
          a.served += 1;
        } else {
          a.refused += 1; // "ERROR Too many open connections", or a close
        }
      }
    }
  }
  a.silent = static_cast<int>(open);
  return a;
}

std::vector<int> connect_many(int port, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    const int fd = connect_to(port);
    if (fd >= 0) {
      fds.push_back(fd);
    }
  }
  return fds;
}

TEST(Reliability, StartRaisesTheOpenFilesLimitToFitConnections) {
  if (!ensure_open_files(1200)) {
    GTEST_SKIP() << "this test opens 1,100 sockets; the hard limit on open files is lower";
  }
  ServerProcess server;
  server.set_child_setup([] {
    rlimit r{};
    ::getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = 256; // as `ulimit -S -n 256`; the hard limit allows more
    ::setrlimit(RLIMIT_NOFILE, &r);
  });
  ASSERT_TRUE(server.start_stampede({"--connections", "1024"})) << server.stderr_text(100);
  EXPECT_GE(open_files_limit(server.pid()), 1024);
  // 1,100 clients: 1,024 served, the 76 past --connections refused at once
  // with memcached's line; none waits.
  std::vector<int> fds = connect_many(server.port(), 1100);
  ASSERT_EQ(fds.size(), 1100u);
  const Answers a = ask_version(fds);
  EXPECT_EQ(a.served, 1024);
  EXPECT_EQ(a.refused, 76);
  EXPECT_EQ(a.silent, 0);
  for (const int fd : fds) {
    ::close(fd);
  }
}

TEST(Reliability, StartRefusesWhenTheOpenFilesLimitCannotRise) {
  ServerProcess server;
  server.set_child_setup([] {
    const rlimit r{256, 256};
    ::setrlimit(RLIMIT_NOFILE, &r);
    if (::geteuid() == 0) {
      // Root could raise the hard limit; as nobody it cannot.
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
        ::_exit(126);
      }
    }
  });
  EXPECT_FALSE(server.start_stampede({"--connections", "1024"}));
  const std::optional<int> status = server.wait_exit(5000);
  ASSERT_TRUE(status.has_value()) << "the server runs";
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  const std::string err = server.stderr_text(100);
  EXPECT_NE(err.find("--connections 1024"), std::string::npos) << err;
  EXPECT_NE(err.find("open files"), std::string::npos) << err;
}

TEST(Reliability, OutOfFileDescriptorsBacksOffWithoutSpinning) {
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede({"--connections", "1024"}));
  // Lower the running server's limit below its --connections (as `prlimit`
  // would): accept() now fails with EMFILE after ~60 clients.
  const rlimit low{64, 64};
  ASSERT_EQ(::prlimit(server.pid(), RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);
  std::vector<int> fds = connect_many(server.port(), 200); // the kernel's backlog takes them all
  ASSERT_EQ(fds.size(), 200u);
  const double cpu_before = cpu_seconds(server.pid());
  const auto t0 = Clock::now();
  while (Clock::now() - t0 < std::chrono::seconds(3)) {
    server.stderr_text(100);
  }
  const double cpu = cpu_seconds(server.pid()) - cpu_before;
  const std::size_t log_bytes = server.stderr_bytes();
  const Answers a = ask_version(fds);
  std::printf("[ figures  ] 200 clients, open files limit 64: %d served, %d refused, %d silent; "
              "server CPU %.2f s in 3 s, stderr %zu bytes\n",
              a.served, a.refused, a.silent, cpu, log_bytes);
  // Spinning on accept() costs a whole core (3 s in 3 s); waiting costs nothing.
  EXPECT_LT(cpu, 0.3);
  // At most one line a second, each well under 200 bytes.
  EXPECT_LT(log_bytes, 1000u) << server.stderr_text();
  EXPECT_GT(a.served, 0);
  EXPECT_EQ(a.silent, 0) << "clients past the limit hang";
  for (const int fd : fds) {
    ::close(fd);
  }
  // Descriptors free again: the server accepts once more.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<int> again = connect_many(server.port(), 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(ask_version(again).served, 1);
  ::close(again[0]);
}

// ---------------------------------------------------------------------------
// Item 4: memory inside --memory.

// 1,000 connections holding 999 KB of a 1 MB set each. Real memcached 1.6.18
// -m 64: 86.5 MiB RSS while they hold (the sets take items from its 64 MB;
// those it cannot fit are answered `SERVER_ERROR out of memory storing
// object` and their data swallowed). At 5a03929 ours held 984 MiB. The bound
// leaves ours room for a filled --memory 64 plus 1,000 connections' buffers.
constexpr double kHeldSetsMib = 150;

TEST(Reliability, ThousandUnfinishedBigSetsStayInsideMemory) {
  if (!ensure_open_files(1200)) {
    GTEST_SKIP() << "this test opens 1,000 sockets; the hard limit on open files is lower";
  }
  ServerProcess server;
  cap_address_space(server);
  ASSERT_TRUE(server.start_stampede({"--connections", "2048"}));
  double held = 0;
  const std::uint64_t taken = hold_unfinished_big_sets(server, 1000, &held);
  const double peak = peak_rss_mib(server.pid());
  std::printf("[ figures  ] 1,000 connections x 999 KB of a 1 MB set: server took %.0f MB, "
              "RSS %.1f MiB while held, peak %.1f MiB\n",
              static_cast<double>(taken) / 1e6, held, peak);
  EXPECT_GT(peak, 0) << "the server died";
  EXPECT_LT(peak, kHeldSetsMib);
  expect_still_serving(server);
}

// Random sizes, 4 rounds of 128 MB each (twice --memory 64 a round). Real
// memcached 1.6.18 -m 64: 69.5 MiB after each round; before the rewrite ours
// grew 54, 67, 83, 96 MiB (levelling off at 160 MB on the longer
// run). Issue 15's target is 1.1 x memcached (76 MiB); 80 MiB is 1.15 x.
constexpr double kRandomSizesMib = 80;

TEST(Reliability, RandomSizeSetsLevelOffInsideMemory) {
  ServerProcess server;
  cap_address_space(server);
  ASSERT_TRUE(server.start_stampede({"--memory", "64"}));
  std::uint64_t stored = 0;
  std::uint64_t oom = 0;
  const std::vector<double> rss = random_size_rounds(server, 4, 128u << 20, &stored, &oom);
  ASSERT_EQ(rss.size(), 4u);
  std::printf("[ figures  ] random-size sets, --memory 64: RSS %.1f %.1f %.1f %.1f MiB "
              "(%llu stored, %llu out of memory)\n",
              rss[0], rss[1], rss[2], rss[3], static_cast<unsigned long long>(stored),
              static_cast<unsigned long long>(oom));
  EXPECT_LT(rss[3], kRandomSizesMib);
  // Levelled off: the last round grows RSS by little more than noise.
  EXPECT_LT(rss[3] - rss[2], 4.0);
}

// 700,000 100-byte items on distinct keys (about twice what 64 MB holds).
// Real memcached 1.6.18 -m 64: 69.5 MiB; before the rewrite ours 88.9 MiB
// (91 MB on the machine). Issue 15's target is 1.1 x memcached
// (76 MiB); 80 MiB is 1.15 x.
constexpr double kSmallItemsMib = 80;

TEST(Reliability, SmallItemsFillingMemoryStayInsideIt) {
  ServerProcess server;
  cap_address_space(server);
  ASSERT_TRUE(server.start_stampede({"--memory", "64"}));
  const double rss = fill_with_small_items(server, 700000);
  std::printf("[ figures  ] 700,000 100-byte sets, --memory 64: RSS %.1f MiB\n", rss);
  EXPECT_LT(rss, kSmallItemsMib);
}

// ---------------------------------------------------------------------------
// Item 5 (and item 10's server part): --stdio, and cache_memlimit.

/// Runs `stampede memcached --stdio` with `input` on stdin and stdout given
/// by `make_stdout` in the child; returns the wait status (or -1 on a hang
/// of 10 s) and what it wrote on stderr.
int run_stdio(const std::string &input, const std::function<int()> &make_stdout, std::string *err) {
  int in[2];
  int errp[2];
  if (::pipe(in) != 0 || ::pipe(errp) != 0) {
    return -1;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::signal(SIGPIPE, SIG_DFL); // as a shell starts it
    const int out = make_stdout();
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(errp[1], STDERR_FILENO);
    ::close(in[0]);
    ::close(in[1]);
    ::close(errp[0]);
    ::close(errp[1]);
    ::execl(STAMPEDE_BIN, STAMPEDE_BIN, "memcached", "--stdio", static_cast<char *>(nullptr));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(errp[1]);
  // The server may stop reading early; our write must not kill the test.
  const auto old = std::signal(SIGPIPE, SIG_IGN);
  (void)!::write(in[1], input.data(), input.size());
  ::close(in[1]);
  std::signal(SIGPIPE, old);
  int status = -1;
  for (int waited = 0; waited < 10000; waited += 10) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      break;
    }
    status = -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (status == -1) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(errp[0], buf, sizeof buf)) > 0) {
    err->append(buf, static_cast<std::size_t>(n));
  }
  ::close(errp[0]);
  return status;
}

TEST(Reliability, StdioWhoseReaderGoesAwayExitsZero) {
  std::string err;
  // stdout is a pipe whose reading end is already closed: `stampede memcached
  // --stdio | head -c 0`. At 5a03929: killed by SIGPIPE (a shell says 141).
  const int status = run_stdio(
      "version\r\nset a 0 0 1\r\n1\r\nget a\r\nversion\r\n",
      [] {
        int p[2];
        (void)!::pipe(p);
        ::close(p[0]);
        return p[1];
      },
      &err);
  ASSERT_NE(status, -1) << "hangs";
  EXPECT_FALSE(WIFSIGNALED(status)) << "killed by signal " << WTERMSIG(status);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << err;
}

TEST(Reliability, StdioInputEndingInsideADataBlockKeepsTheRepliesBeforeIt) {
  // Issue 24, item 10: `printf 'set k 0 0 1\r\nx\r\ncas k 0 0 1 1\r\n' |
  // stampede memcached --stdio` printed nothing, not even STORED: the end
  // of the input closed the session as a hang-up does, and the replies held
  // while it waited for the cas's data went with it. The unfinished cas
  // gets no reply; the set keeps its own.
  char name[] = "/tmp/stampede-stdio-XXXXXX";
  const int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  std::string err;
  const int status = run_stdio(
      "set k 0 0 1\r\nx\r\ncas k 0 0 1 1\r\n", [&] { return ::dup(fd); }, &err);
  ASSERT_NE(status, -1) << "hangs";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << err;
  std::string out(64, '\0');
  const ssize_t n = ::pread(fd, out.data(), out.size(), 0);
  ::close(fd);
  ::unlink(name);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  EXPECT_EQ(out, "STORED\r\n");
}

TEST(Reliability, StdioToAFullDeviceExitsTwo) {
  std::string err;
  // `stampede memcached --stdio > /dev/full`: every write fails with ENOSPC.
  const int status = run_stdio(
      "version\r\n", [] { return ::open("/dev/full", O_WRONLY); }, &err);
  ASSERT_NE(status, -1) << "hangs";
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(err.find("stdout: write failed"), std::string::npos) << err;
}

// Issue 24: lru_crawler, watch, lru, slabs automove and stats
// sizes_enable answered ERROR; memcached 1.6.18 answers each as below (taken
// from it; `compared` ones are checked against it here, started with the
// options the node models). What the node cannot do the same (move slab
// pages, dump every item, write watch logs, count sizes) the README's
// memcached section says; its answers there are memcached's own.
TEST(Reliability, MaintenanceCommandsAnswerAsMemcached) {
  struct Case {
    std::string bytes, want;
    bool compared; // the crawler's answers depend on its thread's timing
  };
  const std::vector<Case> cases = {
      {"lru_crawler disable\r\nlru_crawler disable\r\nlru_crawler crawl all\r\n",
       "OK\r\nOK\r\nCLIENT_ERROR lru crawler disabled\r\n", false},
      {"lru_crawler enable\r\nlru_crawler crawl all\r\n",
       "ERROR failed to start lru crawler thread\r\nOK\r\n", false},
      {"lru_crawler crawl 1,2\r\n", "OK\r\n", false},
      {"lru_crawler crawl 63\r\nlru_crawler crawl 0\r\nlru_crawler crawl x\r\n",
       "OK\r\nBADCLASS invalid class id\r\nBADCLASS invalid class id\r\n", false},
      {"lru_crawler metadump all\r\n", "ERROR metadump not allowed\r\n", false},
      {"lru_crawler sleep 2000000\r\nlru_crawler sleep 10\r\nlru_crawler tocrawl x\r\n"
       "lru_crawler sleep 10 noreply\r\nlru_crawler\r\n",
       "CLIENT_ERROR sleep must be one second or less\r\nOK\r\nCLIENT_ERROR bad command line "
       "format\r\nERROR\r\nERROR\r\n",
       true},
      {"lru mode flat\r\nlru mode segmented\r\nlru mode x\r\nlru temp_ttl -1\r\n"
       "lru temp_ttl x\r\nlru tune 10 10 0.1 2\r\nlru tune 50 40 0.1 2\r\n"
       "lru tune 10 10 0 2\r\nlru tune x 1 1 1\r\nlru mode flat noreply\r\nlru\r\n",
       "OK\r\nOK\r\nERROR\r\nOK\r\nERROR\r\nOK\r\nERROR hot and warm pcts must not exceed "
       "80\r\nERROR hot/warm age factors must be greater than 0\r\nERROR\r\nERROR\r\n",
       true},
      {"slabs automove 1\r\nslabs automove 0\r\nslabs automove 3\r\nslabs automove x\r\n"
       "slabs automove ratio 0.5\r\nslabs automove ratio\r\nslabs automove 1 noreply\r\n"
       "slabs automove\r\n",
       "OK\r\nOK\r\nERROR\r\nCLIENT_ERROR bad command line format\r\nOK\r\nERROR\r\n"
       "ERROR\r\n",
       true},
      {"slabs reassign 1 1\r\nslabs reassign 2 3\r\nslabs reassign 1 2 3\r\n",
       "CLIENT_ERROR slab reassignment disabled\r\nCLIENT_ERROR slab reassignment "
       "disabled\r\nERROR\r\n",
       true},
      {"stats sizes_enable\r\nstats sizes\r\nstats sizes_disable\r\nstats sizes\r\n",
       "STAT sizes_status enabled\r\nEND\r\nSTAT sizes_status disabled\r\n"
       "STAT sizes_status disabled\r\nEND\r\n",
       true},
      {"version\r\nwatch\r\n",
       "VERSION 1.6.18\r\nERROR cannot pipeline other commands before "
       "watch\r\n",
       true}, // Issue 24: `ma` with a CAS on an empty value answered EX; memcached
      // finds an empty value non-numeric first (other text after the CAS).
      {"set e 0 0 0\r\n\r\nma e C999\r\nset a 0 0 3\r\nabc\r\nma a C999\r\n",
       "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nSTORED\r\n"
       "EX\r\n",
       true},
  };
  // After `watch`, commands are not read: the version gets no answer.
  const auto watch = [](int port) {
    const int fd = connect_to(port);
    send_all(fd, "watch fetchers\r\nversion\r\n");
    std::string out = read_until(fd, "OK\r\n");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 300) > 0) {
      char buf[256];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      out.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    }
    ::close(fd);
    return out;
  };
  ServerProcess ours;
  ASSERT_TRUE(ours.start_stampede());
  for (const Case &c : cases)
    EXPECT_EQ(session(ours.port(), c.bytes), c.want) << ::testing::PrintToString(c.bytes);
  EXPECT_EQ(watch(ours.port()), "OK\r\n");
  if (!real_available()) {
    GTEST_SKIP() << "no " << kRealMemcached << " to compare with";
  }
  ServerProcess real;
  ASSERT_TRUE(real.start_real());
  for (const Case &c : cases) {
    if (c.compared) {
      EXPECT_EQ(session(real.port(), c.bytes), c.want)
          << "memcached 1.6.18 answers otherwise: " << ::testing::PrintToString(c.bytes);
    }
  }
  EXPECT_EQ(watch(real.port()), "OK\r\n");
}

// Issue 24: two `ma` corners were reported to differ from memcached 1.6.18:
// an opaque token too long after N/T (its side effects), and what a `ma`
// after `ma q` answers. Each sequence here answers byte for byte as
// memcached does, side effects included (the mg after).
TEST(Reliability, MaCornersAnswerAsMemcached) {
  const std::string opaque = "O" + std::string(40, 'o');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ma k N0 " + opaque + "\r\nmg k v\r\n",
       "CLIENT_ERROR opaque token too long\r\nVA 1\r\n0\r\n"},
      {"set k 0 0 1\r\n5\r\nma k T99 " + opaque + "\r\nmg k t v\r\n",
       "STORED\r\nCLIENT_ERROR opaque token too long\r\nVA 1 t99\r\n6\r\n"},
      {"ma k q N0 T5 " + opaque + " k\r\nmg k t v\r\n",
       "CLIENT_ERROR opaque token too long\r\nVA 1 t5\r\n0\r\n"},
      {"set k 0 0 1\r\n5\r\nma k q O1 k\r\nma k O2\r\n", "STORED\r\nHD O2\r\n"},
      {"set k 0 0 1\r\n5\r\nma nope q O1 k\r\nma k O2 v\r\n",
       "STORED\r\nNF O1 knope\r\nVA 1 O2\r\n6\r\n"},
      {"set k 0 0 1\r\n5\r\nma k q v\r\nma k\r\nmn\r\n", "STORED\r\nHD\r\nMN\r\n"},
      {"set k 0 0 1\r\n5\r\nmd k I\r\nma k q\r\nma k v\r\nmg k v\r\n",
       "STORED\r\nHD\r\nVA 1\r\n7\r\nVA 1 X W\r\n7\r\n"},
  };
  const auto run = [&](ServerProcess &server) {
    for (const auto &[bytes, want] : cases) {
      session(server.port(), "flush_all\r\n");
      EXPECT_EQ(session(server.port(), bytes), want) << ::testing::PrintToString(bytes);
    }
  };
  ServerProcess ours;
  ASSERT_TRUE(ours.start_stampede());
  run(ours);
  if (!real_available()) {
    GTEST_SKIP() << "no " << kRealMemcached << " to compare with";
  }
  ServerProcess real;
  ASSERT_TRUE(real.start_real());
  run(real);
}

// Issue 24: after `cache_memlimit 8`, memcached's slab mover frees pages
// (about 1 MB of items stays); the node never moves pages, so what is
// stored stays until new items need its room (README, "Where it differs").
// This pins the node's side of that documented difference.
TEST(Reliability, ALowerMemlimitKeepsWhatIsStoredUntilItsRoomIsNeeded) {
  ServerProcess ours;
  ASSERT_TRUE(ours.start_stampede({"--memory", "64"}));
  const std::string value(100000, 'v');
  const auto sets = [&](int from, int to) {
    std::string out;
    for (int i = from; i < to; ++i)
      out += "set k" + std::to_string(i) + " 0 0 100000 noreply\r\n" + value + "\r\n";
    return out;
  };
  session(ours.port(), sets(0, 200)); // 20 MB
  EXPECT_EQ(session(ours.port(), "cache_memlimit 8\r\n"), "OK\r\n");
  const std::string got = session(ours.port(), "get k0\r\nget k199\r\n");
  EXPECT_NE(got.find("VALUE k0 0 100000\r\n"), std::string::npos);
  EXPECT_NE(got.find("VALUE k199 0 100000\r\n"), std::string::npos);
  // New items then take their room from the oldest.
  session(ours.port(), sets(200, 300));
  const std::regex bytes("STAT bytes (\\d+)\r\n");
  std::smatch m;
  const std::string stats = session(ours.port(), "stats\r\n");
  ASSERT_TRUE(std::regex_search(stats, m, bytes)) << stats;
  EXPECT_GT(std::stoull(m[1].str()), 8ull << 20) << "what was stored stays";
}

// Issue 24: SIGHUP killed the server (memcached takes it and goes on);
// SIGUSR1 killed it (memcached's graceful stop: exit 0).
TEST(Reliability, SighupIsTakenAndSigusr1StopsCleanly) {
  ServerProcess ours;
  ASSERT_TRUE(ours.start_stampede());
  ASSERT_EQ(::kill(ours.pid(), SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(session(ours.port(), "version\r\n"), "VERSION 1.6.18\r\n");
  ASSERT_EQ(::kill(ours.pid(), SIGUSR1), 0);
  const std::optional<int> status = ours.wait_exit(5000, true);
  ASSERT_TRUE(status) << "still running after SIGUSR1";
  EXPECT_TRUE(WIFEXITED(*status)) << "killed by signal " << WTERMSIG(*status);
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(Reliability, CacheMemlimitAnswersAsMemcached) {
  ServerProcess ours;
  ASSERT_TRUE(ours.start_stampede());
  // memcached 1.6: a new limit in megabytes, `OK`.
  EXPECT_EQ(session(ours.port(), "cache_memlimit 100\r\n"), "OK\r\n");
  if (!real_available()) {
    GTEST_SKIP() << "no " << kRealMemcached << " to compare the other forms with";
  }
  ServerProcess real;
  ASSERT_TRUE(real.start_real());
  for (const char *bytes : {"cache_memlimit 100\r\n", "cache_memlimit 100 noreply\r\nversion\r\n",
                            "cache_memlimit\r\n", "cache_memlimit abc\r\n", "cache_memlimit 1\r\n",
                            "cache_memlimit -5\r\n", "cache_memlimit 100 200\r\n"}) {
    std::string a = session(real.port(), bytes);
    std::string b = session(ours.port(), bytes);
    // VERSION lines name different programs; compare their shape only.
    for (std::string *s : {&a, &b}) {
      const std::size_t v = s->find("VERSION ");
      if (v != std::string::npos) {
        s->replace(v, s->find("\r\n", v) - v, "VERSION x");
      }
    }
    EXPECT_EQ(a, b) << ::testing::PrintToString(std::string(bytes));
  }
  // The new limit shows in `stats` as memcached shows it.
  const std::regex limit("STAT limit_maxbytes (\\d+)\r\n");
  std::smatch ma;
  std::smatch mb;
  session(real.port(), "cache_memlimit 100\r\n");
  session(ours.port(), "cache_memlimit 100\r\n");
  const std::string sa = session(real.port(), "stats\r\n");
  const std::string sb = session(ours.port(), "stats\r\n");
  ASSERT_TRUE(std::regex_search(sa, ma, limit));
  ASSERT_TRUE(std::regex_search(sb, mb, limit)) << sb;
  EXPECT_EQ(ma[1].str(), mb[1].str());
}

// ---------------------------------------------------------------------------
// The loads against both servers, figures printed side by side (skipped
// unless STAMPEDE_MC_CALIBRATE=1: it doubles the suite's time).

TEST(Reliability, CalibrateAgainstRealMemcached) {
  const char *on = std::getenv("STAMPEDE_MC_CALIBRATE");
  if (on == nullptr || std::string(on) != "1" || !real_available() || !ensure_open_files(1200)) {
    GTEST_SKIP() << "set STAMPEDE_MC_CALIBRATE=1 (and install memcached) to run";
  }
  for (const bool real : {true, false}) {
    const char *who = real ? "memcached -m 64" : "stampede memcached";
    auto start = [&](ServerProcess &s, std::vector<std::string> ours_extra) {
      if (real) {
        return s.start_real({"-c", "2048"});
      }
      cap_address_space(s);
      return s.start_stampede(ours_extra);
    };
    for (const int names : {1000, 5000}) {
      ServerProcess s;
      ASSERT_TRUE(start(s, {}));
      std::uint64_t expected = 0;
      const std::uint64_t got = multiget_one_big_value(s, names, &expected);
      std::printf("%s: get x%d: %llu/%llu bytes, peak %.1f MiB\n", who, names,
                  static_cast<unsigned long long>(got), static_cast<unsigned long long>(expected),
                  peak_rss_mib(s.pid()));
    }
    {
      ServerProcess s;
      ASSERT_TRUE(start(s, {}));
      const std::uint64_t taken = pipeline_gets_without_reading(s, 2000000);
      std::printf("%s: pipelined gets: took %llu, peak %.1f MiB\n", who,
                  static_cast<unsigned long long>(taken), peak_rss_mib(s.pid()));
    }
    {
      ServerProcess s;
      ASSERT_TRUE(start(s, {"--connections", "2048"}));
      double held = 0;
      const std::uint64_t taken = hold_unfinished_big_sets(s, 1000, &held);
      std::printf("%s: 1000 held sets: took %.0f MB, RSS %.1f MiB held, peak %.1f MiB\n", who,
                  static_cast<double>(taken) / 1e6, held, peak_rss_mib(s.pid()));
    }
    {
      ServerProcess s;
      ASSERT_TRUE(start(s, {"--memory", "64"}));
      std::uint64_t stored = 0;
      std::uint64_t oom = 0;
      const std::vector<double> rss = random_size_rounds(s, 4, 128u << 20, &stored, &oom);
      std::printf("%s: random sizes:", who);
      for (const double r : rss) {
        std::printf(" %.1f", r);
      }
      std::printf(" MiB (%llu stored, %llu out of memory)\n",
                  static_cast<unsigned long long>(stored), static_cast<unsigned long long>(oom));
    }
    {
      ServerProcess s;
      ASSERT_TRUE(start(s, {"--memory", "64"}));
      std::printf("%s: 100-byte fill: %.1f MiB\n", who, fill_with_small_items(s, 700000));
    }
  }
}

} // namespace
} // namespace stampede::mctest
