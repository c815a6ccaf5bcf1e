// A bounded soak of `stampede memcached` (issue 15): 150 connections at once
// send mixed commands (set/add/get/gets/cas/delete/incr), values up to
// 1 MB, pipelines they do not read for a while, half-closes and disconnects
// in the middle of a reply. Every reply is checked against a model of the
// store the test keeps; at the end every key is read back (no stored item
// lost) and the server's peak RSS is bounded.
//
// Each connection owns its keys, so its model is exact whatever order the
// server interleaves connections in, and each draws its choices from its own
// generator with a fixed seed: the same commands every run. --memory 1024
// holds everything the keys can hold at once (at most 76 values of 1 MB,
// the rest small), so nothing may be evicted and a miss is a lost item.
// The same model passes against real memcached 1.6.18 (-m 1024 -c 1024).
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <optional>
#include <random>

#include "mc_harness.h"

namespace stampede::mctest {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kConnections = 150;
constexpr int kBatchesPerConnection = 100;
constexpr std::uint64_t kSeed = 15;
/// Peak RSS bound. The keys hold about 50 MB at a time (76 big keys of
/// 0.1-1 MB on the connections whose id is a multiple of 4; 1,500 small keys
/// averaging 5.6 KB), plus the connections' buffers. Measured peak: ours
/// 78 MiB, real memcached -m 1024 95 MiB. 256 MiB leaves room for slab pages
/// left half full across size classes, while replies that copy values (a
/// held pipeline is 8 gets of up to 1 MB, on up to 38 connections at once)
/// or input buffered without bound cannot pass.
constexpr double kPeakRssMib = 256;

/// Bytes that cover every byte value, CR and LF included, at every offset.
const std::string &byte_pool() {
  static const std::string pool = [] {
    std::mt19937_64 rng(kSeed);
    std::string s(1 << 21, '\0');
    for (char &c : s) {
      c = static_cast<char>(rng() & 0xff);
    }
    return s;
  }();
  return pool;
}

struct Item {
  std::uint32_t flags = 0;
  std::shared_ptr<const std::string> value;
  std::uint64_t mods = 0;               ///< The client's change count at its last change.
  std::optional<std::uint64_t> cas;     ///< The current unique, when a gets showed it.
  std::optional<std::uint64_t> old_cas; ///< A unique it had before: a cas with it fails.
};

/// One reply the server owes, in order.
struct Expect {
  enum class Kind : std::uint8_t { kExact, kGet };
  Kind kind = Kind::kExact;
  std::string exact;
  struct Value {
    std::string key;
    std::uint32_t flags;
    std::shared_ptr<const std::string> value;
    std::uint64_t mods; ///< The item's mods when the command was sent.
  };
  std::vector<Value> values; ///< kGet: the hits, in the order asked.
  bool with_cas = false;
  bool abandon = false; ///< Disconnect as soon as the first byte of it arrives.
  std::size_t min_bytes = 0;
  std::string command; ///< What was sent, for messages.
};

struct Counts {
  std::uint64_t commands = 0;
  std::uint64_t batches = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t connections = 0;
  std::uint64_t half_closes = 0;
  std::uint64_t mid_reply_disconnects = 0;
  std::uint64_t held_pipelines = 0;
  std::uint64_t cas_stored = 0;
  std::uint64_t cas_exists = 0;
};

enum class Match : std::uint8_t { kNeedMore, kOk, kMismatch };

/// One client: its socket, its keys' model, what it still has to send and hear.
class Client {
public:
  Client(int id, int port, Counts *counts)
      : id_(id), port_(port), rng_(kSeed * 1000003 + static_cast<std::uint64_t>(id)),
        counts_(counts) {
    for (int i = 0; i < 10; ++i) {
      keys_.push_back("c" + std::to_string(id) + ":k" + std::to_string(i));
    }
    for (int i = 0; i < 2; ++i) {
      counters_.push_back("c" + std::to_string(id) + ":n" + std::to_string(i));
    }
    if (id % 4 == 0) {
      for (int i = 0; i < 2; ++i) {
        bigs_.push_back("c" + std::to_string(id) + ":b" + std::to_string(i));
      }
    }
    reconnect();
  }
  ~Client() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  int fd() const { return fd_; }
  bool finished() const { return batches_ >= kBatchesPerConnection && idle(); }
  bool idle() const { return out_.size() == out_pos_ && expects_.empty() && !await_eof_; }
  bool wants_write() const { return out_pos_ < out_.size(); }
  bool wants_read(Clock::time_point now) const {
    return (!expects_.empty() || await_eof_) && now >= hold_until_;
  }
  const std::string &error() const { return error_; }
  Clock::time_point last_progress() const { return last_progress_; }
  const std::map<std::string, Item> &model() const { return items_; }
  std::string head() const {
    return expects_.empty() ? (await_eof_ ? "<eof>" : "<nothing>") : expects_.front().command;
  }

