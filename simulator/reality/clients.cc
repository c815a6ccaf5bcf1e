// The reality lab's clients: memcached's text and meta protocol spoken over
// one blocking socket, and a first-come-first-served pool of PostgreSQL
// connections.
#include "reality/clients.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include <libpq-fe.h>

namespace stampede::reality {
namespace {

std::uint64_t parse_u64(std::string_view s, std::string_view what) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw ServiceError("memcached sent a VALUE line whose " + std::string(what) +
                       " is not a number: " + std::string(s));
  }
  return v;
}

/// The words of a line, split at spaces.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const auto space = line.find(' ');
    out.push_back(line.substr(0, space));
    if (space == std::string_view::npos) {
      break;
    }
    line.remove_prefix(space + 1);
  }
  return out;
}

} // namespace

McClient::McClient(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    const std::string why = std::strerror(errno);
    if (fd_ >= 0) {
      close(fd_);
    }
    throw ServiceError("cannot connect to memcached at 127.0.0.1:" + std::to_string(port) + ": " +
                       why);
  }
  // Requests are small and answered at once: send each without delay.
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

McClient::McClient(McClient &&other) noexcept : fd_(other.fd_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

McClient::~McClient() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

void McClient::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      throw ServiceError(std::string("memcached: send failed: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string McClient::read_line() {
  for (;;) {
    const auto end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return line;
    }
    char chunk[4096];
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      throw ServiceError(n == 0 ? std::string("memcached closed the connection")
                                : std::string("memcached: ") + std::strerror(errno));
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string McClient::read_exact(std::size_t n) {
  while (buffer_.size() < n + 2) {
    char chunk[4096];
    const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) {
      throw ServiceError("memcached closed the connection inside a value");
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
  if (buffer_.compare(n, 2, "\r\n") != 0) {
    throw ServiceError("memcached sent a value not followed by \\r\\n");
  }
  std::string data = buffer_.substr(0, n);
  buffer_.erase(0, n + 2);
  return data;
}

std::optional<McClient::Item> McClient::get(std::string_view key, bool with_cas) {
  send_all(std::string(with_cas ? "gets " : "get ") + std::string(key) + "\r\n");
  std::optional<Item> item;
  for (;;) {
    const std::string line = read_line();
    if (line == "END") {
      return item;
    }
    const std::vector<std::string_view> w = words(line);
    // VALUE <key> <flags> <bytes> [<cas unique>]
    if (w.size() < 4 || w[0] != "VALUE" || (with_cas && w.size() < 5)) {
      throw ServiceError("memcached answered a get with \"" + line + "\"");
    }
    Item it;
    it.flags = static_cast<std::uint32_t>(parse_u64(w[2], "flags"));
    const std::uint64_t bytes = parse_u64(w[3], "length");
    it.cas = with_cas ? parse_u64(w[4], "cas unique") : 0;
    it.value = read_exact(bytes);
    item = std::move(it);
  }
}

std::optional<McClient::Item> McClient::meta_get(std::string_view key, std::int64_t vivify_ttl_s) {
  send_all("mg " + std::string(key) + " v f c t" +
           (vivify_ttl_s > 0 ? " N" + std::to_string(vivify_ttl_s) : std::string()) + "\r\n");
  const std::string line = read_line();
  if (line == "EN") {
    return std::nullopt;
  }
  const std::vector<std::string_view> w = words(line);
  // VA <bytes> <flags>*, each returned flag a letter and its token.
  if (w.size() < 2 || w[0] != "VA") {
    throw ServiceError("memcached answered a meta get with \"" + line + "\"");
  }
  Item it;
  const std::uint64_t bytes = parse_u64(w[1], "length");
  for (std::size_t i = 2; i < w.size(); ++i) {
    const std::string_view token = w[i].substr(std::min<std::size_t>(1, w[i].size()));
    switch (w[i].empty() ? '\0' : w[i][0]) {
    case 'f':
      it.flags = static_cast<std::uint32_t>(parse_u64(token, "flags"));
      break;
    case 'c':
      it.cas = parse_u64(token, "cas unique");
      break;
    case 't':
      it.ttl_s = token == "-1" ? -1 : static_cast<std::int64_t>(parse_u64(token, "ttl"));
      break;
    case 'W':
      it.won = true;
      break;
    case 'X':
      it.stale = true;
      break;
    case 'Z': // another client won: nothing to keep
      break;
    default:
      throw ServiceError("memcached answered a meta get with a flag it was not asked for: \"" +
                         line + "\"");
    }
  }
  it.value = read_exact(bytes);
  return it;
}

std::chrono::steady_clock::time_point memcached_tick(McClient &mc) {
  using Clock = std::chrono::steady_clock;
  const std::string key = "stampede:clock-probe";
  if (mc.store(StoreMode::kSet, key, "", 0, 1000) != McStatus::kStored) {
    throw ServiceError("memcached refused to store the clock probe");
  }
  const auto ttl = [&] {
    const std::optional<McClient::Item> it = mc.meta_get(key);
    if (!it || it->ttl_s < 0) {
      throw ServiceError("memcached lost the clock probe or its TTL");
    }
    return it->ttl_s;
  };
  Clock::time_point answered = Clock::now();
  const std::int64_t first = ttl();
  const Clock::time_point deadline = answered + std::chrono::seconds(2);
  answered = Clock::now();
  while (answered < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const Clock::time_point asked = Clock::now();
    const std::int64_t now_ttl = ttl();
    if (now_ttl != first) {
      mc.remove(key);
      // The tick came after the last answer that had not seen it and before
      // this question: the middle of that gap.
      return answered + (asked - answered) / 2;
    }
    answered = Clock::now();
  }
  throw ServiceError("memcached's clock did not tick in two seconds");
}

McStatus McClient::store(StoreMode mode, std::string_view key, std::string_view value,
                         std::uint32_t flags, std::int64_t exptime, std::uint64_t cas) {
  const char *verb = mode == StoreMode::kAdd ? "add" : mode == StoreMode::kCas ? "cas" : "set";
  if (mode != StoreMode::kSet && mode != StoreMode::kAdd && mode != StoreMode::kCas) {
    throw ServiceError("McClient::store: only set, add and cas are spoken here");
  }
  std::string request = std::string(verb) + " " + std::string(key) + " " + std::to_string(flags) +
                        " " + std::to_string(exptime) + " " + std::to_string(value.size());
  if (mode == StoreMode::kCas) {
    request += " " + std::to_string(cas);
  }
  request += "\r\n";
  request.append(value);
  request += "\r\n";
  send_all(request);
  const std::string line = read_line();
  if (line == "STORED") {
    return McStatus::kStored;
  }
  if (line == "NOT_STORED") {
    return McStatus::kNotStored;
  }
  if (line == "EXISTS") {
    return McStatus::kExists;
  }
  if (line == "NOT_FOUND") {
    return McStatus::kNotFound;
  }
  throw ServiceError("memcached answered " + std::string(verb) + " with \"" + line + "\"");
}

McStatus McClient::invalidate(std::string_view key) {
  return deletion("md " + std::string(key) + " I\r\n", "HD", "NF", "md");
}

McStatus McClient::holdoff(std::string_view key, std::int64_t seconds) {
  const std::string t = " T" + std::to_string(seconds);
  const McStatus status = deletion("md " + std::string(key) + " I" + t + "\r\n", "HD", "NF", "md");
  if (status == McStatus::kNotFound) {
    send_all("ms " + std::string(key) + " 0" + t + " ME\r\n\r\n");
    const std::string line = read_line();
    if (line != "HD" && line != "NS") // stored, or another client's placeholder came first
      throw ServiceError("memcached answered ms (a hold-off's placeholder) with \"" + line + "\"");
  }
  return status;
}

McStatus McClient::remove(std::string_view key) {
  return deletion("delete " + std::string(key) + "\r\n", "DELETED", "NOT_FOUND", "delete");
}

McStatus McClient::deletion(const std::string &request, std::string_view deleted,
                            std::string_view not_found, std::string_view verb) {
  send_all(request);
  const std::string line = read_line();
  if (line == deleted) {
    return McStatus::kDeleted;
  }
  if (line == not_found) {
    return McStatus::kNotFound;
  }
  throw ServiceError("memcached answered " + std::string(verb) + " with \"" + line + "\"");
}

std::map<std::string, std::string> McClient::stats() {
  send_all("stats\r\n");
  std::map<std::string, std::string> out;
  for (;;) {
    const std::string line = read_line();
    if (line == "END") {
      return out;
    }
    const std::vector<std::string_view> w = words(line);
    if (w.size() != 3 || w[0] != "STAT") {
      throw ServiceError("memcached answered stats with \"" + line + "\"");
    }
    out.emplace(w[1], w[2]);
  }
}

PgPool::PgPool(const std::string &conninfo, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    pg_conn *c = PQconnectdb(conninfo.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(c);
      PQfinish(c);
      for (pg_conn *open : all_) {
        PQfinish(open);
      }
      all_.clear();
      throw ServiceError("PostgreSQL connection " + std::to_string(i + 1) + " of " +
                         std::to_string(size) + ": " + why);
    }
    all_.push_back(c);
  }
  free_ = all_;
}

PgPool::~PgPool() {
  for (pg_conn *c : all_) {
    PQfinish(c);
  }
}

PgPool::Lease PgPool::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const std::uint64_t ticket = next_ticket_++;
  cv_.wait(lock, [&] { return ticket == serving_ && !free_.empty(); });
  ++serving_;
  pg_conn *c = free_.back();
  free_.pop_back();
  // The next in line may find a connection free too.
  cv_.notify_all();
  return Lease(this, c);
}

std::size_t PgPool::waiting() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return static_cast<std::size_t>(next_ticket_ - serving_);
}

void PgPool::release(pg_conn *conn) {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_all();
}

PgPool::Lease::~Lease() {
  if (pool_ != nullptr) {
    pool_->release(conn_);
  }
}

void exec_sql(pg_conn *conn, const std::string &sql) {
  PGresult *r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  const std::string why = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw ServiceError("PostgreSQL: " + why + "  in: " + sql);
  }
}

} // namespace stampede::reality
