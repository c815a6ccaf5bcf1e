// The one window: the diagram on top, the live charts below, the totals and
// the anomaly list on the right, the controls in the toolbar. It only reads
// snapshots; every control is a queued call to the worker.
#pragma once

#include <QMainWindow>
#include <QTimer>
#include <unordered_map>
#include <vector>

#include "snapshot/snapshot.h"
#include "stampede/scenario.h"

class QAction;
class QComboBox;
class QLabel;
class QListWidget;
class QSpinBox;
class QTableWidget;

namespace stampede::gui {

class ChartsView;
class CompareView;
class DiagramView;
class LessonPanel;
class ScenarioPanel;
class SimWorker;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  /// @param scenario the run to show; it starts paused at t=0.
  explicit MainWindow(const Scenario &scenario, QWidget *parent = nullptr);
  ~MainWindow() override;

  SimWorker *worker() const { return worker_; }
  ChartsView *charts() const { return charts_; }
  CompareView *compare() const { return compare_; }
  ScenarioPanel *scenarioPanel() const { return scenario_panel_; }
  LessonPanel *lessonPanel() const { return lesson_panel_; }
  /// @return the last snapshot applied.
  const Snapshot &lastSnapshot() const { return last_; }
  /// @return snapshots applied since the window opened.
  std::uint64_t snapshotsApplied() const { return applied_; }
  /// @return rows in the anomaly list.
  int anomalyRows() const;
  /// Selects row `row` of the anomaly list and shows its request. @return the details shown.
  QString showAnomaly(int row);

  // Export (the menu's actions call these with a chosen path). @return true when written.
  bool exportWindowPng(const QString &path);
  bool exportChartsPng(const QString &path);
  bool exportCsv(const QString &path) const;
  bool exportReport(const QString &path) const;

public slots:
  void applySnapshot(const stampede::gui::Snapshot &s);
  /// Picks a speed by the combo's index (0 = x0.1 ... last = as fast as it goes).
  void setSpeedIndex(int index);
  /// Picks a strategy by name, as the combo does.
  void chooseStrategy(const QString &name);

private:
  void buildToolbar();
  void buildDock();
  void updateTotals();
  void updateStatus();
  void onAnomalyMarker(double at_s, int kind);
  void applyScenario(const Scenario &scenario);

  Scenario scenario_;
  SimWorker *worker_ = nullptr;
  DiagramView *diagram_ = nullptr;
  ChartsView *charts_ = nullptr;
  CompareView *compare_ = nullptr;
  ScenarioPanel *scenario_panel_ = nullptr;
  LessonPanel *lesson_panel_ = nullptr;
  QTableWidget *totals_ = nullptr;
  QListWidget *anomaly_list_ = nullptr;
  QLabel *details_ = nullptr;
  QLabel *status_ = nullptr;
  QAction *play_ = nullptr;
  QComboBox *speed_ = nullptr, *strategy_ = nullptr;
  QSpinBox *seed_ = nullptr, *burst_ = nullptr, *node_ = nullptr;
  QTimer redraw_;
  bool changed_ = false;

  Snapshot last_;
  std::uint64_t applied_ = 0;
  std::vector<IntervalRecord> intervals_; // the whole run so far, for CSV export
  std::vector<AnomalyRecord> anomalies_;  // as listed
  std::uint64_t anomalies_unlisted_ = 0;
  std::unordered_map<std::uint64_t, RequestRecord> anomaly_requests_;
  static constexpr int kMaxListed = 5000;
};

} // namespace stampede::gui
