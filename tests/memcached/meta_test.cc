// The meta protocol (mg, ms, md, ma, me, mn) against real memcached 1.6:
// hand-written sessions sent to both servers and compared byte for byte (CAS
// uniques by order of first appearance; TTLs to the nearest 10 s, because
// the two servers' clocks tick at different moments), plus the lease-like
// sequences the lessons show: stale-while-revalidate after `md I` and the
// one winner among clients racing on a miss with `N`.
#include <gtest/gtest.h>

#include <regex>

#include "mc_harness.h"

namespace stampede::mctest {
namespace {

/// TTLs and ages (`t`, `l`, me's exp= and la=) rounded to the nearest 10 s.
std::string round_times(const std::string &reply) {
  static const std::regex times(R"(( t| l| exp=| la=)(-?)(\d+))");
  std::string out;
  auto begin = std::sregex_iterator(reply.begin(), reply.end(), times);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch &m = *it;
    out.append(reply, last, static_cast<std::size_t>(m.position(0)) - last);
    const long v = std::stol(m[3].str());
    out += m[1].str() + m[2].str() +
           (v < 5 ? std::to_string(v) : "~" + std::to_string((v + 5) / 10 * 10));
    last = static_cast<std::size_t>(m.position(0) + m.length(0));
  }
  out.append(reply, last, std::string::npos);
  return out;
}

class Meta : public BothServers<Meta> {
protected:
  void SetUp() override {
    BothServers::SetUp();
    if (!IsSkipped())
      flush_both();
  }

