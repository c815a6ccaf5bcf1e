// One request's life as a sequence diagram: four lanes (user, app server,
// cache, database), an entry per event from top to bottom in the order they
// happened, spans as bars with their length, and an anomaly's cause in
// words. Draws from the snapshot's timeline (RunControl::follow).
#pragma once

#include <QWidget>

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
  QSize sizeHint() const override;

protected:
  void paintEvent(QPaintEvent *event) override;

private:
  std::uint64_t serial_ = kNoSerial;
  std::vector<TimelineEntry> entries_;
  bool late_ = false, done_ = false;
};

} // namespace stampede::gui
