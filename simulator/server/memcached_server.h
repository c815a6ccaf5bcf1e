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

/// Serves until SIGINT or SIGTERM (TCP) or end of input (stdio). With TCP,
/// prints "listening on ADDR:PORT" on stderr once bound. A binary that has
/// `stampede memcached` registers it with the command line
/// (cli/cli.h's register_memcached_server).
/// @param options what to serve and where.
/// @param error receives a message when the server cannot start.
/// @return 0 after a clean shutdown (or, with stdio, when the reader went
///         away), 2 when it cannot start (bad address, port in use, too few
///         open files for `max_connections`) or a write to stdout failed.
int serve_memcached(const McServeOptions &options, std::string *error);

} // namespace stampede
