// cli_main: the CLI11 app, its subcommands and flags, and the dispatch to
// each command's cmd_* function (common.h), where bad input becomes exit 2.
#include "cli/common.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>

#include "stampede/strategy.h"
#include "stampede/student_hashing.h"
#include "stampede/student_loader.h"

namespace stampede {
namespace cli {
namespace {

/// The checks flags share; each message says what was expected and what came.
struct Checks {
  CLI::Validator pair;         ///< PATH=VALUE.
  CLI::Validator positive;     ///< A positive number.
  CLI::Validator whole_number; ///< Plain digits below 2^64.
  CLI::Validator list;         ///< A comma-separated list with no empty item.
  CLI::Validator file;         ///< A file to write (or - for stdout).
  CLI::Validator nonnegative;  ///< A number of seconds >= 0.
};

/// A number that is the whole text, by from_chars (no locale, no leading
/// space or plus sign).
bool whole_text_number(const std::string &s, double &v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

Checks make_checks() {
  Checks c;
  c.pair = CLI::Validator(
      [](std::string &s) {
        const auto eq = s.find('=');
        return eq == std::string::npos || eq == 0
                   ? "expected PATH=VALUE (e.g. db.connections=2), got " + json_quote(s)
                   : std::string();
      },
      "");
  c.positive = CLI::Validator(
      [](std::string &s) {
        double v = 0;
        return whole_text_number(s, v) && v > 0
                   ? std::string()
                   : "expected a positive number, got " + json_quote(s);
      },
      "");
  // CLI11 would wrap "-1" into 2^64 - 1; seeds and counts are plain digits.
  c.whole_number = CLI::Validator(
      [](std::string &s) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        return ec == std::errc() && end == s.data() + s.size() && !s.empty()
                   ? std::string()
                   : "expected a non-negative integer below 2^64, got " + json_quote(s);
      },
      "");
  // A comma-separated list names at least one thing, and nothing between
  // two commas: `--seed-list ''` and `1,,2` are typing mistakes, not "none".
  c.list = CLI::Validator(
      [](std::string &s) {
        bool empty_item = false;
        for (std::size_t from = 0;;) {
          const std::size_t comma = std::min(s.find(',', from), s.size());
          const std::string_view item = std::string_view(s).substr(from, comma - from);
          empty_item = empty_item || item.find_first_not_of(" \t") == std::string_view::npos;
          if (comma == s.size())
            break;
          from = comma + 1;
        }
        return empty_item
                   ? "expected a comma-separated list with no empty item, got " + json_quote(s)
                   : std::string();
      },
      "");
  // A file to write: `--report ''` names none.
  c.file = CLI::Validator(
      [](std::string &s) {
        return s.empty() ? std::string("expected a file name (or - for stdout), got \"\"")
                         : std::string();
      },
      "");
  c.nonnegative = CLI::Validator(
      [](std::string &s) {
        double v = 0;
        return whole_text_number(s, v) && v >= 0
                   ? std::string()
                   : "expected a number of seconds >= 0, got " + json_quote(s);
      },
      "");
  return c;
}

/// Where CLI11 writes what it parses: every command's flags. Commands that
/// share flags share their fields (only one command runs).
struct Options {
  RunOptions run; // run and compare
  std::string validate_spec;
  std::vector<std::string> validate_sets;
  std::vector<std::string> test_paths;
  std::string junit;                      // test and lesson run
  std::optional<std::uint64_t> case_seed; // test and lesson run
  ReplicationOptions test_replication;
  std::string lesson_id, lessons_dir;
  bool show_answers = false;
  bool interactive = false;
  SweepOptions sweep; // sweep and merge
  RealityOptions reality;
  BenchOptions bench;
  ExploreCliOptions explore;
  McServeOptions memcached;
  std::uint64_t mc_memory_mb = 64;
  std::string mc_lru = "segmented";
};

/// A (sub)command and what runs it once CLI11 has parsed it.
struct Command {
  const CLI::App *app;
  std::function<int()> run;
};
using Commands = std::vector<Command>;

/// Replications (SPEC section 11): on run, compare, test and sweep. --seed
/// picks where --seeds starts; --seed-list names every seed itself.
void add_replication(CLI::App *cmd, ReplicationOptions &r, CLI::Option *seed, const Checks &c) {
  CLI::Option *seeds =
      cmd->add_option("--seeds", r.seeds,
                      "Run N independent replications (seeds from the scenario's, or --seed, "
                      "on) and report mean +- 95 % interval")
          ->type_name("N")
          ->check(c.whole_number);
  CLI::Option *list = cmd->add_option("--seed-list", r.seed_list,
                                      "Run these seeds as replications (comma-separated)")
                          ->type_name("A,B,...")
                          ->check(c.list)
                          ->excludes(seeds);
  if (seed != nullptr) {
    list->excludes(seed);
  }
  cmd->add_option("--warmup", r.warmup_s,
                  "Discard every statistic of the first S simulated seconds (the transient)")
      ->type_name("S")
      ->check(c.nonnegative);
}

/// What `run` and `compare` both take: the scenario, its seeds, duration,
/// overrides and the report file.
void add_scenario_flags(CLI::App *cmd, RunOptions &ro, const Checks &c) {
  cmd->add_option("SCENARIO", ro.scenario, "A scenario file (JSON) or builtin:NAME")->required();
  CLI::Option *seed = cmd->add_option("--seed", ro.seed, "Seed (overrides the scenario's `seed`)")
                          ->type_name("N")
                          ->check(c.whole_number);
  add_replication(cmd, ro.replication, seed, c);
  cmd->add_option("--duration", ro.duration_s, "Simulated seconds (overrides `duration_s`)")
      ->type_name("S")
      ->check(c.positive);
  cmd->add_option("--set", ro.sets, "Override a scenario field by its dotted path")
      ->type_name("PATH=VALUE")
      ->check(c.pair)
      ->allow_extra_args(false); // `--set A=1 SCENARIO`: one value per --set
  cmd->add_option("--report", ro.report, "Write the JSON report to FILE (- for stdout)")
      ->type_name("FILE")
      ->check(c.file);
}

void add_run_and_compare(CLI::App &app, RunOptions &ro, const Checks &c, Commands &out) {
  CLI::App *run = app.add_subcommand("run", "Run a scenario and report what it measured");
  add_scenario_flags(run, ro, c);
  run->add_option("--strategy", ro.strategy, "Strategy: " + known_strategies())->type_name("NAME");
  run->add_option("--timeseries", ro.timeseries, "Write one CSV row per interval to FILE.csv")
      ->type_name("FILE.csv")
      ->check(c.file);
  run->add_option("--trace", ro.trace, "Write a Chrome trace (Perfetto) to FILE.json")
      ->type_name("FILE.json")
      ->check(c.file);
  run->add_option("--interval", ro.interval_s, "Time-series interval in seconds (default 1)")
      ->type_name("S")
      ->check(c.positive);
  out.push_back({run, [&ro] { return cmd_run(ro); }});

  CLI::App *compare = app.add_subcommand(
      "compare", "Run several strategies on one scenario and print the lecture's table");
  add_scenario_flags(compare, ro, c);
  compare
      ->add_option("--strategies", ro.strategies,
                   "Comma-separated strategies (default: " + join(lecture_strategies(), ",") +
                       "; any of " + known_strategies() + ")")
      ->type_name("A,B,...")
      ->check(c.list);
  compare->add_flag("--table", ro.table, "Print the table even when stdout is not a terminal");
  out.push_back({compare, [&ro] { return cmd_compare(ro); }});
}

/// `explore`: every schedule of a small scenario (SPEC section 12).
void add_explore(CLI::App &app, ExploreCliOptions &eo, const Checks &c, Commands &out) {
  CLI::App *explore = app.add_subcommand(
      "explore", "Try every order of a small scenario's operations and find each race");
  explore->add_option("SCENARIO", eo.scenario, "A scenario file (JSON) or builtin:NAME")
      ->required();
  explore->add_option("--strategy", eo.strategy, "Strategy: " + known_strategies())
      ->type_name("NAME");
  explore->add_option("--set", eo.sets, "Override a scenario field by its dotted path")
      ->type_name("PATH=VALUE")
      ->check(c.pair)
      ->allow_extra_args(false);
  explore->add_option("--depth", eo.depth, "Cut a schedule after N steps (default 200)")
      ->type_name("N")
      ->check(c.whole_number)
      ->check(CLI::Range(1u, 100000u).description(""));
  explore
      ->add_option("--preemptions", eo.preemptions,
                   "Try only schedules that switch away from a request that could go on at most "
                   "K times (default: no bound)")
      ->type_name("K")
      ->check(c.whole_number)
      ->check(CLI::Range(0u, 100000u).description(""));
  explore->add_flag("--no-reduction", eo.no_reduction,
                    "Run every order, also those that only swap independent steps");
  explore->add_option("--report", eo.report, "Write the JSON report to FILE (- for stdout)")
      ->type_name("FILE")
      ->check(c.file);
  explore
      ->add_option("--trace", eo.trace,
                   "Write the first anomaly's shortest schedule as a Chrome trace to FILE.json")
      ->type_name("FILE.json")
      ->check(c.file);
  explore
      ->add_option("--schedule-out", eo.schedule_out,
                   "Write each anomaly's shortest schedule for stampede-gui --schedule FILE")
      ->type_name("FILE")
      ->check(c.file);
  out.push_back({explore, [&eo] { return cmd_explore(eo); }});
}

/// `validate`, `scenarios` and `schema`: scenario files checked and listed.
void add_validate_and_listings(CLI::App &app, Options &o, const Checks &c, Commands &out) {
  CLI::App *validate = app.add_subcommand("validate", "Check a scenario file");
  validate->add_option("SCENARIO", o.validate_spec, "A scenario file (JSON) or builtin:NAME")
      ->required();
  validate->add_option("--set", o.validate_sets, "Override a scenario field by its dotted path")
      ->type_name("PATH=VALUE")
      ->check(c.pair)
      ->allow_extra_args(false);
  out.push_back({validate, [&o] { return cmd_validate(o.validate_spec, o.validate_sets); }});

  CLI::App *scenarios = app.add_subcommand("scenarios", "List the built-in scenarios");
  out.push_back({scenarios, [] { return cmd_scenarios(); }});
  CLI::App *schema = app.add_subcommand("schema", "Print the JSON Schema of scenario files");
  out.push_back({schema, [] { return cmd_schema(); }});
}

void add_test(CLI::App &app, Options &o, const Checks &c, Commands &out) {
  CLI::App *test = app.add_subcommand(
      "test", "Run scenario files' expectations headless (course staff's tests)");
  test->add_option("PATH", o.test_paths,
                   "Files or folders of scenario files and lessons' steps.json "
                   "(default: the project's tests/scenarios)");
  test->add_option("--junit", o.junit, "Also write JUnit XML to FILE")->type_name("FILE");
  CLI::Option *test_seed =
      test->add_option("--seed", o.case_seed, "Run every case with this seed instead of its own")
          ->type_name("N")
          ->check(c.whole_number);
  add_replication(test, o.test_replication, test_seed, c);
  out.push_back(
      {test, [&o] { return cmd_test(o.test_paths, o.junit, o.case_seed, o.test_replication); }});
}

/// `lesson list`, `lesson show ID` and `lesson run ID`.
void add_lesson(CLI::App &app, Options &o, const Checks &c, Commands &out) {
  CLI::App *lesson = app.add_subcommand("lesson", "Lessons: list, show ID, run ID");
  lesson->require_subcommand(1);
  lesson->add_option("--lessons", o.lessons_dir, "Lessons folder (default: the project's lessons/)")
      ->type_name("DIR");
  CLI::App *list = lesson->add_subcommand("list", "List the lessons");
  out.push_back({list, [&o] { return cmd_lesson_list(o.lessons_dir); }});

  CLI::App *show = lesson->add_subcommand("show", "Print a lesson's text");
  show->add_option("ID", o.lesson_id, "Lesson folder, number or slug")->required();
  show->add_flag("--answers", o.show_answers,
                 "Also print what each step shows once it has run (hidden by default: "
                 "predict first)");
  out.push_back(
      {show, [&o] { return cmd_lesson_show(o.lessons_dir, o.lesson_id, o.show_answers); }});

  CLI::App *run = lesson->add_subcommand("run", "Run a lesson's steps and check them");
  run->add_option("ID", o.lesson_id, "Lesson folder, number or slug")->required();
  run->add_option("--junit", o.junit, "Also write JUnit XML to FILE")->type_name("FILE");
  run->add_option("--seed", o.case_seed, "Run every step with this seed instead of its own")
      ->type_name("N")
      ->check(c.whole_number);
  run->add_flag("--interactive,-i", o.interactive,
                "Walk the lesson: each step's text, its question asked before it runs "
                "(answers read from standard input), the measured answer beside yours");
  out.push_back({run, [&o] {
                   return cmd_lesson_run(o.lessons_dir, o.lesson_id, o.junit, o.case_seed,
                                         o.interactive);
                 }});
}

/// The CSV and the plot, which `sweep` and `merge` both write.
void add_sweep_outputs(CLI::App *cmd, SweepOptions &so, const Checks &c) {
  cmd->add_option("--csv", so.csv, "Write the CSV to FILE (default: stdout)")
      ->type_name("FILE")
      ->check(c.file);
  cmd->add_option("--plot", so.plot,
                  "Draw --y against the first varied field, a line per strategy with its 95 % "
                  "band (Qt Charts, no display needed)")
      ->type_name("FILE.png|FILE.svg");
  cmd->add_option("--y", so.y, "The output --plot draws (e.g. latency_ms.page_view.p99)")
      ->type_name("PATH");
}

void add_sweep_and_merge(CLI::App &app, SweepOptions &so, const Checks &c, Commands &out) {
  CLI::App *sweep = app.add_subcommand(
      "sweep", "Run a grid of scenario values x strategies x seeds; one CSV row per cell");
  sweep->add_option("SCENARIO", so.scenario, "A scenario file (JSON) or builtin:NAME")->required();
  sweep
      ->add_option("--vary", so.vary,
                   "A scenario field and its values (repeat for a grid; the first varies slowest)")
      ->type_name("PATH=V1,V2,...")
      ->check(c.pair)
      ->allow_extra_args(false);
  sweep
      ->add_option("--strategies", so.strategies,
                   "Comma-separated strategies, each a row per cell (default: the scenario's)")
      ->type_name("A,B,...")
      ->check(c.list);
  sweep->add_option("--set", so.sets, "Override a scenario field by its dotted path")
      ->type_name("PATH=VALUE")
      ->check(c.pair)
      ->allow_extra_args(false);
  sweep->add_option("--duration", so.duration_s, "Simulated seconds (overrides `duration_s`)")
      ->type_name("S")
      ->check(c.positive);
  CLI::Option *seed =
      sweep->add_option("--seed", so.seed, "The first seed (overrides the scenario's `seed`)")
          ->type_name("N")
          ->check(c.whole_number);
  add_replication(sweep, so.replication, seed, c);
  sweep
      ->add_option("--jobs,-j", so.jobs,
                   "Runs at once on this machine (default: its cores); results are the same "
                   "for any number")
      ->type_name("J")
      ->check(CLI::Range(1u, 1024u));
  add_sweep_outputs(sweep, so, c);
  sweep
      ->add_option("--emit-jobs", so.emit_jobs,
                   "Write one command per run, a GNU parallel script and a Slurm job array "
                   "into DIR instead of running; `stampede merge DIR` then makes the CSV")
      ->type_name("DIR");
  out.push_back({sweep, [&so] { return cmd_sweep(so); }});

  CLI::App *merge = app.add_subcommand(
      "merge", "Make a sweep's CSV (and plot) from the reports its emitted jobs wrote");
  merge->add_option("DIR", so.dir, "The folder given to sweep --emit-jobs")->required();
  add_sweep_outputs(merge, so, c);
  out.push_back({merge, [&so] { return cmd_merge(so); }});
}

/// `reality`: given the whole command line, to hand it to stampede-lab when
/// this binary has no lab.
void add_reality(CLI::App &app, RealityOptions &ro, const Checks &c, int argc,
                 const char *const *argv, Commands &out) {
  CLI::App *reality = app.add_subcommand(
      "reality", "Play a scenario on a real PostgreSQL + memcached, the simulator's prediction "
                 "beside it");
  reality->add_option("SCENARIO", ro.scenario, "A scenario file (JSON) or builtin:NAME")
      ->required();
  reality->add_option("--strategy", ro.strategy, "Strategy: " + known_strategies())
      ->type_name("NAME");
  reality
      ->add_option("--duration", ro.duration_s,
                   "Seconds of real load (overrides `duration_s`; keep it short)")
      ->type_name("S")
      ->check(c.positive);
  reality->add_option("--seeds", ro.seeds, "Simulated runs behind the prediction (default 10)")
      ->type_name("N")
      ->check(CLI::Range(std::uint64_t{2}, kMaxReplications));
  reality->add_option("--set", ro.sets, "Override a scenario field by its dotted path")
      ->type_name("PATH=VALUE")
      ->check(c.pair)
      ->allow_extra_args(false);
  reality
      ->add_option("--calibrate", ro.calibrate,
                   "Write the scenario with the latencies measured on the real stack (empirical "
                   "distributions) to FILE, and predict with it")
      ->type_name("OUT.json");
  reality
      ->add_option("--report", ro.report,
                   "Write {\"real\": REPORT, \"predicted\": REPLICATED} to FILE (- for stdout)")
      ->type_name("FILE")
      ->check(c.file);
  out.push_back({reality, [&ro, argc, argv] {
                   ro.argv.assign(argv, argv + argc);
                   return cmd_reality(ro);
                 }});
}

void add_bench(CLI::App &app, BenchOptions &bo, const Checks &c, Commands &out) {
  CLI::App *bench = app.add_subcommand("bench", "Measure the engine's speed on R1");
  bench->add_option("--events", bo.events, "About how many events to process (default 20000000)")
      ->type_name("N")
      ->check(c.whole_number);
  bench->add_option("--set", bo.sets, "Override a scenario field (default workload.rate=2000)")
      ->type_name("PATH=VALUE")
      ->check(c.pair)
      ->allow_extra_args(false);
  bench
      ->add_option("--limit", bo.limit, "Baseline binary to pair with: run as `PATH LAMBDA T SEED`")
      ->type_name("PATH");
  bench->add_option("--scenario", bo.scenario, "Scenario to run (default builtin:r1)")
      ->type_name("SCENARIO");
  out.push_back({bench, [&bo] { return cmd_bench(bo); }});
}

void add_memcached(CLI::App &app, Options &o, const Checks &c, Commands &out) {
  McServeOptions &mo = o.memcached;
  CLI::App *memcached = app.add_subcommand(
      "memcached", "Serve one simulated memcached node over memcached's text protocol");
  memcached->add_option("--port", mo.port, "TCP port (default 11211; 0 picks a free one)")
      ->type_name("N")
      ->check(CLI::Range(0, 65535));
  memcached->add_flag("--stdio", mo.stdio, "Serve one session on stdin/stdout instead of TCP");
  memcached->add_option("--listen", mo.listen, "Address to bind (default 127.0.0.1)")
      ->type_name("ADDR");
  memcached
      ->add_option("--memory", o.mc_memory_mb, "Memory limit in MiB, memcached's -m (default 64)")
      ->type_name("MB")
      ->check(c.whole_number);
  memcached
      ->add_option("--lru", o.mc_lru,
                   "Eviction model: " + std::string(lru_name(LruModel::kSegmented)) +
                       " (default), " + std::string(lru_name(LruModel::kClassic)) + " or " +
                       std::string(lru_name(LruModel::kPlain)))
      ->type_name("MODEL")
      ->check(CLI::IsMember(std::vector<std::string>(kLruNames.begin(), kLruNames.end())));
  memcached
      ->add_option("--max-item-size", mo.node.item_size_max,
                   "Largest item in bytes, memcached's -I (default 1048576)")
      ->type_name("BYTES")
      ->check(CLI::Range(1024u, 1u << 30));
  memcached
      ->add_option("--connections", mo.max_connections,
                   "Most simultaneous connections, memcached's -c (default 1024)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1u << 20));
  out.push_back({memcached, [&o, memcached] {
                   return cmd_memcached(o.memcached, memcached->count("--port") > 0, o.mc_memory_mb,
                                        o.mc_lru);
                 }});
}

/// CLI11 would only say "A subcommand is required"; name the word instead.
/// @return whether argv[1] is a word that names no command (and said so).
bool unknown_command(CLI::App &app, int argc, const char *const *argv) {
  std::vector<std::string> names;
  for (const CLI::App *sub : app.get_subcommands([](const CLI::App *) { return true; })) {
    names.push_back(sub->get_name());
  }
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    std::cerr << "stampede: unknown command " << json_quote(argv[1]) << "; expected one of "
              << join(names, ", ") << "\nRun with --help for more information.\n";
    return true;
  }
  return false;
}

/// Runs the command CLI11 parsed; what it throws becomes its message and
/// exit status here, in one place.
int run_parsed(const Commands &commands) {
  try {
    for (const Command &command : commands) {
      if (command.app->parsed()) {
        return command.run();
      }
    }
  } catch (const BadInput &e) {
    std::cout.flush();
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const StudentFault &e) {
    // A student's strategy broke the contract: it is named, with the request.
    std::cout.flush();
    std::cerr << "stampede: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const StudentCodeError &e) {
    // The student library is input too: its bug is named, not ours.
    std::cout.flush();
    std::cerr << "stampede: the student library: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception &e) {
    std::cout.flush();
    std::cerr << "stampede: internal error: " << e.what() << "\n";
    return kExitInternalError;
  }
  return kExitBadInput;
}

/// Output to stdout is buffered: a full disk or a closed pipe shows only
/// when it is flushed. A lost report or table is an error, not exit 0.
/// @return `status`, or bad input when stdout could not be written.
int with_stdout_written(int status) {
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::cerr << "stdout: write failed\n";
    return kExitBadInput;
  }
  return status;
}

} // namespace
} // namespace cli

int cli_main(int argc, const char *const *argv) {
  using namespace cli;       // the commands and what they share (common.h)
  load_student_strategies(); // student:NAME, when a student library is built
  CLI::App app{"Stampede: a discrete-event simulator that teaches web caching.", "stampede"};
  app.set_version_flag("--version", std::string("stampede ") + STAMPEDE_VERSION);
  app.require_subcommand(1);

  // The commands in the order --help lists them.
  const Checks checks = make_checks();
  Options o;
  Commands commands;
  add_run_and_compare(app, o.run, checks, commands);
  add_validate_and_listings(app, o, checks, commands);
  add_explore(app, o.explore, checks, commands);
  add_test(app, o, checks, commands);
  add_lesson(app, o, checks, commands);
  add_sweep_and_merge(app, o.sweep, checks, commands);
  add_reality(app, o.reality, checks, argc, argv, commands);
  add_bench(app, o.bench, checks, commands);
  add_memcached(app, o, checks, commands);
  if (unknown_command(app, argc, argv)) {
    return kExitBadInput;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // Help and --version are "errors" with status 0; anything else is a bad flag.
    return app.exit(e) == 0 ? kExitOk : kExitBadInput;
  }
  return with_stdout_written(run_parsed(commands));
}

} // namespace stampede
