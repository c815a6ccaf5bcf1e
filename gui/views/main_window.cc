// The one window: its toolbar, menus and dock around the diagram and charts, and every
// control as a queued call to the worker, refused in words when it cannot act.
#include "views/main_window.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QResizeEvent>
#include <QScatterSeries>
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
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stampede/report_fields.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "stampede/timeseries.h"
#include "views/charts_view.h"
#include "views/compare_view.h"
#include "views/diagram_view.h"
#include "views/lecture_bar.h"
#include "views/lesson_panel.h"
#include "views/palette.h"
#include "views/scenario_panel.h"
#include "views/sweep_view.h"
#include "views/timeline_view.h"
#include "worker/sim_worker.h"

namespace stampede::gui {

namespace {

struct SpeedChoice {
  const char *label;
  double sim_s_per_wall_s; // 0 = as fast as it goes
};
const SpeedChoice kSpeeds[] = {
    {"x0.1", 0.1}, {"x0.25", 0.25}, {"x0.5", 0.5}, {"x1", 1},       {"x2", 2},
    {"x5", 5},     {"x10", 10},     {"x100", 100}, {"x1000", 1000}, {"as fast as it goes", 0}};
static_assert(std::size(kSpeeds) == std::size(kLectureSpeeds),
              "the speed box and the speed words (--speed, a demo's speed) name the same speeds");
constexpr int kDefaultSpeed = 3; // x1: a lecture watches the stack in real time

QString seconds(Time t) { return QString::number(ns_to_seconds(t), 'f', 4); }

constexpr int kMessageMs = 8000;      // how long a status-bar message stays
constexpr double kLegendScale = 1.15; // projector mode's legends grow this much at most

// `base` enlarged `scale` times, whether its size is in points or pixels.
QFont scaled_font(QFont base, double scale) {
  if (base.pointSizeF() > 0)
    base.setPointSizeF(base.pointSizeF() * scale);
  else if (base.pixelSize() > 0)
    base.setPixelSize(static_cast<int>(std::lround(base.pixelSize() * scale)));
  return base;
}

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

MainWindow::MainWindow(const Scenario &scenario, QWidget *parent)
    : QMainWindow(parent), scenario_(scenario) {
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(scenario.name)));
  worker_ = new SimWorker(scenario, this);
  connect(worker_, &SimWorker::snapshotReady, this, &MainWindow::applySnapshot,
          Qt::QueuedConnection);
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
  compare_->setScenario(scenario);
  tabs_ = new QTabWidget;
  tabs_->addTab(split, "Live");
  tabs_->addTab(compare_, "Compare strategies");
  sweep_ = new SweepView;
  sweep_->setScenario(scenario);
  tabs_->addTab(sweep_, "Sweep");
  setCentralWidget(tabs_);
  buildToolbar();
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
  buildDock();
  buildMenus();
  // The diagram holds the keyboard: the Run menu's keys (Space, S, digits)
  // reach the run, not a spin box that took the focus first.
  diagram_->setFocusPolicy(Qt::StrongFocus);
  diagram_->setFocus();
  // The side panels read the live run: the compare table, a whole run per
  // strategy, takes their width (eleven columns need it at 1024 px).
  connect(tabs_, &QTabWidget::currentChanged, this, [this] { updateDock(); });
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

MainWindow::~MainWindow() = default;

void MainWindow::buildToolbar() {
  // Two bars, the run's and the stack's, on one row while they fit (a
  // narrow window or projector mode puts the second under the first).
  run_bar_ = addToolBar("Run");
  run_bar_->setMovable(false);
  buildPlayControls();
  buildRunChoices();

  stack_bar_ = addToolBar("Stack");
  stack_bar_->setMovable(false);
  // Under the first bar until the window is known to be wide enough: on one
  // row the first bar cannot shrink, so both would set the window's least
  // width (1150 px) before arrangeToolbars() could wrap them.
  insertToolBarBreak(stack_bar_);
  buildBurstControls();
  stack_bar_->addSeparator();
  buildNodeControls();
  stack_bar_->addSeparator();
  buildServerControls();
}

void MainWindow::buildPlayControls() {
  play_ = run_bar_->addAction("Play");
  play_->setCheckable(true);
  play_->setShortcut(Qt::Key_Space);
  connect(play_, &QAction::toggled, this, [this](bool on) {
    if (on && refuseAfterEnd("Play")) {
      const QSignalBlocker block(play_);
      play_->setChecked(false);
      return;
    }
    play_->setText(on ? "Pause" : "Play");
    on ? worker_->play() : worker_->pause();
  });
  step_ = run_bar_->addAction("Step");
  step_->setToolTip("Process one event");
  connect(step_, &QAction::triggered, this, [this] {
    play_->setChecked(false);
    if (!refuseAfterEnd("Step"))
      worker_->step();
  });
}

void MainWindow::buildRunChoices() {
  run_bar_->addSeparator();
  bar_labels_.push_back(run_bar_->addWidget(new QLabel(" Speed ")));
  speed_ = new QComboBox;
  for (const SpeedChoice &c : kSpeeds)
    speed_->addItem(c.label);
  speed_->setCurrentIndex(kDefaultSpeed);
  connect(speed_, &QComboBox::currentIndexChanged, this, &MainWindow::setSpeedIndex);
  run_bar_->addWidget(speed_);

  bar_labels_.push_back(run_bar_->addWidget(new QLabel(" Strategy ")));
  strategy_ = new QComboBox;
  for (const QString &n : selectable_strategies()) {
    strategy_->addItem(n);
    if (n != "update+cas")
      strategy_->setItemData(
          strategy_->count() - 1,
          QString::fromStdString(StrategyRegistry::global().description(n.toStdString())),
          Qt::ToolTipRole);
  }
  strategy_->setCurrentText(QString::fromStdString(strategy_label(scenario_.strategy)));
  connect(strategy_, &QComboBox::textActivated, this, &MainWindow::chooseStrategy);
  run_bar_->addWidget(strategy_);

  run_bar_->addSeparator();
  bar_labels_.push_back(run_bar_->addWidget(new QLabel(" Seed ")));
  seed_ = new QSpinBox;
  seed_->setRange(0, 1'000'000'000);
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(scenario_.seed, 1'000'000'000)));
  run_bar_->addWidget(seed_);
  restart_ = run_bar_->addAction("Restart");
  connect(restart_, &QAction::triggered, this, [this] {
    play_->setChecked(false);
    scenario_.seed = static_cast<std::uint64_t>(seed_->value());
    compare_->setScenario(scenario_);
    sweep_->setScenario(scenario_);
    restarting();
    worker_->restart(static_cast<qulonglong>(seed_->value()));
  });
}

void MainWindow::buildBurstControls() {
  burst_ = new QSpinBox;
  burst_->setRange(1, 10000);
  burst_->setValue(10);
  // Each box says what its number is: "10 submits", "node 0".
  burst_->setSuffix(" submits");
  burst_->setToolTip("How many submits Submit burst sends at once");
  burst_->setAccessibleName("submits in a burst");
  stack_bar_->addWidget(burst_);
  QAction *submit = stack_bar_->addAction("Submit burst");
  beamer_texts_.push_back({submit, "Submit burst", "Send"});
  submit->setToolTip("That many submits arrive now");
  connect(submit, &QAction::triggered, this, [this] {
    if (!refuseAfterEnd("Submit burst"))
      worker_->submitBurst(static_cast<uint>(burst_->value()));
  });
}

void MainWindow::buildNodeControls() {
  node_ = new QSpinBox;
  node_->setRange(0, static_cast<int>(kMaxCacheNodes) - 1);
  node_->setPrefix("node ");
  node_->setToolTip("The memcached node Crash node crashes");
  node_->setAccessibleName("node to crash");
  stack_bar_->addWidget(node_);
  QAction *crash = stack_bar_->addAction("Crash node");
  crash->setToolTip("The memcached node chosen beside it crashes now");
  connect(crash, &QAction::triggered, this, &MainWindow::crashChosenNode);
  QAction *add = stack_bar_->addAction("Add node");
  add->setToolTip("A new, empty memcached node joins the tier now");
  connect(add, &QAction::triggered, this, &MainWindow::addCacheNode);
}

void MainWindow::crashChosenNode() {
  if (refuseAfterEnd("Crash node"))
    return;
  const auto node = static_cast<std::size_t>(node_->value());
  // The tier's nodes; the gutter pool's, listed after them, never crash.
  const std::vector<bool> up(last_.stack.cache_up.begin(),
                             last_.stack.cache_up.end() - last_.stack.gutter_nodes);
  QString why;
  if (!restarting_ && std::find(up.begin(), up.end(), true) == up.end())
    why = "no cache node is up to crash; Add node starts one";
  else if (!restarting_ && node >= up.size())
    why = QString("there is no node %1: the tier has nodes 0 to %2")
              .arg(node)
              .arg(static_cast<qulonglong>(up.size()) - 1);
  else if (!restarting_ && !up[node])
    why = QString("node %1 is already down").arg(node);
  if (!why.isEmpty()) {
    statusBar()->showMessage("Crash node: " + why, kMessageMs);
    return;
  }
  worker_->crashNode(static_cast<uint>(node));
}

void MainWindow::addCacheNode() {
  if (refuseAfterEnd("Add node"))
    return;
  if (!restarting_ && last_.stack.cache_up.size() - last_.stack.gutter_nodes >= kMaxCacheNodes) {
    statusBar()->showMessage(
        QString("Add node: the tier has its most nodes, %1 (crashed ones count)")
            .arg(kMaxCacheNodes),
        kMessageMs);
    return;
  }
  worker_->addNode();
}

void MainWindow::buildServerControls() {
  QAction *add_server = stack_bar_->addAction("Add app server");
  beamer_texts_.push_back({add_server, "Add app server", "Add server"});
  add_server->setToolTip("A new app server joins the load balancer's pool now");
  connect(add_server, &QAction::triggered, this, [this] {
    if (!refuseAfterEnd("Add app server"))
      worker_->addServer();
  });
  QAction *remove_server = stack_bar_->addAction("Remove app server");
  beamer_texts_.push_back({remove_server, "Remove app server", "Remove server"});
  remove_server->setToolTip(
      "The newest app server leaves the pool: it gets no new requests and finishes what it "
      "holds (app servers keep no state, so nothing is lost)");
  connect(remove_server, &QAction::triggered, this, [this] {
    if (!refuseAfterEnd("Remove app server"))
      worker_->removeServer();
  });
}

void MainWindow::buildMenus() {
  QMenu *open = menuBar()->addMenu("&File");
  QAction *open_file = open->addAction("Open…");
  open_file->setShortcut(QKeySequence::Open);
  connect(open_file, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, "Open a scenario, a report, a lesson or a lecture", QString(),
        "Stampede files (*.json *.yaml *.yml);;All files (*)");
    if (path.isEmpty())
      return;
    if (const QString problem = openPath(path); !problem.isEmpty())
      QMessageBox::warning(this, "Cannot open it", problem);
  });
  QAction *open_lecture = open->addAction("Open the lecture");
  open_lecture->setToolTip("The lecture's demos in order (stampede-gui --lecture)");
  connect(open_lecture, &QAction::triggered, this, [this] {
    const Lecture l = read_lecture(default_lecture_file());
    if (!l.error.empty())
      QMessageBox::warning(this, "Cannot open the lecture", QString::fromStdString(l.error));
    else
      openLecture(l);
  });
  QAction *next = open->addAction("Next demo");
  next->setShortcuts({QKeySequence(Qt::Key_PageDown), QKeySequence(Qt::Key_N)});
  connect(next, &QAction::triggered, this, [this] {
    if (lecture_toolbar_->isVisible())
      showDemo(lecture_bar_->current() + 1);
  });
  QAction *previous = open->addAction("Previous demo");
  previous->setShortcuts({QKeySequence(Qt::Key_PageUp), QKeySequence(Qt::Key_P)});
  connect(previous, &QAction::triggered, this, [this] {
    if (lecture_toolbar_->isVisible())
      showDemo(lecture_bar_->current() - 1);
  });
  QMenu *file = menuBar()->addMenu("&Export");
  auto save = [this](const QString &title, const QString &filter, auto write) {
    const QString path = QFileDialog::getSaveFileName(this, title, QString(), filter);
    if (!path.isEmpty() && !write(path))
      statusBar()->showMessage("could not write " + path, 5000);
  };
  connect(file->addAction("Window as PNG…"), &QAction::triggered, this, [=, this] {
    save("Window as PNG", "PNG (*.png)", [this](const QString &p) { return exportWindowPng(p); });
  });
  connect(file->addAction("Charts as PNG…"), &QAction::triggered, this, [=, this] {
    save("Charts as PNG", "PNG (*.png)", [this](const QString &p) { return exportChartsPng(p); });
  });
  connect(file->addAction("Time series as CSV…"), &QAction::triggered, this, [=, this] {
    save("Time series as CSV", "CSV (*.csv)", [this](const QString &p) { return exportCsv(p); });
  });
  connect(file->addAction("Report as JSON…"), &QAction::triggered, this, [=, this] {
    save("Report as JSON", "JSON (*.json)", [this](const QString &p) { return exportReport(p); });
  });

  QMenu *view = menuBar()->addMenu("&View");
  projector_ = view->addAction("Projector mode");
  projector_->setCheckable(true);
  projector_->setShortcut(QKeySequence("Ctrl+Shift+P"));
  projector_->setToolTip("Every font and line larger, the side panels hidden: for the back of "
                         "a lecture hall (stampede-gui --projector)");
  connect(projector_, &QAction::toggled, this, &MainWindow::setProjectorMode);
  QAction *full = view->addAction("Full screen");
  full->setCheckable(true);
  full->setShortcut(QKeySequence(Qt::Key_F11));
  connect(full, &QAction::toggled, this, [this](bool on) { on ? showFullScreen() : showNormal(); });

  // The run's keys, for a lecture given from the keyboard (listed in the
  // menu, so they can be found).
  QMenu *run = menuBar()->addMenu("&Run");
  run->addAction(play_); // Space
  step_->setShortcut(QKeySequence(Qt::Key_S));
  run->addAction(step_);
  QAction *faster = run->addAction("Faster");
  faster->setShortcuts({QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)});
  connect(faster, &QAction::triggered, this,
          [this] { setSpeedIndex(std::min(speed_->currentIndex() + 1, speed_->count() - 1)); });
  QAction *slower = run->addAction("Slower");
  slower->setShortcut(QKeySequence(Qt::Key_Minus));
  connect(slower, &QAction::triggered, this,
          [this] { setSpeedIndex(std::max(speed_->currentIndex() - 1, 0)); });
  restart_->setShortcut(QKeySequence(Qt::Key_R));
  run->addAction(restart_);
  QAction *unfollow = run->addAction("Stop following the request");
  unfollow->setShortcut(QKeySequence(Qt::Key_Escape));
  connect(unfollow, &QAction::triggered, worker_, &SimWorker::unfollow);
  run->addSeparator();
  // Strategies 1 to 9, in the strategy list's order.
  for (int i = 0; i < std::min(9, strategy_->count()); ++i) {
    QAction *pick = run->addAction(QString("Strategy %1").arg(strategy_->itemText(i)));
    pick->setShortcut(QKeySequence(Qt::Key_1 + i));
    connect(pick, &QAction::triggered, this, [this, i] { chooseStrategy(strategy_->itemText(i)); });
  }
  // Menus are windows of their own: let them take the window's font too.
  for (QMenu *m : {open, file, view, run})
    m->setAttribute(Qt::WA_WindowPropagation);
}

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
  if (follow_changed)
    updateDock(); // in projector mode the followed request takes the charts' place
  changed_ = true;
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

