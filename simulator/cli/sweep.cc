// `stampede sweep` and `stampede merge` (SPEC section 11): a grid of
// scenario values x strategies x seeds, run on local cores or written out as
// jobs for GNU parallel and Slurm, and summarised as one CSV either way. The
// plan itself and its CSV rows are sweep_plan.cc's.
#include "cli/sweep.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace stampede::cli {
namespace {

/// One word for a shell: single-quoted unless it is plainly safe.
std::string shell_word(const std::string &s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-./:=+@%") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

/// The path of this executable, for commands that run it again.
std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("stampede") : p.string();
}

/// Draws the sweep's progress on stderr (a terminal only), at most ten
/// times a second, until `done` reaches `total`.
void show_progress(const std::atomic<std::size_t> &done, std::size_t total,
                   const std::atomic<bool> &stop) {
  constexpr int kWidth = 30;
  bool drawn = false;
  while (!stop.load()) {
    const std::size_t n = done.load();
    const int filled =
        static_cast<int>(static_cast<double>(n) / static_cast<double>(total) * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r\033[Ksweep [%s] %zu / %zu runs", bar.c_str(), n, total);
    std::fflush(stderr);
    drawn = true;
    if (n >= total) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (drawn) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

/// Where a sweep's CSV goes, a row at a time as rows finish (so memory does
/// not grow with the grid): --csv's file or stdout, and, for --plot without
/// a --csv file, a file beside the plot that stampede-plot reads.
class CsvSink {
public:
  explicit CsvSink(const SweepOptions &o) {
    if (o.plot.empty() || !o.csv.empty()) {
      if (o.csv.empty() || o.csv == "-") {
        to_stdout_ = true;
      } else {
        file_ = open_output(o.csv, "--csv");
        path_ = o.csv;
      }
    }
    if (!o.plot.empty()) {
      plot_path_ = o.csv.empty() || o.csv == "-" ? o.plot + ".csv" : o.csv;
      if (plot_path_ != path_) {
        plot_file_ = open_output(plot_path_, "--plot");
      }
    }
  }
  void write(const std::string &text) {
    if (to_stdout_) {
      std::cout << text;
    }
    for (std::ofstream *f : {file_.get(), plot_file_.get()}) {
      if (f != nullptr) {
        *f << text;
      }
    }
  }
  /// Flushes everything. @return the CSV file stampede-plot reads (empty: none).
  std::string finish() {
    if (to_stdout_) {
      std::cout << std::flush;
      if (!std::cout) {
        throw BadInput("stdout: write failed");
      }
    }
    if (file_) {
      finish_output(*file_, path_);
    }
    if (plot_file_) {
      finish_output(*plot_file_, plot_path_);
    }
    return plot_path_;
  }

private:
  bool to_stdout_ = false;
  std::unique_ptr<std::ofstream> file_, plot_file_;
  std::string path_, plot_path_;
};

/// `--plot`, once the CSV is written.
void plot_after(const std::string &csv_path, const SweepPlan &plan, const SweepOptions &o) {
  if (!o.plot.empty()) {
    plot_csv(csv_path, plan, o.y, o.plot);
  }
}

void check_plot_flags(const SweepOptions &o, const SweepPlan &plan) {
  if (o.plot.empty() != o.y.empty()) {
    throw BadInput(o.plot.empty() ? "--y: names what --plot draws; give --plot FILE.png|svg too"
                                  : "--plot: expected --y PATH too (the output to draw, e.g. "
                                    "--y latency_ms.page_view.p99)");
  }
  if (o.plot.empty()) {
    return;
  }
  if (!o.plot.ends_with(".png") && !o.plot.ends_with(".svg")) {
    throw BadInput("--plot: expected a file ending in .png or .svg, got " + json_quote(o.plot));
  }
  const std::vector<std::string> outputs = sweep_outputs();
  if (std::find(outputs.begin(), outputs.end(), o.y) == outputs.end()) {
    throw BadInput("--y: expected a numeric report path (e.g. latency_ms.page_view.p99), got " +
                   json_quote(o.y));
  }
  if (plan.axes.empty()) {
    throw BadInput("--plot: draws an output against a varied parameter; give --vary PATH=...");
  }
}

/// The scenario of one CSV row (a cell and a strategy), at the plan's first seed.
Scenario row_scenario(const SweepPlan &plan, std::size_t row) {
  return load(plan.scenario,
              plan.overrides(row / plan.strategies.size(),
                             plan.strategies[row % plan.strategies.size()], plan.seeds.front()));
}

/// Runs the plan's rows [first, last), each over the plan's seeds, on up to
/// `jobs` threads, counting each run in `done`. @return the rows' CSV lines;
/// on a failed run, nothing, and `error` says which run and why.
std::string run_rows(const SweepPlan &plan, std::size_t first, std::size_t last, unsigned jobs,
                     std::atomic<std::size_t> &done, std::string &error) {
  const std::size_t per_row = plan.seeds.size();
  std::vector<Scenario> scenarios;
  scenarios.reserve(last - first);
  for (std::size_t row = first; row < last; ++row) {
    scenarios.push_back(row_scenario(plan, row));
  }
  const std::size_t runs = (last - first) * per_row;
  std::vector<Report> reports(runs);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < runs && !failed.load(); i = next++) {
      Scenario s = scenarios[i / per_row];
      s.seed = plan.seeds[i % per_row];
      try {
        reports[i] = simulate(s, plan.scenario, s.name, nullptr, kSecond, plan.warmup_s, false);
      } catch (const std::exception &e) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!failed.exchange(true)) {
          error = "run " + std::to_string(first * per_row + i) + " (" + s.strategy.name +
                  ", seed " + std::to_string(s.seed) + "): " + e.what();
        }
      }
      ++done;
    }
  };
  std::vector<std::thread> workers;
  for (unsigned k = 0; k < std::min<std::size_t>(jobs, runs); ++k) {
    workers.emplace_back(work);
  }
  for (std::thread &t : workers) {
    t.join();
  }
  if (!error.empty()) {
    return "";
  }
  std::string text;
  for (std::size_t row = first; row < last; ++row) {
    const std::size_t k = (row - first) * per_row;
    std::vector<Report> row_runs(std::make_move_iterator(reports.begin() + k),
                                 std::make_move_iterator(reports.begin() + k + per_row));
    text += sweep_csv_row(plan, row / plan.strategies.size(),
                          plan.strategies[row % plan.strategies.size()],
                          replicate(std::move(row_runs), plan.warmup_s));
  }
  return text;
}

/// Writes DIR/name, made executable when asked.
void write_job_file(const fs::path &dir, const std::string &name, const std::string &text,
                    bool executable) {
  const fs::path p = dir / name;
  std::unique_ptr<std::ofstream> out = open_output(p.string(), "--emit-jobs");
  *out << text;
  finish_output(*out, p.string());
  if (executable) {
    std::error_code ec;
    fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
  }
}

/// Writes DIR/jobs.txt: a line a run, the command that runs it and writes
/// its report into DIR/runs/; written as it is made (a million lines are
/// 300 MB).
void write_jobs(const SweepPlan &plan, const fs::path &dir) {
  const std::string self = shell_word(self_path());
  const fs::path jobs_path = dir / "jobs.txt";
  std::unique_ptr<std::ofstream> jobs = open_output(jobs_path.string(), "--emit-jobs");
  for (std::size_t cell = 0; cell < plan.cells(); ++cell) {
    for (const std::string &strategy : plan.strategies) {
      for (const std::uint64_t seed : plan.seeds) {
        std::string line = self + " run " + shell_word(plan.scenario);
        for (const std::string &o : plan.overrides(cell, strategy, seed)) {
          line += " --set " + shell_word(o);
        }
        // The sweep's runs measure; a scenario's own expectations are not theirs.
        line += " --set " + shell_word("expect=[]");
        if (plan.warmup_s > 0) {
          line += " --warmup " + shortest(plan.warmup_s);
        }
        line += " --report " +
                shell_word((dir / "runs" / plan.run_file(cell, strategy, seed)).string());
        *jobs << line << '\n';
      }
    }
  }
  finish_output(*jobs, jobs_path.string());
}

/// DIR/parallel.sh: runs the jobs on this machine with GNU parallel.
std::string parallel_script(const std::string &quoted_dir) {
  return "#!/bin/sh\n"
         "# Runs this sweep's jobs (jobs.txt, one run a line) with GNU parallel\n"
         "# (Debian: parallel) on this machine's cores, or JOBS=N of them; each writes\n"
         "# its report into runs/. Then: stampede merge " +
         quoted_dir +
         "\n"
         "set -e\n"
         "cd " +
         quoted_dir +
         "\n"
         "parallel --will-cite --halt now,fail=1 --joblog logs/parallel.log -j "
         "\"${JOBS:-100%}\" < jobs.txt\n";
}

/// DIR/slurm.sbatch: a Slurm job array, task i running line i of jobs.txt.
std::string slurm_script(const SweepPlan &plan, const fs::path &dir,
                         const std::string &quoted_dir) {
  return "#!/bin/bash\n"
         "# A Slurm job array over this sweep: task i runs line i of jobs.txt.\n"
         "#   sbatch " +
         quoted_dir + "/slurm.sbatch    then: stampede merge " + quoted_dir +
         "\n"
         "#SBATCH --job-name=stampede-sweep\n"
         "#SBATCH --array=1-" +
         std::to_string(plan.runs()) +
         "\n"
         "#SBATCH --ntasks=1\n"
         "#SBATCH --cpus-per-task=1\n"
         "#SBATCH --output=" +
         dir.string() +
         "/logs/%A_%a.out\n"
         "set -euo pipefail\n"
         ": \"${SLURM_ARRAY_TASK_ID:?run with sbatch (or set SLURM_ARRAY_TASK_ID to a line "
         "number)}\"\n"
         "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " +
         quoted_dir +
         "/jobs.txt)\n"
         "[ -n \"$line\" ] || { echo \"no job on line $SLURM_ARRAY_TASK_ID of jobs.txt\" >&2; "
         "exit 2; }\n"
         "eval \"$line\"\n";
}

} // namespace

