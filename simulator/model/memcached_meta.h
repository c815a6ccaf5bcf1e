// The meta commands' options: what MemcachedNode's meta_get, meta_store,
// meta_store_reserved and meta_arith take beyond a text command's arguments,
// filled by the server's meta_commands.cc from the parsed flags. Internal:
// the public header, which stampede/strategy.h and so student code include,
// only declares their names.
#pragma once

#include <cstdint>

#include "stampede/memcached_node.h"

namespace stampede {

/// What a meta get (`mg`) may do besides reading: the N, T, R and u flags.
/// Exptimes here are absolute Unix seconds (0 = never; a past time such as 1
/// expires the item at once), already converted from protocol.txt's rules.
struct McMetaGetOptions {
  bool bump = true;                 ///< false for `u`: no LRU bump, `h` stays 0.
  bool vivify = false;              ///< `N`: on a miss, create an empty item and win.
  std::int64_t created_exptime = 0; ///< The exptime a vivified item ends with.
  bool touch = false;               ///< `T`: set the exptime (counted as a touch).
  std::int64_t touch_exptime = 0;   ///< `T`'s exptime.
  bool recache = false;             ///< `R`: win when the remaining TTL is below recache_time.
  std::int64_t recache_time = 0;    ///< `R`'s token made absolute.
  bool recache_sees_touch = false;  ///< `T` came before `R`: R compares the new exptime.
};

/// What a meta get found and did.
struct McMetaGetResult {
  bool created = false;            ///< `N` created the item on a miss.
  bool won = false;                ///< This client won the right to recache (`W`).
  std::int64_t exptime_before = 0; ///< The exptime before `T`/`N` (0 for a created item).
};

/// A meta set's (`ms`) options beyond the text protocol's storage command.
struct McMetaStoreOptions {
  bool has_cas = false;    ///< `C`: set and replace become cas; append/prepend check it.
  std::uint64_t cas = 0;   ///< `C`'s unique.
  bool invalidate = false; ///< `I`: a cas older than the item's stores the value as stale.
  bool key_binary = false; ///< `b`: the key was base64 (`k` prints it encoded).
};

/// A meta arithmetic's (`ma`) options.
struct McMetaArithOptions {
  bool incr = true;                 ///< false: decrement (stops at 0).
  std::uint64_t delta = 1;          ///< `D`.
  bool has_cas = false;             ///< `C` (0 checks nothing, as in memcached).
  std::uint64_t cas = 0;            ///< `C`'s unique.
  bool vivify = false;              ///< `N`: a miss creates the item with `initial`.
  std::uint64_t initial = 0;        ///< `J`.
  std::int64_t created_exptime = 0; ///< The exptime a created item ends with (absolute).
  bool touch = false;               ///< `T`: set the exptime of an existing item.
  std::int64_t touch_exptime = 0;   ///< `T`'s exptime (absolute).
};

} // namespace stampede
