// McConnection, the life of one `stampede memcached` connection without
// sockets: back-pressure, half-close and quit, driven with a model of the
// socket (tests/fuzz/memcached_connection_case.h), and the fuzz corpus of
// socket-event scripts replayed.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../fuzz/memcached_connection_case.h"

namespace stampede {
namespace {

using fuzzcase::ModelOutput;

struct Fixture {
  MemcachedNode node{fuzzcase::case_config()};
  McServerState server;
  ModelOutput out{node};
  McConnection conn{node, server, out};
  std::string received;
  Fixture() { server.now_s = 1000000000; }
  /// The client's bytes, read by the server a chunk at a time while it wants them.
  /// @return bytes the server did not take (it stopped wanting input).
  std::size_t write(std::string_view bytes) {
    while (!bytes.empty() && conn.wants_input()) {
      const std::size_t n = std::min(bytes.size(), McConnection::kReadChunk);
      conn.on_input(bytes.substr(0, n));
      bytes.remove_prefix(n);
    }
    return bytes.size();
  }
};

std::string set_line(const std::string &key, std::size_t bytes) {
  return "set " + key + " 0 0 " + std::to_string(bytes) + "\r\n" + std::string(bytes, 'v') + "\r\n";
}

TEST(McConnection, StopsReadingWhileItsOutputIsBackedUp) {
  // A 60 kB value (pinned in replies), then 10,000 gets (70 kB, five reads)
  // sent without reading: after the first read more than 4 MiB wait, so the
  // connection stops wanting input; it wants it again once the client has
  // read them.
  Fixture f;
  ASSERT_EQ(f.write(set_line("a", 60000)), 0u);
  std::string gets;
  for (int i = 0; i < 10000; ++i) {
    gets += "get a\r\n";
  }
  const std::size_t left = f.write(gets);
  EXPECT_GT(left, 0u) << "the server took every get although its output was backed up";
  EXPECT_FALSE(f.conn.wants_input());
  EXPECT_GT(f.out.queued_bytes(), McConnection::kMaxQueuedOutput);
  // The values are pinned, not copied: the text queued is headers.
  EXPECT_LT(f.out.text_bytes(), 200u * 1024);
  EXPECT_EQ(left, gets.size() - McConnection::kReadChunk);
  f.out.send(std::size_t{1} << 30, f.received);
  EXPECT_TRUE(f.conn.wants_input());
  // Reading and writing in turn, every get is answered, in order.
  std::string_view rest = std::string_view(gets).substr(gets.size() - left);
  while (!rest.empty()) {
    rest.remove_prefix(rest.size() - f.write(rest));
    f.out.send(std::size_t{1} << 30, f.received);
  }
  const std::string one = "VALUE a 0 60000\r\n" + std::string(60000, 'v') + "\r\nEND\r\n";
  EXPECT_EQ(f.received.size(), 8 + 10000 * one.size());
  EXPECT_EQ(f.received.substr(f.received.size() - one.size()), one);
  EXPECT_EQ(f.node.pinned_items(), 0u);
}

TEST(McConnection, AHalfClosedClientGetsEveryCommittedReply) {
  // `get mv` for a 20,000-byte value, then the half-close (nc -N): the
  // connection finishes only once all 20,025 bytes have been read.
  Fixture f;
  ASSERT_EQ(f.write(set_line("mv", 20000)), 0u);
  f.out.send(100, f.received);
  f.received.clear();
  ASSERT_EQ(f.write("get mv\r\nget m"), 0u); // an unfinished second command
  f.conn.on_eof();
  EXPECT_TRUE(f.conn.closing());
  EXPECT_FALSE(f.conn.wants_input());
  EXPECT_FALSE(f.conn.finished());
  f.out.send(16384, f.received);
  EXPECT_FALSE(f.conn.finished());
  f.out.send(16384, f.received);
  EXPECT_TRUE(f.conn.finished());
  EXPECT_EQ(f.received.size(), 20025u);
  EXPECT_EQ(f.received.substr(f.received.size() - 7), "\r\nEND\r\n");
  EXPECT_EQ(f.node.pinned_items(), 0u);
}

TEST(McConnection, QuitFinishesOnceTheRepliesBeforeItAreRead) {
  Fixture f;
  EXPECT_EQ(f.write("version\r\nquit\r\nversion\r\n"), 0u);
  EXPECT_TRUE(f.conn.closing());
  EXPECT_FALSE(f.conn.finished());
  f.out.send(1000, f.received);
  EXPECT_TRUE(f.conn.finished());
  EXPECT_EQ(f.received, "VERSION 1.6.18\r\n");
}

TEST(McConnection, ADisconnectMidDataBlockLetsGoOfItsItem) {
  // The set's item is allocated when its line arrives; the client vanishes
  // halfway through the data block, with a pinned reply unread too.
  MemcachedNode node(fuzzcase::case_config());
  McServerState server;
  server.now_s = 1000000000;
  {
    ModelOutput out(node);
    McConnection conn(node, server, out);
    conn.on_input(set_line("v", 5000) + "get v\r\n");
    conn.on_input("set big 0 0 50000\r\n" + std::string(10000, 'x'));
    EXPECT_EQ(node.pinned_items(), 2u); // v in the unread reply, big's reservation
  }
  EXPECT_EQ(node.pinned_items(), 0u);
  EXPECT_EQ(node.stats().curr_items, 1u); // v; big was never stored
}

TEST(McConnection, FuzzCorpusReplays) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(STAMPEDE_SOURCE_DIR) / "tests/fuzz/corpus/memcached_connection";
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(dir)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const fs::path &p : files) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_EQ(fuzzcase::run_case(s.str()), "") << p.filename();
  }
}

} // namespace
} // namespace stampede