void plot_csv(const std::string &csv_path, const SweepPlan &plan, const std::string &y,
              const std::string &out) {
  // stampede-plot is built with the window (Qt Charts); beside the build's
  // binaries, or on PATH.
  std::string tool = STAMPEDE_PLOT_BIN;
  if (access(tool.c_str(), X_OK) != 0) {
    tool = "stampede-plot";
  }
  std::vector<std::string> args = {tool,  csv_path, "--x",   plan.axes.front().path,
                                   "--y", y,        "--out", out};
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char *> argv;
    for (std::string &a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    setenv("QT_QPA_PLATFORM", "offscreen", 0);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) {
    throw BadInput("--plot: cannot start " + tool + ": " + std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
    throw BadInput("--plot: needs stampede-plot, which is built with the window (Qt 6 Charts: "
                   "./dev installs qt6-charts-dev); the CSV is in " +
                   csv_path);
  }
  if (WEXITSTATUS(status) != 0) {
    throw BadInput("--plot: stampede-plot could not draw " + out + " (exit " +
                   std::to_string(WEXITSTATUS(status)) + "); the CSV is in " + csv_path);
  }
}

int cmd_sweep(const SweepOptions &o) {
  const SweepPlan plan = make_plan(o);
  check_plot_flags(o, plan);
  if (!o.emit_jobs.empty()) {
    return emit_jobs(plan, o.emit_jobs);
  }
  // Every (cell, strategy) scenario loads, here, before any run: a bad
  // combination of values fails before the first row is written.
  const std::size_t rows = plan.cells() * plan.strategies.size();
  for (std::size_t row = 0; row < rows; ++row) {
    (void)row_scenario(plan, row);
  }
  const std::size_t total = plan.runs();
  unsigned jobs = o.jobs.value_or(std::max(1u, std::thread::hardware_concurrency()));
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, total));

  // Rows run a block at a time and are written as each block ends: what is
  // kept is one block's reports, however large the grid.
  const std::size_t block_rows =
      std::max<std::size_t>(1, std::max<std::size_t>(256, 4 * jobs) / plan.seeds.size());
  CsvSink sink(o);
  sink.write(sweep_csv_header(plan));
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop_progress{false};
  std::thread progress;
  if (isatty(STDERR_FILENO) != 0) {
    progress = std::thread(show_progress, std::cref(done), total, std::cref(stop_progress));
  }
  std::string error;
  for (std::size_t first = 0; first < rows && error.empty(); first += block_rows) {
    const std::string text =
        run_rows(plan, first, std::min(rows, first + block_rows), jobs, done, error);
    if (!error.empty()) {
      break;
    }
    sink.write(text);
  }
  stop_progress = true;
  if (progress.joinable()) {
    progress.join();
  }
  if (!error.empty()) {
    throw BadInput(o.scenario + ": " + error);
  }
  plot_after(sink.finish(), plan, o);
  return kExitOk;
}

