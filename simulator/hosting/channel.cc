// The simulator's channel to a process running student code: length-tagged frames over
// two pipes, each read with a deadline, and what a host that dies or closes leaves.
#include "hosting/channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace stampede::hosting {

namespace {

// The largest frame either side accepts: a report-sized JSON value at most.
constexpr std::uint32_t kMaxFrameBytes = 64u << 20;

// Non-blocking reads tried before poll(): about as long as a short callback.
constexpr int kSpins = 200;

} // namespace

void Channel::send(Tag tag, std::string_view payload) {
  std::string frame;
  frame.reserve(5 + payload.size());
  const auto length = static_cast<std::uint32_t>(payload.size() + 1);
  put(frame, length);
  frame.push_back(static_cast<char>(tag));
  frame.append(payload);
  const char *p = frame.data();
  std::size_t left = frame.size();
  while (left > 0) {
    // MSG_NOSIGNAL: a host that is gone is a fault to report, not a SIGPIPE that kills us.
    const ssize_t n = ::send(out_, p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw ChannelClosed("the other side closed the channel");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void Channel::read_exact(char *p, std::size_t n, int timeout_ms) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
  while (n > 0) {
    // The other side usually answers within microseconds: ask a few times
    // before sleeping in poll(), which costs a wake-up on each side.
    for (int spin = 0; spin < kSpins && n > 0; ++spin) {
      const ssize_t got = ::recv(in_, p, n, MSG_DONTWAIT);
      if (got == 0)
        throw ChannelClosed("the other side closed the channel");
      if (got > 0) {
        p += got;
        n -= static_cast<std::size_t>(got);
      }
    }
    if (n == 0)
      return;
    int wait = -1;
    if (timeout_ms >= 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0)
        throw ChannelTimeout("no answer in time");
      wait = static_cast<int>(left);
    }
    pollfd pfd{in_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, wait);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0)
      throw ChannelTimeout("no answer in time");
    const ssize_t got = ::read(in_, p, n);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (got <= 0)
      throw ChannelClosed("the other side closed the channel");
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

Channel::Frame Channel::receive(int timeout_ms) {
  std::uint32_t length = 0;
  read_exact(reinterpret_cast<char *>(&length), sizeof length, timeout_ms);
  if (length == 0 || length > kMaxFrameBytes)
    throw ChannelClosed("a malformed frame (length " + std::to_string(length) + ")");
  Frame f;
  f.payload.resize(length);
  read_exact(f.payload.data(), length, timeout_ms);
  f.tag = static_cast<Tag>(f.payload[0]);
  f.payload.erase(0, 1);
  return f;
}

} // namespace stampede::hosting
