#include "worker/compare_runner.h"

#include <exception>
#include <utility>

#include "stampede/simulation.h"
#include "stampede/strategy.h"

namespace stampede::gui {

CompareRunner::CompareRunner(RowFn on_row, DoneFn on_done)
    : on_row_(std::move(on_row)), on_done_(std::move(on_done)) {}

CompareRunner::~CompareRunner() {
  cancel();
  wait();
}

std::uint64_t CompareRunner::start(const Scenario &scenario, std::vector<std::string> strategies) {
  cancel();
  reap();
  const std::uint64_t id = ++last_id_;
  std::shared_ptr<std::atomic<bool>> previous = jobs_.empty() ? nullptr : jobs_.back()->done;
  auto job = std::make_unique<Job>();
  job->thread = std::jthread([this, id, scenario, strategies = std::move(strategies),
                              previous = std::move(previous),
                              done = job->done](std::stop_token stop) mutable {
    run(std::move(stop), id, std::move(scenario), std::move(strategies), std::move(previous),
        std::move(done));
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

void CompareRunner::run(std::stop_token stop, std::uint64_t id, Scenario scenario,
                        std::vector<std::string> strategies,
                        std::shared_ptr<std::atomic<bool>> previous,
                        std::shared_ptr<std::atomic<bool>> done) {
  // One simulation at a time: a stopped run ends at its next slice, and
  // only then does this one begin (the UI never waits for that).
  if (previous)
    previous->wait(false, std::memory_order_acquire);
  std::size_t rows = 0;
  for (std::size_t i = 0; i < strategies.size() && !stop.stop_requested(); ++i) {
    Scenario s = scenario;
    s.strategy = with_strategy(scenario.strategy, strategies[i]);
    CompareRow row{id, i, strategies.size(), strategies[i], {}};
    try {
      Simulation sim(s);
      // In slices, so a stop need not wait for a long run to end.
      for (Time t = kSlice; !sim.finished() && !stop.stop_requested(); t += kSlice)
        sim.run_until(t);
      if (!sim.finished())
        break; // stopped mid-run: no row for a run cut short
      row.report = sim.report();
    } catch (const std::exception &e) {
      row.report = Report{};
      row.report.strategy = strategies[i] + ": " + e.what();
    }
    on_row_(row);
    ++rows;
  }
  on_done_(CompareDone{id, rows, rows < strategies.size()});
  done->store(true, std::memory_order_release);
  done->notify_all();
}

} // namespace stampede::gui
