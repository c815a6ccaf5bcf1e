// The window's controls: the toolbar's two bars (the run's and the stack's),
// each control a queued call to the worker or the status bar's word on why
// not, and the menus (File, Export, View, Run) with their keys.
#include "views/main_window.h"

#include <QComboBox>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSpinBox>
#include <QStatusBar>
#include <QToolBar>
#include <algorithm>

#include "stampede/strategy.h"
#include "views/compare_view.h"
#include "views/lecture_bar.h"
#include "views/main_window_parts.h"
#include "views/sweep_view.h"
#include "worker/sim_worker.h"

namespace stampede::gui {

using window::kDefaultSpeed;
using window::kMessageMs;
using window::kSpeeds;
using window::seed_box_value;
using window::SpeedChoice;

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
  buildTierControls(); // the cache's nodes and tiers, one group
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
  seed_->setRange(0, window::kSeedBoxMax);
  seed_->setValue(seed_box_value(scenario_.seed));
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

void MainWindow::buildTierControls() {
  migrate_ = stack_bar_->addAction("Migrate to a new tier");
  beamer_texts_.push_back({migrate_, "Migrate to a new tier", "Migrate"});
  connect(migrate_, &QAction::triggered, this, &MainWindow::migrateCache);
  retire_ = stack_bar_->addAction("Retire old tier");
  beamer_texts_.push_back({retire_, "Retire old tier", "Retire"});
  connect(retire_, &QAction::triggered, this, &MainWindow::retireOldCache);
  updateTierControls();
}

std::uint32_t MainWindow::tierNodes() const {
  // The tier in use, without the gutter pool; before a new run's first
  // snapshot, the scenario's.
  const StackState &st = last_.stack;
  if (restarting_ || st.cache_items.size() <= st.gutter_nodes)
    return std::max<std::uint32_t>(1, scenario_.cache.nodes);
  return static_cast<std::uint32_t>(st.cache_items.size() - st.gutter_nodes);
}

void MainWindow::updateTierControls() {
  // Judged by the last snapshot: one migration at a time, none with the
  // servers' own caches, and only a migration's old tier to retire.
  const bool migrating = !last_.stack.old_cache_items.empty();
  const bool local = last_.local_cache;
  const auto nodes = [](std::size_t n) { return QString(n == 1 ? "%1 node" : "%1 nodes").arg(n); };
  const QString migrate_tip =
      migrating ? QString("A migration is under way: Retire old tier ends it")
      : local   ? QString("The app servers cache locally: there is no memcached tier to migrate")
                : QString("A new, empty memcached tier of %1 (as many as the tier in use) takes "
                            "over now; the tier in use becomes the old tier, read on a miss with "
                            "cache.fallback and sent every delete, until Retire old tier")
                    .arg(nodes(tierNodes()));
  const QString retire_tip =
      migrating ? QString("The old tier's %1 retire now: the new tier serves alone")
                      .arg(nodes(last_.stack.old_cache_items.size()))
                : QString("No migration is under way: Migrate to a new tier starts one");
  migrate_->setEnabled(!migrating && !local);
  retire_->setEnabled(migrating);
  // On a beamer the second bar has room for one of them: the one that can
  // act (Migrate, greyed, with the servers' own caches).
  migrate_->setVisible(!projector_on_ || !migrating);
  retire_->setVisible(!projector_on_ || migrating);
  if (migrate_->toolTip() != migrate_tip)
    migrate_->setToolTip(migrate_tip);
  if (retire_->toolTip() != retire_tip)
    retire_->setToolTip(retire_tip);
}

void MainWindow::migrateCache() {
  if (refuseAfterEnd("Migrate to a new tier"))
    return;
  // Until the snapshot that shows the migration: no second one.
  migrate_->setEnabled(false);
  worker_->migrateCache(tierNodes());
}

void MainWindow::retireOldCache() {
  if (refuseAfterEnd("Retire old tier"))
    return;
  retire_->setEnabled(false);
  worker_->retireOldCache();
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

void MainWindow::buildMenus() {
  // Menus are windows of their own: let them take the window's font too.
  for (QMenu *m : {buildFileMenu(), buildExportMenu(), buildViewMenu(), buildRunMenu()})
    m->setAttribute(Qt::WA_WindowPropagation);
}

QMenu *MainWindow::buildFileMenu() {
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
  return open;
}

QMenu *MainWindow::buildExportMenu() {
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
  return file;
}

QMenu *MainWindow::buildViewMenu() {
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
  return view;
}

QMenu *MainWindow::buildRunMenu() {
  // The run's keys, for a lecture given from the keyboard (listed in the
  // menu, so they can be found).
  QMenu *run = menuBar()->addMenu("&Run");
  run->addAction(play_); // Space
  step_->setShortcut(QKeySequence(Qt::Key_S));
  run->addAction(step_);
  run->addAction(back_); // B: schedule mode's, hidden until then
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
  return run;
}

} // namespace stampede::gui