  /// One session on a fresh connection to each server; returns our reply.
  static std::string expect_same(const std::string &name, const std::string &bytes) {
    const std::string a = session(real_->port(), bytes);
    const std::string b = session(ours_->port(), bytes);
    EXPECT_EQ(round_times(CasNormalizer().normalize(a)), round_times(CasNormalizer().normalize(b)))
        << name << "\nsession: " << ::testing::PrintToString(bytes);
    return b;
  }
};

struct Case {
  const char *name;
  std::string bytes;
};

const std::string k250(250, 'k');
const std::string k251(251, 'k');

// One behaviour per session.
const std::vector<Case> &meta_cases() {
  static const std::vector<Case> cases = {
      // mg
      {"mg miss, hit, no flags", "mg k v\r\nms k 2\r\nhi\r\nmg k\r\nmg k v\r\n"},
      {"mg every returned flag",
       "ms k 2 T60 F7\r\nhi\r\nmg k v c f s t h l k O123 q\r\nmg k h\r\nmg k s v\r\n"},
      {"mg t is -1 without a TTL", "ms k 1\r\na\r\nmg k t\r\n"},
      {"mg T updates the TTL in token order", "ms k 1 T100\r\na\r\nmg k t T30 t\r\nmg k t\r\n"},
      {"mg u does not bump: h stays 0", "ms k 1\r\na\r\nmg k u\r\nmg k h\r\nmg k h\r\n"},
      {"mg q hides only the miss", "mg k q v\r\nmg k q k O1\r\nms k 1\r\na\r\nmg k q v\r\nmn\r\n"},
      {"mg k and O on a miss", "mg nokey k O42 v\r\n"},
      {"mg base64 key",
       "ms a2V5 1 b k c O5\r\nx\r\nmg a2V5 b v k\r\nmg key v k\r\nmg a2V5 b k q\r\n"},
      {"mg base64 errors", "mg !!!! b\r\nmg a2V b\r\nmg a2V5= b\r\nmg YQ== b v k\r\n"},
      {"mg errors",
       "mg\r\nmg k v v\r\nmg k x\r\nmg k E5\r\nmg k 1\r\nmg k Nx\r\nmg k N\r\nmg k T\r\nmg k "
       "Rabc\r\nmg k a b c d e f g h i j k l m n o p q r s t\r\nmg " +
           k251 + " v\r\nmg " + k250 + " v\r\n"},
      {"mg opaque length", "mg k O1234567890123456789012345678901\r\nmg k "
                           "O12345678901234567890123456789012\r\nms k 1\r\na\r\nmg k "
                           "O12345678901234567890123456789012 v\r\n"},
      {"mg flags that are accepted and ignored", "ms k 1\r\na\r\nmg k P L\r\n"},
      {"mg a token starting with a high byte", "mg k \xc3\xa9\r\n"},
      // N: vivify on miss
      {"mg N vivifies: W once, then Z",
       "mg k N30 v c t\r\nmg k N30 v c t\r\nmg k v\r\nms k 2\r\nhi\r\nmg k N30 v\r\n"},
      {"mg N without v, and with q", "mg k N30 q\r\nmg k N30 q\r\nmg k N30 T60 t\r\n"},
      {"mg N and T order decides the TTL",
       "mg j T60 N30 t v\r\nmg j t\r\nmg i N30 T60 t\r\nmg i t\r\n"},
      {"mg N placeholder is fetched", "mg j N30\r\nmg j v h l\r\nget j\r\n"},
      // Leases (the `lease` strategy): a miss wins the placeholder, an
      // invalidating delete voids its token, the holder's cas is refused,
      // the stale item's first reader wins a new token and fills.
      {"lease: md I voids the token, the new holder fills",
       "mg k N10 v c\r\nmg k N10 v c\r\nmd k I\r\ncas k 0 0 1 1\r\nx\r\nmg k N10 v c\r\n"
       "mg k N10 v c\r\ncas k 0 0 1 2\r\ny\r\nmg k N10 v c\r\n"},
      {"lease: a stale page is served with X and the token goes once",
       "set k 0 0 4\r\npage\r\nmd k I\r\nmg k N10 v c\r\nmg k N10 v c\r\nms k 5 C2\r\n"
       "fresh\r\nmg k N10 v c\r\n"},
      {"lease: a plain delete of the placeholder refuses the fill",
       "mg k N10 v c\r\ndelete k\r\ncas k 0 0 1 1\r\nx\r\nmg k N10 v c\r\n"},
      // R: recache
      {"mg R wins when the TTL is below the token",
       "ms k 1 T100\r\na\r\nmg k R30 v t\r\nmg k R200 v t\r\nmg k R200 v t\r\nmg k v\r\n"},
      {"mg R after T sees the new TTL",
       "ms k 1 T100\r\na\r\nmg k R200 T10 t v\r\nms k 1 T100\r\nb\r\nmg k T300 R200 t\r\n"},
      {"mg R never wins without a TTL", "ms k 1\r\na\r\nmg k R30 v\r\nmg k R0\r\n"},
      // Stale-while-revalidate
      {"md I: W to the first reader, Z to the others, a set clears it",
       "ms k 1\r\na\r\nmd k I T30\r\nmg k v c\r\nmg k v c\r\nmg k v c t\r\nms k 1\r\nb\r\nmg k v "
       "c\r\n"},
      {"md I again hands out a new token", "ms k 1\r\na\r\nmd k I\r\nmg k\r\nmg k\r\nmd k I\r\nmg "
                                           "k t\r\n"},
      {"ms I with an older cas stays stale",
       "ms k 1\r\na\r\nmg k c\r\nmd k I\r\nmg k c v\r\nms k 1 "
       "C1 I\r\nz\r\nmg k v c\r\nms k 1 C9999 I\r\ny\r\nmg k "
       "v\r\n"},
      {"ms with the current cas clears stale",
       "ms k 1 c\r\na\r\nmd k I\r\nmg k c\r\nms k 1 C3 c\r\nb\r\nmg k v\r\n"},
      // ms
      {"ms errors",
       "ms\r\nms k\r\nms k x\r\nx\r\nms k -1\r\nms k 1 MX\r\nx\r\nms k 1 MEE\r\nx\r\nms "
       "k 1 Fx\r\nx\r\nms k 1 x\r\na\r\nms k 1 O123456789012345678901234567890123\r\na\r\n"
       "ms k 1 MX O123456789012345678901234567890123\r\na\r\nms " +
           k251 + " 1\r\na\r\n"},
      {"ms modes",
       "ms k 1 q\r\nx\r\nms k 1 ME q\r\ny\r\nms k 1 MR k\r\nz\r\nms k 1 MA\r\nw\r\nms k "
       "1 MP\r\nv\r\nmg k v f\r\nms k 1 MS F7 T90\r\nu\r\nmg k v f t\r\nms z 1 MR\r\nx\r\n"
       "ms z 1 MA\r\nx\r\nms z 1 MP\r\nx\r\nms z 1 ME c\r\nx\r\n"},
      {"ms cas",
       "ms k 1 c\r\nx\r\nms k 1 C1 c\r\nx\r\nms z 1 C1 c\r\nx\r\nms kk 1 C0\r\nq\r\nms k 1 "
       "C0\r\nq\r\nms k 1 MA C1\r\nq\r\nms k 1 ME C1\r\nq\r\nmg k v\r\n"},
      {"ms bad data chunk", "ms k 2\r\nabc\r\nms k 1 q\r\nab\r\nmg k v\r\n"},
      {"ms ignored flags", "ms k 1 s v t f\r\nx\r\nmg k v\r\n"},
      {"ms too large",
       "ms k 1\r\na\r\nms k 2000000 MA\r\n" + std::string(2000000, 'a') + "\r\nmg k v\r\n"},
      // md
      {"md",
       "md\r\nmd k\r\nmd k q\r\nms k 1\r\na\r\nmd k C1\r\nmd k C1 q\r\nmd k x\r\nmd k Cx\r\nmd "
       "k k O9\r\nmg k v\r\nms k 1\r\na\r\nmd k q\r\nmg k v\r\n"},
      {"md I with q and T", "ms k 1\r\na\r\nmd k I T30 k O9 q\r\nmg k t v\r\nmd k T5\r\nmg k\r\n"},
      {"md with the right cas", "ms k 1 c\r\na\r\nmd k C2 I\r\nmg k c\r\n"},
      {"md base64 key", "ms a2V5 1 b\r\nx\r\nmd a2V5 b k\r\nmg key\r\n"},
      {"md too many flags", "md k a b c d e f g h i j k l m n o p q r s t\r\n"},
      // ma
      {"ma",
       "ma n\r\nma n N0 J10\r\nma n v\r\nma n MD D3 v t c\r\nma n M- v\r\nma n MI D5 v N0\r\nma "
       "n T30 t v\r\nma n q\r\nma n C1 v\r\nma nn q\r\nma n Mx\r\nma n D-1\r\nma n Jx N0\r\nma "
       "n MDD\r\nmg n v\r\n"},
      {"ma N and J autovivify",
       "ma j N30 J5 t v\r\nma x N30 J5 t v T60\r\nma y T60 N30 t v\r\nmg x "
       "t\r\nma new N0 q\r\nma new2 N0 J7 q v\r\nmg new2 v\r\n"},
      {"ma on non-numbers", "ms k 1\r\nx\r\nma k\r\nms j 2\r\n10\r\nma j N30 J5 t v\r\n"},
      {"ma grows and wraps", "ms n 1\r\n9\r\nma n v c\r\nms m 20\r\n18446744073709551615\r\nma m "
                             "v\r\nma m MD D100 v\r\n"},
      {"ma k O and base64", "ma bg== b k O1 N0 v\r\nma bg== b k O2 v\r\nma n k O3\r\n"},
      // me
      {"me", "me\r\nme k\r\nms k 1 T60\r\na\r\nme k\r\nme k a b\r\nmg k v\r\nme k\r\nms a2V5 1 "
             "b\r\nx\r\nme a2V5 b\r\nme key\r\nme !!!! b\r\n"},
      // pipelines
      {"q pipeline ended by mn",
       "ms a 1 q\r\n1\r\nms b 1 q\r\n2\r\nmg a v q\r\nmg zz v q\r\nmd b q\r\nmd b q\r\nma c q N0 "
       "J1\r\nma c q\r\nmn\r\nmg c v\r\n"},
      {"meta and text commands share items",
       "set t 5 0 2\r\nab\r\nmg t v f c\r\nms t 2 F9\r\ncd\r\ngets t\r\nincr t 1\r\nmd t I\r\nget "
       "t\r\nmg t v\r\n"},
  };
  return cases;
}

TEST_F(Meta, SessionsMatchMemcached) {
  for (const Case &c : meta_cases()) {
    session(real_->port(), "flush_all\r\n");
    session(ours_->port(), "flush_all\r\n");
    expect_same(c.name, c.bytes);
  }
  std::printf("meta sessions compared: %zu\n", meta_cases().size());
}

// The lessons' stale-while-revalidate: after `md key I T30` the first reader
// wins (W) the right to recompute, every later reader is served the stale
// value with Z, and a set ends it.
TEST_F(Meta, StaleWinSequence) {
  const std::string s = "ms key 3 T100\r\nold\r\nmd key I T30\r\nmg key v c\r\nmg key v\r\nmg key "
                        "v\r\nms key 3 T100\r\nnew\r\nmg key v\r\n";
  const std::string ours = expect_same("stale win", s);
  EXPECT_EQ(CasNormalizer().normalize(ours),
            "HD\r\nHD\r\nVA 3 c#0 X W\r\nold\r\nVA 3 Z X\r\nold\r\n"
            "VA 3 Z X\r\nold\r\nHD\r\nVA 3\r\nnew\r\n");
}

/// Sends `bytes` on an open connection and reads until `MN`.
std::string exchange(int fd, const std::string &bytes) {
  send_all(fd, bytes + "mn\r\n");
  return read_until(fd, "MN\r\n");
}

// Two clients race on a miss with N: the first creates the placeholder and
// wins, the second sees it with Z and waits; the winner's set fills it.
TEST_F(Meta, VivifyRaceHasOneWinner) {
  for (ServerProcess *server : {real_, ours_}) {
    const int a = connect_to(server->port());
    const int b = connect_to(server->port());
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    EXPECT_EQ(exchange(a, "mg race N30 v\r\n"), "VA 0 W\r\n\r\nMN\r\n");
    EXPECT_EQ(exchange(b, "mg race N30 v\r\n"), "VA 0 Z\r\n\r\nMN\r\n");
    EXPECT_EQ(exchange(a, "ms race 4 T60\r\nfill\r\n"), "HD\r\nMN\r\n");
    EXPECT_EQ(exchange(b, "mg race N30 v\r\n"), "VA 4\r\nfill\r\nMN\r\n");
    ::close(a);
    ::close(b);
  }
}

// R with a short TTL: once the remaining TTL drops below the token, exactly
// one reader is told to recache before the item expires.
TEST_F(Meta, RecacheBeforeExpiry) {
  const std::string s = "ms k 1 T2\r\na\r\nmg k R1 v\r\nmg k R5 v\r\nmg k R5 v\r\n";
  const std::string ours = expect_same("recache", s);
  EXPECT_EQ(ours, "HD\r\nVA 1\r\na\r\nVA 1 W\r\na\r\nVA 1 Z\r\na\r\n");
}

} // namespace
} // namespace stampede::mctest
