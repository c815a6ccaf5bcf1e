// A channel between the simulator and a process that runs student code
// (SPEC section 10: student code runs apart). Frames over two pipes: a
// 4-byte length, then a 1-byte tag, then the payload. Each side reads with a
// deadline, so a host that never answers is a fault with a name, not a hang.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace stampede::hosting {

/// A frame's kind. Both sides speak the same tags; what a payload holds is
/// the business of the layer above (wire.h, json_peer.h).
enum class Tag : std::uint8_t {
  kCall = 1,    ///< a call; the receiver answers it with kReturn or kError
  kReturn = 2,  ///< the answer to the innermost open call
  kError = 3,   ///< the callee threw: the payload says what
  kCrashed = 4, ///< sent by the host's signal handler: the payload names the signal
};

/// The other side closed its end (it exited or was killed).
struct ChannelClosed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// The host's crash reporter said it is dying of a signal (`what()` names it).
struct HostCrashed : ChannelClosed {
  using ChannelClosed::ChannelClosed;
};
/// Nothing arrived before the deadline.
struct ChannelTimeout : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One side's two ends. Not thread-safe: one caller at a time.
class Channel {
public:
  Channel() = default;
  /// @param in the fd frames arrive on. @param out the fd frames leave by.
  Channel(int in, int out) noexcept : in_(in), out_(out) {}

  /// Sends one frame. @throws ChannelClosed when the other side is gone.
  void send(Tag tag, std::string_view payload);

  struct Frame {
    Tag tag = Tag::kReturn;
    std::string payload;
  };
  /// Waits for one frame. @param timeout_ms how long; negative: forever.
  /// @throws ChannelClosed, ChannelTimeout.
  Frame receive(int timeout_ms);

  /// @return the fd frames arrive on.
  int in_fd() const noexcept { return in_; }
  /// @return the fd frames leave by.
  int out_fd() const noexcept { return out_; }

private:
  void read_exact(char *p, std::size_t n, int timeout_ms);
  int in_ = -1, out_ = -1;
};

/// Appends a trivially copyable value's bytes.
template <typename T> void put(std::string &out, const T &v) {
  out.append(reinterpret_cast<const char *>(&v), sizeof(T));
}

/// Reads a value put() wrote; false when the payload is too short.
template <typename T> bool take(std::string_view &in, T &v) {
  if (in.size() < sizeof(T))
    return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

} // namespace stampede::hosting
