// The side panels (Measured, Request, Scenario, Lesson): the run's totals so far,
// the anomaly list, and following an anomaly's request from the list or from
// a marker on the charts.
#include "views/main_window.h"

#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <vector>

#include "stampede/report_fields.h"
#include "views/lesson_panel.h"
#include "views/main_window_parts.h"
#include "views/scenario_panel.h"
#include "views/timeline_view.h"
#include "worker/sim_worker.h"

namespace stampede::gui {

using window::kMessageMs;

namespace {

// A simulated instant as the anomaly's details give it, in seconds.
QString seconds(Time t) { return QString::number(ns_to_seconds(t), 'f', 4); }

} // namespace

void MainWindow::buildDock() {
  auto *panel = new QWidget;
  auto *layout = new QVBoxLayout(panel);
  totals_ = new QTableWidget(0, 2);
  totals_->horizontalHeader()->setVisible(false);
  totals_->verticalHeader()->setVisible(false);
  totals_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  totals_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  totals_->setSelectionMode(QAbstractItemView::NoSelection);
  totals_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  totals_->setMinimumHeight(15 * (fontMetrics().height() + 6) + 4);
  layout->addWidget(new QLabel("<b>So far</b>"));
  layout->addWidget(totals_, 3);
  layout->addWidget(new QLabel("<b>Anomalies</b> (click one for its request)"));
  anomaly_list_ = new QListWidget;
  anomaly_list_->setObjectName("anomalies");
  // Rows of one height: laying out thousands of them stays cheap.
  anomaly_list_->setUniformItemSizes(true);
  layout->addWidget(anomaly_list_, 3);
  details_ = new QLabel;
  details_->setWordWrap(true);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  details_->setMinimumHeight(110);
  details_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  layout->addWidget(details_, 1);
  connect(anomaly_list_, &QListWidget::currentRowChanged, this,
          [this](int row) { showAnomaly(row); });
  scenario_panel_ = new ScenarioPanel(scenario_);
  connect(scenario_panel_, &ScenarioPanel::scenarioApplied, this, [this](const Scenario &s) {
    // The panel's strategy fields follow the live strategy, so `s` carries
    // it unless the user typed another there.
    const QString live = QString::fromStdString(strategy_label(scenario_.strategy));
    const QString now = QString::fromStdString(strategy_label(s.strategy));
    applyScenario(s);
    statusBar()->showMessage(QString("Applied: the run restarts at t = 0 with strategy %1%2")
                                 .arg(now, now == live
                                               ? " (the live one)"
                                               : " (from the Scenario tab; it was " + live + ")"),
                             kMessageMs);
  });
  lesson_panel_ = new LessonPanel(default_lessons_dir());
  connect(lesson_panel_, &LessonPanel::runRequested, this, [this](const Scenario &s) {
    applyScenario(s);
    worker_->play();
  });
  timeline_ = new TimelineView;
  auto *timeline_scroll = new QScrollArea;
  timeline_scroll->setWidget(timeline_);
  timeline_scroll->setWidgetResizable(true);
  auto *side = new QTabWidget;
  side_ = side;
  side->addTab(panel, "Measured");
  side->addTab(timeline_scroll, "Request");
  side->addTab(scenario_panel_, "Scenario");
  side->addTab(lesson_panel_, "Lesson");
  dock_ = new QDockWidget;
  dock_->setTitleBarWidget(new QWidget); // no title bar: the tabs name it
  dock_->setFeatures(QDockWidget::NoDockWidgetFeatures);
  dock_->setWidget(side);
  dock_->setMinimumWidth(340);
  dock_->setMaximumWidth(420); // the charts keep the room
  addDockWidget(Qt::RightDockWidgetArea, dock_);
}

void MainWindow::updateDock() {
  dock_->setVisible(!projector_on_ && tabs_->currentIndex() == 0);
  // Projector mode hides the side panels, but not the life of the request
  // being followed: the room is looking at it, so it stands large under the
  // diagram until Esc (Run > Stop following) brings the charts back.
  const bool stage = projector_on_ && last_.followed != kNoSerial;
  // A schedule's story stands there instead (main_window_schedule.cc).
  lower_->setCurrentIndex(schedule_index_ >= 0 ? 2 : stage ? 1 : 0);
}

void MainWindow::updateTotals() {
  const Report &r = last_.totals;
  // The report's own words and decimals (report_label, report_text), as the
  // command line's table has them.
  static constexpr const char *kPaths[] = {
      "requests.page_views",          "requests.submits",         "db.reads_per_page_view",
      "db.reads_per_submit",          "anomalies.stale_reads",    "anomalies.max_staleness_s",
      "anomalies.redundant_db_reads", "anomalies.stampedes",      "anomalies.lost_updates",
      "cache.cas_conflicts",          "cache.hit_ratio",          "cache.evictions",
      "latency_ms.page_view.p50",     "latency_ms.page_view.p99", "db.utilization"};
  std::vector<std::pair<QString, QString>> rows;
  auto add = [&](const char *path) {
    rows.emplace_back(QString::fromStdString(report_label(path)),
                      QString::fromStdString(report_text(r, path)));
  };
  for (const char *path : kPaths)
    add(path);
  // A migration's old tier, once a get has gone there (cache.fallback).
  if (r.fallback_gets > 0) {
    add("cache.fallback_gets");
    add("cache.fallback_hits");
  }
  totals_->setRowCount(static_cast<int>(rows.size()));
  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    for (int c = 0; c < 2; ++c) {
      QTableWidgetItem *item = totals_->item(i, c);
      if (!item) {
        item = new QTableWidgetItem;
        if (c == 1)
          item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        totals_->setItem(i, c, item);
      }
      const auto &row = rows[static_cast<std::size_t>(i)];
      item->setText(c == 0 ? row.first : row.second);
    }
  }
}

