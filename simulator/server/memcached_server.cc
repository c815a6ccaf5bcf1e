// The TCP and stdio front ends of `stampede memcached`. Everything about the
// protocol is in MemcachedProtocol and everything about one connection's
// life in McConnection; this file moves bytes between them and sockets,
// counts connections and keeps memcached's whole-second clock.
#include "server/memcached_server.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <unordered_set>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/memcached_connection.h"

namespace stampede {
namespace {

struct Server;
struct Acceptor;
/// A connection closed: a listener paused for want of descriptors accepts again.
void on_connection_closed(Server *s);

/// A connection's output: an evbuffer written to the socket as soon as
/// replies are ready. Text is copied, pinned values are added by reference
/// and unpinned once sent.
class EvOutput final : public McOutput {
public:
  EvOutput(Server *server, evbuffer *buffer) : server_(server), buffer_(buffer) {}
  void add_text(std::string_view bytes) override;
  void add_pinned(std::string_view bytes, std::uint32_t pin) override;
  std::size_t queued_bytes() const override { return evbuffer_get_length(buffer_); }

private:
  Server *server_;
  evbuffer *buffer_;
  bool ends_in_ref_ = false; ///< The buffer's last chain is a referenced value.
};

/// One client: its socket, its events and its state machine. Reads and
/// writes are plain system calls, as memcached makes them: a read, its
/// replies written at once, and an event for writing only while the socket
/// cannot take them all (no epoll change per request).
struct Connection {
  Connection(Server *s, evutil_socket_t socket_fd, MemcachedNode &node, McServerState &state)
      : server(s), fd(socket_fd), out(s, output), conn(node, state, out) {}
  Server *server;
  evutil_socket_t fd;
  evbuffer *output = evbuffer_new();
  event *read_event = nullptr;
  event *write_event = nullptr;
  bool reading = false; ///< read_event is added.
  bool writing = false; ///< write_event is added.
  EvOutput out;
  McConnection conn;
};

struct Server {
  event_base *base = nullptr;
  evbuffer *scratch = evbuffer_new(); ///< EvOutput's text after a reference; empty between calls.
  MemcachedNode node;
  McServerState state;
  std::unordered_set<Connection *> conns;
  Acceptor *acceptor = nullptr; ///< The listener (TCP only; null once shutting down).

