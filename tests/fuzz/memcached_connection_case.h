// One case for the connection state machine of `stampede memcached`
// (simulator/server/memcached_connection.h), shared by the libFuzzer target
// fuzz_memcached_connection and the corpus replay in tests/memcached.
//
// The input is a script of socket events, one op byte each (low two bits the
// kind, the rest its size), in any order a network could produce them:
//   0  the client writes the next N bytes of the input (they wait in the
//      kernel until the server reads them);
//   1  the server reads up to N bytes, if the connection wants input;
//   2  the client reads up to N KiB of replies (writes that block until it
//      does: the output backs up);
//   3  by its size: the client half-closes; the clock moves on a second; the
//      client disconnects at once; or the client writes a canned burst (a
//      4 kB set and a get naming it three times: pinned values).
// After the script the client reads everything that is left.
//
// Checked: what the client receives is exactly what the protocol handler
// alone answers to the same reads (nothing lost, reordered or duplicated by
// the connection layer); reading stops while the output is backed up; the
// copied text queued stays bounded; a half-closed connection finishes once
// its replies are read; and once the connection and its socket are gone no
// item is left pinned or reserved.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "server/memcached_connection.h"

namespace stampede::fuzzcase {

/// A socket's output as the test sees it: pieces waiting to be read.
class ModelOutput final : public McOutput {
public:
  explicit ModelOutput(MemcachedNode &node) : node_(node) {}
  ~ModelOutput() override { drop(); }
  ModelOutput(const ModelOutput &) = delete;
  ModelOutput &operator=(const ModelOutput &) = delete;

  void add_text(std::string_view bytes) override {
    pieces_.push_back(Piece{std::string(bytes), {}, kNone, 0});
    queued_ += bytes.size();
    text_ += bytes.size();
  }
  void add_pinned(std::string_view bytes, std::uint32_t pin) override {
    pieces_.push_back(Piece{{}, bytes, pin, 0});
    queued_ += bytes.size();
  }
  std::size_t queued_bytes() const override { return queued_; }

  /// @return copied text bytes waiting.
  std::size_t text_bytes() const { return text_; }

  /// The client reads up to `n` bytes into `received`.
  void send(std::size_t n, std::string &received) {
    while (n > 0 && !pieces_.empty()) {
      Piece &p = pieces_.front();
      const std::string_view all = p.pin == kNone ? std::string_view(p.text) : p.ref;
      const std::size_t take = std::min(n, all.size() - p.sent);
      received.append(all.substr(p.sent, take));
      p.sent += take;
      n -= take;
      queued_ -= take;
      if (p.pin == kNone) {
        text_ -= take;
      }
      if (p.sent == all.size()) {
        if (p.pin != kNone) {
          node_.unpin(p.pin);
        }
        pieces_.pop_front();
      }
    }
  }

  /// The socket closes: whatever was not read is dropped.
  void drop() {
    for (const Piece &p : pieces_) {
      if (p.pin != kNone) {
        node_.unpin(p.pin);
      }
    }
    pieces_.clear();
    queued_ = text_ = 0;
  }

private:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  struct Piece {
    std::string text;
    std::string_view ref;
    std::uint32_t pin;
    std::size_t sent;
  };
  MemcachedNode &node_;
  std::deque<Piece> pieces_;
  std::size_t queued_ = 0, text_ = 0;
};

/// The most copied text one read can add: a 16 KiB `get` line names at most
/// 8,192 keys, each answered with a header and a copied value below 1 KiB.
inline constexpr std::size_t kTextPerRead = 8192 * (300 + MemcachedProtocol::kCopyValueBelow);

inline McConfig case_config() {
  McConfig config;
  config.memory_limit_bytes = 64u << 20; // nothing a case stores is evicted
  config.item_size_max = 64u << 10;
  return config;
}

/// Runs one case. @return empty when every check held, else what failed.
inline std::string run_case(std::string_view data) {
  MemcachedNode node(case_config()), reference_node(case_config());
  McServerState server, reference_server;
  server.now_s = reference_server.now_s = 1000000000;
  std::string received, expected, inbox;
  bool eof_sent = false, eof_seen = false, gone = false;
  const std::string burst = "set k 0 0 4000\r\n" + std::string(4000, 'v') + "\r\nget k k k\r\n";
  {
    ModelOutput out(node);
    McConnection conn(node, server, out);
    MemcachedProtocol reference(reference_node, reference_server);

    auto server_reads = [&](std::size_t n) {
      if (!conn.wants_input()) {
        return false;
      }
      if (inbox.empty()) {
        if (eof_sent && !eof_seen) {
          // The kernel hands the server the half-close after the last byte.
          eof_seen = true;
          conn.on_eof();
          reference.finish_input();
          expected += reference.take_committed();
          return true;
        }
        return false;
      }
      const std::size_t take = std::min({n, inbox.size(), McConnection::kReadChunk});
      conn.on_input(std::string_view(inbox).substr(0, take));
      reference.feed(std::string_view(inbox).substr(0, take));
      expected += reference.take_committed();
      inbox.erase(0, take);
      return true;
    };

    std::size_t i = 0;
    while (i < data.size() && !gone) {
      const auto op = static_cast<unsigned char>(data[i++]);
      const std::size_t size = op >> 2;
      switch (op & 3) {
      case 0: {
        const std::size_t n = std::min(1 + size * 8, data.size() - i);
        if (!eof_sent) {
          inbox.append(data.substr(i, n));
        }
        i += n;
        break;
      }
      case 1:
        server_reads(1 + size * 256);
        break;
      case 2:
        out.send((1 + size) << 10, received);
        break;
      default:
        switch (size & 3) {
        case 0:
          eof_sent = true;
          break;
        case 1:
          server.now_s += 1;
          reference_server.now_s += 1;
          break;
        case 2:
          gone = true;
          break;
        default:
          if (!eof_sent) {
            inbox += burst;
          }
        }
      }
      if (out.queued_bytes() > McConnection::kMaxQueuedOutput && conn.wants_input()) {
        return "the connection asks for input while its output is backed up";
      }
      if (out.text_bytes() > McConnection::kMaxQueuedOutput + kTextPerRead) {
        return "more copied text queued than the back-pressure bound allows";
      }
      if (received != std::string_view(expected).substr(0, received.size())) {
        return "the client received bytes the protocol did not answer, or in another order";
      }
    }
    if (!gone) {
      // The client reads everything left; the server reads what it is sent.
      for (int guard = 0; guard < 100000; ++guard) {
        const std::size_t before = received.size() + inbox.size();
        out.send(std::size_t{1} << 20, received);
        server_reads(McConnection::kReadChunk);
        if (received.size() + inbox.size() == before && out.queued_bytes() == 0 &&
            (inbox.empty() || !conn.wants_input()) && (!eof_sent || eof_seen)) {
          break;
        }
      }
      if (received != expected) {
        return "at the end the client did not receive exactly what the protocol answered";
      }
      if (eof_seen && !conn.finished()) {
        return "a half-closed connection whose replies were all read is not finished";
      }
      if (conn.closing() && !conn.finished()) {
        return "a closing connection whose replies were all read is not finished";
      }
    }
  }
  if (node.pinned_items() != 0) {
    return "an item is still pinned or reserved after the connection closed";
  }
  return {};
}

} // namespace stampede::fuzzcase
