/// @file meta_flags.h
/// The flags of the meta commands (mg, ms, md, ma), parsed as memcached
/// 1.6.18's _meta_flag_preparse parses them, and the base64 of their `b`
/// keys. Private to stampede_server: MemcachedNode takes its own option
/// structs, filled from these by meta_commands.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/memcached_node.h"

namespace stampede::internal {

/// MFLAG_MAX_OPT_LENGTH: more tokens than this (terminal one included) is an error.
constexpr std::size_t kMetaMaxTokens = 20;
/// MFLAG_MAX_OPAQUE_LENGTH: an O token, its letter included.
constexpr std::size_t kMetaMaxOpaque = 32;

/// _meta_flag_preparse's result.
struct MetaFlags {
  bool no_update = false;           ///< u: no LRU bump.
  bool vivify = false;              ///< N: create the item on a miss.
  bool value = false;               ///< v: return the value.
  bool set_stale = false;           ///< I: invalidate (md) or a stale-aware cas (ms).
  bool no_reply = false;            ///< q: drop the nominal reply.
  bool has_cas = false;             ///< C was given.
  bool new_ttl = false;             ///< T was given.
  bool key_binary = false;          ///< b: the key is base64.
  bool recache = false;             ///< R was given.
  char mode = 0;                    ///< M's letter; 0 when absent.
  std::int64_t exptime = 0;         ///< T's exptime, absolute.
  std::int64_t autoviv_exptime = 0; ///< N's exptime, absolute.
  std::int64_t recache_time = 0;    ///< R's time, absolute.
  std::uint32_t client_flags = 0;   ///< F.
  std::uint64_t req_cas = 0;        ///< C's unique.
  std::uint64_t delta = 1;          ///< D (ma).
  std::uint64_t initial = 0;        ///< J (ma).
  std::string key;                  ///< The key, base64-decoded under b.
};

/// memcached's base64_decode: characters outside the alphabet are skipped,
/// the rest must come in groups of four, and decoding stops after padding.
/// @param in the encoded text. @param out receives the bytes.
/// @return false where memcached returns 0 (nothing decoded).
bool base64_decode(std::string_view in, std::string *out);

/// @param in bytes. @return their base64, padded.
std::string base64_encode(std::string_view in);

/// _meta_flag_preparse over tok[start..]. Most errors are noted and parsing
/// goes on (a later error's message wins); a duplicate or unknown flag stops
/// at once. `*errstr` keeps the caller's default when an error sets none.
/// @param tok the command's words, tok[1] the key. @param start the first flag.
/// @param now the clock, for the exptimes. @param of receives the flags.
/// @param errstr receives the error's reply line.
/// @return false on an error.
bool meta_preparse(const std::vector<std::string_view> &tok, std::size_t start, std::int64_t now,
                   MetaFlags *of, std::string_view *errstr);

/// @param tok the command's words.
/// @return whether an O (opaque) flag is longer than memcached allows.
bool opaque_too_long(const std::vector<std::string_view> &tok);

/// ms's checks after its flags, in process_mset_command's order: the mode
/// M names (absent or S: set), then an O flag not too long.
/// @param tok the command's words. @param of its flags.
/// @param mode receives the mode. @param errstr receives the error's reply line.
/// @return false on an error.
bool ms_store_mode(const std::vector<std::string_view> &tok, const MetaFlags &of, StoreMode *mode,
                   std::string_view *errstr);

/// @param tok an ms command's words (its flags from tok[3]).
/// @return the flags its reply echoes (O, k, c), each followed by a space.
std::string ms_return_flags(const std::vector<std::string_view> &tok);

/// The exptime a created item ends with: it starts at 0 and N and T set it
/// in the order they appear.
/// @param tok the command's words. @param start the first flag. @param of the parsed flags.
/// @return the absolute exptime.
std::int64_t created_exptime(const std::vector<std::string_view> &tok, std::size_t start,
                             const MetaFlags &of);

/// Appends ` t<remaining ttl>` (`-1` for never), as memcached prints it.
/// @param line the reply line. @param exptime absolute, 0 never. @param now the clock.
void append_ttl(std::string &line, std::int64_t exptime, std::int64_t now);

} // namespace stampede::internal
