// Private to cli/: what the files of the `stampede` command line share.
//
// The `stampede` command line (SPEC section 5). Parsing is CLI11's
// (cli_main.cc); each subcommand is one cmd_* function returning the exit
// status, in the file of its command family (run.cc, validate.cc, test.cc,
// bench.cc, memcached.cc). Bad input is thrown as BadInput and becomes exit 2
// in cli_main, so every message about a flag or a file is written in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "server/memcached_server.h"
#include "stampede/replication.h"
#include "stampede/scenario.h"
#include "stampede/simulation.h"

namespace stampede::cli {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

/// The user's mistake: a flag, a file or a field. Becomes exit 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------
// Formatting (common.cc)

/// The shortest text that reads back as exactly `v` (what JSON writes).
std::string shortest(double v);

/// `v` with `digits` decimals.
std::string fixed(double v, int digits);

/// A measured value for a message: whole numbers without decimals.
std::string number(double v);

std::string join(const std::vector<std::string> &items, std::string_view sep);

std::string json_quote(std::string_view s);

/// A name from a file (a scenario's `name`, a path) as a terminal line shows
/// it: as it is when it is plain text; JSON-quoted when it holds control
/// characters (ESC, BEL, CR, NUL would recolour or clear the terminal); cut
/// after 200 bytes with the length said, so a huge name is not a huge line.
std::string terminal_text(std::string_view s);

/// "a, b,c" -> {"a", "b", "c"}: split_values() with empty items dropped.
std::vector<std::string> split_list(const std::string &text);

/// "seed 3", "seeds 1..10", "seeds 3, 7, 9": the seeds a result came from.
std::string seeds_text(const std::vector<std::uint64_t> &seeds);

// ---------------------------------------------------------------------------
// Scenarios and runs (common.cc)

/// Replications (SPEC section 11): `--seeds N`, `--seed-list a,b,c`,
/// `--warmup S`; shared by run, compare, test and sweep.
struct ReplicationOptions {
  std::optional<std::uint64_t> seeds; // --seeds N
  std::string seed_list;              // --seed-list a,b,c
  double warmup_s = 0;                // --warmup S