  /// Starts the next batch of commands when the last one is all answered.
  void maybe_start_batch(bool stop) {
    if (!idle() || stop || batches_ >= kBatchesPerConnection) {
      return;
    }
    batches_ += 1;
    counts_->batches += 1;
    out_.clear();
    out_pos_ = 0;
    const int style = static_cast<int>(rng_() % 100);
    const int n = 1 + static_cast<int>(rng_() % 12);
    for (int i = 0; i < n; ++i) {
      random_command();
    }
    if (!bigs_.empty() && style < 10) {
      // A pipeline it does not read for 300 ms: the server's output backs up.
      for (int i = 0; i < 8; ++i) {
        get({bigs_[rng_() % bigs_.size()]}, false);
      }
      hold_until_ = Clock::now() + std::chrono::milliseconds(300);
      counts_->held_pipelines += 1;
    } else if (style < 16) {
      half_close_ = true; // after the batch is sent; every reply must still arrive
    } else if (style < 22) {
      // A disconnect in the middle of a big reply (a get changes nothing,
      // so the model holds whatever the server did with it).
      const std::string *big = nullptr;
      for (const std::string &k : bigs_) {
        if (items_.count(k) != 0) {
          big = &k;
        }
      }
      if (big != nullptr) {
        get({*big}, false);
        expects_.back().abandon = true;
      }
    }
  }

  /// Sends what it can. @return false on an error (recorded).
  bool on_writable() {
    while (out_pos_ < out_.size()) {
      const ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
      if (n < 0 && errno == EAGAIN) {
        return true;
      }
      if (n <= 0) {
        return fail(std::string("send: ") + std::strerror(errno));
      }
      out_pos_ += static_cast<std::size_t>(n);
      counts_->bytes_sent += static_cast<std::uint64_t>(n);
      last_progress_ = Clock::now();
    }
    if (half_close_) {
      half_close_ = false;
      ::shutdown(fd_, SHUT_WR);
      await_eof_ = true;
      counts_->half_closes += 1;
    }
    return true;
  }

  /// Reads what there is and checks it. @return false on a mismatch (recorded).
  bool on_readable() {
    char buf[1 << 16];
    for (int round = 0; round < 16; ++round) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EAGAIN) {
        return true;
      }
      if (n < 0) {
        return fail(std::string("recv: ") + std::strerror(errno));
      }
      if (n == 0) {
        if (!expects_.empty()) {
          return fail("the server closed with replies owed");
        }
        if (!await_eof_) {
          return fail("the server closed unasked");
        }
        await_eof_ = false;
        reconnect();
        return true;
      }
      counts_->bytes_received += static_cast<std::uint64_t>(n);
      last_progress_ = Clock::now();
      in_.append(buf, static_cast<std::size_t>(n));
      if (!consume()) {
        return false;
      }
      if (fd_ < 0 || (expects_.empty() && !await_eof_)) {
        return true;
      }
    }
    return true;
  }

