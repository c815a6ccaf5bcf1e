// The window's cost per frame on the UI thread: apply a snapshot of R1
// running as fast as it goes, then paint the whole window. SPEC 9's "stays
// responsive at any speed" is a frame under 50 ms on a loaded 2-core machine;
// the QTest prints the longest stall, this measures the frame.
#include <QApplication>
#include <benchmark/benchmark.h>

#include "stampede/scenario_io.h"
#include "views/main_window.h"
#include "worker/run_control.h"
#include "worker/sim_worker.h"

namespace {

using stampede::gui::MainWindow;
using stampede::gui::RunControl;

void frames(benchmark::State &state, const char *scenario, std::vector<std::string> overrides) {
  auto s = stampede::load_scenario(scenario, overrides);
  MainWindow window(*s.value);
  window.resize(1400, 900);
  window.show();
  QApplication::processEvents();
  // Snapshots come from a RunControl of our own, as the worker would make them.
  RunControl rc(*s.value);
  rc.set_speed(0);
  rc.play();
  std::uint64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    rc.advance(0.033, 0.008);
    stampede::gui::Snapshot snap = rc.take_snapshot();
    if (!rc.running()) {
      rc.restart(1);
      rc.play();
    }
    state.ResumeTiming();
    window.applySnapshot(snap);
    window.repaint(); // the whole window, synchronously
    QApplication::processEvents();
    ++n;
  }
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK_CAPTURE(frames, r1_full_speed, "builtin:r1", {"duration_s=100000"})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);
BENCHMARK_CAPTURE(frames, frontpage_naive, "builtin:frontpage",
                  {"strategy.name=naive", "duration_s=3600"})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);

int main(int argc, char **argv) {
  qputenv("QT_QPA_PLATFORM",
          qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
  QApplication app(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
