// The Sweep tab (SPEC section 11): one scenario field varied over a list of
// values, under each of a list of strategies, each (value, strategy) over N
// seeds, as `stampede sweep SCENARIO --vary PATH=v1,v2 --strategies a,b
// --seeds N` runs it, on the scenario being shown (its edits included). The
// runs are the worker's (worker/sweep_runner.h, on a thread of its own); the
// chart (views/sweep_chart.h, the one `stampede sweep --plot` draws) is
// rebuilt as each row arrives: a line per strategy, its 95 % band behind
// it, y the output picked. Bad input (an unknown field, a value the field
// does not take, an unknown strategy) is said in the view, in the parser's
// words, and nothing runs.
#pragma once

#include <QString>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "stampede/scenario.h"
#include "worker/sweep_runner.h"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace stampede::gui {

struct SweepSeries;

class SweepView : public QWidget {
  Q_OBJECT
public:
  explicit SweepView(QWidget *parent = nullptr);
  /// Stops the sweep (at its next slice) and waits for the thread.
  ~SweepView() override;

  /// The scenario the next sweep varies (its seed and edits included); the
  /// field list offers its numeric fields.
  void setScenario(const Scenario &scenario);
  /// @return true while a sweep runs.
  bool busy() const { return busy_; }
  /// @return the chart shown.
  QChart *chart() const;
  /// @return the status line: progress, the end, or what is wrong.
  QString message() const;
  /// @return rows received for the sweep shown.
  int rows() const { return static_cast<int>(rows_.size()); }

  // The controls, as a user sets them.
  void setPath(const QString &path);
  void setValues(const QString &values);
  void setStrategies(const QString &names);
  void setSeeds(int n);
  /// Picks the output drawn on y. @return false for a path that is no output.
  bool setOutput(const QString &path);
  /// @return the report path drawn on y.
  QString output() const;

public slots:
  /// Checks the controls and starts the sweep (one still running is stopped
  /// first). @return false, with the reason shown, when the input is bad.
  bool runSweep();
  /// Stops the sweep running (its rows so far stay drawn); returns at once.
  void stop();

signals:
  /// Every row is in (or the sweep was stopped).
  void finished();

private:
  void addRow(const SweepRow &row);
  void progress(const CompareProgress &p);
  void done(const CompareDone &d);
  void redraw();
  void say(const QString &text, bool error);
  SweepSeries series() const;

  Scenario scenario_; // what the next sweep varies
  Scenario running_;  // what the sweep shown varies
  QComboBox *path_ = nullptr;
  QLineEdit *values_ = nullptr;
  QLineEdit *strategies_ = nullptr;
  QSpinBox *seeds_ = nullptr;
  QComboBox *output_ = nullptr;
  QPushButton *run_ = nullptr;
  QPushButton *stop_ = nullptr;
  QLabel *status_ = nullptr;
  QChartView *chart_view_ = nullptr;
  std::unique_ptr<SweepRunner> runner_;
  std::optional<SweepGrid> grid_; // the sweep shown
  std::vector<SweepRow> rows_;    // its rows so far
  std::uint64_t run_id_ = 0;
  bool busy_ = false;
};

} // namespace stampede::gui