void MainWindow::setSpeedIndex(int index) {
  if (index < 0 || index >= static_cast<int>(std::size(kSpeeds)))
    return;
  if (speed_->currentIndex() != index)
    speed_->setCurrentIndex(index); // re-enters through the signal
  else
    worker_->setSpeed(kSpeeds[index].sim_s_per_wall_s);
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
  // A lecture playlist: a JSON object with "demos".
  QFile f(path);
  if (f.open(QIODevice::ReadOnly) && f.peek(1 << 16).contains("\"demos\"")) {
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
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(scenario_.seed, 1'000'000'000)));
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(scenario_.name)));
  statusBar()->showMessage("Opened " + path, kMessageMs);
  return {};
}

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
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(scenario_.seed, 1'000'000'000)));
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(d.title)));
  arriveAt(d.at, lecture_speed_index(d.speed)); // read_lecture checked the word
  diagram_->setFocus();
  return true;
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
    seed_->setValue(static_cast<int>(std::min<std::uint64_t>(scenario.seed, 1'000'000'000)));
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

void MainWindow::updateDock() {
  dock_->setVisible(!projector_on_ && tabs_->currentIndex() == 0);
  // Projector mode hides the side panels, but not the life of the request
  // being followed: the room is looking at it, so it stands large under the
  // diagram until Esc (Run > Stop following) brings the charts back.
  const bool stage = projector_on_ && last_.followed != kNoSerial;
  lower_->setCurrentIndex(stage ? 1 : 0);
}

void MainWindow::arrangeToolbars() {
  const bool wrap = run_bar_->sizeHint().width() + stack_bar_->sizeHint().width() > width();
  if (wrap == toolbars_wrapped_)
    return;
  toolbars_wrapped_ = wrap;
  if (wrap)
    insertToolBarBreak(stack_bar_);
  else
    removeToolBarBreak(stack_bar_);
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
  std::pair<QString, QString> rows[std::size(kPaths)];
  for (std::size_t i = 0; i < std::size(kPaths); ++i)
    rows[i] = {QString::fromStdString(report_label(kPaths[i])),
               QString::fromStdString(report_text(r, kPaths[i]))};
  totals_->setRowCount(static_cast<int>(std::size(rows)));
  for (int i = 0; i < static_cast<int>(std::size(rows)); ++i) {
    for (int c = 0; c < 2; ++c) {
      QTableWidgetItem *item = totals_->item(i, c);
      if (!item) {
        item = new QTableWidgetItem;
        if (c == 1)
          item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        totals_->setItem(i, c, item);
      }
      item->setText(c == 0 ? rows[i].first : rows[i].second);
    }
  }
}

void MainWindow::updateStatus() {
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
  // during the run is not part of that scenario).
  nlohmann::ordered_json j = report_to_json(last_.totals);
  j["run_scenario"] = nlohmann::ordered_json::parse(scenario_to_json(scenario_));
  out << j.dump(2) << '\n';
  return static_cast<bool>(out.flush());
}

} // namespace stampede::gui
