// The one window: its construction (the tabs, the lecture strip, the status
// bar), the snapshots it applies, and the run's state as the controls and the
// status bar say it. The rest of MainWindow is in main_window_*.cc.
#include "views/main_window.h"

#include <QComboBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QResizeEvent>
#include <QScreen>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QToolButton>
#include <algorithm>

#include "stampede/report_fields.h"
#include "views/charts_view.h"
#include "views/compare_view.h"
#include "views/diagram_view.h"
#include "views/lecture_bar.h"
#include "views/lesson_panel.h"
#include "views/main_window_parts.h"
#include "views/palette.h"
#include "views/scenario_panel.h"
#include "views/sweep_view.h"
#include "views/timeline_view.h"
#include "worker/sim_worker.h"

namespace stampede::gui {

using window::kDefaultSpeed;
using window::kMessageMs;
using window::kSpeeds;
using window::seed_box_value;

namespace {

// A label whose words wrap to the width it is given and which asks for the
// height that takes. A status bar is as tall as its widgets' least heights,
// and QLabel's own word wrap guesses a narrow, tall one: this one asks for a
// line while its text fits on one and two lines once it does not.
class WrappedLine final : public QLabel {
public:
  QSize sizeHint() const override {
    const QMargins m = contentsMargins();
    return {fontMetrics().horizontalAdvance(text()) + m.left() + m.right() + 2, lines(1)};
  }
  // Two lines at most: a width not laid out yet (a new label's is 100 px)
  // must not make the status bar, and so the window, tall.
  QSize minimumSizeHint() const override {
    return {fontMetrics().averageCharWidth() * 24, std::min(heightForWidth(width()), lines(2))};
  }

protected:
  void resizeEvent(QResizeEvent *event) override {
    QLabel::resizeEvent(event);
    if (heightForWidth(event->size().width()) != heightForWidth(event->oldSize().width()))
      updateGeometry(); // the status bar sizes itself again
  }

private:
  int lines(int n) const {
    const QMargins m = contentsMargins();
    return n * fontMetrics().lineSpacing() + m.top() + m.bottom();
  }
};

} // namespace

MainWindow::MainWindow(const Scenario &scenario, QWidget *parent)
    : QMainWindow(parent), scenario_(scenario) {
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(scenario.name)));
  worker_ = new SimWorker(scenario, this);
  connect(worker_, &SimWorker::snapshotReady, this, &MainWindow::applySnapshot,
          Qt::QueuedConnection);
  buildTabs();
  buildToolbar();
  buildSchedulePane(); // shown by openSchedule()
  buildLectureStrip();
  buildDock();
  buildMenus();
  // The diagram holds the keyboard: the Run menu's keys (Space, S, digits)
  // reach the run, not a spin box that took the focus first.
  diagram_->setFocusPolicy(Qt::StrongFocus);
  diagram_->setFocus();
  // The side panels read the live run: the compare table, a whole run per
  // strategy, takes their width (eleven columns need it at 1024 px).
  connect(tabs_, &QTabWidget::currentChanged, this, [this] { updateDock(); });
  buildStatusBar();

  connect(charts_, &ChartsView::anomalyClicked, this, &MainWindow::onAnomalyMarker);
  // The views redraw on their own timer, never per snapshot.
  redraw_.setInterval(1000 / SimWorker::kSnapshotsPerSecond);
  connect(&redraw_, &QTimer::timeout, this, [this] {
    if (!changed_)
      return;
    changed_ = false;
    diagram_->update();
    updateTotals();
    updateStatus();
  });
  redraw_.start();
  worker_->setSpeed(kSpeeds[kDefaultSpeed].sim_s_per_wall_s);
  fitScreen();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildTabs() {
  diagram_ = new DiagramView;
  charts_ = new ChartsView;
  auto *split = new QSplitter(Qt::Vertical);
  split->addWidget(diagram_);
  // Under the diagram, the charts; in projector mode, while a request is
  // followed, its life there instead, large, where the room is looking.
  stage_timeline_ = new TimelineView;
  auto *stage_scroll = new QScrollArea;
  stage_scroll->setWidget(stage_timeline_);
  stage_scroll->setWidgetResizable(true);
  lower_ = new QStackedWidget;
  lower_->addWidget(charts_);
  lower_->addWidget(stage_scroll);
  split->addWidget(lower_);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  compare_ = new CompareView;
  compare_->setScenario(scenario_);
  tabs_ = new QTabWidget;
  tabs_->addTab(split, "Live");
  tabs_->addTab(compare_, "Compare strategies");
  sweep_ = new SweepView;
  sweep_->setScenario(scenario_);
  tabs_->addTab(sweep_, "Sweep");
  setCentralWidget(tabs_);
}

