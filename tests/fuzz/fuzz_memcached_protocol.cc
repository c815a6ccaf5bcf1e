// libFuzzer target: MemcachedProtocol on arbitrary bytes.
//
// Besides "no crash, no sanitizer report": the input is fed in two splits
// chosen by its first byte, the handler's buffers stay bounded, and the
// output never exceeds what the input can ask for.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "server/memcached_protocol.h"

namespace {

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "fuzz_memcached_protocol: %s\n", what);
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  stampede::McConfig config;
  config.memory_limit_bytes = 2u << 20;
  config.item_size_max = 64u << 10;
  stampede::MemcachedNode node(config);
  stampede::McServerState server;
  server.now_s = 1000000000;
  server.started_s = server.now_s;
  const std::string_view all(reinterpret_cast<const char *>(data) + 1, size - 1);
  const std::size_t split = data[0] % (all.size() + 1);
  std::size_t sent = 0;
  {
    stampede::MemcachedProtocol proto(node, server);
    for (const std::string_view part : {all.substr(0, split), all.substr(split)}) {
      // Time moves on between the two reads, so expiry paths run too.
      server.now_s += data[0] & 3;
      proto.feed(part);
      sent += proto.take_committed().size();
      if (proto.closing()) {
        break;
      }
    }
  }
  // A get answers at most one item per key byte sent; items are at most 64 KiB.
  if (sent > 64 + all.size() * (64u << 10)) {
    fail("more output than the input can ask for");
  }
  // Every reply, sent or dropped with the connection, let go of its item.
  if (node.pinned_items() != 0) {
    fail("an item is still pinned after the connection closed");
  }
  return 0;
}
