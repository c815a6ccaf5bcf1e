// The reality lab's statements on PostgreSQL: the posts table, the page
// query (one statement holding its connection for the query's latency) and
// the insert, each through libpq with its parameters.
#include "reality/database.h"

#include <charconv>
#include <cstdio>
#include <string>

#include <libpq-fe.h>

#include "stampede/page.h"

namespace stampede::reality {
namespace {

/// A bound parameter as libpq takes it: text.
std::string param(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9f", v);
  return buf;
}

/// Runs one statement with text parameters; @return its result (the caller clears it).
PGresult *run(pg_conn *conn, const char *sql, const std::vector<std::string> &params) {
  std::vector<const char *> values;
  for (const std::string &p : params) {
    values.push_back(p.c_str());
  }
  PGresult *r = PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                             nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
    const std::string why = PQresultErrorMessage(r);
    PQclear(r);
    throw ServiceError("PostgreSQL: " + why + "  in: " + sql);
  }
  return r;
}

std::int64_t id_at(PGresult *r, int row) {
  const char *text = PQgetvalue(r, row, 0);
  std::int64_t id = 0;
  std::from_chars(text, text + PQgetlength(r, row, 0), id);
  return id;
}

} // namespace

void create_posts_table(pg_conn *conn) {
  // seq: taken when an insert's sleep ends, just before it commits, so the
  // newest posts by seq are the most recently committed ones (ids are taken
  // as inserts begin, and overlapping inserts commit out of id order).
  exec_sql(conn, "CREATE SEQUENCE commit_order");
  exec_sql(conn, "CREATE TABLE posts (id bigserial PRIMARY KEY, key integer NOT NULL, "
                 "seq bigint NOT NULL UNIQUE)");
  exec_sql(conn, "CREATE INDEX posts_newest ON posts (key, seq DESC)");
}

std::vector<std::int64_t> read_page(pg_conn *conn, std::uint32_t key, double hold_s) {
  // The sleep is materialized first, inside the statement: the rows are read
  // with the snapshot the statement took when it began, before the sleep.
  // A LEFT JOIN from the pause: an empty page still sleeps (a plain join
  // with an empty side may skip the pause altogether), and gives one row of
  // NULL, dropped below.
  static const std::string sql =
      "WITH pause AS MATERIALIZED (SELECT pg_sleep($1::float8)) "
      "SELECT p.seq FROM pause LEFT JOIN (SELECT seq FROM posts WHERE key = $2::integer "
      "ORDER BY seq DESC LIMIT " +
      std::to_string(kPagePosts) + ") AS p ON true ORDER BY p.seq DESC";
  PGresult *r = run(conn, sql.c_str(), {param(hold_s), std::to_string(key)});
  std::vector<std::int64_t> ids;
  for (int i = 0; i < PQntuples(r); ++i) {
    if (PQgetisnull(r, i, 0) == 0) {
      ids.push_back(id_at(r, i));
    }
  }
  PQclear(r);
  return ids;
}

std::int64_t insert_post(pg_conn *conn, std::uint32_t key, double hold_s) {
  PGresult *r = run(conn,
                    "INSERT INTO posts (key, seq) SELECT $2::integer, nextval('commit_order') "
                    "FROM (SELECT pg_sleep($1::float8)) AS pause RETURNING seq",
                    {param(hold_s), std::to_string(key)});
  const std::int64_t id = PQntuples(r) == 1 ? id_at(r, 0) : 0;
  PQclear(r);
  if (id == 0) {
    throw ServiceError("PostgreSQL: an insert returned no id");
  }
  return id;
}

} // namespace stampede::reality
