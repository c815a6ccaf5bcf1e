// stampede-gui [SCENARIO]: the window of SPEC section 9.
//
//     stampede-gui                              # builtin:frontpage, paused at t=0
//     stampede-gui builtin:stampede --strategy clear --play
//     stampede-gui --screenshot shot.png --at 30 --speed max --play   # render and exit
//     stampede-gui builtin:stampede --projector    # large text and lines, no side panels
//     stampede-gui moment.json --at 12.5            # a report's run, paused at 12.5 s
//     stampede-gui moment.json --anomaly 3          # ... paused at its third anomaly
#include <CLI/CLI.hpp>
#include <QApplication>
#include <QTimer>
#include <cstdio>
#include <iostream>
#include <optional>

#include "io/student_loader.h"
#include "stampede/scenario_io.h"
#include "stampede/simulation.h"
#include "views/main_window.h"
#include "worker/sim_worker.h"

namespace {

// Speed words the command line takes, as the window's combo lists them.
int speed_index(const std::string &speed) {
  const char *names[] = {"0.1", "0.25", "0.5", "1", "2", "5", "10", "100", "1000", "max"};
  for (int i = 0; i < 10; ++i)
    if (speed == names[i])
      return i;
  return -1;
}

/// The n-th anomaly (1-based, in the order they happen) of a run of `s`.
/// Runs are deterministic, so the window's run reaches it at the same time.
struct NthAnomaly final : stampede::Observer {
  std::uint64_t wanted, seen = 0;
  std::optional<stampede::AnomalyRecord> found;
  explicit NthAnomaly(std::uint64_t n) : wanted(n) {}
  void on_anomaly(const stampede::AnomalyRecord &a) override {
    if (++seen == wanted && !found)
      found = a;
  }
};

std::optional<stampede::AnomalyRecord> find_anomaly(const stampede::Scenario &s, std::uint64_t n) {
  stampede::Simulation sim(s);
  NthAnomaly watch(n);
  sim.set_observer(&watch);
  while (!watch.found && sim.step()) {
  }
  return watch.found;
}

} // namespace

int main(int argc, char **argv) {
  // Arguments and the scenario are checked before Qt starts, so a bad file
  // gets its one-line message (and exit status 2) with or without a display.
  CLI::App cli{"Stampede: watch caching strategies scale, stale and stampede.", "stampede-gui"};
  std::string spec = "builtin:frontpage", strategy, speed = "1", screenshot;
  std::vector<std::string> overrides;
  std::uint64_t seed = 0;
  double at_s = -1;
  bool play = false, projector = false;
  cli.add_option("scenario", spec, "scenario file or builtin:NAME")->capture_default_str();
  cli.add_option("--strategy", strategy, "strategy to start with");
  cli.add_option("--seed", seed, "random seed");
  cli.add_option("--set", overrides, "PATH=VALUE override of a scenario field");
  cli.add_option("--speed", speed, "0.1 0.25 0.5 1 2 5 10 100 1000 or max")->capture_default_str();
  cli.add_flag("--play", play, "start playing at once");
  cli.add_option("--screenshot", screenshot, "render the window to this PNG and exit");
  cli.add_option("--at", at_s,
                 "open paused at this simulated second (with --screenshot: render there; "
                 "default: the end)");
  std::uint64_t anomaly_n = 0;
  cli.add_option("--anomaly", anomaly_n,
                 "open paused just after the run's N-th anomaly (1 = the first), e.g. of a "
                 "report file a colleague shared")
      ->check(CLI::PositiveNumber);
  cli.add_flag("--projector", projector,
               "projector mode: every font and line larger, the side panels hidden (View > "
               "Projector mode, Ctrl+Shift+P, toggles it)");
  cli.footer(
      "For a lecture hall: --projector. To scale the whole window as well (any Qt\n"
      "application), set QT_SCALE_FACTOR, e.g. QT_SCALE_FACTOR=1.4 stampede-gui --projector.");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  const int speed_choice = speed_index(speed);
  if (speed_choice < 0) {
    std::cerr << "--speed: expected one of 0.1 0.25 0.5 1 2 5 10 100 1000 max, got " << speed
              << '\n';
    return 2;
  }
  if (!strategy.empty())
    overrides.push_back("strategy.name=" + strategy);
  if (seed != 0)
    overrides.push_back("seed=" + std::to_string(seed));
  stampede::load_student_strategies(); // student:NAME, when a student library is built
  auto loaded = stampede::load_scenario(spec, overrides);
  if (!loaded) {
    std::cerr << loaded.error << '\n';
    return 2;
  }
  if (const std::string &name = loaded.value->strategy.name;
      !stampede::StrategyRegistry::global().contains(name)) {
    const std::string hint = stampede::student_load_hint();
    std::cerr << spec << ": strategy.name: unknown strategy \"" << name << "\""
              << (name.starts_with("student:") && !hint.empty() ? " (" + hint + ")" : "") << '\n';
    return 2;
  }

  if (anomaly_n > 0) {
    const auto a = find_anomaly(*loaded.value, anomaly_n);
    if (!a) {
      std::cerr << spec << ": --anomaly " << anomaly_n << ": the run has fewer anomalies\n";
      return 2;
    }
    // Just after it: the run processes events before the pause point.
    at_s = stampede::ns_to_seconds(a->at + 1);
    std::cout << "anomaly " << anomaly_n << ": " << stampede::anomaly_label(a->kind) << " at "
              << stampede::ns_to_seconds(a->at) << " s, request #" << a->serial << '\n'
              << std::flush;
  }

  QApplication app(argc, argv);
  QApplication::setApplicationName("stampede-gui");
  stampede::gui::MainWindow window(*loaded.value);
  window.setSpeedIndex(speed_choice);
  if (projector)
    window.setProjectorMode(true);
  window.show();
  const stampede::Time at = at_s >= 0 ? stampede::seconds_to_ns(at_s) : -1;
  if (at >= 0)
    window.worker()->pauseAt(at_s); // queued before play: the first slice stops there
  if (at >= 0 && screenshot.empty()) {
    // Get to the moment as fast as the run goes, then keep the speed asked for.
    window.setSpeedIndex(9);
    auto *arrive = new QTimer(&window);
    QObject::connect(arrive, &QTimer::timeout, &window, [&window, at, speed_choice, arrive] {
      const auto &s = window.lastSnapshot();
      if (s.finished || (s.now >= at && !s.running)) {
        arrive->stop();
        window.setSpeedIndex(speed_choice);
      }
    });
    arrive->start(50);
  }
  if (play || !screenshot.empty() || at >= 0)
    window.worker()->play();

  if (!screenshot.empty()) {
    // Render once the run has reached --at (or its end), then quit.
    auto *poll = new QTimer(&window);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, at, screenshot, poll] {
      const auto &s = window.lastSnapshot();
      const bool there = s.finished || (at >= 0 && s.now >= at && !s.running);
      if (!there)
        return;
      poll->stop();
      // Two more frames so the views have drawn the last snapshot.
      QTimer::singleShot(200, &window, [&window, screenshot] {
        const bool ok = window.exportWindowPng(QString::fromStdString(screenshot));
        if (!ok)
          std::cerr << "could not write " << screenshot << '\n';
        QApplication::exit(ok ? 0 : 1);
      });
    });
    poll->start(50);
  }
  return QApplication::exec();
}