void MainWindow::buildLectureStrip() {
  // The lecture strip: a bar of its own under the run's, shown once a
  // lecture is open.
  lecture_bar_ = new LectureBar;
  lecture_bar_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  connect(lecture_bar_, &LectureBar::demoRequested, this, &MainWindow::showDemo);
  lecture_toolbar_ = new QToolBar("Lecture");
  lecture_toolbar_->setObjectName("lecture bar");
  lecture_toolbar_->setMovable(false);
  lecture_toolbar_->addWidget(lecture_bar_);
  addToolBarBreak(Qt::TopToolBarArea);
  addToolBar(Qt::TopToolBarArea, lecture_toolbar_);
  lecture_toolbar_->hide();
}

void MainWindow::buildStatusBar() {
  status_ = new QLabel;
  statusBar()->addWidget(status_, 1);
  // A fault that stopped the run: a permanent widget, so the status bar's
  // passing messages never cover it; it stays until the next run or Dismiss.
  fault_box_ = new QWidget;
  fault_box_->setObjectName("fault");
  auto *fault_layout = new QHBoxLayout(fault_box_);
  fault_layout->setContentsMargins(6, 0, 0, 0);
  fault_label_ = new WrappedLine;
  fault_label_->setWordWrap(true); // a long sentence takes two lines, never "..."
  fault_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  fault_label_->setTextFormat(Qt::PlainText);
  {
    QPalette pal = fault_label_->palette();
    pal.setColor(QPalette::WindowText, palette::kFaultText);
    fault_label_->setPalette(pal);
    QFont bold = fault_label_->font();
    bold.setBold(true);
    fault_label_->setFont(bold);
  }
  auto *dismiss = new QToolButton;
  dismiss->setText("Dismiss");
  dismiss->setToolTip("Hide this message; the run stays stopped until Restart, another strategy "
                      "or another scenario");
  connect(dismiss, &QToolButton::clicked, this, &MainWindow::dismissFault);
  fault_layout->addWidget(fault_label_, 1);
  fault_layout->addWidget(dismiss, 0, Qt::AlignVCenter);
  statusBar()->addPermanentWidget(fault_box_, 2);
  fault_box_->hide();
}

void MainWindow::fitScreen() {
  resize(1400, 900);
  // On a screen smaller than that (a 1024x768 beamer), inside it. The
  // offscreen platform's screen is a nominal one: renders keep the size.
  if (const QScreen *screen = QGuiApplication::primaryScreen();
      screen != nullptr && QGuiApplication::platformName() != "offscreen") {
    const QRect room = screen->availableGeometry();
    if (room.width() < 1400 + 40 || room.height() < 900 + 60) {
      resize(std::min(1400, room.width() - 20), std::min(900, room.height() - 60));
      move(room.topLeft() + QPoint(10, 10));
    }
  }
}

