/// @file cli.h
/// The `stampede` command line (SPEC section 5): run, compare, validate,
/// scenarios, schema, test, lesson, sweep, merge, reality, bench and memcached.
///
/// Exit status: 0 ok; 1 a scenario's expectations failed; 2 bad input (a
/// flag, a scenario file, an output file that cannot be written), with a
/// message naming what is wrong; 3 an internal error (a bug).
///
/// Two commands run code that only some binaries link: `memcached` (the
/// server, stampede_server, libevent) and `reality` (the lab,
/// stampede_reality, libpq). A binary's main registers those it has before
/// it runs the command line:
///
///     int main(int argc, char **argv) {
///       stampede::register_memcached_server(&stampede::serve_memcached);
///       return stampede::cli_main(argc, argv);
///     }
///
/// Without a registered server, `memcached` says it is not in this binary;
/// without a registered lab, `reality` hands its arguments to stampede-lab.
#pragma once

#include <string>

namespace stampede {

struct McServeOptions;
struct Scenario;
namespace reality {
struct RealPlay;
}

/// Exit statuses of `stampede`.
enum ExitStatus : int {
  kExitOk = 0,                 ///< Success.
  kExitExpectationsFailed = 1, ///< A scenario's `expect` did not hold.
  kExitBadInput = 2,           ///< A bad flag, file or field.
  kExitInternalError = 3,      ///< A bug in the simulator.
};

/// Runs the command line.
/// @param argc argument count. @param argv arguments, argv[0] the program.
/// @return the exit status.
int cli_main(int argc, const char *const *argv);

/// The memcached server's entry point: server/memcached_server.h's
/// serve_memcached.
using MemcachedServerEntry = int (*)(const McServeOptions &options, std::string *error);

/// The reality lab's entry point: reality/lab.h's play_real.
using RealityLabEntry = reality::RealPlay (*)(const Scenario &s, bool calibrate);

/// Gives `stampede memcached` its server; call before cli_main().
/// @param serve the server's entry point.
void register_memcached_server(MemcachedServerEntry serve);

/// Gives `stampede reality` its lab, so it plays here rather than handing
/// over to stampede-lab; call before cli_main().
/// @param play the lab's entry point.
void register_reality_lab(RealityLabEntry play);

} // namespace stampede
