// A connection of `stampede memcached` without sockets (see the header).
#include "server/memcached_connection.h"

#include <cassert>

namespace stampede {

McConnection::McConnection(MemcachedNode &node, McServerState &server, McOutput &out)
    : server_(server), out_(out), proto_(node, server) {}

void McConnection::on_input(std::string_view bytes) {
  assert(wants_input() && bytes.size() <= kReadChunk &&
         "McConnection::on_input: read only while wants_input(), at most kReadChunk bytes");
  server_.bytes_read += bytes.size();
  proto_.feed(bytes);
  flush();
}

void McConnection::on_eof() {
  proto_.finish_input();
  flush();
  closing_ = true;
}

bool McConnection::wants_input() const {
  return !closing_ && out_.queued_bytes() <= kMaxQueuedOutput;
}

bool McConnection::finished() const { return closing_ && out_.queued_bytes() == 0; }

void McConnection::flush() {
  // Everything committed goes out now, in order: values by reference.
  for (std::string_view next = proto_.committed(); !next.empty(); next = proto_.committed()) {
    server_.bytes_written += next.size();
    if (proto_.committed_is_pinned()) {
      out_.add_pinned(next, proto_.take_pinned());
    } else {
      out_.add_text(next);
      proto_.consume(next.size());
    }
  }
  if (proto_.closing()) {
    closing_ = true;
  }
}

} // namespace stampede
