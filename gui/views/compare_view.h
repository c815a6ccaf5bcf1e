// The compare view: runs the strategies ticked above the table (the
// lecture's six to begin with; every registered strategy, update+cas and a
// loaded student library's student:* are offered) on the scenario being
// shown, and fills the lecture's table (SPEC section 7) a row at a time, the
// same cells `stampede compare` prints. The runs are the worker's
// (worker/compare_runner.h, on a thread of its own); the view only starts,
// stops and draws them, so the UI never waits for a simulation. The table's columns are sized to
// fit the view's width whenever their contents allow; only then does it scroll.
#pragma once

#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <vector>

#include "stampede/report.h"
#include "stampede/scenario.h"

class QCheckBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace stampede::gui {

class CompareRunner;
struct CompareDone;
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
  void addRow(const CompareRow &row);
  void done(const CompareDone &done);
  void fitColumns();

  Scenario scenario_;
  std::vector<QCheckBox *> choices_;
  QTableWidget *table_ = nullptr;
  QPushButton *run_ = nullptr;
  QPushButton *stop_ = nullptr;
  QLabel *status_ = nullptr;
  std::unique_ptr<CompareRunner> runner_;
  std::uint64_t run_id_ = 0; // the comparison the table shows; older rows are dropped
  Scenario running_;         // the scenario it runs
  bool busy_ = false;
  int expected_rows_ = 0;
};

} // namespace stampede::gui