void MainWindow::applySnapshot(const Snapshot &s) {
  worker_->snapshotTaken();
  ++applied_;
  if (restarting_ && (s.generation != restart_from_ || !s.message.empty()))
    restarting_ = false; // the new run's first picture, or the restart failed
  if (s.generation != last_.generation) {
    fault_dismissed_ = false; // a new run: its fault, if any, is news
    intervals_.clear();
    anomalies_.clear();
    anomalies_unlisted_ = 0;
    anomaly_requests_.clear();
    anomaly_list_->clear();
    details_->clear();
  }
  diagram_->applySnapshot(s, scenario_.app.workers, scenario_.db.connections);
  timeline_->applySnapshot(s);
  stage_timeline_->applySnapshot(s);
  charts_->applySnapshot(s);
  intervals_.insert(intervals_.end(), s.intervals.begin(), s.intervals.end());
  for (const RequestRecord &r : s.anomaly_requests)
    if (anomaly_requests_.size() < 100000)
      anomaly_requests_.emplace(r.serial, r);
  anomalies_unlisted_ += s.anomalies_dropped;
  QStringList rows;
  for (const AnomalyRecord &a : s.anomalies) {
    if (anomaly_list_->count() + rows.size() >= kMaxListed) {
      ++anomalies_unlisted_;
      continue;
    }
    anomalies_.push_back(a);
    rows << QString("%1 s  %2  request #%3  key %4")
                .arg(ns_to_seconds(a.at), 0, 'f', 3)
                .arg(anomaly_label(a.kind))
                .arg(a.serial)
                .arg(a.key);
  }
  if (!rows.isEmpty())
    anomaly_list_->addItems(rows); // one layout for the batch
  if (!s.message.empty())
    statusBar()->showMessage(QString::fromStdString(s.message), 5000);
  if (play_->isChecked() != s.running) {
    const QSignalBlocker block(play_);
    play_->setChecked(s.running);
    play_->setText(s.running ? "Pause" : "Play");
    arrangeToolbars(); // "Pause" is wider: the second bar may need its own row
  }
  showFault(s);
  if (!s.stack.strategy.empty() &&
      strategy_->currentText() != QString::fromStdString(s.stack.strategy))
    strategy_->setCurrentText(QString::fromStdString(s.stack.strategy));
  // A strategy switched live is the run's strategy from now on: the
  // Scenario tab shows it and Apply and restart keeps it.
  if (!restarting_ && !s.stack.strategy.empty() &&
      s.stack.strategy != strategy_label(scenario_.strategy)) {
    scenario_.strategy = with_strategy(scenario_.strategy, s.stack.strategy);
    scenario_panel_->followStrategy(scenario_.strategy);
  }
  lesson_panel_->applySnapshot(s);
  if (arrive_at_ >= 0 && !restarting_ &&
      (s.finished || (s.now >= seconds_to_ns(arrive_at_) && !s.running))) {
    arrive_at_ = -1; // there: the moment's own speed, still paused
    setSpeedIndex(arrive_speed_);
  }
  const bool follow_changed = s.followed != last_.followed;
  last_ = s;
  updateSchedule(s);
  updateTierControls();
  if (follow_changed)
    updateDock(); // in projector mode the followed request takes the charts' place
  changed_ = true;
}

void MainWindow::setSpeedIndex(int index) {
  if (index < 0 || index >= static_cast<int>(std::size(kSpeeds)))
    return;
  if (speed_->currentIndex() != index)
    speed_->setCurrentIndex(index); // re-enters through the signal
  else
    worker_->setSpeed(kSpeeds[index].sim_s_per_wall_s);
}

void MainWindow::chooseStrategy(const QString &name) {
  if (!last_.fault.empty())
    restarting(); // a stopped run starts again with the new strategy
  worker_->switchStrategy(name);
}

void MainWindow::applyScenario(const Scenario &scenario) {
  scenario_ = scenario;
  scenario_panel_->setScenario(scenario);
  play_->setChecked(false);
  restarting();
  worker_->loadScenario(scenario);
  compare_->setScenario(scenario);
  sweep_->setScenario(scenario);
  {
    const QSignalBlocker block(seed_);
    seed_->setValue(seed_box_value(scenario.seed));
  }
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(scenario.name)));
}

void MainWindow::restarting() {
  restarting_ = true;
  restart_from_ = last_.generation;
  // The next run starts clean; should it not start, the snapshot that says
  // why still carries the fault and shows it again.
  fault_box_->hide();
  play_->setEnabled(true);
  step_->setEnabled(true);
}

