// The window's files: File > Open of a scenario, a report, a lesson or a lecture
// (openPath), and the Export menu's PNGs, time-series CSV and report JSON.
#include "views/main_window.h"

#include <QFile>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "stampede/timeseries.h"
#include "views/charts_view.h"
#include "views/lesson_panel.h"
#include "views/main_window_parts.h"

namespace stampede::gui {

using window::kMessageMs;
using window::seed_box_value;

QString MainWindow::openPath(const QString &path) {
  namespace fs = std::filesystem;
  const fs::path p = path.toStdString();
  std::error_code ec;
  // A lesson: its folder, or its steps.json.
  const fs::path steps = fs::is_directory(p, ec) ? p / "steps.json" : p;
  if (steps.filename() == "steps.json") {
    const LessonFile l = read_lesson(steps);
    if (!l.error.empty())
      return QString::fromStdString(l.error);
    lesson_panel_->openLesson(l);
    projector_->setChecked(false); // the Lesson tab is a side panel
    tabs_->setCurrentIndex(0);
    side_->setCurrentWidget(lesson_panel_);
    return {};
  }
  QFile f(path);
  const QByteArray head = f.open(QIODevice::ReadOnly) ? f.peek(1 << 16) : QByteArray();
  // A schedule `stampede explore --schedule-out` wrote: stepped through.
  if (head.contains("\"stampede schedule\"")) {
    const QByteArray text = f.readAll();
    auto file =
        parse_schedule_file(std::string_view(text.constData(), text.size()), path.toStdString());
    if (!file)
      return QString::fromStdString(file.error);
    for (std::size_t i = 0; i < file.value->schedules.size(); ++i) {
      try { // each order must run as its file says, before the window takes it
        replay_schedule(file.value->scenario, StrategyRegistry::global(),
                        file.value->schedules[i].order);
      } catch (const std::exception &e) {
        return path + ": schedules[" + QString::number(i) + "]: " + e.what();
      }
    }
    lecture_toolbar_->hide();
    openSchedule(*file.value);
    statusBar()->showMessage("Opened the schedules of " + path, kMessageMs);
    return {};
  }
  // A lecture playlist: a JSON object with "demos".
  if (head.contains("\"demos\"")) {

    const Lecture l = read_lecture(p);
    if (!l.error.empty())
      return QString::fromStdString(l.error);
    openLecture(l);
    return {};
  }
  // A scenario, or a report (the scenario it ran).
  auto loaded = load_scenario(path.toStdString(), {});
  if (!loaded)
    return QString::fromStdString(loaded.error);
  if (!StrategyRegistry::global().contains(loaded.value->strategy.name))
    return path + ": strategy.name: unknown strategy \"" +
           QString::fromStdString(loaded.value->strategy.name) + "\"";
  lecture_toolbar_->hide();
  applyScenario(*loaded.value);
  seed_->setValue(seed_box_value(scenario_.seed));
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(scenario_.name)));
  statusBar()->showMessage("Opened " + path, kMessageMs);
  return {};
}

bool MainWindow::exportWindowPng(const QString &path) { return grab().save(path, "PNG"); }
bool MainWindow::exportChartsPng(const QString &path) { return charts_->grab().save(path, "PNG"); }

bool MainWindow::exportCsv(const QString &path) const {
  std::ofstream out(path.toStdString(), std::ios::binary);
  if (!out)
    return false;
  TimeseriesWriter csv(out);
  for (const IntervalRecord &i : intervals_)
    csv.on_interval(i);
  return static_cast<bool>(out.flush());
}

bool MainWindow::exportReport(const QString &path) const {
  std::ofstream out(path.toStdString(), std::ios::binary);
  if (!out)
    return false;
  // As `stampede run` writes it, with the scenario the run started from, so
  // the report reopens it (a strategy switched live or a button pressed
  // during the run is not part of that scenario). The window discards no
  // warm-up: 0.
  out << report_with_scenario(last_.totals, scenario_, 0).dump(2) << '\n';
  return static_cast<bool>(out.flush());
}

} // namespace stampede::gui
