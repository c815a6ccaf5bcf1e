// libFuzzer target: the connection state machine of `stampede memcached`
// (McConnection) under scripts of socket events: partial reads, writes that
// block, half-closes, disconnects mid-reply. The script format and every
// check are in memcached_connection_case.h, which the corpus replay in
// tests/memcached/connection_test.cc shares.
#include <cstdio>
#include <cstdlib>

#include "memcached_connection_case.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string failed =
      stampede::fuzzcase::run_case(std::string_view(reinterpret_cast<const char *>(data), size));
  if (!failed.empty()) {
    std::fprintf(stderr, "fuzz_memcached_connection: %s\n", failed.c_str());
    std::abort();
  }
  return 0;
}