void MainWindow::showFault(const Snapshot &s) {
  const bool stopped = !s.fault.empty() && !restarting_;
  // Stopped is not paused: Play and Step cannot go on, and say so.
  play_->setEnabled(!stopped);
  step_->setEnabled(!stopped);
  const QString sentence = QString::fromStdString(s.fault);
  if (stopped)
    play_->setToolTip(sentence + "\nRestart, another strategy or another scenario runs it again.");
  else if (play_->toolTip() != play_->text())
    play_->setToolTip({}); // the action's text again
  if (!stopped) {
    fault_box_->hide();
    return;
  }
  // Once per fault: the Request tab opens on the request it broke in (the
  // worker follows it already); the user may look elsewhere after that.
  const bool news = last_.fault.empty() || last_.generation != s.generation;
  if (news && s.fault_request != kNoSerial && side_ != nullptr)
    side_->setCurrentWidget(timeline_->parentWidget()->parentWidget()); // its scroll area
  if (fault_dismissed_)
    return;
  fault_label_->setText(sentence);
  fault_label_->setToolTip(sentence);
  fault_box_->show();
}

void MainWindow::dismissFault() {
  fault_dismissed_ = true;
  fault_box_->hide();
}

QString MainWindow::faultShown() const {
  return fault_box_->isVisibleTo(this) ? fault_label_->text() : QString();
}

bool MainWindow::refuseAfterEnd(const QString &control) {
  if (!last_.finished || restarting_)
    return false;
  if (last_.schedule.active) {
    statusBar()->showMessage(
        last_.schedule.error.empty()
            ? QString("%1: the schedule has ended (step %2 of %2); Back or Restart goes back")
                  .arg(control)
                  .arg(last_.schedule.size)
            : QString("%1: the schedule stopped: %2; Back or Restart goes back")
                  .arg(control, QString::fromStdString(last_.schedule.error)),
        kMessageMs);
    return true;
  }
  if (!last_.fault.empty()) {
    statusBar()->showMessage(
        QString("%1: a fault stopped the run; Restart, another strategy or another scenario runs "
                "it again")
            .arg(control),
        kMessageMs);
    return true;
  }
  statusBar()->showMessage(QString("%1: the run has ended at %2 s; Restart runs it again")
                               .arg(control)
                               .arg(ns_to_seconds(last_.end), 0, 'f', 0),
                           kMessageMs);
  return true;
}

void MainWindow::changeEvent(QEvent *event) {
  if (event->type() == QEvent::FontChange && totals_) {
    // The totals' rows are sized from the font: keep them whole.
    const int row = fontMetrics().height() + 6;
    totals_->verticalHeader()->setDefaultSectionSize(row);
    totals_->setMinimumHeight(15 * row + 4);
  }
  QMainWindow::changeEvent(event);
}

void MainWindow::resizeEvent(QResizeEvent *event) {
  QMainWindow::resizeEvent(event);
  arrangeToolbars();
}

void MainWindow::updateStatus() {
  if (last_.schedule.active) {
    // A schedule's time is a millisecond a step: its steps say where it is.
    status_->setText(QString("step %1 of %2   t = %3 ms   %4")
                         .arg(last_.schedule.done)
                         .arg(last_.schedule.size)
                         .arg(ns_to_seconds(last_.now) * 1e3, 0, 'f', 0)
                         .arg(!last_.schedule.error.empty() ? "stopped"
                              : last_.finished              ? "finished"
                              : last_.running               ? "stepping"
                                                            : "paused"));
    return;
  }
  QString text = QString("t = %1 / %2 s   events %3   ")
                     .arg(ns_to_seconds(last_.now), 0, 'f', 2)
                     .arg(ns_to_seconds(last_.end), 0, 'f', 0)
                     .arg(last_.events);
  if (last_.realtime_factor > 0)
    text += QString("achieved x%1 real time   ").arg(last_.realtime_factor, 0, 'f', 1);
  if (!last_.fault.empty())
    text += "stopped by a fault";
  else if (last_.finished)
    text += "finished";
  else
    text += last_.running ? "running" : "paused";
  if (anomalies_unlisted_ > 0)
    text += QString("   (%1 anomalies not listed)").arg(anomalies_unlisted_);
  status_->setText(text);
}

} // namespace stampede::gui