int emit_jobs(const SweepPlan &plan, const std::string &dir_flag) {
  std::error_code ec;
  const fs::path dir = fs::absolute(dir_flag, ec).lexically_normal();
  if (fs::exists(dir / "runs", ec) && !fs::is_empty(dir / "runs", ec)) {
    throw BadInput("--emit-jobs: " + dir.string() +
                   "/runs already holds reports; give an empty or new folder");
  }
  fs::create_directories(dir / "runs", ec);
  fs::create_directories(dir / "logs", ec);
  if (ec) {
    throw BadInput("--emit-jobs: cannot create " + dir.string() + ": " + ec.message());
  }
  write_job_file(dir, "sweep.json", plan_to_json(plan).dump(2) + "\n", false);
  write_jobs(plan, dir);
  const std::string quoted_dir = shell_word(dir.string());
  write_job_file(dir, "parallel.sh", parallel_script(quoted_dir), true);
  write_job_file(dir, "slurm.sbatch", slurm_script(plan, dir, quoted_dir), true);
  std::cout << "wrote " << plan.runs() << " jobs to " << (dir / "jobs.txt").string() << "\n"
            << "  run them here:   " << (dir / "parallel.sh").string() << "\n"
            << "  or on Slurm:     sbatch " << (dir / "slurm.sbatch").string() << "\n"
            << "  then:            stampede merge " << dir.string() << "\n";
  return kExitOk;
}

