/// @file memcached_server.h
/// `stampede memcached`: one MemcachedNode served over memcached's text
/// protocol, on TCP (libevent, many connections) or on stdin/stdout. The
/// front end of stampede_server, the one library that links libevent.
#pragma once

#include <cstdint>
#include <string>

#include "stampede/memcached_node.h"

namespace stampede {

/// How to serve.
struct McServeOptions {
  McConfig node;                        ///< Memory, item size limit, LRU model.
  std::string listen = "127.0.0.1";     ///< Address to bind (IPv4 or IPv6 literal).
  int port = 11211;                     ///< 0 picks a free port.
  bool stdio = false;                   ///< Serve one session on stdin/stdout.
  std::uint32_t max_connections = 1024; ///< -c: more are refused.
};

namespace internal {
/// The server itself (memcached_server.cc, in stampede_server), behind
/// serve_memcached(). Declared weak so that the command line
/// (cli/memcached.cc, in stampede_io) can call it without pulling the server
/// and libevent into every program that links stampede_io (the GUI, the
/// graded exercises): only a program that links stampede_server whole
/// (`stampede`) has it.
/// @param options what to serve and where. @param error as serve_memcached().
/// @return as serve_memcached().
[[gnu::weak]] int run_memcached_server(const McServeOptions &options, std::string *error);
} // namespace internal

/// Serves until SIGINT or SIGTERM (TCP) or end of input (stdio). With TCP,
/// prints "listening on ADDR:PORT" on stderr once bound.
/// @param options what to serve and where.
/// @param error receives a message when the server cannot start.
/// @return 0 after a clean shutdown (or, with stdio, when the reader went
///         away), 2 when it cannot start (bad address, port in use, too few
///         open files for `max_connections`, a program linked without
///         stampede_server) or a write to stdout failed.
inline int serve_memcached(const McServeOptions &options, std::string *error) {
  if (internal::run_memcached_server == nullptr) {
    *error = "this program was linked without the memcached server (stampede_server)";
    return 2;
  }
  return internal::run_memcached_server(options, error);
}

} // namespace stampede
