// Schedule mode (`stampede-gui --schedule FILE`, SPEC section 12): one of
// explore's schedules stepped through. The pane under the diagram (in the
// charts' place: a run of a few milliseconds has no curves) tells the story,
// a row a step: the steps run as the worker's run told them, the current
// one highlighted, the rest greyed as the file tells them, and after the
// last step the end line (a stale set). A click on a row follows its
// request in the Request tab. Step, Back (B) and Restart move through it;
// the picker chooses among the file's schedules (one per anomaly).
#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

#include "views/main_window.h"
#include "views/palette.h"
#include "views/scenario_panel.h"
#include "views/timeline_view.h"
#include "worker/sim_worker.h"

namespace stampede::gui {

namespace {

constexpr int kLineRole = Qt::UserRole;        // a row's line, without its number
constexpr int kRequestRole = Qt::UserRole + 1; // a row's request number (0: the end)

// The picker's words for a schedule: its anomaly and its length.
QString pick_label(const ScheduleEntry &e) {
  const QString what = e.anomaly.empty() ? QString("a schedule")
                                         : QString::fromStdString(e.anomaly).replace('_', ' ');
  return QString("%1 (%2 steps)").arg(what).arg(e.order.size());
}

} // namespace

void MainWindow::buildSchedulePane() {
  schedule_pane_ = new QWidget;
  schedule_pane_->setObjectName("schedule");
  auto *layout = new QVBoxLayout(schedule_pane_);
  auto *top = new QHBoxLayout;
  top->addWidget(new QLabel("<b>Schedule</b>"));
  schedule_pick_ = new QComboBox;
  schedule_pick_->setObjectName("schedule pick");
  schedule_pick_->setToolTip("The shortest schedule of each anomaly explore found");
  connect(schedule_pick_, &QComboBox::activated, this, &MainWindow::pickSchedule);
  top->addWidget(schedule_pick_);
  top->addStretch(1);
  layout->addLayout(top);
  schedule_line_ = new QLabel;
  schedule_line_->setObjectName("schedule line");
  schedule_line_->setWordWrap(true);
  schedule_line_->setTextFormat(Qt::PlainText);
  schedule_line_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  {
    QFont f = schedule_line_->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    schedule_line_->setFont(f);
  }
  layout->addWidget(schedule_line_);
  story_ = new QListWidget;
  story_->setObjectName("story");
  story_->setSelectionMode(QAbstractItemView::NoSelection);
  story_->setToolTip("Click a step to follow its request (the Request tab)");
  connect(story_, &QListWidget::itemClicked, this,
          [this](QListWidgetItem *item) { clickStory(story_->row(item)); });
  layout->addWidget(story_, 1);
  lower_->addWidget(schedule_pane_);

  back_ = new QAction("Back", this);
  back_->setToolTip("Back one step of the schedule (run again from the start)");
  back_->setShortcuts({QKeySequence(Qt::Key_B), QKeySequence(Qt::SHIFT | Qt::Key_S)});
  connect(back_, &QAction::triggered, this, [this] {
    play_->setChecked(false);
    worker_->back();
  });
  // Before Step on the run bar, after it in the Run menu (buildRunMenu);
  // hidden, and its keys off, until a schedule is open.
  run_bar_->insertAction(step_, back_);
  back_->setVisible(false);
}

void MainWindow::openSchedule(const ScheduleFile &file, int which, std::size_t at_step) {
  schedules_ = file.schedules;
  {
    const QSignalBlocker block(schedule_pick_);
    schedule_pick_->clear();
    for (const ScheduleEntry &e : schedules_)
      schedule_pick_->addItem(pick_label(e));
    schedule_pick_->setEnabled(schedules_.size() > 1);
  }
  // The stack's controls and the strategy belong to a timed run: the
  // schedule was explored on the file's scenario under its strategy.
  back_->setVisible(true);
  step_->setToolTip("Run the schedule's next step (S)");
  play_->setToolTip("Step through the schedule, a step a second at x1");
  strategy_->setEnabled(false);
  strategy_->setToolTip("A schedule is explored under its file's strategy");
  stack_bar_->setEnabled(false);
  scenario_panel_->setEnabled(false);
  which = std::clamp(which, 0, static_cast<int>(schedules_.size()) - 1);
  schedule_index_ = which;
  schedule_pick_->setCurrentIndex(which);
  play_->setChecked(false);
  restarting();
  // The file's scenario becomes the window's (File > Open of a schedule).
  scenario_ = file.scenario;
  scenario_panel_->setScenario(file.scenario);
  setWindowTitle(
      QString("Stampede — %1 (a schedule)").arg(QString::fromStdString(file.scenario.name)));
  worker_->openSchedule(schedules_[static_cast<std::size_t>(which)].order, at_step, file.scenario);
  updateDock();
}

void MainWindow::pickSchedule(int which) {
  if (which < 0 || which >= static_cast<int>(schedules_.size()))
    return;
  schedule_index_ = which;
  if (schedule_pick_->currentIndex() != which)
    schedule_pick_->setCurrentIndex(which);
  play_->setChecked(false);
  restarting();
  worker_->openSchedule(schedules_[static_cast<std::size_t>(which)].order, 0);
}

void MainWindow::updateSchedule(const Snapshot &s) {
  if (schedule_pane_ == nullptr || schedule_index_ < 0 || !s.schedule.active)
    return;
  // A picked schedule's first snapshot has not come: the rows would mix two.
  if (restarting_)
    return;
  const ScheduleEntry &entry = schedules_[static_cast<std::size_t>(schedule_index_)];
  const ScheduleProgress &p = s.schedule;
  const int steps = static_cast<int>(entry.order.size());
  const int rows = steps + (p.end.empty() ? 0 : 1);
  story_->setUpdatesEnabled(false);
  while (story_->count() > rows)
    delete story_->takeItem(story_->count() - 1);
  while (story_->count() < rows)
    story_->addItem(new QListWidgetItem);
  QFont plain = story_->font();
  QFont bold = plain;
  bold.setBold(true);
  story_current_ = p.done == 0 ? -1 : static_cast<int>(p.done) - 1;
  for (int i = 0; i < rows; ++i) {
    const auto k = static_cast<std::size_t>(i);
    QListWidgetItem *item = story_->item(i);
    QString line;
    std::uint64_t request = 0;
    if (i < steps) {
      request = entry.order[k];
      // Run: as the run told it. Not yet: as the file tells it (or, from a
      // file without a story, whose step it is).
      line = k < p.told.size()        ? QString::fromStdString(p.told[k])
             : k < entry.story.size() ? QString::fromStdString(entry.story[k])
                                      : QString("request #%1's step").arg(request);
      item->setText(QString("%1. %2").arg(i + 1).arg(line));
    } else {
      line = QString::fromStdString(p.end);
      item->setText(QString("End: %1").arg(line));
    }
    item->setData(kLineRole, line);
    item->setData(kRequestRole, QVariant::fromValue<qulonglong>(request));
    const bool run = k < p.done || i >= steps;
    const bool current = i == story_current_ || i >= steps;
    item->setFont(current ? bold : plain);
    item->setForeground(!run         ? palette::kGrey
                        : i >= steps ? palette::kFaultText
                                     : story_->palette().color(QPalette::Text));
    item->setBackground(i >= steps ? QBrush(palette::kFaultFill)
                        : current  ? QBrush(QColor(0xFF, 0xF3, 0xB0))
                                   : QBrush());
    item->setToolTip(request == 0
                         ? QString("What the schedule left behind")
                         : QString("Follow request #%1 (its number in the story)").arg(request));
  }
  story_->setUpdatesEnabled(true);
  if (story_current_ >= 0)
    story_->scrollToItem(story_->item(rows > steps ? rows - 1 : story_current_));
  schedule_line_->setText(scheduleLine());
}

QString MainWindow::scheduleLine() const {
  const ScheduleProgress &p = last_.schedule;
  if (!p.active)
    return {};
  const QString of = QString(" of %1").arg(p.size);
  if (!p.error.empty())
    return QString("Step %1%2 cannot run: %3")
        .arg(p.done + 1)
        .arg(of, QString::fromStdString(p.error));
  if (p.done == 0)
    return QString("Step 0%1: the start, nothing has run yet").arg(of);
  QString line =
      QString("Step %1%2: %3").arg(p.done).arg(of, QString::fromStdString(p.told.back()));
  if (!p.end.empty())
    line += QString("; then %1").arg(QString::fromStdString(p.end));
  return line;
}

QStringList MainWindow::storyLines() const {
  QStringList out;
  if (story_ == nullptr)
    return out;
  for (int i = 0; i < story_->count(); ++i)
    out << story_->item(i)->data(kLineRole).toString();
  return out;
}

int MainWindow::storyGreyed() const {
  int n = 0;
  if (story_ != nullptr)
    for (int i = 0; i < story_->count(); ++i)
      n += story_->item(i)->foreground().color() == palette::kGrey ? 1 : 0;
  return n;
}

void MainWindow::clickStory(int row) {
  if (story_ == nullptr || row < 0 || row >= story_->count())
    return;
  const auto request = story_->item(row)->data(kRequestRole).toULongLong();
  if (request == 0)
    return; // the end line is no request's
  play_->setChecked(false);
  worker_->follow(request - 1); // a story numbers requests from 1, serials from 0
  if (side_ != nullptr)
    side_->setCurrentWidget(timeline_->parentWidget()->parentWidget()); // its scroll area
  statusBar()->showMessage(QString("Following request #%1 (the Request tab)").arg(request), 5000);
}

} // namespace stampede::gui
