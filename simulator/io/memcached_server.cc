// The TCP and stdio front ends of `stampede memcached`. Everything about the
// protocol is in MemcachedProtocol; this file moves bytes, counts
// connections and keeps memcached's whole-second clock.
#include "io/memcached_server.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <unordered_set>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/memcached_protocol.h"

namespace stampede {
namespace {

constexpr std::size_t kReadChunk = MemcachedProtocol::kReadBufferBytes;
/// Stop reading from a client whose replies are not being read (a client
/// that pipelines gets without reading must not make the server buffer
/// without bound): reading resumes once its output has drained. Values in
/// the output are pinned items, not copies, so this bounds copied text
/// (headers, small values) per connection, and the pins one client holds.
constexpr std::size_t kMaxQueuedOutput = 4u << 20;

struct Server;

struct Connection {
  Server *server = nullptr;
  bufferevent *bev = nullptr;
  std::unique_ptr<MemcachedProtocol> proto;
  bool closing = false; ///< Close once the output has drained.
};

struct Server {
  event_base *base = nullptr;
  MemcachedNode node;
  McServerState state;
  std::unordered_set<Connection *> conns;

  explicit Server(const McConfig &config) : node(config) {}

  /// memcached's current_time: whole seconds, read once per loop iteration.
  void tick() {
    timeval tv{};
    if (event_base_gettimeofday_cached(base, &tv) == 0) {
      state.now_s = tv.tv_sec;
    } else {
      state.now_s = std::time(nullptr);
    }
  }
};

void close_connection(Connection *c) {
  Server *s = c->server;
  s->conns.erase(c);
  s->state.curr_connections -= 1;
  // Freeing the output buffer runs unpin_sent for every value still in it;
  // the protocol's destructor unpins what never reached it.
  bufferevent_free(c->bev);
  delete c;
}

/// A pinned value handed to libevent by reference.
struct PinnedValue {
  Server *server;
  std::uint32_t pin;
};

/// libevent is done with a referenced value (sent, or the connection closed).
void unpin_sent(const void *, size_t, void *arg) {
  auto *p = static_cast<PinnedValue *>(arg);
  p->server->node.unpin(p->pin);
  delete p;
}

/// Moves committed replies into the socket's output buffer: text is copied,
/// large values are added by reference (zero copy) and unpinned once sent.
void flush(Connection *c) {
  evbuffer *out = bufferevent_get_output(c->bev);
  for (std::string_view next = c->proto->committed(); !next.empty(); next = c->proto->committed()) {
    c->server->state.bytes_written += next.size();
    if (c->proto->committed_is_pinned()) {
      auto *p = new PinnedValue{c->server, c->proto->take_pinned()};
      if (evbuffer_add_reference(out, next.data(), next.size(), unpin_sent, p) != 0) {
        unpin_sent(nullptr, 0, p);
      }
    } else {
      bufferevent_write(c->bev, next.data(), next.size());
      c->proto->consume(next.size());
    }
  }
  if (c->proto->closing() && !c->closing) {
    c->closing = true;
    bufferevent_disable(c->bev, EV_READ);
  }
  if (c->closing && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
    close_connection(c);
  }
}

void on_read(bufferevent *bev, void *arg) {
  auto *c = static_cast<Connection *>(arg);
  c->server->tick();
  evbuffer *in = bufferevent_get_input(bev);
  char buf[kReadChunk];
  // Each chunk is one of memcached's reads: pending replies are written in between.
  while (!c->closing && evbuffer_get_length(in) > 0) {
    const int n = evbuffer_remove(in, buf, sizeof buf);
    if (n <= 0) {
      break;
    }
    c->server->state.bytes_read += static_cast<std::uint64_t>(n);
    c->proto->feed(std::string_view(buf, static_cast<std::size_t>(n)));
    const bool done = c->proto->closing();
    flush(c); // may free c when closing with nothing left to write
    if (done) {
      return;
    }
    if (evbuffer_get_length(bufferevent_get_output(bev)) > kMaxQueuedOutput) {
      // Back-pressure: resume in on_write once the client has read its replies.
      bufferevent_disable(bev, EV_READ);
      return;
    }
  }
}

void on_write(bufferevent *bev, void *arg) {
  auto *c = static_cast<Connection *>(arg);
  if (c->closing) {
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
      close_connection(c);
    }
    return;
  }
  if ((bufferevent_get_enabled(bev) & EV_READ) == 0) {
    bufferevent_enable(bev, EV_READ);
    if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
      on_read(bev, arg);
    }
  }
}

void on_event(bufferevent *bev, short events, void *arg) {
  auto *c = static_cast<Connection *>(arg);
  if ((events & BEV_EVENT_ERROR) != 0) {
    close_connection(c);
    return;
  }
  if ((events & BEV_EVENT_EOF) != 0) {
    // The client half-closed (nc -N): an unfinished command is dropped, as
    // memcached does, but every reply already committed is still sent before
    // the connection closes.
    c->proto->finish_input();
    c->closing = true;
    bufferevent_disable(bev, EV_READ);
    flush(c); // may free c when nothing is left to write
  }
}