private:
  bool fail(std::string what) {
    if (error_.empty()) {
      error_ = "connection " + std::to_string(id_) + ": " + what + " (awaiting the reply to " +
               ::testing::PrintToString(head().substr(0, 120)) + ")";
    }
    return false;
  }

  void reconnect() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = connect_to(port_);
    if (fd_ < 0) {
      fail("cannot connect");
      return;
    }
    set_nonblocking(fd_);
    in_.clear();
    in_pos_ = 0;
    counts_->connections += 1;
    last_progress_ = Clock::now();
  }

  /// Matches the owed replies against what arrived.
  bool consume() {
    while (!expects_.empty()) {
      Expect &e = expects_.front();
      const std::size_t have = in_.size() - in_pos_;
      if (e.abandon && have > 0) {
        counts_->mid_reply_disconnects += 1;
        expects_.pop_front();
        if (!expects_.empty()) {
          return fail("commands after an abandoned reply");
        }
        reconnect();
        return true;
      }
      if (have < e.min_bytes) {
        return true;
      }
      std::string why;
      const Match m = match(e, &why);
      if (m == Match::kNeedMore) {
        return true;
      }
      if (m == Match::kMismatch) {
        return fail(why);
      }
      expects_.pop_front();
    }
    if (in_pos_ < in_.size()) {
      return fail("more bytes than the replies owed: " +
                  ::testing::PrintToString(in_.substr(in_pos_, 80)));
    }
    in_.clear();
    in_pos_ = 0;
    return true;
  }

  Match match(Expect &e, std::string *why) {
    const std::string_view in = std::string_view(in_).substr(in_pos_);
    if (e.kind == Expect::Kind::kExact) {
      if (in.size() < e.exact.size()) {
        return Match::kNeedMore;
      }
      if (in.substr(0, e.exact.size()) != e.exact) {
        *why = "expected " + ::testing::PrintToString(e.exact.substr(0, 80)) + ", got " +
               ::testing::PrintToString(std::string(in.substr(0, 80)));
        return Match::kMismatch;
      }
      in_pos_ += e.exact.size();
      return Match::kOk;
    }
    std::size_t p = 0;
    std::vector<std::uint64_t> cas(e.values.size(), 0);
    for (std::size_t i = 0; i < e.values.size(); ++i) {
      const Expect::Value &v = e.values[i];
      const std::string head =
          "VALUE " + v.key + " " + std::to_string(v.flags) + " " + std::to_string(v.value->size());
      const std::size_t eol = in.find("\r\n", p);
      if (eol == std::string_view::npos) {
        return in.size() - p > head.size() + 22 ? mismatch(in, p, head, why) : Match::kNeedMore;
      }
      const std::string_view line = in.substr(p, eol - p);
      if (line.substr(0, head.size()) != head) {
        return mismatch(in, p, head, why);
      }
      if (e.with_cas) {
        const std::string_view digits = line.substr(std::min(line.size(), head.size() + 1));
        if (line.size() <= head.size() + 1 || line[head.size()] != ' ' ||
            digits.find_first_not_of("0123456789") != std::string_view::npos) {
          return mismatch(in, p, head + " <cas>", why);
        }
        cas[i] = std::stoull(std::string(digits));
      } else if (line.size() != head.size()) {
        return mismatch(in, p, head, why);
      }
      p = eol + 2;
      if (in.size() - p < v.value->size() + 2) {
        return Match::kNeedMore;
      }
      if (in.substr(p, v.value->size()) != *v.value ||
          in.substr(p + v.value->size(), 2) != "\r\n") {
        *why = "the value of " + v.key + " differs (" + std::to_string(v.value->size()) + " bytes)";
        return Match::kMismatch;
      }
      p += v.value->size() + 2;
    }
    if (in.size() - p < 5) {
      return Match::kNeedMore;
    }
    if (in.substr(p, 5) != "END\r\n") {
      return mismatch(in, p, "END", why);
    }
    in_pos_ += p + 5;
    if (e.with_cas) {
      for (std::size_t i = 0; i < e.values.size(); ++i) {
        auto it = items_.find(e.values[i].key);
        if (it != items_.end() && it->second.mods == e.values[i].mods) {
          it->second.cas = cas[i];
        }
      }
    }
    return Match::kOk;
  }

  static Match mismatch(std::string_view in, std::size_t p, const std::string &want,
                        std::string *why) {
    *why = "expected " + ::testing::PrintToString(want) + "..., got " +
           ::testing::PrintToString(std::string(in.substr(p, 80)));
    return Match::kMismatch;
  }

  std::shared_ptr<const std::string> random_value(bool big) {
    std::size_t size = 0;
    const std::uint64_t r = rng_() % 100;
    if (big) {
      size = 100000 + rng_() % 900001; // 100 KB .. 1,000,000 bytes
    } else if (r < 70) {
      size = rng_() % 201;
    } else if (r < 95) {
      size = 200 + rng_() % 19801;
    } else {
      size = 20000 + rng_() % 80001;
    }
    const std::string &pool = byte_pool();
    return std::make_shared<const std::string>(pool.substr(rng_() % (pool.size() - size), size));
  }

  void send_command(const std::string &line, const std::string *data, Expect e) {
    out_ += line;
    out_ += "\r\n";
    if (data != nullptr) {
      out_ += *data;
      out_ += "\r\n";
    }
    e.command = line;
    if (e.kind == Expect::Kind::kExact) {
      e.min_bytes = e.exact.size();
    }
    expects_.push_back(std::move(e));
    counts_->commands += 1;
  }

  static Expect exact(std::string reply) {
    Expect e;
    e.exact = std::move(reply);
    return e;
  }

  /// A change the test made to `key`: its cas as known is no longer current.
  void modified(Item &item) {
    // Counted over all keys, so an item deleted and stored again never
    // matches a gets sent before the delete.
    item.mods = ++changes_;
    if (item.cas) {
      item.old_cas = item.cas;
    }
    item.cas.reset();
  }

  void store(const std::string &key, const std::string &verb, std::uint32_t flags,
             std::shared_ptr<const std::string> value, bool stores, const std::string &extra = "") {
    send_command(verb + " " + key + " " + std::to_string(flags) + " 0 " +
                     std::to_string(value->size()) + extra,
                 value.get(), exact(stores ? "STORED\r\n" : "NOT_STORED\r\n"));
    if (stores) {
      Item &item = items_[key];
      item.flags = flags;
      item.value = std::move(value);
      modified(item);
    }
  }

  void get(const std::vector<std::string> &keys, bool with_cas) {
    Expect e;
    e.kind = Expect::Kind::kGet;
    e.with_cas = with_cas;
    std::string line = with_cas ? "gets" : "get";
    e.min_bytes = 5;
    for (const std::string &k : keys) {
      line += " " + k;
      auto it = items_.find(k);
      if (it != items_.end()) {
        e.values.push_back({k, it->second.flags, it->second.value, it->second.mods});
        e.min_bytes += 6 + k.size() + 1 + std::to_string(it->second.flags).size() + 1 +
                       std::to_string(it->second.value->size()).size() + 2 +
                       it->second.value->size() + 2 + (with_cas ? 2 : 0);
      }
    }
    send_command(line, nullptr, std::move(e));
  }

  void random_command() {
    const std::uint64_t op = rng_() % 100;
    const bool use_big = !bigs_.empty() && rng_() % 100 < 15;
    const std::string &key = use_big ? bigs_[rng_() % bigs_.size()] : keys_[rng_() % keys_.size()];
    auto it = items_.find(key);
    const bool present = it != items_.end();
    const auto flags = static_cast<std::uint32_t>(rng_() % 65536);
    if (op < 25) {
      store(key, "set", flags, random_value(use_big), true);
    } else if (op < 33) {
      store(key, "add", flags, random_value(use_big), !present);
    } else if (op < 50) {
      std::vector<std::string> keys;
      const int n = 1 + static_cast<int>(rng_() % 4);
      for (int i = 0; i < n; ++i) {
        keys.push_back(keys_[rng_() % keys_.size()]); // repeats allowed, as in memcached
      }
      get(keys, false);
    } else if (op < 62) {
      get({key}, true);
    } else if (op < 74) {
      // cas: with the current unique when a gets showed it (STORED), with an
      // old one (EXISTS), on a missing key (NOT_FOUND).
      if (!present) {
        const std::uint64_t unique = 1 + rng_() % 1000000;
        const std::string one = "x";
        send_command("cas " + key + " 0 0 1 " + std::to_string(unique), &one,
                     exact("NOT_FOUND\r\n"));
      } else if (it->second.cas) {
        counts_->cas_stored += 1;
        store(key, "cas", flags, random_value(use_big), true,
              " " + std::to_string(*it->second.cas));
      } else if (it->second.old_cas) {
        counts_->cas_exists += 1;
        const auto value = random_value(false);
        send_command("cas " + key + " 0 0 " + std::to_string(value->size()) + " " +
                         std::to_string(*it->second.old_cas),
                     value.get(), exact("EXISTS\r\n"));
      } else {
        get({key}, true);
      }
    } else if (op < 82) {
      send_command("delete " + key, nullptr, exact(present ? "DELETED\r\n" : "NOT_FOUND\r\n"));
      if (present) {
        items_.erase(it);
      }
    } else {
      // Counters: set to a number, or incr (never past 2^64, so no wrap and
      // no in-place padding: the value is the decimal of the sum).
      const std::string &counter = counters_[rng_() % counters_.size()];
      auto c = items_.find(counter);
      if (c == items_.end() || rng_() % 4 == 0) {
        const auto value = std::make_shared<const std::string>(std::to_string(rng_() % 1000000000));
        store(counter, "set", 0, value, true);
      } else {
        const std::uint64_t delta = rng_() % 1000000;
        const std::uint64_t sum = std::stoull(*c->second.value) + delta;
        send_command("incr " + counter + " " + std::to_string(delta), nullptr,
                     exact(std::to_string(sum) + "\r\n"));
        c->second.value = std::make_shared<const std::string>(std::to_string(sum));
        modified(c->second);
      }
    }
  }

  int id_;
  int port_;
  std::mt19937_64 rng_;
  Counts *counts_;
  int fd_ = -1;
  int batches_ = 0;
  std::uint64_t changes_ = 0;
  std::vector<std::string> keys_;
  std::vector<std::string> counters_;
  std::vector<std::string> bigs_;
  std::map<std::string, Item> items_;
  std::string out_;
  std::size_t out_pos_ = 0;
  std::string in_;
  std::size_t in_pos_ = 0;
  std::deque<Expect> expects_;
  bool half_close_ = false;
  bool await_eof_ = false;
  Clock::time_point hold_until_{};
  Clock::time_point last_progress_ = Clock::now();
  std::string error_;
};

