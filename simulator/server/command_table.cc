// The command table of `stampede memcached`: memcached's process_command_ascii
// (proto_text.c) as data. A line's first word is looked up once, through a
// perfect hash of the names (one hash, one comparison, nothing allocated);
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
// The meta commands, stats, slabs, lru, lru_crawler, watch, version, quit
// and shutdown take any count
// (the handlers check what they need).
#include <array>
#include <cstddef>
#include <iterator>

#include "server/memcached_protocol.h"
#include "server/protocol_text.h"

namespace stampede {
namespace {

constexpr std::size_t kSlots = 64;
/// A slot no command hashes to.
constexpr std::uint8_t kNoRow = 0xff;

/// The hash: distinct for every name in the table (a static_assert below
/// checks it; a new command that collides needs other multipliers). The
/// first two letters and the last tell get, gat, gets and gats apart, and
/// mg, ms, md, ma, mn and me. @param name at least two characters.
constexpr std::size_t slot_of(std::string_view name) {
  const auto c = [&](std::size_t i) {
    return static_cast<std::size_t>(static_cast<unsigned char>(name[i]));
  };
  return (c(0) + 3 * c(1) + 21 * c(name.size() - 1) + 3 * name.size()) % kSlots;
}

} // namespace

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
  // name, fewest words, most words, handler, variant; in alphabetical order.
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
      {"lru", 2, kAny, &P::cmd_lru, 0},
      {"lru_crawler", 2, kAny, &P::cmd_lru_crawler, 0},
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
      {"watch", 1, kAny, &P::cmd_watch, 0},
  };
  // slot -> row of kCommands, or kNoRow.
  static constexpr std::array<std::uint8_t, kSlots> kRowOfSlot = [] {
    std::array<std::uint8_t, kSlots> rows{};
    rows.fill(kNoRow);
    for (std::size_t i = 0; i < std::size(kCommands); ++i) {
      rows[slot_of(kCommands[i].name)] = static_cast<std::uint8_t>(i);
    }
    return rows;
  }();
  static_assert(
      [] {
        for (std::size_t i = 0; i < std::size(kCommands); ++i) {
          if (kRowOfSlot[slot_of(kCommands[i].name)] != i) {
            return false;
          }
        }
        return true;
      }(),
      "MemcachedProtocol::find_command: two command names share a slot; change slot_of's "
      "multipliers until every name has its own");
  if (name.size() < 2) {
    return nullptr;
  }
  const std::uint8_t row = kRowOfSlot[slot_of(name)];
  if (row == kNoRow || kCommands[row].name != name) {
    return nullptr;
  }
  return &kCommands[row];
}

} // namespace stampede