  /// Whether the command runs replications (and reports their spread).
  bool replicated() const { return seeds.has_value() || !seed_list.empty(); }
};

/// The most replications one command runs: a typo is an error, not a week.
constexpr std::uint64_t kMaxReplications = 10000;

/// The seeds to run: --seed-list's, or --seeds N counted from `first` (the
/// scenario's seed, after any --seed). Throws BadInput on a bad list.
std::vector<std::uint64_t> replication_seeds(const ReplicationOptions &o, std::uint64_t first);

/// Checks --warmup against a scenario's length. Throws BadInput.
void check_warmup(double warmup_s, const Scenario &s);

/// Options shared by `run` and `compare`.
struct RunOptions {
  std::string scenario;
  std::string strategy;   // run: --strategy (empty: the file's)
  std::string strategies; // compare: --strategies a,b,c (empty: the lecture's)
  std::optional<std::uint64_t> seed;
  std::optional<double> duration_s;
  std::vector<std::string> sets;
  std::string report;
  std::string timeseries;
  std::string trace;
  double interval_s = 1;
  bool table = false;
  ReplicationOptions replication;
};

/// For a `student:` name that is not there: why (no library built, or it
/// did not load).
std::string student_hint(std::string_view name);

/// @return the strategy names a flag accepts, for messages.
std::string known_strategies();

/// Loads a scenario or throws BadInput with the parser's message.
Scenario load(const std::string &spec, const std::vector<std::string> &overrides);

/// Runs a scenario to its end and returns its report (expectations not yet
/// evaluated). A run that stops overloaded is bad input, named by `origin`.
/// `progress`: a bar on stderr while it runs, when stderr is a terminal.
Report simulate(const Scenario &s, const std::string &origin, std::string_view label,
                Observer *observer = nullptr, Time interval = kSecond, double warmup_s = 0,
                bool progress = true);

/// Runs a scenario once per seed and summarises the runs (expectations not
/// yet evaluated). A run that stops overloaded is bad input, as for simulate().
ReplicatedReport simulate_replicated(const Scenario &s, const std::vector<std::uint64_t> &seeds,
                                     const std::string &origin, std::string_view label,
                                     double warmup_s);

/// An output file opened before the run, so a bad path fails before the work.
std::unique_ptr<std::ofstream> open_output(const std::string &path, std::string_view flag);

void finish_output(std::ofstream &out, const std::string &path);

// ---------------------------------------------------------------------------
// What this binary's main registered (registered.cc): null when it has none.

MemcachedServerEntry registered_memcached_server();
RealityLabEntry registered_reality_lab();

// ---------------------------------------------------------------------------
// The commands, each in the file of its family; each returns the exit status.

// run.cc
int cmd_run(const RunOptions &o);

/// Writes JSON to `path` (`-`: stdout), the file opened by open_output.
void write_json(const Json &j, const std::string &path, std::ofstream *file);
/// Prints each failed expectation on stderr. @param where the seed or
/// seeds. @return whether all held.
bool report_failures(const std::vector<ExpectationResult> &results, std::string_view name,
                     const std::string &where);

/// `stampede explore`'s flags (SPEC section 12).
struct ExploreCliOptions {
  std::string scenario;
  std::string strategy;
  std::vector<std::string> sets;
  std::optional<std::uint32_t> depth;
  std::optional<std::uint32_t> preemptions;
  bool no_reduction = false;
  std::string report, trace, schedule_out;
};
int cmd_explore(const ExploreCliOptions &o);
int cmd_compare(const RunOptions &o);

// validate.cc
int cmd_validate(const std::string &spec, const std::vector<std::string> &sets);
int cmd_scenarios();
int cmd_schema();

// test.cc
int cmd_test(std::vector<std::string> paths, const std::string &junit,
             std::optional<std::uint64_t> seed, const ReplicationOptions &replication);

// lesson.cc
int cmd_lesson_list(const std::string &root);
int cmd_lesson_show(const std::string &root, const std::string &id, bool answers);
int cmd_lesson_run(const std::string &root, const std::string &id, const std::string &junit,
                   std::optional<std::uint64_t> seed, bool interactive);

// sweep.cc
struct SweepOptions {
  std::string scenario;          // sweep: SCENARIO
  std::string dir;               // merge: DIR
  std::vector<std::string> vary; // --vary PATH=v1,v2,...
  std::string strategies;        // --strategies a,b (empty: the scenario's)
  std::vector<std::string> sets; // --set
  std::optional<double> duration_s;
  std::optional<std::uint64_t> seed;
  ReplicationOptions replication;
  std::optional<unsigned> jobs; // --jobs (default: the machine's cores)
  std::string csv;              // --csv FILE (default stdout)
  std::string plot, y;          // --plot FILE.png|svg --y PATH
  std::string emit_jobs;        // --emit-jobs DIR
};
int cmd_sweep(const SweepOptions &o);
int cmd_merge(const SweepOptions &o);

// reality.cc
struct RealityOptions {
  std::string scenario;
  std::string strategy;             // --strategy (empty: the file's)
  std::optional<double> duration_s; // --duration
  std::uint64_t seeds = 10;         // --seeds: the prediction's replications
  std::vector<std::string> sets;    // --set
  std::string report;               // --report FILE: {"real": ..., "predicted": ...}
  std::string calibrate;            // --calibrate OUT.json: the scenario as measured
  std::vector<std::string> argv;    // the command line, for handing it to stampede-lab
};
int cmd_reality(const RealityOptions &o);

// bench.cc
struct BenchOptions {
  std::uint64_t events = 20'000'000;
  std::vector<std::string> sets;
  std::string limit;
  std::string scenario = "builtin:r1";
};
int cmd_bench(const BenchOptions &o);

// memcached.cc
/// `stampede memcached`: checks what CLI11 cannot check flag by flag (--port
/// with --stdio, --memory's bound), then serves until the server stops.
/// @param port_given whether --port was on the command line.
/// @param memory_mb --memory. @param lru --lru, one of kLruNames.
int cmd_memcached(McServeOptions options, bool port_given, std::uint64_t memory_mb,
                  const std::string &lru);

} // namespace stampede::cli