  explicit Server(const McConfig &config) : node(config) {}
  ~Server() { evbuffer_free(scratch); }
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

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
  event_free(c->read_event);
  event_free(c->write_event);
  // Freeing the output runs unpin_sent for every value still in it; the
  // protocol's destructor (with c) unpins what never reached it.
  evbuffer_free(c->output);
  evutil_closesocket(c->fd);
  delete c;
  on_connection_closed(s);
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

void EvOutput::add_text(std::string_view bytes) {
  if (evbuffer_get_length(buffer_) == 0) {
    ends_in_ref_ = false;
  }
  if (!ends_in_ref_) {
    evbuffer_add(buffer_, bytes.data(), bytes.size());
    return;
  }
  // Text added straight after a referenced value would get a new chain
  // sized like the value (a megabyte for every 20-byte VALUE line): it is
  // built in a buffer of its own and moved over as a whole chain.
  evbuffer_add(server_->scratch, bytes.data(), bytes.size());
  evbuffer_add_buffer(buffer_, server_->scratch);
  ends_in_ref_ = false;
}

void EvOutput::add_pinned(std::string_view bytes, std::uint32_t pin) {
  auto *p = new PinnedValue{server_, pin};
  if (evbuffer_add_reference(buffer_, bytes.data(), bytes.size(), unpin_sent, p) != 0) {
    // No memory for a chain: copy rather than drop the value.
    evbuffer_add(buffer_, bytes.data(), bytes.size());
    unpin_sent(nullptr, 0, p);
    return;
  }
  ends_in_ref_ = true;
}

/// Writes what the socket takes now.
/// @return false when the client is gone (the connection is closed and freed).
bool write_out(Connection *c) {
  while (evbuffer_get_length(c->output) > 0) {
    const int n = evbuffer_write(c->output, c->fd);
    if (n > 0) {
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break; // the socket is full: write_event resumes
    }
    close_connection(c); // EPIPE, ECONNRESET: the client went away
    return false;
  }
  return true;
}

/// After every event: close a finished connection, else watch the socket
/// for what the connection needs next (reading unless backed up or
/// closing; writing while replies wait).
void settle(Connection *c) {
  if (c->conn.finished()) {
    close_connection(c);
    return;
  }
  const bool want_read = c->conn.wants_input();
  if (want_read != c->reading) {
    want_read ? event_add(c->read_event, nullptr) : event_del(c->read_event);
    c->reading = want_read;
  }
  const bool want_write = evbuffer_get_length(c->output) > 0;
  if (want_write != c->writing) {
    want_write ? event_add(c->write_event, nullptr) : event_del(c->write_event);
    c->writing = want_write;
  }
}

/// Reads at most this many times per readiness before replying (fairness).
constexpr int kReadsPerEvent = 4;

void on_readable(evutil_socket_t, short, void *arg) {
  auto *c = static_cast<Connection *>(arg);
  c->server->tick();
  char buf[McConnection::kReadChunk];
  // Each read is one of memcached's reads; its replies go out before the next.
  for (int i = 0; i < kReadsPerEvent && c->conn.wants_input(); ++i) {
    const ssize_t n = ::read(c->fd, buf, sizeof buf);
    if (n > 0) {
      c->conn.on_input(std::string_view(buf, static_cast<std::size_t>(n)));
      if (static_cast<std::size_t>(n) < sizeof buf) {
        break; // the socket is very likely drained
      }
      continue;
    }
    if (n == 0) {
      // The client half-closed (nc -N): its committed replies still go out.
      c->conn.on_eof();
      break;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      break;
    }
    close_connection(c); // ECONNRESET and the like
    return;
  }
  if (write_out(c)) {
    settle(c);
  }
}

void on_writable(evutil_socket_t, short, void *arg) {
  auto *c = static_cast<Connection *>(arg);
  if (write_out(c)) {
    settle(c);
  }
}

/// memcached's words for a client it cannot take, then the connection closes.
constexpr char kTooManyConnections[] = "ERROR Too many open connections\r\n";
/// While accepting is paused, how often clients queued meanwhile are refused.
constexpr timeval kAcceptRetry{1, 0};
/// Queued clients refused at most per pause (the rest at the next retry).
constexpr int kMaxRefusedPerPause = 1024;
/// Descriptors needed besides the connections: stdin/stdout/stderr, the
/// listener, libevent's epoll and signal descriptors, the spare below, and
/// memcached's headroom of 10 "for extra unexpected open FDs" (conn_init).
constexpr rlim_t kFdHeadroom = 16;

/// The listener, and its back-off when accept() runs out of descriptors.
///
/// On EMFILE (or ENFILE) an accept retried at once fails again at once, so
/// libevent would call back in a busy loop, logging each failure. As
/// memcached does (accept_new_conns(false) until a connection closes), the
/// listener is disabled until a connection closes. Clients queued in the
/// kernel's backlog meanwhile are not left waiting on that: a spare
/// descriptor is given up to accept each one and answer it memcached's
/// "too many connections" line, and a timer retries every kAcceptRetry for
/// those who arrive while paused.
struct Acceptor {
  Server *server = nullptr;
  evconnlistener *listener = nullptr;
  event *retry = nullptr; ///< Resumes accepting if no connection closes first.
  int spare_fd = -1;      ///< /dev/null, closed to make room for one refusal.
  bool paused = false;
  std::int64_t last_log_ns = -1; ///< CLOCK_MONOTONIC of the last line logged; -1: none.
  std::uint64_t refused_unlogged = 0;
};

void resume_accepting(Acceptor *a) {
  if (a->paused) {
    a->paused = false;
    evtimer_del(a->retry);
    evconnlistener_enable(a->listener);
  }
}

void on_connection_closed(Server *s) {
  if (s->acceptor != nullptr) {
    resume_accepting(s->acceptor);
  }
}

void on_accept_retry(evutil_socket_t, short, void *arg) {
  resume_accepting(static_cast<Acceptor *>(arg));
}

/// Accepts and refuses the clients queued in the backlog, each through the
/// spare descriptor. @return how many were refused.
std::uint64_t refuse_queued(Acceptor *a) {
  const evutil_socket_t listen_fd = evconnlistener_get_fd(a->listener);
  std::uint64_t refused = 0;
  while (a->spare_fd >= 0 && refused < kMaxRefusedPerPause) {
    ::close(a->spare_fd);
    const int fd = ::accept(listen_fd, nullptr, nullptr); // non-blocking listener
    if (fd >= 0) {
      [[maybe_unused]] const ssize_t w =
          ::send(fd, kTooManyConnections, sizeof kTooManyConnections - 1, MSG_NOSIGNAL);
      ::close(fd);
      refused += 1;
    }
    // If even this fails (ENFILE: the whole system is out), pauses just wait.
    a->spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      break; // the backlog is empty, or accept fails for another reason
    }
  }
  return refused;
}

/// accept() failed with an error that an immediate retry would repeat
/// (libevent retries EINTR, EAGAIN and ECONNABORTED itself).
void on_accept_error(evconnlistener *, void *arg) {
  Server *s = static_cast<Server *>(arg);
  Acceptor *a = s->acceptor;
  const int err = EVUTIL_SOCKET_ERROR();
  evconnlistener_disable(a->listener);
  a->paused = true;
  evtimer_add(a->retry, &kAcceptRetry);
  const std::uint64_t refused = refuse_queued(a);
  s->state.rejected_connections += refused;
  a->refused_unlogged += refused;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const std::int64_t now_ns = std::int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
  if (a->last_log_ns < 0 || now_ns - a->last_log_ns >= 1000000000) {
    // At most one line a second, however often accept fails.
    std::fprintf(stderr,
                 "accept: %s (%llu connections open): paused until one closes; %llu clients "
                 "refused\n",
                 std::strerror(err), static_cast<unsigned long long>(s->state.curr_connections),
                 static_cast<unsigned long long>(a->refused_unlogged));
    std::fflush(stderr);
    a->last_log_ns = now_ns;
    a->refused_unlogged = 0;
  }
}

/// Raises the soft limit on open files to fit `connections`, as memcached
/// does at start, or explains why it cannot.
bool fit_open_files_limit(std::uint32_t connections, std::string *error) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) {
    *error = std::string("cannot read the open files limit: ") + std::strerror(errno);
    return false;
  }
  // The lowest free descriptor counts those already open (memcached's next_fd).
  const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const rlim_t open_now = probe >= 0 ? static_cast<rlim_t>(probe) : 3;
  if (probe >= 0) {
    ::close(probe);
  }
  const rlim_t need = rlim_t{connections} + open_now + kFdHeadroom;
  if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= need) {
    return true;
  }
  rlimit want = r;
  want.rlim_cur = need;
  if (want.rlim_max != RLIM_INFINITY && want.rlim_max < need) {
    want.rlim_max = need; // only a privileged process may
  }
  if (setrlimit(RLIMIT_NOFILE, &want) == 0) {
    return true;
  }
  const auto limit = [](rlim_t v) {
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
  };
  *error = "--connections " + std::to_string(connections) + " needs " + std::to_string(need) +
           " open files, but the limit is " + limit(r.rlim_cur) + " (hard limit " +
           limit(r.rlim_max) + ") and cannot be raised: raise it (ulimit -n " +
           std::to_string(need) + ") or lower --connections";
  return false;
}

