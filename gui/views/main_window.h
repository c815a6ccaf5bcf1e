// The one window: the diagram on top, the live charts below, the totals and
// the anomaly list on the right, the controls in the toolbar. It only reads
// snapshots; every control is a queued call to the worker. A control that
// cannot act (Submit burst once the run has ended, Crash node with no node
// up) says why in the status bar, judged by the last snapshot; Migrate to a
// new tier and Retire old tier are enabled only while they can act. A run that a
// fault stopped (a student's strategy breaking the contract) says why on the
// status bar until the next run or a click on its Dismiss button, and the
// Request tab opens on the request it broke in. Projector
// mode (View menu, `stampede-gui --projector`) enlarges every font and line
// and hides the side panels, for the back of a lecture hall.
//
// One class over several files, by what they do: main_window.cc (building,
// snapshots, the run's state), main_window_controls.cc (toolbar and menus),
// main_window_dock.cc (the side panels, the anomaly list, following a
// request), main_window_files.cc (open and export), main_window_lecture.cc
// (the lecture strip, projector mode), main_window_schedule.cc (a schedule
// stepped through: `stampede-gui --schedule FILE`).
#pragma once

#include <QMainWindow>
#include <QTimer>
#include <unordered_map>
#include <vector>

#include "snapshot/snapshot.h"
#include "stampede/explore_file.h"
#include "stampede/lecture.h"
#include "stampede/scenario.h"

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QListWidget;
class QMenu;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTableWidget;
class QToolBar;

namespace stampede::gui {

class ChartsView;
class CompareView;
class DiagramView;
class LessonPanel;
class TimelineView;
class ScenarioPanel;
class SimWorker;
class SweepView;
class LectureBar;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  /// @param scenario the run to show; it starts paused at t=0.
  explicit MainWindow(const Scenario &scenario, QWidget *parent = nullptr);
  ~MainWindow() override;

  SimWorker *worker() const { return worker_; }
  ChartsView *charts() const { return charts_; }
  CompareView *compare() const { return compare_; }
  SweepView *sweep() const { return sweep_; }
  ScenarioPanel *scenarioPanel() const { return scenario_panel_; }
  LessonPanel *lessonPanel() const { return lesson_panel_; }
  /// @return the last snapshot applied.
  const Snapshot &lastSnapshot() const { return last_; }
  /// @return the panel that shows the followed request's life.
  TimelineView *timeline() const { return timeline_; }
  /// @return the followed request's life drawn large in the charts' place,
  /// shown in projector mode while a request is followed.
  TimelineView *stageTimeline() const { return stage_timeline_; }
  /// @return snapshots applied since the window opened.
  std::uint64_t snapshotsApplied() const { return applied_; }
  /// @return rows in the anomaly list.
  int anomalyRows() const;
  /// Selects row `row` of the anomaly list and shows its request. @return the details shown.
  QString showAnomaly(int row);
  /// @return the fault the status bar shows (Snapshot::fault), or empty
  /// when none is shown.
  QString faultShown() const;

  // Export (the menu's actions call these with a chosen path). @return true when written.
  bool exportWindowPng(const QString &path);
  bool exportChartsPng(const QString &path);
  bool exportCsv(const QString &path) const;
  bool exportReport(const QString &path) const;

  /// Opens what `path` holds, as File > Open does: a scenario or a report
  /// (its run_scenario) restarts the window on it, a lesson (its folder or
  /// steps.json) shows in the Lesson tab, a lecture playlist opens the
  /// lecture strip at its first demo. @return the problem, or empty.
  QString openPath(const QString &path);
  /// Shows the lecture strip and opens `lecture`'s demo `first`.
  void openLecture(const Lecture &lecture, int first = 0);
  /// Opens demo `index` of the lecture: its scenario, strategy, settings
  /// and seed, run as fast as it goes to its moment and paused there at its
  /// speed. @return false (said on the strip) when its scenario does not load.
  bool showDemo(int index);
  /// @return the lecture strip.
  LectureBar *lectureBar() const { return lecture_bar_; }
  /// Runs as fast as it goes to `at_s` simulated seconds, pauses there and
  /// then takes speed `speed_index` (the moment a demo or `--at` opens at).
  void arriveAt(double at_s, int speed_index);
  /// @return true while arriveAt() has not arrived.
  bool arriving() const { return arrive_at_ >= 0; }

