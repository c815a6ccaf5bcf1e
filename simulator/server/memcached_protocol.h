/// @file memcached_protocol.h
/// memcached 1.6's text protocol (and the meta commands) for one connection,
/// without sockets: `stampede memcached` feeds it what a client sends and
/// writes back what it answers.
///
/// Feed bytes in any split (half a line, half a data block, many pipelined
/// commands); the handler answers into an output buffer exactly what
/// memcached 1.6.18 answers, including its error lines and what it does with
/// the rest of a bad line or data block. Memory stays bounded for any input:
/// a command line is at most the 16 KiB memcached reads at once (a line still
/// unfinished after 2048 bytes closes the connection, as in memcached, unless
/// it is a get/gets, whose keys are then answered as they arrive); a data
/// block goes straight into an item the node allocates, inside its memory
/// limit, when the command line arrives (MemcachedNode::reserve), and one
/// too large or without memory is swallowed without being kept.
///
/// Replies are a queue of parts: text (headers, status lines, small values)
/// and, for values of kCopyValueBelow bytes or more, the item itself, pinned
/// in the node until the part is sent (MemcachedNode::pin), so a reply
/// naming one large value many times costs memory per key, not per byte.
///
/// Output is "committed" at the points where memcached writes its queued
/// responses to the socket (after a get, when the input holds no complete
/// command, every 20 commands, on mn and quit). Only committed output may be
/// sent: a later `get` with a key over 250 bytes, or a fatal error, discards
/// what is not committed yet, exactly as memcached drops its unsent responses.
///
/// Where the code is: memcached_protocol.cc frames input and holds output;
/// command_table.cc maps each command word to its word counts and handler;
/// the handlers are in retrieval_commands.cc (get, gets, gat, gats),
/// storage_commands.cc (set, add, replace, append, prepend, cas),
/// meta_commands.cc with meta_flags.h (mg, ms, md, ma, mn, me),
/// stats_commands.cc, and other_commands.cc (incr, decr, delete, touch,
/// flush_all, verbosity, cache_memlimit, version, quit, ...).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "stampede/memcached_node.h"

namespace stampede {

/// What every connection of one server shares: the clock and the counters
/// `stats` reports beyond the node's own.
struct McServerState {
  std::int64_t now_s = 0;     ///< The wall clock, whole Unix seconds (memcached's current_time).
  std::int64_t started_s = 0; ///< When the server started, Unix seconds.
  long pid = 0;               ///< Process id for `STAT pid`.
  std::uint32_t threads = 1;  ///< `STAT threads`.
  std::uint32_t max_connections = 1024;   ///< -c.
  std::uint64_t curr_connections = 0;     ///< Open client connections.
  std::uint64_t total_connections = 0;    ///< Connections ever accepted.
  std::uint64_t rejected_connections = 0; ///< Connections refused for -c.
  std::uint64_t bytes_read = 0;           ///< Bytes received from clients.
  std::uint64_t bytes_written = 0;        ///< Bytes sent to clients.
  std::uint64_t cmd_meta = 0;             ///< Meta commands processed.
  std::uint64_t store_too_large = 0;      ///< Storage commands refused as too large.
  std::uint64_t store_no_memory = 0;      ///< Storage commands refused for memory.
  std::uint32_t verbosity = 0;            ///< Last `verbosity` level.
  std::uint32_t tcp_port = 0;             ///< `stats settings` tcpport.
  std::string libevent_version = "none";  ///< `STAT libevent`.
};

/// One connection's protocol state over a shared node.
class MemcachedProtocol {
public:
  /// @param node the node every command acts on.
  /// @param server the clock and server-wide counters; `now_s` is read on every command.
  MemcachedProtocol(MemcachedNode &node, McServerState &server);
  /// Unpins the items of replies never sent.
  ~MemcachedProtocol();
  MemcachedProtocol(const MemcachedProtocol &) = delete;
  MemcachedProtocol &operator=(const MemcachedProtocol &) = delete;

  /// Processes bytes from the client. Bytes after the connection closed are ignored.
  /// @param bytes what the client sent next.
  void feed(std::string_view bytes);

