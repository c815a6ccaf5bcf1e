// The architecture as a diagram: users -> load balancer -> app servers ->
// memcached nodes and the database, with busy workers, queues and items on
// each box and the latest cache calls as dots on the wires, green for hits
// and red for misses. Draws from the last snapshot it was given.
#pragma once

#include <QWidget>

#include "snapshot/snapshot.h"

namespace stampede::gui {

class DiagramView : public QWidget {
  Q_OBJECT
public:
  explicit DiagramView(QWidget *parent = nullptr);
  /// Keeps what the diagram shows; the caller repaints on its own timer.
  void applySnapshot(const Snapshot &s, std::uint32_t workers_per_server,
                     std::uint32_t db_connections);
  QSize sizeHint() const override { return {900, 300}; }

protected:
  void paintEvent(QPaintEvent *event) override;

private:
  Snapshot last_;
  std::uint32_t workers_ = 1, connections_ = 1;
  double arrivals_per_s_ = 0;
  double db_reads_per_s_ = 0;
};

} // namespace stampede::gui
