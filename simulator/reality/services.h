// The reality lab's servers: a PostgreSQL cluster and a
// memcached, each started fresh for one run and stopped by its process id.
//
//     PostgresCluster pg = PostgresCluster::start();   // initdb, then postgres
//     MemcachedProcess mc = MemcachedProcess::start(64);
//     connect(pg.conninfo()); mc.port();
//     // both stop (and the cluster's folder goes) when they go out of scope
//
// PostgreSQL is Debian's (`postgresql`: /usr/lib/postgresql/N/bin): initdb
// into a new temporary folder, a unix socket in that folder and no TCP at
// all, run as the `postgres` user when started as root (initdb and postgres
// refuse root). memcached is the real /usr/bin/memcached on a free loopback
// port. Nothing is left behind: a stop sends the server its shutdown signal,
// waits, and kills it if it has not gone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace stampede::reality {

/// A server could not be started (its binary missing, its log's last lines).
struct ServiceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A PostgreSQL cluster of its own.
class PostgresCluster {
public:
  /// initdb into a new temporary folder and start postgres on a unix socket
  /// there, waiting until it accepts connections.
  /// @param max_connections postgres's max_connections (the pool plus a few).
  /// @throws ServiceError naming what failed.
  static PostgresCluster start(int max_connections = 40);

  PostgresCluster(PostgresCluster &&other) noexcept;
  PostgresCluster &operator=(PostgresCluster &&) = delete;
  PostgresCluster(const PostgresCluster &) = delete;
  ~PostgresCluster();

  /// Stops postgres (a fast shutdown, SIGINT; SIGKILL after 10 s) and removes
  /// the folder. Safe to call twice.
  void stop() noexcept;

  /// @return libpq's connection string for the `postgres` database.
  std::string conninfo() const;
  pid_t pid() const noexcept { return pid_; }
  const std::string &dir() const noexcept { return dir_; }

private:
  PostgresCluster() = default;
  std::string dir_; // the cluster's folder: data/ and the socket
  pid_t pid_ = -1;  // postgres (the postmaster)
};

/// A real memcached on 127.0.0.1.
class MemcachedProcess {
public:
  /// Starts /usr/bin/memcached on a free loopback port, waiting until it
  /// accepts connections.
  /// @param memory_mb its -m. @throws ServiceError.
  static MemcachedProcess start(std::uint64_t memory_mb);

  MemcachedProcess(MemcachedProcess &&other) noexcept;
  MemcachedProcess &operator=(MemcachedProcess &&) = delete;
  MemcachedProcess(const MemcachedProcess &) = delete;
  ~MemcachedProcess();

  /// Stops it (SIGTERM; SIGKILL after 5 s). Safe to call twice.
  void stop() noexcept;

  int port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }

private:
  MemcachedProcess() = default;
  int port_ = 0;
  pid_t pid_ = -1;
};

} // namespace stampede::reality
