// The compare view: runs the lecture's strategies on the scenario being
// shown, one after another on a thread of its own, and fills the lecture's
// table (SPEC section 7) a row at a time, the same cells `stampede compare`
// prints.
#pragma once

#include <QWidget>
#include <atomic>

#include "stampede/report.h"
#include "stampede/scenario.h"

class QLabel;
class QPushButton;
class QTableWidget;
class QThread;

namespace stampede::gui {

class CompareView : public QWidget {
  Q_OBJECT
public:
  explicit CompareView(QWidget *parent = nullptr);
  /// Stops the runs (between slices) and waits for the thread.
  ~CompareView() override;

  /// The scenario the next comparison runs (its seed and edits included).
  void setScenario(const Scenario &scenario) { scenario_ = scenario; }
  /// @return true while strategies are running.
  bool busy() const { return thread_ != nullptr; }
  /// @return the table, for tests and export.
  const QTableWidget *table() const { return table_; }

public slots:
  /// Runs every lecture strategy on the scenario and fills the table.
  void runAll();

signals:
  /// All rows are in (or the runs were stopped).
  void finished();

private:
  void addRow(const Report &r);
  void done();

  Scenario scenario_;
  QTableWidget *table_ = nullptr;
  QPushButton *run_ = nullptr;
  QLabel *status_ = nullptr;
  QThread *thread_ = nullptr;
  std::atomic<bool> cancel_{false};
  int expected_rows_ = 0;
};

} // namespace stampede::gui
