// The entry points a binary's main registers for the commands whose code only
// some binaries link (cli.h): the memcached server and the reality lab.
#include "cli/common.h"

namespace stampede {
namespace {

// Set once by main, before cli_main reads them; never changed after.
MemcachedServerEntry g_memcached_server = nullptr;
RealityLabEntry g_reality_lab = nullptr;

} // namespace

void register_memcached_server(MemcachedServerEntry serve) { g_memcached_server = serve; }

void register_reality_lab(RealityLabEntry play) { g_reality_lab = play; }

namespace cli {

MemcachedServerEntry registered_memcached_server() { return g_memcached_server; }

RealityLabEntry registered_reality_lab() { return g_reality_lab; }

} // namespace cli
} // namespace stampede