  /// Schedule mode (`stampede-gui --schedule FILE`): steps through one of
  /// the file's schedules, `at_step` steps in and paused. Step runs the next
  /// step, Back the one before, Restart goes to step 0; the story stands
  /// under the diagram, the current step highlighted, those not run yet
  /// greyed. @param file a checked schedule file (its scenario is the
  /// window's). @param which the schedule (the picker's index).
  void openSchedule(const ScheduleFile &file, int which = 0, std::size_t at_step = 0);
  /// Picks the file's schedule `which` (as the picker does), at step 0.
  void pickSchedule(int which);
  /// @return the schedule picked (-1: no schedule open).
  int schedulePicked() const { return schedule_index_; }
  /// @return the story as listed: each step's line (told by the run for the
  /// steps run, the file's for the rest), then the end line once shown.
  QStringList storyLines() const;
  /// @return the row highlighted as the current step (-1: none, at the start).
  int storyCurrent() const { return story_current_; }
  /// @return how many of the story's rows are greyed (not run yet).
  int storyGreyed() const;
  /// @return the line above the story: "Step 3 of 8: view #1: ...".
  QString scheduleLine() const;
  /// Clicks row `row` of the story: follows its request (the Request tab).
  void clickStory(int row);
  /// @return the action that goes back a step (schedule mode).
  QAction *backAction() const { return back_; }
  /// @return the action that steps.
  QAction *stepAction() const { return step_; }

  /// How much projector mode enlarges fonts and lines.
  static constexpr double kProjectorScale = 1.6;
  /// @return true in projector mode.
  bool projectorMode() const { return projector_on_; }

public slots:
  void applySnapshot(const stampede::gui::Snapshot &s);
  /// Picks a speed by the combo's index (0 = x0.1 ... last = as fast as it goes).
  void setSpeedIndex(int index);
  /// Picks a strategy by name, as the combo does.
  void chooseStrategy(const QString &name);
  /// Projector mode on or off, as the View menu's entry toggles it: every
  /// font and line times kProjectorScale, the side panels hidden. Views that
  /// draw their own lines find the scale in their `projectorScale` property.
  void setProjectorMode(bool on);
  /// Hides the fault shown on the status bar (the run stays stopped).
  void dismissFault();

protected:
  void changeEvent(QEvent *event) override;
  void resizeEvent(QResizeEvent *event) override;

private:
  // The window's parts, built in this order by the constructor: the tabs
  // (the diagram over the charts, Compare, Sweep), the toolbar, the lecture
  // strip, the side panels, the menus, the status bar; then its size.
  void buildTabs();
  void buildLectureStrip();
  void buildStatusBar();
  void fitScreen();
  void buildToolbar();
  // The toolbar's groups, left to right: the run's (play and step; speed,
  // strategy, seed and restart), then the stack's (a burst of submits; cache
  // nodes; app servers).
  void buildPlayControls();
  void buildRunChoices();
  void buildBurstControls();
  void buildNodeControls();
  void buildTierControls();
  void buildServerControls();
  // Crash node and Add node, or the status bar's word on why not.
  void crashChosenNode();
  void addCacheNode();
  // Migrate to a new tier (of as many nodes as the tier in use) and Retire
  // old tier, each enabled while it makes sense (updateTierControls, per
  // snapshot; the tooltip says why not).
  void migrateCache();
  void retireOldCache();
  void updateTierControls();
  std::uint32_t tierNodes() const; // the tier in use's nodes, the gutter's aside
  void buildMenus();
  // The menus, left to right. @return the menu built.
  QMenu *buildFileMenu();
  QMenu *buildExportMenu();
  QMenu *buildViewMenu();
  QMenu *buildRunMenu();
  void buildDock();
  void updateTotals();
  void updateStatus();
  void showFault(const Snapshot &s);
  void onAnomalyMarker(double at_s, int kind);
  void applyScenario(const Scenario &scenario);
  // Says in the status bar why `control` cannot act when the run has ended.
  // @return true when it has.
  bool refuseAfterEnd(const QString &control);
  void restarting();
  void updateDock();
  void arrangeToolbars();
  void scaleCharts(double scale);
  void buildSchedulePane();
  void updateSchedule(const Snapshot &s);

