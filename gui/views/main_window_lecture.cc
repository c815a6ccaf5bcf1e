// The window in a lecture hall: the lecture strip's demos, arriving at a
// demo's moment, and projector mode (every font and line larger, the charts'
// themes scaled, the side panels hidden).
#include "views/main_window.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLineSeries>
#include <QMenuBar>
#include <QScatterSeries>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolBar>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "views/charts_view.h"
#include "views/diagram_view.h"
#include "views/lecture_bar.h"
#include "views/main_window_parts.h"
#include "worker/sim_worker.h"

namespace stampede::gui {

using window::kSpeeds;
using window::seed_box_value;

namespace {

constexpr double kLegendScale = 1.15; // projector mode's legends grow this much at most

// `base` enlarged `scale` times, whether its size is in points or pixels.
QFont scaled_font(QFont base, double scale) {
  if (base.pointSizeF() > 0)
    base.setPointSizeF(base.pointSizeF() * scale);
  else if (base.pixelSize() > 0)
    base.setPixelSize(static_cast<int>(std::lround(base.pixelSize() * scale)));
  return base;
}

// The value a chart item had before projector mode first scaled it, kept in
// a property of the item so that turning the mode off restores it exactly.
template <typename T> T base_value(QObject *item, const char *key, const T &current) {
  const QVariant kept = item->property(key);
  if (kept.isValid())
    return kept.value<T>();
  item->setProperty(key, QVariant::fromValue(current));
  return current;
}

} // namespace

void MainWindow::openLecture(const Lecture &lecture, int first) {
  lecture_bar_->setLecture(lecture);
  lecture_toolbar_->show();
  showDemo(std::clamp(first, 0, static_cast<int>(lecture.demos.size()) - 1));
}

bool MainWindow::showDemo(int index) {
  const Lecture &l = lecture_bar_->lecture();
  if (index < 0 || index >= static_cast<int>(l.demos.size()))
    return false;
  const LectureDemo &d = l.demos[static_cast<std::size_t>(index)];
  lecture_bar_->showDemo(index);
  auto loaded = load_scenario(d.scenario, d.overrides);
  if (loaded && !StrategyRegistry::global().contains(loaded.value->strategy.name))
    loaded.error = d.scenario + ": strategy.name: unknown strategy \"" + d.strategy + "\"";
  if (!loaded || !loaded.error.empty()) {
    lecture_bar_->showProblem(QString::fromStdString(loaded.error));
    return false;
  }
  tabs_->setCurrentIndex(0);
  applyScenario(*loaded.value);
  seed_->setValue(seed_box_value(scenario_.seed));
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(d.title)));
  arriveAt(d.at, lecture_speed_index(d.speed)); // read_lecture checked the word
  diagram_->setFocus();
  return true;
}

void MainWindow::arriveAt(double at_s, int speed_index) {
  arrive_speed_ = speed_index;
  if (at_s <= 0) {
    arrive_at_ = -1;
    setSpeedIndex(speed_index);
    return;
  }
  arrive_at_ = at_s;
  setSpeedIndex(static_cast<int>(std::size(kSpeeds)) - 1); // as fast as it goes
  worker_->pauseAt(at_s);
  worker_->play();
}

void MainWindow::setProjectorMode(bool on) {
  if (projector_->isChecked() != on) {
    projector_->setChecked(on); // comes back through toggled
    return;
  }
  if (projector_on_ == on)
    return;
  projector_on_ = on;
  const double scale = on ? kProjectorScale : 1.0;
  // The window's font reaches every widget that has not set its own (the
  // toolbars, the diagram, the tables, the panels); an unset font inherits
  // the application's again.
  QFont font;
  if (on)
    font = scaled_font(QApplication::font(this), scale);
  setFont(font);
  for (QMenu *m : menuBar()->findChildren<QMenu *>())
    m->setFont(font);
  diagram_->setProperty("projectorScale", scale);
  charts_->setProperty("projectorScale", scale);
  scaleCharts(scale);
  // On a beamer the run bar must fit 1024 px: the combos and the seed say
  // what they are without their labels (the seed box by its prefix).
  for (QAction *label : bar_labels_)
    label->setVisible(!on);
  seed_->setPrefix(on ? "seed " : "");
  // And the second bar's longest buttons say it in fewer words (the boxes
  // beside them still say what their numbers are).
  for (const BeamerText &b : beamer_texts_)
    b.action->setText(on ? b.beamer : b.full);
  updateTierControls();             // and of Migrate and Retire, the one that can act
  lecture_bar_->setNotesShown(!on); // one line on a beamer; Notes shows them
  updateDock();
  arrangeToolbars();
  diagram_->update();
}