int cmd_merge(const SweepOptions &o) {
  const fs::path dir = o.dir;
  const fs::path manifest = dir / "sweep.json";
  Parsed<std::string> text = read_input_file(manifest.string());
  if (!text) {
    throw BadInput(manifest.string() + ": cannot read the sweep's plan (" + text.error +
                   "); expected a folder written by `stampede sweep --emit-jobs`");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text.value);
  } catch (const nlohmann::json::exception &e) {
    throw BadInput(manifest.string() + ": not JSON (" + e.what() + ")");
  }
  const SweepPlan plan = plan_from_json(j, manifest.string());
  check_plot_flags(o, plan);
  // Every report is there before any row is written.
  std::vector<std::string> missing;
  for (std::size_t cell = 0; cell < plan.cells(); ++cell) {
    for (const std::string &strategy : plan.strategies) {
      for (const std::uint64_t seed : plan.seeds) {
        std::error_code ec;
        if (!fs::exists(dir / "runs" / plan.run_file(cell, strategy, seed), ec)) {
          missing.push_back(plan.run_file(cell, strategy, seed));
        }
      }
    }
  }
  if (!missing.empty()) {
    throw BadInput((dir / "runs").string() + ": " + std::to_string(missing.size()) + " of " +
                   std::to_string(plan.runs()) + " runs have no report yet (first: " +
                   missing.front() + "); run the jobs first (" + (dir / "parallel.sh").string() +
                   ", or sbatch " + (dir / "slurm.sbatch").string() + ")");
  }
  // A row at a time: what is kept is one row's reports.
  CsvSink sink(o);
  sink.write(sweep_csv_header(plan));
  for (std::size_t cell = 0; cell < plan.cells(); ++cell) {
    for (const std::string &strategy : plan.strategies) {
      std::vector<Report> runs;
      for (const std::uint64_t seed : plan.seeds) {
        const fs::path p = dir / "runs" / plan.run_file(cell, strategy, seed);
        Parsed<std::string> run = read_input_file(p.string());
        if (!run) {
          throw BadInput(p.string() + ": " + run.error);
        }
        nlohmann::json rj;
        try {
          rj = nlohmann::json::parse(*run.value);
        } catch (const nlohmann::json::exception &e) {
          throw BadInput(p.string() + ": not a report (" + e.what() +
                         "); was its job stopped while writing? run it again");
        }
        Parsed<Report> r = report_from_json(rj);
        if (!r) {
          throw BadInput(p.string() + ": " + r.error);
        }
        if (r.value->seed != seed) {
          throw BadInput(p.string() + ": seed: expected " + std::to_string(seed) + ", got " +
                         std::to_string(r.value->seed) + " (a report of another sweep?)");
        }
        runs.push_back(std::move(*r.value));
      }
      sink.write(sweep_csv_row(plan, cell, strategy, replicate(std::move(runs), plan.warmup_s)));
    }
  }
  plot_after(sink.finish(), plan, o);
  return kExitOk;
}

} // namespace stampede::cli
