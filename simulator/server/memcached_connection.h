/// @file memcached_connection.h
/// One client connection of `stampede memcached` as a state machine without
/// sockets: reads in, replies out, back-pressure, half-close, close. The TCP
/// front end (libevent, memcached_server.cc) drives it from socket events;
/// the tests and the fuzzer drive the same code with a model of the socket.
///
/// The rules, as a careful server (and memcached 1.6) keeps them:
/// - a read is processed whole (at most kReadChunk bytes), and the replies it
///   committed go to the output at once, in order;
/// - the connection stops asking for input while more than kMaxQueuedOutput
///   bytes wait to be sent (a client that pipelines without reading cannot
///   make the server buffer without bound), and asks again once they drain;
/// - large values go to the output as pinned items, not copies;
/// - after `quit`, a line too long, or the client's half-close, nothing more
///   is read, and the connection is finished once every committed reply has
///   been sent (an unfinished command is dropped, as memcached drops it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/memcached_protocol.h"

namespace stampede {

/// Where a connection's replies go: a socket's output buffer, or a model.
class McOutput {
public:
  virtual ~McOutput() = default;
  /// Appends a copy of `bytes`.
  /// @param bytes reply text.
  virtual void add_text(std::string_view bytes) = 0;
  /// Appends a pinned value by reference. The output owns the pin from now
  /// on and must MemcachedNode::unpin it once the bytes are sent or dropped.
  /// @param bytes the value (valid while pinned). @param pin its pin.
  virtual void add_pinned(std::string_view bytes, std::uint32_t pin) = 0;
  /// @return bytes added and not yet sent (pinned values included).
  virtual std::size_t queued_bytes() const = 0;
};

/// One connection's state: the protocol handler and what happens around it.
class McConnection {
public:
  /// The most a read hands on at once (memcached's read buffer).
  static constexpr std::size_t kReadChunk = MemcachedProtocol::kReadBufferBytes;
  /// Reading pauses while more than this waits to be sent. The copied text
  /// in it is bounded by this plus what one read can ask for.
  static constexpr std::size_t kMaxQueuedOutput = 4u << 20;

  /// @param node the node every command acts on.
  /// @param server the clock and server-wide counters.
  /// @param out where replies go; it must outlive the connection.
  McConnection(MemcachedNode &node, McServerState &server, McOutput &out);

  /// One read from the client. Call only while wants_input().
  /// @param bytes at most kReadChunk bytes.
  void on_input(std::string_view bytes);

  /// The client half-closed (or its input ended): nothing more will come.
  void on_eof();

  /// @return whether to read from the client now: not closing, and the
  ///         output not backed up. Check again after the output drains.
  bool wants_input() const;

  /// @return true when the connection is done: it is closing and every
  ///         reply has been sent. The caller closes the socket.
  bool finished() const;

  /// @return true once nothing more will be read (quit, a fatal line, EOF).
  bool closing() const { return closing_; }

private:
  void flush();

  McServerState &server_;
  McOutput &out_;
  MemcachedProtocol proto_;
  bool closing_ = false;
};

} // namespace stampede
