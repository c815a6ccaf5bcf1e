#include "views/main_window.h"

#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/timeseries.h"
#include "stampede/scenario_io.h"
#include "stampede/strategy.h"
#include "views/charts_view.h"
#include "views/compare_view.h"
#include "views/diagram_view.h"
#include "views/lesson_panel.h"
#include "views/scenario_panel.h"
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
constexpr int kDefaultSpeed = 3; // x1: a lecture watches the stack in real time

QString seconds(Time t) { return QString::number(ns_to_seconds(t), 'f', 4); }

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
  split->addWidget(charts_);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  compare_ = new CompareView;
  compare_->setScenario(scenario);
  auto *tabs = new QTabWidget;
  tabs->addTab(split, "Live");
  tabs->addTab(compare_, "Compare strategies");
  setCentralWidget(tabs);
  buildToolbar();
  buildDock();
  status_ = new QLabel;
  statusBar()->addWidget(status_, 1);

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
}

MainWindow::~MainWindow() = default;

void MainWindow::buildToolbar() {
  QToolBar *bar = addToolBar("Run");
  bar->setMovable(false);
  play_ = bar->addAction("Play");
  play_->setCheckable(true);
  play_->setShortcut(Qt::Key_Space);
  connect(play_, &QAction::toggled, this, [this](bool on) {
    play_->setText(on ? "Pause" : "Play");
    on ? worker_->play() : worker_->pause();
  });
  QAction *step = bar->addAction("Step");
  step->setToolTip("Process one event");
  connect(step, &QAction::triggered, this, [this] {
    play_->setChecked(false);
    worker_->step();
  });

  bar->addSeparator();
  bar->addWidget(new QLabel(" Speed "));
  speed_ = new QComboBox;
  for (const SpeedChoice &c : kSpeeds)
    speed_->addItem(c.label);
  speed_->setCurrentIndex(kDefaultSpeed);
  connect(speed_, &QComboBox::currentIndexChanged, this, &MainWindow::setSpeedIndex);
  bar->addWidget(speed_);

  bar->addWidget(new QLabel(" Strategy "));
  strategy_ = new QComboBox;
  std::vector<std::string> names = lecture_strategies();
  for (const std::string &n : StrategyRegistry::global().names())
    if (std::find(names.begin(), names.end(), n) == names.end())
      names.push_back(n);
  for (const std::string &n : names)
    strategy_->addItem(QString::fromStdString(n));
  strategy_->setCurrentText(QString::fromStdString(strategy_label(scenario_.strategy)));
  connect(strategy_, &QComboBox::textActivated, this, &MainWindow::chooseStrategy);
  bar->addWidget(strategy_);

  bar->addSeparator();
  bar->addWidget(new QLabel(" Seed "));
  seed_ = new QSpinBox;
  seed_->setRange(0, 1'000'000'000);
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(scenario_.seed, 1'000'000'000)));
  bar->addWidget(seed_);
  QAction *restart = bar->addAction("Restart");
  connect(restart, &QAction::triggered, this, [this] {
    play_->setChecked(false);
    scenario_.seed = static_cast<std::uint64_t>(seed_->value());
    compare_->setScenario(scenario_);
    worker_->restart(static_cast<qulonglong>(seed_->value()));
  });

  bar->addSeparator();
  burst_ = new QSpinBox;
  burst_->setRange(1, 10000);
  burst_->setValue(10);
  bar->addWidget(burst_);
  QAction *submit = bar->addAction("Submit burst");
  submit->setToolTip("That many submits arrive now");
  connect(submit, &QAction::triggered, this,
          [this] { worker_->submitBurst(static_cast<uint>(burst_->value())); });
  bar->addSeparator();
  node_ = new QSpinBox;
  node_->setRange(0, 4095);
  node_->setPrefix("node ");
  bar->addWidget(node_);
  QAction *crash = bar->addAction("Crash node");
  connect(crash, &QAction::triggered, this,
          [this] { worker_->crashNode(static_cast<uint>(node_->value())); });
  QAction *add = bar->addAction("Add node");
  connect(add, &QAction::triggered, this, [this] { worker_->addNode(); });

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
  connect(scenario_panel_, &ScenarioPanel::scenarioApplied, this, &MainWindow::applyScenario);
  lesson_panel_ = new LessonPanel(default_lessons_dir());
  connect(lesson_panel_, &LessonPanel::runRequested, this, [this](const Scenario &s) {
    applyScenario(s);
    worker_->play();
  });
  auto *side = new QTabWidget;
  side->addTab(panel, "Measured");
  side->addTab(scenario_panel_, "Scenario");
  side->addTab(lesson_panel_, "Lesson");
  auto *dock = new QDockWidget;
  dock->setTitleBarWidget(new QWidget); // no title bar: the tabs name it
  dock->setFeatures(QDockWidget::NoDockWidgetFeatures);
  dock->setWidget(side);
  dock->setMinimumWidth(340);
  dock->setMaximumWidth(420); // the charts keep the room
  addDockWidget(Qt::RightDockWidgetArea, dock);
}

void MainWindow::applySnapshot(const Snapshot &s) {
  worker_->snapshotTaken();
  ++applied_;
  if (s.generation != last_.generation) {
    intervals_.clear();
    anomalies_.clear();
    anomalies_unlisted_ = 0;
    anomaly_requests_.clear();
    anomaly_list_->clear();
    details_->clear();
  }
  diagram_->applySnapshot(s, scenario_.app.workers, scenario_.db.connections);
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
  }
  if (!s.stack.strategy.empty() &&
      strategy_->currentText() != QString::fromStdString(s.stack.strategy))
    strategy_->setCurrentText(QString::fromStdString(s.stack.strategy));
  lesson_panel_->applySnapshot(s);
  last_ = s;
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
  auto it = anomaly_requests_.find(a.serial);
  if (it == anomaly_requests_.end()) {
    text += "<br>(not finished yet)";
  } else {
    const RequestRecord &r = it->second;
    text += QString(": a %1 on app server %2<br>arrived %3 s, started %4 s, answered %5 s "
                    "(%6 ms)")
                .arg(r.submit ? "submit" : "page view")
                .arg(r.server)
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
  if (best >= 0)
    showAnomaly(best);
}

void MainWindow::setSpeedIndex(int index) {
  if (index < 0 || index >= static_cast<int>(std::size(kSpeeds)))
    return;
  if (speed_->currentIndex() != index)
    speed_->setCurrentIndex(index); // re-enters through the signal
  else
    worker_->setSpeed(kSpeeds[index].sim_s_per_wall_s);
}

void MainWindow::chooseStrategy(const QString &name) { worker_->switchStrategy(name); }

void MainWindow::applyScenario(const Scenario &scenario) {
  scenario_ = scenario;
  scenario_panel_->setScenario(scenario);
  play_->setChecked(false);
  worker_->loadScenario(scenario);
  compare_->setScenario(scenario);
  {
    const QSignalBlocker block(seed_);
    seed_->setValue(static_cast<int>(std::min<std::uint64_t>(scenario.seed, 1'000'000'000)));
  }
  setWindowTitle(QString("Stampede — %1").arg(QString::fromStdString(scenario.name)));
}

void MainWindow::updateTotals() {
  const Report &r = last_.totals;
  const std::pair<QString, QString> rows[] = {
      {"page views", QString::number(r.page_views)},
      {"submits", QString::number(r.submits)},
      {"DB reads per page view", QString::number(r.db_reads_per_page_view, 'f', 3)},
      {"DB reads per submit", QString::number(r.db_reads_per_submit, 'f', 2)},
      {"stale reads", QString::number(r.stale_reads)},
      {"max staleness, s", QString::number(r.max_staleness_s, 'f', 3)},
      {"redundant DB reads", QString::number(r.redundant_db_reads)},
      {"stampedes", QString::number(r.stampedes)},
      {"lost updates", QString::number(r.lost_updates)},
      {"CAS conflicts", QString::number(r.cas_conflicts)},
      {"cache hit ratio", r.cache_gets ? QString::number(r.cache_hit_ratio, 'f', 3) : "-"},
      {"cache evictions", QString::number(r.cache_evictions)},
      {"page view p50, ms", QString::number(r.page_view_latency.p50, 'f', 1)},
      {"page view p99, ms", QString::number(r.page_view_latency.p99, 'f', 1)},
      {"DB utilisation", QString::number(r.db_utilization, 'f', 3)},
  };
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
  if (last_.finished)
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
  out << report_to_json(last_.totals).dump(2) << '\n';
  return static_cast<bool>(out.flush());
}

} // namespace stampede::gui
