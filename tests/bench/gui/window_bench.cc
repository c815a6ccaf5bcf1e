// The window's cost per frame on the UI thread: apply a snapshot of R1
// running as fast as it goes, then paint the whole window. SPEC 9's "stays
// responsive at any speed" is a frame under 50 ms on a loaded 2-core machine;
// the QTest prints the longest stall, this measures the frame.
#include <QApplication>
#include <benchmark/benchmark.h>

#include "stampede/scenario_file.h"
#include "views/diagram_view.h"
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

// The diagram alone, as its own timer repaints it between snapshots (up to
// 60 times a second while the clock moves): a stampede paused in full flow,
// every box and wire and dot drawn into an image.
void diagram(benchmark::State &state, const char *scenario, std::vector<std::string> overrides,
             double at_s) {
  auto s = stampede::load_scenario(scenario, overrides);
  RunControl rc(*s.value);
  rc.pause_at(stampede::seconds_to_ns(at_s));
  rc.set_speed(0);
  rc.play();
  while (rc.running())
    rc.advance(0.033, 1.0);
  const stampede::gui::Snapshot snap = rc.take_snapshot();
  stampede::gui::DiagramView view;
  view.resize(1000, 330);
  view.applySnapshot(snap, snap.workers, snap.db_connections);
  QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
  for (auto _ : state) {
    view.render(&image);
    benchmark::DoNotOptimize(image.bits());
  }
  state.counters["dots"] = static_cast<double>(view.dots(snap.now).size());
}

} // namespace

BENCHMARK_CAPTURE(diagram, stampede_4_servers, "builtin:stampede", {}, 5.15)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(diagram, stampede_16_servers_8_nodes, "builtin:stampede",
                  {"app.servers=16", "cache.nodes=8"}, 5.12)
    ->Unit(benchmark::kMillisecond);
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
