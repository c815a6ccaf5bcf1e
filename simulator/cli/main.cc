// `stampede`: the command line with the memcached server. The reality lab
// (libpq) is stampede-lab's: `stampede reality ...` hands over to it.
#include "cli/cli.h"
#include "server/memcached_server.h"

int main(int argc, char **argv) {
  stampede::register_memcached_server(&stampede::serve_memcached);
  return stampede::cli_main(argc, argv);
}