void on_accept(evconnlistener *, evutil_socket_t fd, sockaddr *, int, void *arg) {
  auto *s = static_cast<Server *>(arg);
  s->tick();
  if (s->state.curr_connections >= s->state.max_connections) {
    // memcached's reply when over -c, then the connection closes.
    [[maybe_unused]] const ssize_t w =
        ::send(fd, kTooManyConnections, sizeof kTooManyConnections - 1, MSG_NOSIGNAL);
    s->state.rejected_connections += 1;
    evutil_closesocket(fd);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto *c = new Connection(s, fd, s->node, s->state);
  c->read_event = event_new(s->base, fd, EV_READ | EV_PERSIST, on_readable, c);
  c->write_event = event_new(s->base, fd, EV_WRITE | EV_PERSIST, on_writable, c);
  event_add(c->read_event, nullptr);
  c->reading = true;
  s->conns.insert(c);
  s->state.curr_connections += 1;
  s->state.total_connections += 1;
}

void on_signal(evutil_socket_t, short, void *arg) {
  event_base_loopbreak(static_cast<event_base *>(arg));
}

// memcached 1.6.18 takes SIGHUP without stopping (sighup_handler only
// notes it); by default it would end the process.
void on_hangup(evutil_socket_t, short, void *) {}

int serve_stdio(const McServeOptions &o, std::string *error) {
  // A reader that goes away (`| head -c 10`) ends the session as a client's
  // close would: the write fails with EPIPE instead of SIGPIPE killing us.
  std::signal(SIGPIPE, SIG_IGN);
  MemcachedNode node(o.node);
  McServerState state;
  state.started_s = std::time(nullptr);
  state.pid = static_cast<long>(getpid());
  state.max_connections = o.max_connections;
  state.curr_connections = 1;
  state.total_connections = 1;
  state.libevent_version = event_get_version();
  MemcachedProtocol proto(node, state);
  char buf[McConnection::kReadChunk];
  // 0 once every committed byte is written, else the write's errno.
  auto write_all = [&]() -> int {
    // The committed output comes a part at a time (text, or a pinned value).
    for (std::string_view out = proto.committed(); !out.empty(); out = proto.committed()) {
      const ssize_t w = ::write(STDOUT_FILENO, out.data(), out.size());
      if (w < 0 && errno == EINTR) {
        continue;
      }
      if (w <= 0) {
        return w < 0 ? errno : EIO;
      }
      state.bytes_written += static_cast<std::uint64_t>(w);
      proto.consume(static_cast<std::size_t>(w));
    }
    return 0;
  };
  // The reader gone is the end of the session (exit 0); any other failure
  // (a full disk, /dev/full) loses replies and is an error (exit 2).
  auto write_failed = [&](int err) {
    if (err == EPIPE) {
      return 0;
    }
    *error = std::string("stdout: write failed: ") + std::strerror(err);
    return 2;
  };
  while (!proto.closing()) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      proto.finish_input(/*keep_replies=*/true); // the end of the input, not a hang-up
      break;
    }
    state.now_s = std::time(nullptr);
    state.bytes_read += static_cast<std::uint64_t>(n);
    proto.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    if (const int err = write_all(); err != 0) {
      return write_failed(err);
    }
  }
  if (const int err = write_all(); err != 0) {
    return write_failed(err);
  }
  return 0;
}

