// The architecture as a diagram: users -> load balancer -> app servers ->
// memcached nodes (or each server's own cache) and the database, with what
// is in flight at the instant shown drawn where it is: a page view waiting
// for a worker in its server's queue, on its worker's CPU inside the server,
// a cache call travelling to its node and back, a query waiting in the
// database's queue or running on a connection. Between snapshots the
// instant moves on with the pacing clock, so dots move smoothly; nothing is
// drawn past its end. Colours: views/palette.h.
//
// The layout fits 1 to 16 app servers and 1 to 8 cache nodes: each label is
// the longest of its wordings that fits its box (shrinking the font a
// little first), so no two labels overlap. dots() and labels() say what a
// frame draws, for tests.
#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "snapshot/snapshot.h"

namespace stampede::gui {

class DiagramView : public QWidget {
  Q_OBJECT
public:
  /// Where a dot is drawn.
  enum class Place : std::uint8_t {
    kAppQueue,  ///< Waiting for a worker, left of its server.
    kCpu,       ///< On a worker's CPU, inside its server.
    kCacheCall, ///< On the wire to its cache node, or back.
    kDbQueued,  ///< In the database's queue.
    kDbRunning, ///< On a database connection.
  };
  /// One dot of a frame.
  struct Dot {
    Place place;
    Shade shade;              ///< Its colour's meaning.
    QPointF at;               ///< Its centre, in widget coordinates.
    std::uint64_t serial = 0; ///< Its request (0 for a queue dot: the queue is a count).
  };
  /// One block of text of a frame.
  struct Label {
    QRectF rect;  ///< Where its text is drawn (the text's own extent).
    QRectF frame; ///< What it must stay inside: its box, or the widget.
    QString text; ///< Its lines, joined by '\n'.
    int px = 0;   ///< Its font's size in pixels.
  };

  explicit DiagramView(QWidget *parent = nullptr);
  /// Keeps what the diagram shows; it repaints on its own timer while the
  /// clock moves, else when the caller asks.
  void applySnapshot(const Snapshot &s, std::uint32_t workers_per_server,
                     std::uint32_t db_connections);
  QSize sizeHint() const override { return {900, 300}; }

  /// @return the simulated instant a frame painted now shows: the
  /// snapshot's, moved on by the wall time since at the set speed (paused,
  /// or as fast as it goes: the snapshot's own).
  Time shownTime() const;
  /// @param t a simulated instant at or after the snapshot's.
  /// @return the dots a frame at `t` draws, at the widget's present size.
  std::vector<Dot> dots(Time t) const;
  /// @return the labels a frame draws, at the widget's present size.
  std::vector<Label> labels() const;

protected:
  void paintEvent(QPaintEvent *event) override;

private:
  struct Layout;
  Layout layout() const;
  std::vector<Dot> dots(const Layout &l, Time t) const;

  Snapshot last_;
  QElapsedTimer since_; // wall time since last_ arrived
  QTimer frames_;       // repaints while the clock moves
  Time floor_ = -1;     // the last instant shown while playing: frames never go back
  double arrivals_per_s_ = 0;
};

} // namespace stampede::gui