  /// The client hung up: memcached sends nothing more for an unfinished command.
  /// @param keep_replies false as memcached does on a socket: replies it had
  ///        not yet written (held while it waited for a data block) are lost
  ///        with the connection. true for `--stdio`, where the input ending is
  ///        no hang-up: the replies to every finished command are written,
  ///        and only the unfinished command gets none.
  void finish_input(bool keep_replies = false);

  /// @return the next bytes that may be sent now: the rest of the first
  ///         committed part (empty when nothing is committed). Send them, then
  ///         consume() what was sent, until this is empty.
  std::string_view committed() const;

  /// Drops the first `n` committed bytes (they were sent).
  /// @param n at most the committed output's size.
  void consume(std::size_t n);

  /// @return true when committed() is, whole, a pinned item's value: a
  ///         sender may hand those bytes on by reference with take_pinned().
  bool committed_is_pinned() const;

  /// Removes the first committed part (committed_is_pinned() must hold),
  /// leaving its pin with the caller, who must MemcachedNode::unpin it once
  /// the bytes (committed() before this call) are sent.
  /// @return the pin.
  std::uint32_t take_pinned();

  /// Copies out every committed byte and consumes it (tests, stdio).
  /// @return the bytes.
  std::string take_committed();

  /// @return bytes of text queued (committed or not), pinned values excluded.
  std::size_t queued_bytes() const;

  /// @return true when the connection must close once committed() is sent
  ///         (quit, or a line too long to be a command).
  bool closing() const { return state_ == State::kClosed; }

  /// memcached 1.6.18's version string.
  static constexpr std::string_view kVersion = "1.6.18";
  /// Longest unfinished line memcached keeps waiting on (try_read_command_ascii).
  static constexpr std::size_t kMaxPendingLine = 2048;
  /// memcached's read buffer: a line that arrives in one read may be this long.
  static constexpr std::size_t kReadBufferBytes = 16384;
  /// Values shorter than this are copied into a reply (cheaper than a pin
  /// for the small values most gets return); longer ones are pinned.
  static constexpr std::size_t kCopyValueBelow = 1024;

private:
  enum class State : std::uint8_t { kLine, kData, kSwallow, kMultiget, kClosed };

  void process_buffer();
  std::size_t process_view(std::string_view buf);
  void process_line(std::string_view line);
  void commit() { commit_ = out_.size(); }
  void cull();
  std::string &text_out();
  void value_out(const McItemView &item);
  void close_now();
  void reply(std::string_view line);

  /// One command line, split as memcached's tokenizer splits it.
  struct CommandLine {
    std::string_view line;                    ///< The whole line (get reads every key from it).
    const std::vector<std::string_view> &tok; ///< Its first 23 words; tok[0] is the command.
    std::uint8_t variant;                     ///< The command's Command::variant.
  };
  /// A command's handler: it replies (or waits for a data block) itself.
  using Handler = void (MemcachedProtocol::*)(const CommandLine &);
  /// One row of the command table (command_table.cc).
  struct Command {
    std::string_view name;  ///< The command word, matched exactly.
    std::uint8_t min_words; ///< Fewest words, the command's included; fewer is `ERROR`.
    std::uint8_t max_words; ///< Most words; more is `ERROR`.
    Handler handler;        ///< What runs it.
    std::uint8_t variant;   ///< Passed on in CommandLine: a StoreMode, or kGetCas/kGetTouch, ...
  };
  /// @return the table's row for `name`, or nullptr for an unknown command.
  static const Command *find_command(std::string_view name);
  /// CommandLine::variant bits of the retrieval commands.
  static constexpr std::uint8_t kGetCas = 1, kGetTouch = 2;

