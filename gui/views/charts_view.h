// Live charts against simulated time, one point per interval: the database
// (queries/s as they reach it, the diagram's measure, with the interval
// under way drawn up to the instant shown; and its queue), the cache hit ratio, page-view latency
// p50/p99, and anomalies per second with a marker on the time axis where each kind first happened
// in an interval (click one to find its request).
#pragma once

#include <QWidget>
#include <array>
#include <vector>

#include "snapshot/snapshot.h"

class QChart;
class QChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace stampede::gui {

class ChartsView : public QWidget {
  Q_OBJECT
public:
  explicit ChartsView(QWidget *parent = nullptr);
  /// Appends the snapshot's intervals and anomaly markers.
  void applySnapshot(const Snapshot &s);
  /// @return the points plotted so far on the DB queries/s line (for tests).
  qsizetype points() const;
  /// @return the DB queries/s line's last point (the interval under way,
  /// up to the instant shown), or (0, 0) when it has none.
  QPointF lastDbRate() const;
  /// @return the chart views, for export.
  const std::vector<QChartView *> &chartViews() const { return views_; }
  /// A legend beside its chart gets the font asked for (its `wantedFont`
  /// property, else its own) or, when its entries would not fit the chart's
  /// height at that size, the largest size down to 60 % at which they do:
  /// a short chart keeps every entry of its legend, never clips the last.
  void fitLegends();

protected:
  void resizeEvent(QResizeEvent *event) override;

signals:
  /// An anomaly marker was clicked. @param at_s its simulated time. @param kind its kind.
  void anomalyClicked(double at_s, int kind);

private:
  struct Panel {
    QChart *chart = nullptr;
    QValueAxis *x = nullptr, *y = nullptr, *y2 = nullptr;
    std::vector<QLineSeries *> lines;
    double ymax = 0, y2max = 0;
  };
  Panel make(const QString &title, const std::vector<QString> &names, const QString &y_title,
             bool second_axis = false);
  void clear(double end_s);
  static void fit(QValueAxis *axis, double &max, double value);

  std::uint64_t generation_ = ~std::uint64_t{0};
  bool head_ = false; // the DB line ends in the interval under way's point
  Panel db_, hit_, latency_, anomalies_;
  std::array<QScatterSeries *, 4> markers_{};
  std::vector<QChartView *> views_;
};

} // namespace stampede::gui