void MainWindow::scaleCharts(double scale) {
  // Qt Charts set their fonts and pens from a theme, not from the widget:
  // each is scaled from the value it had before the mode first touched it.
  for (QChartView *view : charts_->chartViews()) {
    QChart *chart = view->chart();
    chart->setTitleFont(scaled_font(base_value(chart, "baseTitleFont", chart->titleFont()), scale));
    // A beamer's chart is short: thin margins, and no axis titles (the
    // chart's title and legend say what is plotted, against simulated s),
    // so the axis labels keep room enough to be read whole.
    const QMargins margins = base_value(chart, "baseMargins", chart->margins());
    chart->setMargins(scale > 1 ? QMargins(2, 2, 2, 2) : margins);
    // Its title without the aside in brackets, on a beamer.
    const QString title = base_value(chart, "baseTitle", chart->title());
    chart->setTitle(scale > 1 ? title.section(" (", 0, 0) : title);
    QLegend *legend = chart->legend();
    // The legend grows less than the rest: beside the plot it takes width.
    // (Then no larger than fits the chart's height: ChartsView::fitLegends.)
    const QFont legend_font =
        scaled_font(base_value(legend, "baseFont", legend->font()), std::min(scale, kLegendScale));
    legend->setProperty("wantedFont", legend_font);
    legend->setFont(legend_font);
    // Large text leaves a chart too short for a legend below it (Qt Charts
    // then elides the axis labels to "..."); beside it there is room.
    const int below = base_value(legend, "baseAlignment", static_cast<int>(legend->alignment()));
    legend->setAlignment(scale > 1 ? Qt::AlignRight : static_cast<Qt::Alignment>(below));
    for (QAbstractAxis *axis : chart->axes()) {
      axis->setLabelsFont(
          scaled_font(base_value(axis, "baseLabelsFont", axis->labelsFont()), scale));
      axis->setTitleFont(scaled_font(base_value(axis, "baseTitleFont", axis->titleFont()), scale));
      const bool titled = base_value(axis, "baseTitleVisible", axis->isTitleVisible());
      axis->setTitleVisible(scale > 1 ? false : titled);
      // Three labels up the side where five would overlap and be elided.
      if (auto *values = qobject_cast<QValueAxis *>(axis);
          values != nullptr && axis->orientation() == Qt::Vertical) {
        const int ticks = base_value(axis, "baseTickCount", values->tickCount());
        values->setTickCount(scale > 1 ? 3 : ticks);
      }
      QPen grid = axis->gridLinePen();
      grid.setWidthF(base_value(axis, "baseGridWidth", grid.widthF()) * scale);
      axis->setGridLinePen(grid);
    }
    for (QAbstractSeries *series : chart->series()) {
      if (auto *dots = qobject_cast<QScatterSeries *>(series))
        dots->setMarkerSize(base_value(dots, "baseMarkerSize", dots->markerSize()) * scale);
      else if (auto *line = qobject_cast<QLineSeries *>(series)) {
        QPen pen = line->pen();
        pen.setWidthF(base_value(line, "basePenWidth", pen.widthF()) * scale);
        line->setPen(pen);
      }
    }
  }
  charts_->fitLegends();
}

} // namespace stampede::gui