  // Retrieval (retrieval_commands.cc).
  void cmd_get(const CommandLine &r);
  bool get_one(std::string_view key, bool cas, bool touch, std::int64_t exptime);
  // Storage (storage_commands.cc).
  void cmd_update(const CommandLine &r);
  void finish_data();
  // Keys, flush, settings and the rest (other_commands.cc).
  void cmd_arith(const CommandLine &r);
  void cmd_delete(const CommandLine &r);
  void cmd_touch(const CommandLine &r);
  void cmd_flush_all(const CommandLine &r);
  void cmd_verbosity(const CommandLine &r);
  void cmd_cache_memlimit(const CommandLine &r);
  void cmd_version(const CommandLine &r);
  void cmd_quit(const CommandLine &r);
  void cmd_shutdown(const CommandLine &r);
  void cmd_slabs(const CommandLine &r);
  void cmd_lru(const CommandLine &r);
  void cmd_lru_crawler(const CommandLine &r);
  void cmd_watch(const CommandLine &r);
  void set_noreply_maybe(const std::vector<std::string_view> &tok);
  // stats (stats_commands.cc).
  void cmd_stats(const CommandLine &r);
  void stats_general();
  void stats_settings();

  // Meta commands (meta_commands.cc).
  void cmd_mg(const CommandLine &r);
  void cmd_ms(const CommandLine &r);
  void cmd_md(const CommandLine &r);
  void cmd_ma(const CommandLine &r);
  void cmd_mn(const CommandLine &r);
  void cmd_me(const CommandLine &r);
  void finish_meta_set(std::uint32_t handle);
  void meta_error(std::string_view line);
  bool meta_head(const std::vector<std::string_view> &tok, std::string_view too_many_tokens);

  // Multiget lines longer than kMaxPendingLine, answered key by key.
  void multiget_consume(std::string_view bytes, bool final);

  MemcachedNode &node_;
  McServerState &server_;
  State state_ = State::kLine;
  std::string in_; ///< Unprocessed input (at most kReadBufferBytes).
  static constexpr std::uint32_t kNoPin = 0xffffffffu;
  /// A piece of output: text, or a pinned value (`pin` set, `ref` its bytes).
  struct OutPart {
    std::string text;
    std::string_view ref;
    std::uint32_t pin = kNoPin;
    std::size_t sent = 0; ///< Bytes of it already consumed.
  };
  std::deque<OutPart> out_; ///< Replies; parts [0, commit_) may be sent.
  /// Buffers of sent text parts, kept for the next replies (a few, small).
  std::vector<std::string> spare_;
  static constexpr std::size_t kSpareParts = 4;
  static constexpr std::size_t kSparePartBytes = 64u << 10;
  std::vector<std::string_view> tokens_; ///< process_line's tokens, reused.
  std::vector<std::string_view> keys_;   ///< cmd_get's keys, reused.
  std::size_t commit_ = 0;
  int commands_since_commit_ = 0;
  bool noreply_ = false;
  bool crawler_on_ = true; ///< lru_crawler enable/disable (memcached starts it).
  bool sizes_on_ = false;  ///< stats sizes_enable/disable.
  bool watching_ = false;  ///< After `watch`: the connection reads no more commands.

  // A storage command waiting for its data block.
  struct Pending {
    StoreMode mode = StoreMode::kSet;
    std::string key;
    std::uint32_t flags = 0;
    std::int64_t exptime = 0; ///< Made absolute when the command arrived.
    std::uint64_t cas = 0;
    std::size_t total = 0;   ///< Value plus CRLF.
    bool meta = false;       ///< An ms command: reply in meta form.
    std::string meta_ret;    ///< ms: return flags to echo (O, k, c), space-separated.
    bool invalidate = false; ///< ms I: a cas older than the item stores it as stale.
    bool base64_key = false; ///< ms b.
    bool has_cas = false;    ///< ms C.
    bool quiet = false;      ///< ms q: HD is not sent.
  } pending_;
  /// The item the pending data block goes into (MemcachedNode::reserve).
  std::uint32_t reserved_ = MemcachedNode::kNoReservation;
  std::size_t got_ = 0; ///< Bytes of the data block (value and CRLF) read so far.
  char crlf_[2] = {};   ///< The two bytes after the value: a CRLF, or a bad data chunk.
  void drop_reservation();
  std::size_t take_data(std::string_view bytes);
  std::uint64_t swallow_ = 0; ///< Bytes still to drop after a refused storage command.

  // Streaming multiget state.
  bool mg_cas_ = false;
  bool mg_failed_ = false; ///< A key was too long: the rest of the line is ignored.
  bool mg_nul_ = false;    ///< A NUL ended the line for memcached's strlen.
  std::string mg_partial_; ///< An unfinished key.
};

} // namespace stampede
