// One request's life as a sequence diagram: four lanes (user, app server,
// cache, database), an entry per event from top to bottom in the order they
// happened, spans as bars with their length, and an anomaly's cause in
// words. Draws from the snapshot's timeline (RunControl::follow). When a
// fault stopped the run in the request followed, its sentence stands in red
// above the timeline, the same words as on the status bar.
#pragma once

#include <QWidget>
#include <vector>

#include "snapshot/snapshot.h"

namespace stampede::gui {

class TimelineView : public QWidget {
  Q_OBJECT
public:
  explicit TimelineView(QWidget *parent = nullptr);
  /// Keeps the followed request's timeline from `s` (nothing when none).
  void applySnapshot(const Snapshot &s);
  /// @return the rows drawn, in order, as text (for tests and copying).
  QStringList rows() const;
  /// @return the fault drawn above the rows (Snapshot::fault), or empty.
  QString fault() const { return fault_; }
  QSize sizeHint() const override;

protected:
  void paintEvent(QPaintEvent *event) override;
  void resizeEvent(QResizeEvent *event) override;

private:
  /// @return the fault's box above the lanes, at this width (empty: none).
  QRect faultRect() const;
  /// @return each entry's row height at this width (its words wrap).
  std::vector<int> rowHeights() const;
  /// @return the line under the rows: the request, and whether it is done.
  QString foot() const;
  /// @return that line's height, wrapped to this width.
  int footHeight() const;

  std::uint64_t serial_ = kNoSerial;
  QString fault_; // the fault that stopped the run in this request
  std::vector<TimelineEntry> entries_;
  bool late_ = false, done_ = false;
  bool schedule_ = false; // a schedule's request (Snapshot::schedule): numbered from 1
};

} // namespace stampede::gui