  Scenario scenario_;
  SimWorker *worker_ = nullptr;
  DiagramView *diagram_ = nullptr;
  ChartsView *charts_ = nullptr;
  CompareView *compare_ = nullptr;
  SweepView *sweep_ = nullptr;
  ScenarioPanel *scenario_panel_ = nullptr;
  LessonPanel *lesson_panel_ = nullptr;
  TimelineView *timeline_ = nullptr;       ///< The followed request's life.
  TimelineView *stage_timeline_ = nullptr; ///< The same, large, under the diagram (projector).
  QStackedWidget *lower_ = nullptr;        ///< Under the diagram: the charts or the stage timeline.
  QTabWidget *side_ = nullptr;             ///< Measured, Request, Scenario, Lesson.
  QTableWidget *totals_ = nullptr;
  QListWidget *anomaly_list_ = nullptr;
  QLabel *details_ = nullptr;
  QLabel *status_ = nullptr;
  QTabWidget *tabs_ = nullptr;
  QDockWidget *dock_ = nullptr;
  QToolBar *run_bar_ = nullptr, *stack_bar_ = nullptr;
  std::vector<QAction *> bar_labels_; // the run bar's " Speed " and such
  struct BeamerText {
    QAction *action;
    QString full, beamer; // its text, and its shorter text in projector mode
  };
  std::vector<BeamerText> beamer_texts_;
  QAction *restart_ = nullptr;
  LectureBar *lecture_bar_ = nullptr;   ///< The lecture strip...
  QToolBar *lecture_toolbar_ = nullptr; ///< ... on a bar of its own, with a lecture open.
  double arrive_at_ = -1;               ///< arriveAt()'s moment; -1: none.
  int arrive_speed_ = 0;                ///< arriveAt()'s speed, once there.
  QAction *play_ = nullptr, *step_ = nullptr, *projector_ = nullptr;
  QAction *migrate_ = nullptr, *retire_ = nullptr; ///< A migration to a new memcached tier.
  QWidget *fault_box_ = nullptr;  ///< On the status bar: the fault and its Dismiss button.
  QLabel *fault_label_ = nullptr; ///< The fault's sentence.
  bool fault_dismissed_ = false;  ///< Dismissed for this run (generation).
  QComboBox *speed_ = nullptr, *strategy_ = nullptr;
  QSpinBox *seed_ = nullptr, *burst_ = nullptr, *node_ = nullptr;
  QTimer redraw_;
  bool changed_ = false;
  bool projector_on_ = false;
  bool toolbars_wrapped_ = true;
  // A restart or a new scenario was asked for and its first snapshot has
  // not come: the last snapshot no longer tells what the controls can do.
  bool restarting_ = false;
  std::uint64_t restart_from_ = 0; // the generation it restarts from

  // Schedule mode: the file's schedules, the one picked, and the pane
  // under the diagram that tells it.
  std::vector<ScheduleEntry> schedules_;
  int schedule_index_ = -1;
  QWidget *schedule_pane_ = nullptr;
  QComboBox *schedule_pick_ = nullptr;
  QLabel *schedule_line_ = nullptr;
  QListWidget *story_ = nullptr;
  int story_current_ = -1;
  QAction *back_ = nullptr;

  Snapshot last_;
  std::uint64_t applied_ = 0;
  std::vector<IntervalRecord> intervals_; // the whole run so far, for CSV export
  std::vector<AnomalyRecord> anomalies_;  // as listed
  std::uint64_t anomalies_unlisted_ = 0;
  std::unordered_map<std::uint64_t, RequestRecord> anomaly_requests_;
  static constexpr int kMaxListed = 5000;
};

} // namespace stampede::gui
