/// @file cli.h
/// The `stampede` command line (SPEC section 5): run, compare, validate,
/// scenarios, schema, test and bench.
///
/// Exit status: 0 ok; 1 a scenario's expectations failed; 2 bad input (a
/// flag, a scenario file, an output file that cannot be written), with a
/// message naming what is wrong; 3 an internal error (a bug).
///
///     int main(int argc, char **argv) { return stampede::cli_main(argc, argv); }
#pragma once

namespace stampede {

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

} // namespace stampede
