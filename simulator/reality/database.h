// The reality lab's database, as SPEC section 2 has it:
// a posts table; the page query is ONE statement that holds its connection
// for the query's latency and reads the key's 10 newest posts with the
// snapshot taken when it starts (a sleep inside the same statement, in a
// materialized CTE, runs after that snapshot, so an insert committed during
// it is not seen: the stale-set race is kept); an insert holds its
// connection for the insert latency, inserts and commits (autocommit), and
// is committed when it returns.
#pragma once

#include <cstdint>
#include <vector>

#include "reality/clients.h"

namespace stampede::reality {

/// Creates the posts table (and its index by key, newest first).
/// @throws ServiceError with the server's message.
void create_posts_table(pg_conn *conn);

/// The page query. @param key the page's key. @param hold_s seconds the
/// statement holds the connection (pg_sleep). @return the `seq` of the key's
/// most recently committed posts, newest first (at most kPagePosts).
/// @throws ServiceError.
std::vector<std::int64_t> read_page(pg_conn *conn, std::uint32_t key, double hold_s);

/// Inserts a post for `key`, holding the connection `hold_s` first; it has
/// committed when this returns. @return its `seq`, drawn from a sequence as
/// its sleep ended, just before its commit (so seq order is commit order).
/// @throws ServiceError.
std::int64_t insert_post(pg_conn *conn, std::uint32_t key, double hold_s);

} // namespace stampede::reality
