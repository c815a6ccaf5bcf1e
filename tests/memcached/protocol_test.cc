// The protocol handler on its own: the same session split at every byte
// gives the same replies, and each reply is memcached's (the differential
// tests check these against the real server).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/memcached_protocol.h"

namespace stampede {
namespace {

struct Handler {
  MemcachedNode node{McConfig{}};
  McServerState server;
  MemcachedProtocol proto{node, server};
  std::string out;
  Handler() { server.now_s = 1000000000; }
  void feed(std::string_view bytes) {
    proto.feed(bytes);
    out += proto.take_committed();
  }
};

std::string run(std::string_view session) {
  Handler h;
  h.feed(session);
  return h.out;
}

// Pipelined, every command and error that does not depend on read boundaries.
const std::string kSession =
    "set a 5 0 3\r\nabc\r\nget a b\r\ngets a\r\nadd a 0 0 1\r\nx\r\nreplace b 0 0 1\r\ny\r\n"
    "append a 0 0 2\r\nde\r\nprepend a 0 0 1\r\nz\r\nset n 0 0 2\r\n10\r\nincr n 5\r\n"
    "decr n 100\r\nincr n x\r\nincr a 1\r\ndelete a\r\ndelete a\r\ndelete n 1\r\ntouch n 10\r\n"
    "gat 10 n\r\ncas n 0 0 1 1\r\n1\r\nset k 0 0 1\r\nab\r\nset k 0 0 -1\r\nbogus\r\n\r\n"
    "set q 0 0 1 noreply\r\nq\r\nget q\r\nflush_all\r\nget q\r\nverbosity 1\r\nversion\r\n"
    "set big 0 0 2000\r\n" +
    std::string(2000, 'x') + "\r\nget big\r\nmn\r\n";

const std::string kExpected =
    "STORED\r\nVALUE a 5 3\r\nabc\r\nEND\r\nVALUE a 5 3 1\r\nabc\r\nEND\r\nNOT_STORED\r\n"
    "NOT_STORED\r\nSTORED\r\nSTORED\r\nSTORED\r\n15\r\n0\r\n"
    "CLIENT_ERROR invalid numeric delta argument\r\n"
    "CLIENT_ERROR cannot increment or decrement non-numeric value\r\nDELETED\r\nNOT_FOUND\r\n"
    "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\nTOUCHED\r\n"
    "VALUE n 0 2\r\n0 \r\nEND\r\nEXISTS\r\nCLIENT_ERROR bad data chunk\r\nERROR\r\n"
    "CLIENT_ERROR bad command line format\r\nERROR\r\nERROR\r\nVALUE q 0 1\r\nq\r\nEND\r\n"
    "OK\r\nEND\r\nOK\r\nVERSION 1.6.18\r\nSTORED\r\nVALUE big 0 2000\r\n" +
    std::string(2000, 'x') + "\r\nEND\r\nMN\r\n";

TEST(MemcachedProtocol, PipelinedSessionGivesMemcachedsReplies) {
  EXPECT_EQ(run(kSession), kExpected);
}

TEST(MemcachedProtocol, EverySplitGivesTheSameReplies) {
  for (std::size_t cut = 0; cut <= kSession.size(); ++cut) {
    Handler h;
    h.feed(std::string_view(kSession).substr(0, cut));
    h.feed(std::string_view(kSession).substr(cut));
    ASSERT_EQ(h.out, kExpected) << "split at byte " << cut;
  }
}

TEST(MemcachedProtocol, ByteAtATimeGivesTheSameReplies) {
  Handler h;
  for (char c : kSession) {
    h.feed(std::string_view(&c, 1));
  }
  EXPECT_EQ(h.out, kExpected);
}

TEST(MemcachedProtocol, QuitClosesAfterTheReplies) {
  Handler h;
  h.feed("version\r\nquit\r\nversion\r\n");
  EXPECT_EQ(h.out, "VERSION 1.6.18\r\n");
  EXPECT_TRUE(h.proto.closing());
}

TEST(MemcachedProtocol, UnfinishedLineOver2048BytesCloses) {
  Handler h;
  h.feed(std::string(2048, 'x'));
  EXPECT_FALSE(h.proto.closing());
  h.feed("x");
  EXPECT_TRUE(h.proto.closing());
  EXPECT_EQ(h.out, "");
}

TEST(MemcachedProtocol, LongLineInOneReadIsACommand) {
  // memcached 1.6 only gives up on a line over 2048 bytes while it is still
  // unfinished; a whole long line that arrives in one read is processed.
  Handler h;
  h.feed("set k 0 0 1 " + std::string(3000, ' ') + "\r\na\r\nget k\r\n");
  EXPECT_FALSE(h.proto.closing());
  EXPECT_EQ(h.out, "STORED\r\nVALUE k 0 1\r\na\r\nEND\r\n");
}

TEST(MemcachedProtocol, LongMultigetIsAnsweredAndBounded) {
  Handler h;
  h.feed("set a 0 0 1\r\n1\r\n");
  h.feed("get");
  for (int i = 0; i < 100000; ++i) {
    h.feed(" a");
  }
  h.feed("\r\n");
  EXPECT_FALSE(h.proto.closing());
  EXPECT_EQ(h.out.size(), std::string("STORED\r\n").size() + 100000 * 16 + 5);
  EXPECT_TRUE(h.out.ends_with("VALUE a 0 1\r\n1\r\nEND\r\n"));
}

TEST(MemcachedProtocol, TooLargeDataIsSwallowedWithoutKeepingIt) {
  Handler h;
  h.feed("set k 0 0 100000000\r\n");
  for (int i = 0; i < 1000; ++i) {
    h.feed(std::string(100000, 'x'));
  }
  h.feed("\r\nget k\r\n");
  EXPECT_EQ(h.out, "SERVER_ERROR object too large for cache\r\nEND\r\n");
}

TEST(MemcachedProtocol, GetWithLongKeyDropsUnsentReplies) {
  // memcached culls the replies it has not written yet (conn_release_items).
  EXPECT_EQ(run("set a 0 0 1\r\n1\r\nget a " + std::string(251, 'k') + "\r\n"),
            "CLIENT_ERROR bad command line format\r\n");
}

// The committed fuzz corpus replays here (tests/io's replay covers only its own folders).
TEST(MemcachedProtocol, FuzzCorpusReplays) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(STAMPEDE_SOURCE_DIR) / "tests/fuzz/corpus/memcached_protocol";
  int files = 0;
  for (const auto &entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    const std::string data = s.str();
    if (data.empty()) {
      continue;
    }
    McConfig config;
    config.memory_limit_bytes = 2u << 20;
    config.item_size_max = 64u << 10;
    MemcachedNode node(config);
    McServerState server;
    server.now_s = 1000000000;
    MemcachedProtocol proto(node, server);
    const std::string_view all = std::string_view(data).substr(1);
    const std::size_t split = static_cast<unsigned char>(data[0]) % (all.size() + 1);
    proto.feed(all.substr(0, split));
    proto.take_committed();
    proto.feed(all.substr(split));
    proto.take_committed();
    files += 1;
  }
  EXPECT_GT(files, 0);
}

// A get that names one large value many times answers it each time by
// pointing at the item, not by copying it: memory per key, not per byte.
TEST(MemcachedProtocol, ManyGetsOfOneLargeValuePointAtTheItem) {
  MemcachedNode node{McConfig{}};
  McServerState server;
  server.now_s = 1000000000;
  const std::string value(100'000, 'v');
  {
    MemcachedProtocol proto(node, server);
    proto.feed("set a 0 0 100000\r\n" + value + "\r\n");
    EXPECT_EQ(proto.take_committed(), "STORED\r\n");
    std::string line = "get";
    for (int i = 0; i < 1000; ++i) {
      line += " a";
    }
    proto.feed(line + "\r\n");
    // 1,000 values of 100 kB are queued, yet the text queued is the headers.
    EXPECT_LT(proto.queued_bytes(), 1000u * 64);
    EXPECT_EQ(node.pinned_items(), 1u);
    // Deleted while the replies wait: they still carry the value.
    proto.feed("delete a\r\n");
    const std::string out = proto.take_committed();
    const std::string one = "VALUE a 0 100000\r\n" + value + "\r\n";
    ASSERT_EQ(out.size(), 1000 * one.size() + 5 + 9);
    EXPECT_EQ(out.substr(0, one.size()), one);
    EXPECT_EQ(out.substr(999 * one.size()), one + "END\r\nDELETED\r\n");
    EXPECT_EQ(node.pinned_items(), 0u);
    // Replies never sent let go of their items when the connection goes.
    proto.feed("set b 0 0 100000\r\n" + value + "\r\nget b b b\r\n");
    EXPECT_EQ(node.pinned_items(), 1u);
  }
  EXPECT_EQ(node.pinned_items(), 0u);
}

// pymemcache and other clients call cache_memlimit; memcached 1.6 takes a
// new limit in megabytes (the differential test compares the replies).
TEST(MemcachedProtocol, CacheMemlimitSetsTheLimit) {
  Handler h;
  h.feed("cache_memlimit 100\r\nstats settings\r\nstats\r\n");
  EXPECT_EQ(h.out.substr(0, 4), "OK\r\n");
  EXPECT_NE(h.out.find("STAT maxbytes 104857600\r\n"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("STAT limit_maxbytes 104857600\r\n"), std::string::npos) << h.out;
}

} // namespace
} // namespace stampede
