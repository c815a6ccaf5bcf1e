// Real clients against `stampede memcached`: libmemcached's memccapable
// (ASCII tests) and the course's Python client (pymemcache).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <regex>
#include <string>

#include "mc_harness.h"

namespace stampede::mctest {
namespace {

/// Runs a shell command with a time limit; returns its exit status and output.
int run(const std::string &cmd, std::string *out) {
  FILE *p = ::popen(("timeout 60 " + cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    return -1;
  }
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) {
    *out += buf.data();
  }
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Tools, MemccapableAsciiPassesEveryTest) {
  if (::access("/usr/bin/memccapable", X_OK) != 0) {
    GTEST_SKIP() << "libmemcached-tools is not installed";
  }
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede());
  std::string out;
  const int status =
      run("/usr/bin/memccapable -a -h 127.0.0.1 -p " + std::to_string(server.port()), &out);
  std::printf("%s", out.c_str());
  const std::regex pass(R"(ascii \w+.*\[pass\])");
  const auto passed =
      std::distance(std::sregex_iterator(out.begin(), out.end(), pass), std::sregex_iterator());
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  EXPECT_NE(out.find("All tests passed"), std::string::npos) << out;
  EXPECT_GE(passed, 27) << out;
  EXPECT_EQ(status, 0);
}

TEST(Tools, PymemcacheTutorialSession) {
  if (::access("/usr/bin/python3", X_OK) != 0 ||
      std::system("/usr/bin/python3 -c 'import pymemcache' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-pymemcache is not installed";
  }
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede());
  std::string out;
  const int status =
      run("/usr/bin/python3 " STAMPEDE_SOURCE_DIR "/tests/memcached/pymemcache_session.py " +
              std::to_string(server.port()),
          &out);
  EXPECT_EQ(status, 0) << out;
  EXPECT_TRUE(out.ends_with("ok\n")) << out;
}

TEST(Tools, SigtermStopsTheServerCleanly) {
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede());
  const int fd = connect_to(server.port());
  ASSERT_GE(fd, 0);
  server.stop();
  EXPECT_TRUE(WIFEXITED(server.exit_status())) << server.exit_status();
  EXPECT_EQ(WEXITSTATUS(server.exit_status()), 0);
  ::close(fd);
}

TEST(Tools, ConnectionsOverTheLimitAreRefused) {
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede({"--connections", "2"}));
  const int a = connect_to(server.port());
  const int b = connect_to(server.port());
  // Both are served...
  ASSERT_TRUE(send_all(a, "version\r\n"));
  ASSERT_TRUE(send_all(b, "version\r\n"));
  EXPECT_EQ(read_until(a, "\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_EQ(read_until(b, "\r\n"), "VERSION 1.6.18\r\n");
  // ...the third hears memcached's refusal and is closed.
  const int c = connect_to(server.port());
  EXPECT_EQ(read_to_eof(c), "ERROR Too many open connections\r\n");
  ::close(a);
  ::close(b);
  ::close(c);
}

TEST(Tools, StdioServesOneSession) {
  std::string out;
  const int status = run(
      "printf 'set a 0 0 1\\r\\n1\\r\\nget a\\r\\n' | " STAMPEDE_BIN " memcached --stdio", &out);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "STORED\r\nVALUE a 0 1\r\n1\r\nEND\r\n");
}

} // namespace
} // namespace stampede::mctest
