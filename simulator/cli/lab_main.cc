// `stampede-lab`: the command line with the reality lab (a real PostgreSQL
// and memcached, through libpq) and the memcached server.
#include "cli/cli.h"
#include "reality/lab.h"
#include "server/memcached_server.h"

int main(int argc, char **argv) {
  stampede::register_memcached_server(&stampede::serve_memcached);
  stampede::register_reality_lab(&stampede::reality::play_real);
  return stampede::cli_main(argc, argv);
}
