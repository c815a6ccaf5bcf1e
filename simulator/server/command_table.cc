// The command table of `stampede memcached`: memcached's process_command_ascii
// (proto_text.c) as data. A line's first word is looked up once, by binary
// search over the sorted names (about five comparisons, nothing allocated);
// its word count, the command's own included, is checked before the handler
// runs, and a wrong count is a plain ERROR, as memcached answers it.
//
// Word counts (memcached's ntokens, less its terminal token):
//   set|add|replace|append|prepend <key> <flags> <exptime> <bytes> [noreply]
//   cas <key> <flags> <exptime> <bytes> <unique> [noreply]
//   get|gets|bget <key>+        gat|gats <exptime> <key>+
//   incr|decr <key> <delta> [noreply]        touch <key> <exptime> [noreply]
//   delete <key> [0] [noreply]               flush_all [delay] [noreply]
//   verbosity <level> [noreply]              cache_memlimit <MB> [noreply]
// The meta commands, stats, slabs, version, quit and shutdown take any count
// (the handlers check what they need).
#include <algorithm>
#include <iterator>

#include "server/memcached_protocol.h"
#include "server/protocol_text.h"

namespace stampede {

const MemcachedProtocol::Command *MemcachedProtocol::find_command(std::string_view name) {
  constexpr auto kAny = static_cast<std::uint8_t>(internal::kMaxTokens - 1);
  constexpr auto kSet = static_cast<std::uint8_t>(StoreMode::kSet);
  constexpr auto kAdd = static_cast<std::uint8_t>(StoreMode::kAdd);
  constexpr auto kReplace = static_cast<std::uint8_t>(StoreMode::kReplace);
  constexpr auto kAppend = static_cast<std::uint8_t>(StoreMode::kAppend);
  constexpr auto kPrepend = static_cast<std::uint8_t>(StoreMode::kPrepend);
  constexpr auto kCas = static_cast<std::uint8_t>(StoreMode::kCas);
  constexpr std::uint8_t kIncr = 1;
  constexpr std::uint8_t kDecr = 0;
  using P = MemcachedProtocol;
  // name, fewest words, most words, handler, variant.
  static constexpr Command kCommands[] = {
      {"add", 5, 6, &P::cmd_update, kAdd},
      {"append", 5, 6, &P::cmd_update, kAppend},
      {"bget", 2, kAny, &P::cmd_get, 0}, // an ancient alias of get
      {"cache_memlimit", 2, 3, &P::cmd_cache_memlimit, 0},
      {"cas", 6, 7, &P::cmd_update, kCas},
      {"decr", 3, 4, &P::cmd_arith, kDecr},
      {"delete", 2, 4, &P::cmd_delete, 0},
      {"flush_all", 1, 3, &P::cmd_flush_all, 0},
      {"gat", 2, kAny, &P::cmd_get, kGetTouch},
      {"gats", 2, kAny, &P::cmd_get, kGetTouch | kGetCas},
      {"get", 2, kAny, &P::cmd_get, 0},
      {"gets", 2, kAny, &P::cmd_get, kGetCas},
      {"incr", 3, 4, &P::cmd_arith, kIncr},
      {"ma", 1, kAny, &P::cmd_ma, 0},
      {"md", 1, kAny, &P::cmd_md, 0},
      {"me", 1, kAny, &P::cmd_me, 0},
      {"mg", 1, kAny, &P::cmd_mg, 0},
      {"mn", 1, kAny, &P::cmd_mn, 0},
      {"ms", 1, kAny, &P::cmd_ms, 0},
      {"prepend", 5, 6, &P::cmd_update, kPrepend},
      {"quit", 1, kAny, &P::cmd_quit, 0},
      {"replace", 5, 6, &P::cmd_update, kReplace},
      {"set", 5, 6, &P::cmd_update, kSet},
      {"shutdown", 1, kAny, &P::cmd_shutdown, 0},
      {"slabs", 1, kAny, &P::cmd_slabs, 0},
      {"stats", 1, kAny, &P::cmd_stats, 0},
      {"touch", 3, 4, &P::cmd_touch, 0},
      {"verbosity", 2, 3, &P::cmd_verbosity, 0},
      {"version", 1, kAny, &P::cmd_version, 0},
  };
  static_assert(std::is_sorted(std::begin(kCommands), std::end(kCommands),
                               [](const Command &a, const Command &b) { return a.name < b.name; }),
                "MemcachedProtocol::find_command: keep kCommands sorted by name");
  const Command *it =
      std::lower_bound(std::begin(kCommands), std::end(kCommands), name,
                       [](const Command &c, std::string_view n) { return c.name < n; });
  return it != std::end(kCommands) && it->name == name ? it : nullptr;
}

} // namespace stampede