/// Reads every key of `model` back on a fresh connection.
void expect_all_stored(int port, int id, const std::map<std::string, Item> &model,
                       const std::vector<std::string> &all_keys) {
  const int fd = connect_to(port);
  ASSERT_GE(fd, 0);
  std::string line = "get";
  std::string want;
  for (const std::string &k : all_keys) {
    line += " " + k;
    auto it = model.find(k);
    if (it != model.end()) {
      want += "VALUE " + k + " " + std::to_string(it->second.flags) + " " +
              std::to_string(it->second.value->size()) + "\r\n" + *it->second.value + "\r\n";
    }
  }
  want += "END\r\n";
  send_all(fd, line + "\r\n");
  std::string got;
  char buf[65536];
  while (got.size() < want.size()) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  EXPECT_TRUE(got == want) << "connection " << id << "'s keys read back differ: got " << got.size()
                           << " bytes, want " << want.size();
}

std::uint64_t stat_value(const std::string &stats, const std::string &name) {
  const std::string tag = "STAT " + name + " ";
  const std::size_t p = stats.find(tag);
  return p == std::string::npos ? ~std::uint64_t{0} : std::stoull(stats.substr(p + tag.size()));
}

TEST(Soak, ManyConnectionsMixedCommandsEveryReplyChecked) {
  ServerProcess server;
  ASSERT_TRUE(server.start_stampede({"--memory", "1024", "--connections", "1024"}));
  Counts counts;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<Client>(i, server.port(), &counts));
  }
  const auto start = Clock::now();
  // Stop starting batches after 15 s, so a slow server cannot take the test
  // past 20 s; the counts then say how far it got.
  const auto stop_at = start + std::chrono::seconds(15);
  double peak_sampled = 0;
  auto next_sample = start;
  std::string error;
  for (;;) {
    const auto now = Clock::now();
    const bool stop = now >= stop_at;
    std::vector<pollfd> ps;
    std::vector<Client *> who;
    bool all_done = true;
    for (auto &c : clients) {
      c->maybe_start_batch(stop);
      if (!c->error().empty()) {
        error = c->error();
        break;
      }
      if (now - c->last_progress() > std::chrono::seconds(10) && !c->idle()) {
        error = "no progress for 10 s, awaiting the reply to " + c->head();
        break;
      }
      short events = 0;
      if (c->wants_write()) {
        events |= POLLOUT;
      }
      if (c->wants_read(now)) {
        events |= POLLIN;
      }
      if (!c->idle()) {
        all_done = false;
      }
      if (events != 0) {
        ps.push_back({c->fd(), events, 0});
        who.push_back(c.get());
      }
    }
    if (!error.empty() || all_done) {
      break;
    }
    if (now >= next_sample) {
      peak_sampled = std::max(peak_sampled, rss_mib(server.pid()));
      next_sample = now + std::chrono::milliseconds(100);
    }
    if (::poll(ps.data(), ps.size(), 50) < 0) {
      continue;
    }
    for (std::size_t k = 0; k < ps.size() && error.empty(); ++k) {
      if ((ps[k].revents & POLLOUT) != 0 && !who[k]->on_writable()) {
        error = who[k]->error();
      }
      if ((ps[k].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && error.empty() &&
          !who[k]->on_readable()) {
        error = who[k]->error();
      }
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_TRUE(error.empty()) << error;

  // No stored item lost: every key of every connection, read back.
  std::uint64_t items = 0;
  for (int i = 0; i < kConnections; ++i) {
    std::vector<std::string> keys;
    for (const char *kind : {"k", "n", "b"}) {
      for (int j = 0; j < 10; ++j) {
        keys.push_back("c" + std::to_string(i) + ":" + kind + std::to_string(j));
      }
    }
    expect_all_stored(server.port(), i, clients[i]->model(), keys);
    items += clients[i]->model().size();
  }
  const std::string stats = session(server.port(), "stats\r\n");
  EXPECT_EQ(stat_value(stats, "evictions"), 0u);
  EXPECT_EQ(stat_value(stats, "curr_items"), items);
  const double peak = peak_rss_mib(server.pid());
  std::printf("[ figures  ] soak: %.1f s, %llu batches, %llu commands, %llu connections opened, "
              "%.1f MB sent, %.1f MB received, %llu half-closes, %llu mid-reply disconnects, "
              "%llu held pipelines, %llu cas stored, %llu cas exists; %llu items at the end; "
              "peak RSS %.1f MiB (sampled %.1f)\n",
              elapsed, static_cast<unsigned long long>(counts.batches),
              static_cast<unsigned long long>(counts.commands),
              static_cast<unsigned long long>(counts.connections),
              static_cast<double>(counts.bytes_sent) / 1e6,
              static_cast<double>(counts.bytes_received) / 1e6,
              static_cast<unsigned long long>(counts.half_closes),
              static_cast<unsigned long long>(counts.mid_reply_disconnects),
              static_cast<unsigned long long>(counts.held_pipelines),
              static_cast<unsigned long long>(counts.cas_stored),
              static_cast<unsigned long long>(counts.cas_exists),
              static_cast<unsigned long long>(items), peak, peak_sampled);
  // About 6 s on an idle 2-core machine; a loaded one may not finish in 15 s,
  // but a server that stalls would not get a quarter of the way.
  EXPECT_GE(counts.batches * 4, static_cast<std::uint64_t>(kConnections) * kBatchesPerConnection)
      << "the server did not get through a quarter of the batches in 15 s";
  EXPECT_LT(peak, kPeakRssMib);
}

} // namespace
} // namespace stampede::mctest