/// --listen and --port as a socket address. @return its length, 0 when
/// --listen is no IPv4 or IPv6 address.
socklen_t listen_address(const McServeOptions &o, sockaddr_storage &addr) {
  if (auto *a4 = reinterpret_cast<sockaddr_in *>(&addr);
      inet_pton(AF_INET, o.listen.c_str(), &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<std::uint16_t>(o.port));
    return sizeof(sockaddr_in);
  }
  if (auto *a6 = reinterpret_cast<sockaddr_in6 *>(&addr);
      inet_pton(AF_INET6, o.listen.c_str(), &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<std::uint16_t>(o.port));
    return sizeof(sockaddr_in6);
  }
  return 0;
}

/// The address a listener was bound to (its port, when --port was 0).
/// @return its port; `host` holds its text.
int bound_address(evconnlistener *listener, char (&host)[INET6_ADDRSTRLEN]) {
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  getsockname(evconnlistener_get_fd(listener), reinterpret_cast<sockaddr *>(&bound), &bound_len);
  if (bound.ss_family == AF_INET6) {
    const auto *a = reinterpret_cast<const sockaddr_in6 *>(&bound);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return ntohs(a->sin6_port);
  }
  const auto *a = reinterpret_cast<const sockaddr_in *>(&bound);
  inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  return ntohs(a->sin_port);
}

/// The signals the server answers: SIGINT and SIGTERM stop it, and SIGUSR1,
/// memcached's graceful stop; SIGHUP does not (as memcached). @return their
/// events, added to the base; event_free each when done.
std::array<event *, 4> handle_signals(event_base *base) {
  const std::array<event *, 4> events = {
      evsignal_new(base, SIGINT, on_signal, base), evsignal_new(base, SIGTERM, on_signal, base),
      evsignal_new(base, SIGUSR1, on_signal, base), evsignal_new(base, SIGHUP, on_hangup, nullptr)};
  for (event *e : events)
    event_add(e, nullptr);
  return events;
}

} // namespace

int serve_memcached(const McServeOptions &o, std::string *error) {
  if (o.stdio) {
    return serve_stdio(o, error);
  }
  std::signal(SIGPIPE, SIG_IGN);
  sockaddr_storage addr{};
  const socklen_t addr_len = listen_address(o, addr);
  if (addr_len == 0) {
    *error = "--listen: expected an IPv4 or IPv6 address, got " + o.listen;
    return 2;
  }
  const std::string spec = o.listen + ":" + std::to_string(o.port);
  if (!fit_open_files_limit(o.max_connections, error)) {
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
  char host[INET6_ADDRSTRLEN] = "?";
  const int port = bound_address(listener, host);
  server->state.tcp_port = static_cast<std::uint32_t>(port);
  Acceptor acceptor;
  acceptor.server = server.get();
  acceptor.listener = listener;
  acceptor.retry = evtimer_new(server->base, on_accept_retry, &acceptor);
  acceptor.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  server->acceptor = &acceptor;
  evconnlistener_set_error_cb(listener, on_accept_error);
  // Signals are handled before anyone can learn the port from stderr.
  const std::array<event *, 4> signals = handle_signals(server->base);
  std::fprintf(stderr, "listening on %s:%d\n", host, port);
  std::fflush(stderr);
  event_base_dispatch(server->base);
  server->acceptor = nullptr; // the connections closed below must not resume it
  evconnlistener_free(listener);
  event_free(acceptor.retry);
  if (acceptor.spare_fd >= 0) {
    ::close(acceptor.spare_fd);
  }
  while (!server->conns.empty()) {
    close_connection(*server->conns.begin());
  }
  for (event *e : signals)
    event_free(e);
  event_base_free(server->base);
  return 0;
}

} // namespace stampede