int MainWindow::anomalyRows() const { return anomaly_list_->count(); }

QString MainWindow::showAnomaly(int row) {
  if (row < 0 || row >= static_cast<int>(anomalies_.size()))
    return {};
  if (anomaly_list_->currentRow() != row)
    anomaly_list_->setCurrentRow(row);
  const AnomalyRecord &a = anomalies_[static_cast<std::size_t>(row)];
  QString text = QString("<b>%1</b> at %2 s, key %3<br>request #%4")
                     .arg(anomaly_label(a.kind))
                     .arg(seconds(a.at))
                     .arg(a.key)
                     .arg(a.serial);
  text += "<br>" + QString::fromStdString(explain(a)).toHtmlEscaped();
  // Follow it: the run pauses and the Request tab shows its life.
  worker_->follow(a.serial);
  if (side_ != nullptr)
    side_->setCurrentWidget(timeline_->parentWidget()->parentWidget()); // its scroll area
  auto it = anomaly_requests_.find(a.serial);
  if (it == anomaly_requests_.end()) {
    text += "<br>(not finished yet)";
  } else {
    const RequestRecord &r = it->second;
    text += QString(": a %1 %2<br>arrived %3 s, started %4 s, answered %5 s "
                    "(%6 ms)")
                .arg(r.submit ? "submit" : "page view")
                .arg(r.server == kEdgeServer ? QString("answered by the front cache")
                                             : QString("on app server %1").arg(r.server))
                .arg(seconds(r.arrival))
                .arg(seconds(r.start))
                .arg(seconds(r.response))
                .arg(ns_to_seconds(r.response - r.arrival) * 1e3, 0, 'f', 1);
    if (r.stale)
      text += QString("<br>served a page missing a post committed %1 s before it arrived")
                  .arg(r.staleness_s, 0, 'f', 3);
  }
  details_->setText(text);
  return text;
}

void MainWindow::onAnomalyMarker(double at_s, int kind) {
  // The listed anomaly of that kind nearest the marker.
  int best = -1;
  double best_gap = 1e300;
  for (std::size_t i = 0; i < anomalies_.size(); ++i) {
    if (static_cast<int>(anomalies_[i].kind) != kind)
      continue;
    const double gap = std::abs(ns_to_seconds(anomalies_[i].at) - at_s);
    if (gap < best_gap) {
      best_gap = gap;
      best = static_cast<int>(i);
    }
  }
  // A marker stands for the first of its kind in its interval: the one
  // listed there, or none when the list stopped short of it.
  const double interval_s = ns_to_seconds(last_.interval);
  if (best >= 0 && best_gap <= std::max(interval_s, 1e-3)) {
    showAnomaly(best);
    return;
  }
  statusBar()->showMessage(
      QString("The %1 at %2 s is past the %3 anomalies listed: pause earlier to follow it")
          .arg(anomaly_label(static_cast<AnomalyKind>(kind)))
          .arg(at_s, 0, 'f', 3)
          .arg(kMaxListed),
      kMessageMs);
}

} // namespace stampede::gui
