// The compare view: runs the strategies ticked above the table (the
// lecture's six to begin with; every registered strategy, update+cas and a
// loaded student library's student:* are offered) on the scenario being
// shown, each over the seeds asked for (1 to 100 independent replications,
// SPEC section 11), and fills the lecture's table (SPEC section 7) a row at
// a time, the same cells `stampede compare [--seeds N]` prints: over several
// seeds each cell reads `mean +- half-width` of its 95 % interval. Below the
// table a bar chart draws one column's means, with the 95 % interval as an
// error bar on each bar. The runs are the worker's
// (worker/compare_runner.h, on a thread of its own); the view only starts,
// stops and draws them, so the UI never waits for a simulation. The table's
// columns are sized to fit the view's width whenever their contents allow;
// only then does it scroll.
#pragma once

#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <vector>

#include "stampede/report.h"
#include "stampede/scenario.h"

class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLayout;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace stampede::gui {

class CompareRunner;
struct CompareDone;
struct CompareProgress;
struct CompareRow;

/// Every strategy a user may pick, in the order the window lists them: the
/// lecture's six (update+cas among them), then every other name in the
/// global registry (the strategies beyond the lecture, then student:*).
/// @return the names.
QStringList selectable_strategies();

class CompareView : public QWidget {
  Q_OBJECT
public:
  explicit CompareView(QWidget *parent = nullptr);
  /// Stops the runs (at their next slice) and waits for the thread.
  ~CompareView() override;

  /// The scenario the next comparison runs (its seed and edits included).
  void setScenario(const Scenario &scenario) { scenario_ = scenario; }
  /// @return true while strategies are running.
  bool busy() const { return busy_; }
  /// @return the table, for tests and export.
  const QTableWidget *table() const { return table_; }
  /// @return the strategies ticked, in the order they run.
  QStringList selected() const;
  /// Ticks exactly the strategies named (unknown names are ignored).
  void setSelected(const QStringList &names);
  /// @return the seeds each strategy runs (the Seeds box).
  int seeds() const;
  /// Sets the Seeds box (1 .. 100); the next runAll() runs that many.
  void setSeeds(int n);
  /// @return the chart under the table (its bars and error bars).
  QChart *chart() const;
  /// @return the report path the chart draws (a column of the table).
  QString chartedPath() const;
  /// Draws column `path` (a compare_paths() entry but `strategy`).
  /// @return false for a path that is not a column.
  bool setChartedPath(const QString &path);

public slots:
  /// Runs every ticked strategy on the scenario and fills the table; a
  /// comparison still running is stopped and begun again.
  void runAll();
  /// Stops the comparison running (its rows so far stay); returns at once.
  void stop();

signals:
  /// All rows are in (or the runs were stopped).
  void finished();

protected:
  void changeEvent(QEvent *event) override;
  bool eventFilter(QObject *watched, QEvent *event) override;

private:
  // The tab's parts, top to bottom: the buttons and the seeds box, the
  // strategies' ticks, the table, the chart of one column (with its choice).
  QHBoxLayout *buildButtons();
  QLayout *buildChoices();
  void buildTable();
  QWidget *buildChartPanel();
  void addRow(const CompareRow &row);
  void progress(const CompareProgress &p);
  void done(const CompareDone &done);
  void fitColumns();
  void redrawChart();

  Scenario scenario_;
  std::vector<QCheckBox *> choices_;
  QTableWidget *table_ = nullptr;
  QPushButton *run_ = nullptr;
  QPushButton *stop_ = nullptr;
  QLabel *status_ = nullptr;
  QSpinBox *seeds_ = nullptr;
  QComboBox *column_ = nullptr; // the charted column
  QChartView *chart_view_ = nullptr;
  std::vector<CompareRow> rows_; // the table's rows, for the chart
  std::unique_ptr<CompareRunner> runner_;
  std::uint64_t run_id_ = 0; // the comparison the table shows; older rows are dropped
  Scenario running_;         // the scenario it runs
  bool busy_ = false;
  int expected_rows_ = 0;
  int running_seeds_ = 1; // the seeds of the comparison shown
};

} // namespace stampede::gui
