// The reality lab's clients: memcached's text protocol over one
// blocking TCP connection, and a pool of exactly N PostgreSQL connections
// handed out first come, first served, as the model's database queue is.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reality/services.h"
#include "stampede/memcached_node.h"

struct pg_conn;

namespace stampede::reality {

/// One connection to a memcached, speaking the text protocol (protocol.txt):
/// get/gets, set/add/cas, delete. Not thread-safe: one per app worker.
class McClient {
public:
  /// Connects to 127.0.0.1:port. @throws ServiceError.
  explicit McClient(int port);
  McClient(McClient &&other) noexcept;
  McClient(const McClient &) = delete;
  ~McClient();

  /// An item a get found.
  struct Item {
    std::string value;
    std::uint32_t flags = 0;
    std::uint64_t cas = 0;   ///< With gets or meta_get; 0 with get.
    std::int64_t ttl_s = -1; ///< With meta_get: whole seconds left before it expires (-1: never).
    bool won = false;        ///< With meta_get: `W`, this client won the right to fill it.
    bool stale = false;      ///< With meta_get: `X`, a delete with I invalidated it.
  };

  /// get (or gets, `with_cas`). @return the item, or nothing on a miss.
  /// @throws ServiceError when the server answers what the protocol does not.
  std::optional<Item> get(std::string_view key, bool with_cas);

  /// The meta get `mg <key> v f c t`: the value, its flags, its cas unique
  /// and the seconds it has left (memcached counts time in whole seconds).
  /// @param vivify_ttl_s with N<vivify_ttl_s> (when > 0): a miss creates an
  /// empty item that lives that long and this client wins it (a lease).
  /// @return the item (with `W`, `X`: won, stale), or nothing on a miss (`EN`).
  std::optional<Item> meta_get(std::string_view key, std::int64_t vivify_ttl_s = 0);

  /// The invalidating meta delete `md <key> I`: the item stays, marked stale,
  /// with a new cas unique. @return kDeleted (HD) or kNotFound (NF).
  McStatus invalidate(std::string_view key);

  /// set, add or cas (`mode`; `cas` the unique for kCas).
  /// @return kStored, kNotStored, kExists or kNotFound, as memcached replied.
  McStatus store(StoreMode mode, std::string_view key, std::string_view value, std::uint32_t flags,
                 std::int64_t exptime, std::uint64_t cas = 0);

  /// delete. @return kDeleted or kNotFound.
  McStatus remove(std::string_view key);
  /// A delete with a hold-off (cache.delete_holdoff_s): `md KEY I T<s>`
  /// keeps the item, stale, for `seconds`; where the key is absent (NF), an
  /// empty placeholder that lives as long (`ms KEY 0 T<s> ME`). Either way
  /// an add of the key fails until then. @return kDeleted (HD) or kNotFound.
  McStatus holdoff(std::string_view key, std::int64_t seconds);

  /// `stats`: the general counters, by name ("evictions", "curr_items", ...).
  std::map<std::string, std::string> stats();

private:
  void send_all(std::string_view bytes);
  // Sends a delete (text or meta): its reply is `deleted` or `not_found`.
  McStatus deletion(const std::string &request, std::string_view deleted,
                    std::string_view not_found, std::string_view verb);
  std::string read_line();               // without the \r\n
  std::string read_exact(std::size_t n); // n bytes, then the \r\n after them
  int fd_ = -1;
  std::string buffer_; // bytes read but not yet used
};

/// memcached keeps time in whole seconds, advanced by a timer once a second
/// (its `current_time`), and an item expires at the tick that brings that
/// clock to the item's exptime. Polls a probe item's remaining TTL every
/// millisecond until it drops, up to two seconds.
/// @return the moment of one tick (within about a millisecond); the others
/// follow it a second apart. @throws ServiceError.
std::chrono::steady_clock::time_point memcached_tick(McClient &mc);

/// Exactly `size` connections to one database; acquire() waits, first come
/// first served, when all are in use.
class PgPool {
public:
  /// Opens every connection now. @throws ServiceError with libpq's message.
  PgPool(const std::string &conninfo, std::size_t size);
  PgPool(const PgPool &) = delete;
  ~PgPool();

  /// A connection, held until it goes out of scope.
  class Lease {
  public:
    Lease(Lease &&other) noexcept : pool_(other.pool_), conn_(other.conn_) {
      other.pool_ = nullptr;
    }
    Lease(const Lease &) = delete;
    ~Lease();
    pg_conn *get() const noexcept { return conn_; }

  private:
    friend class PgPool;
    Lease(PgPool *pool, pg_conn *conn) : pool_(pool), conn_(conn) {}
    PgPool *pool_;
    pg_conn *conn_;
  };

  /// Waits for a connection (FIFO among those waiting).
  Lease acquire();
  std::size_t size() const noexcept { return all_.size(); }
  /// @return how many wait now (the model's db.max_queue counts these).
  std::size_t waiting() const;

private:
  void release(pg_conn *conn);
  std::vector<pg_conn *> all_, free_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t next_ticket_ = 0, serving_ = 0; // FIFO: tickets served in order
};

/// Runs SQL that returns no rows of interest. @throws ServiceError with the
/// server's message.
void exec_sql(pg_conn *conn, const std::string &sql);

} // namespace stampede::reality
