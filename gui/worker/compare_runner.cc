// CompareRunner: one scenario under a list of strategies, each over its seeds, on a
// thread of its own, each strategy's runs handed over as they finish.
#include "worker/compare_runner.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "stampede/simulation.h"
#include "stampede/strategy.h"

namespace stampede::gui {

CompareRunner::CompareRunner(RowFn on_row, DoneFn on_done, ProgressFn on_progress)
    : on_row_(std::move(on_row)), on_done_(std::move(on_done)),
      on_progress_(std::move(on_progress)) {}

CompareRunner::~CompareRunner() {
  cancel();
  wait();
}

std::uint64_t CompareRunner::start(const Scenario &scenario, std::vector<std::string> strategies,
                                   std::size_t seeds) {
  std::vector<CompareJob> jobs;
  jobs.reserve(strategies.size());
  for (std::string &name : strategies) {
    Scenario s = scenario;
    s.strategy = with_strategy(scenario.strategy, name);
    jobs.push_back(CompareJob{std::move(name), std::move(s), {}});
  }
  return start(std::move(jobs), seeds);
}

std::uint64_t CompareRunner::start(std::vector<CompareJob> jobs, std::size_t seeds) {
  cancel();
  reap();
  const std::uint64_t id = ++last_id_;
  seeds = std::clamp<std::size_t>(seeds, 1, kMaxSeeds);
  std::shared_ptr<std::atomic<bool>> previous = jobs_.empty() ? nullptr : jobs_.back()->done;
  auto job = std::make_unique<Job>();
  job->thread =
      std::jthread([this, id, jobs = std::move(jobs), seeds, previous = std::move(previous),
                    done = job->done](std::stop_token stop) mutable {
        run(std::move(stop), id, std::move(jobs), seeds, std::move(previous), std::move(done));
      });
  jobs_.push_back(std::move(job));
  return id;
}

void CompareRunner::cancel() noexcept {
  if (!jobs_.empty())
    jobs_.back()->thread.request_stop();
}

bool CompareRunner::running() const noexcept {
  return !jobs_.empty() && !jobs_.back()->done->load(std::memory_order_acquire);
}

void CompareRunner::wait() {
  for (const auto &job : jobs_)
    job->thread.join();
  jobs_.clear();
}

void CompareRunner::reap() {
  // A job whose flag is set has only its return left: joining it is quick.
  std::erase_if(jobs_, [](const std::unique_ptr<Job> &job) {
    if (!job->done->load(std::memory_order_acquire))
      return false;
    job->thread.join();
    return true;
  });
}

void CompareRunner::run(std::stop_token stop, std::uint64_t id, std::vector<CompareJob> jobs,
                        std::size_t seeds, std::shared_ptr<std::atomic<bool>> previous,
                        std::shared_ptr<std::atomic<bool>> done) {
  // One simulation at a time: a stopped run ends at its next slice, and
  // only then does this one begin (the UI never waits for that).
  if (previous)
    previous->wait(false, std::memory_order_acquire);
  std::size_t rows = 0;
  for (std::size_t i = 0; i < jobs.size() && !stop.stop_requested(); ++i) {
    const CompareJob &job = jobs[i];
    CompareRow row{id, i, jobs.size(), job.strategy, job.label, {}, {}, {}};
    std::vector<Report> runs;
    bool cut = false;
    try {
      // Seeds count up from the scenario's, as `stampede compare --seeds`.
      for (std::size_t k = 0; k < seeds && !cut; ++k) {
        Scenario s = job.scenario;
        s.seed = job.scenario.seed + k;
        Simulation sim(s);
        // In slices, so a stop need not wait for a long run to end.
        for (Time t = kSlice; !sim.finished() && !stop.stop_requested(); t += kSlice)
          sim.run_until(t);
        cut = !sim.finished();
        if (cut)
          break;
        runs.push_back(sim.report());
        if (on_progress_)
          on_progress_(CompareProgress{id, i, jobs.size(), runs.size(), seeds});
      }
      if (!cut) {
        row.report = runs.front();
        row.replicated = replicate(std::move(runs), 0);
      }
    } catch (const std::exception &e) {
      // A student's fault (StudentFault) ends this row only; the next
      // strategy still runs. Its sentence begins with the strategy's name
      // already ("student:twice: view() of request #0 ...").
      row.error = e.what();
      row.report = Report{};
      row.report.strategy =
          row.error.starts_with(job.strategy + ": ") ? row.error : job.strategy + ": " + row.error;
      row.replicated = ReplicatedReport{};
      row.replicated.strategy = row.report.strategy;
    }
    if (cut)
      break; // stopped mid-run: no row for runs cut short
    on_row_(row);
    ++rows;
  }
  on_done_(CompareDone{id, rows, rows < jobs.size()});
  done->store(true, std::memory_order_release);
  done->notify_all();
}

} // namespace stampede::gui