void on_accept(evconnlistener *, evutil_socket_t fd, sockaddr *, int, void *arg) {
  auto *s = static_cast<Server *>(arg);
  s->tick();
  if (s->state.curr_connections >= s->state.max_connections) {
    // memcached's reply when over -c, then the connection closes.
    static constexpr char kMsg[] = "ERROR Too many open connections\r\n";
    [[maybe_unused]] const ssize_t w = ::send(fd, kMsg, sizeof kMsg - 1, MSG_NOSIGNAL);
    s->state.rejected_connections += 1;
    evutil_closesocket(fd);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto *c = new Connection;
  c->server = s;
  c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
  c->proto = std::make_unique<MemcachedProtocol>(s->node, s->state);
  bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
  bufferevent_enable(c->bev, EV_READ | EV_WRITE);
  s->conns.insert(c);
  s->state.curr_connections += 1;
  s->state.total_connections += 1;
}

void on_signal(evutil_socket_t, short, void *arg) {
  event_base_loopbreak(static_cast<event_base *>(arg));
}

int serve_stdio(const McServeOptions &o) {
  MemcachedNode node(o.node);
  McServerState state;
  state.started_s = std::time(nullptr);
  state.pid = static_cast<long>(getpid());
  state.max_connections = o.max_connections;
  state.curr_connections = 1;
  state.total_connections = 1;
  state.libevent_version = event_get_version();
  MemcachedProtocol proto(node, state);
  char buf[kReadChunk];
  auto write_all = [&]() {
    // The committed output comes a part at a time (text, or a pinned value).
    for (std::string_view out = proto.committed(); !out.empty(); out = proto.committed()) {
      const ssize_t w = ::write(STDOUT_FILENO, out.data(), out.size());
      if (w < 0 && errno == EINTR) {
        continue;
      }
      if (w <= 0) {
        return false;
      }
      state.bytes_written += static_cast<std::uint64_t>(w);
      proto.consume(static_cast<std::size_t>(w));
    }
    return true;
  };
  while (!proto.closing()) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      proto.finish_input();
      break;
    }
    state.now_s = std::time(nullptr);
    state.bytes_read += static_cast<std::uint64_t>(n);
    proto.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    if (!write_all()) {
      return 0;
    }
  }
  write_all();
  return 0;
}

} // namespace

int serve_memcached(const McServeOptions &o, std::string *error) {
  if (o.stdio) {
    return serve_stdio(o);
  }
  std::signal(SIGPIPE, SIG_IGN);
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  const std::string spec = o.listen + ":" + std::to_string(o.port);
  if (auto *a4 = reinterpret_cast<sockaddr_in *>(&addr);
      inet_pton(AF_INET, o.listen.c_str(), &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<std::uint16_t>(o.port));
    addr_len = sizeof(sockaddr_in);
  } else if (auto *a6 = reinterpret_cast<sockaddr_in6 *>(&addr);
             inet_pton(AF_INET6, o.listen.c_str(), &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<std::uint16_t>(o.port));
    addr_len = sizeof(sockaddr_in6);
  } else {
    *error = "--listen: expected an IPv4 or IPv6 address, got " + o.listen;
    return 2;
  }
  auto server = std::make_unique<Server>(o.node);
  server->base = event_base_new();
  server->state.started_s = std::time(nullptr);
  server->state.now_s = server->state.started_s;
  server->state.pid = static_cast<long>(getpid());
  server->state.max_connections = o.max_connections;
  server->state.libevent_version = event_get_version();
  evconnlistener *listener = evconnlistener_new_bind(
      server->base, on_accept, server.get(), LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 1024,
      reinterpret_cast<sockaddr *>(&addr), static_cast<int>(addr_len));
  if (listener == nullptr) {
    *error = "cannot listen on " + spec + ": " + std::strerror(errno);
    event_base_free(server->base);
    return 2;
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  getsockname(evconnlistener_get_fd(listener), reinterpret_cast<sockaddr *>(&bound), &bound_len);
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (bound.ss_family == AF_INET6) {
    const auto *a = reinterpret_cast<const sockaddr_in6 *>(&bound);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  } else {
    const auto *a = reinterpret_cast<const sockaddr_in *>(&bound);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  }
  server->state.tcp_port = static_cast<std::uint32_t>(port);
  // Signals are handled before anyone can learn the port from stderr.
  event *sigint = evsignal_new(server->base, SIGINT, on_signal, server->base);
  event *sigterm = evsignal_new(server->base, SIGTERM, on_signal, server->base);
  event_add(sigint, nullptr);
  event_add(sigterm, nullptr);
  std::fprintf(stderr, "listening on %s:%d\n", host, port);
  std::fflush(stderr);
  event_base_dispatch(server->base);
  evconnlistener_free(listener);
  while (!server->conns.empty()) {
    close_connection(*server->conns.begin());
  }
  event_free(sigint);
  event_free(sigterm);
  event_base_free(server->base);
  return 0;
}

} // namespace stampede
