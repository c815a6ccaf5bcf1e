// `stampede memcached`: the checks its flags need together, then the server,
// which the binary's main registered (cli.h): the command line itself links
// neither the server nor libevent.
#include "cli/common.h"

#include <algorithm>

namespace stampede::cli {

int cmd_memcached(McServeOptions options, bool port_given, std::uint64_t memory_mb,
                  const std::string &lru) {
  if (port_given && options.stdio) {
    throw BadInput("stampede memcached: --port and --stdio exclude each other");
  }
  if (memory_mb > (std::uint64_t{1} << 24)) {
    throw BadInput("stampede memcached: --memory: expected at most 16777216 MiB, got " +
                   std::to_string(memory_mb));
  }
  options.node.memory_limit_bytes = memory_mb << 20;
  // memcached 1.6.18 refuses to start so: "Cannot set item size limit higher
  // than 1/2 of memory max." (else one item could take all its memory).
  if (options.node.item_size_max > options.node.memory_limit_bytes / 2) {
    throw BadInput("stampede memcached: --max-item-size: expected at most half of --memory (" +
                   std::to_string(options.node.memory_limit_bytes / 2) + " bytes with --memory " +
                   std::to_string(memory_mb) + "), got " +
                   std::to_string(options.node.item_size_max) +
                   " (memcached: \"Cannot set item size limit higher than 1/2 of memory max.\")");
  }
  options.node.lru =
      static_cast<LruModel>(std::find(kLruNames.begin(), kLruNames.end(), lru) - kLruNames.begin());
  const MemcachedServerEntry serve = registered_memcached_server();
  if (serve == nullptr) {
    throw BadInput("stampede memcached: not in this binary (its main registers no memcached "
                   "server; `stampede` has one)");
  }
  std::string error;
  const int status = serve(options, &error);
  if (status != 0) {
    throw BadInput("stampede memcached: " + error);
  }
  return kExitOk;
}

} // namespace stampede::cli
