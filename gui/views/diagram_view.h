// The architecture as a diagram: users -> load balancer -> app servers ->
// memcached nodes (or each server's own cache) and the database, with what
// is in flight at the instant shown drawn where it is: a page view waiting
// for a worker in its server's queue, on its worker's CPU inside the server,
// a cache call travelling to its node and back, a query waiting in the
// database's queue or running on a connection. A frame shows its
// snapshot's instant and nothing else: never ahead of what the run holds, so
// every place draws what its counter says. When more is in flight
// than a place can hold, one dot stands for k requests in every place alike
// (the top line says so), the database's cells included. Colours:
// views/palette.h. While a migration is under way (migrate_cache until
// retire_old_cache) the old tier's nodes stand under the tier in use,
// greyed and dashed in a dotted frame, "old memcached i" with their
// items, and its calls (node cache_items.size() + i) travel to them.
//
// The layout fits 1 to 16 app servers and 1 to 8 cache nodes: each label is
// the longest of its wordings that fits its box (shrinking the font a
// little first), so no two labels overlap. dots() and labels() say what a
// frame draws, for tests.
//
// One class over three files: diagram_view.cc (the widget and its
// painting), diagram_layout.cc (the layout), diagram_dots.cc (the dots).
#pragma once

#include <QWidget>
#include <optional>
#include <vector>

#include "snapshot/snapshot.h"

class QPainter;

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
    std::uint32_t server = 0; ///< The app server whose request it is.
  };
  /// What one painted frame showed, for tests: each place's counter as its
  /// label said it, and the dots drawn there.
  struct Frame {
    Time at = 0;                             ///< The instant shown (the clock's label).
    std::uint32_t per_dot = 1;               ///< 1 dot = this many requests.
    std::vector<std::uint32_t> busy;         ///< Per app server: "N/W busy".
    std::vector<std::uint64_t> waiting;      ///< Per app server: "M waiting".
    std::vector<std::size_t> busy_dots;      ///< Per app server: its requests' dots anywhere.
    std::vector<std::size_t> queue_dots;     ///< Per app server: its waiting line's dots.
    std::uint32_t db_busy = 0, db_queue = 0; ///< The database's "busy" and "waiting".
    std::size_t db_busy_dots = 0, db_queue_dots = 0; ///< Its dots on cells and in its queue.
    std::uint32_t db_cells = 0;                      ///< Connection cells drawn.
    std::size_t wires = 0;                           ///< Lines drawn between boxes.
  };
  /// One block of text of a frame.
  struct Label {
    QRectF rect;  ///< Where its text is drawn (the text's own extent).
    QRectF frame; ///< What it must stay inside: its box, or the widget.
    QString text; ///< Its lines, joined by '\n'.
    int px = 0;   ///< Its font's size in pixels.
  };

  explicit DiagramView(QWidget *parent = nullptr);
  /// Keeps what the diagram shows; it repaints when the caller asks (the
  /// window, once per snapshot).
  void applySnapshot(const Snapshot &s, std::uint32_t workers_per_server,
                     std::uint32_t db_connections);
  QSize sizeHint() const override { return {900, 300}; }

  /// @return the simulated instant a frame painted now shows: the
  /// snapshot's. When the run falls behind the clock, the picture waits for
  /// it (slow motion), never runs ahead of it.
  Time shownTime() const { return last_.now; }
  /// @param t a simulated instant at or after the snapshot's.
  /// @return the dots a frame at `t` draws, at the widget's present size.
  std::vector<Dot> dots(Time t) const;
  /// @return the labels a frame draws, at the widget's present size.
  std::vector<Label> labels() const;
  /// @return how many requests a dot stands for at the present size: the
  /// snapshot's sample, doubled until every place's dots fit it.
  std::uint32_t perDot() const;
  /// @return what the last painted frame showed.
  const Frame &lastFrame() const { return frame_; }

signals:
  /// A frame was painted (lastFrame() says what it showed).
  void framePainted();

protected:
  void paintEvent(QPaintEvent *event) override;

private:
  struct Layout;
  struct Geometry;
  Layout layout() const;
  // The parts of layout(), in the order they are laid out (the labels are
  // drawn in that order, the top strip's first).
  Geometry geometry() const;
  void layoutFront(Layout &l, const Geometry &g) const;
  void layoutKey(Layout &l, const Geometry &g) const;
  void layoutServers(Layout &l, const Geometry &g) const;
  QRectF layoutServer(Layout &l, const Geometry &g, int s, const QRectF &b) const;
  void layoutNodes(Layout &l, const Geometry &g) const;
  void layoutOldNodes(Layout &l, const Geometry &g, double margin) const;
  void layoutDatabase(Layout &l, const Geometry &g) const;
  void layoutSampling(Layout &l) const;
  void layoutTopStrip(Layout &l, const Geometry &g) const;
  // What a frame at `t` draws where (diagram_dots.cc): the waiting lines'
  // dots, then each activity in flight; a cache call on its wire.
  std::vector<Dot> dots(const Layout &l, Time t) const;
  void queueDots(const Layout &l, std::vector<Dot> &out) const;
  static std::optional<Dot> cacheCallDot(const Layout &l, const InFlight &f, Time t);
  // A frame's painting, in the order it is laid down: wires, boxes (and the
  // database's cells), then the labels, then the dots and the key's.
  std::size_t paintWires(QPainter &p, const Layout &l) const; // @return the wires drawn
  void paintBoxes(QPainter &p, const Layout &l) const;
  void paintDots(QPainter &p, const Layout &l, const std::vector<Dot> &drawn) const;
  Frame frameOf(const Layout &l, Time t, const std::vector<Dot> &drawn) const;

  std::uint32_t thinning(const Layout &l) const;

  Snapshot last_;
  double arrivals_per_s_ = 0;
  Frame frame_;
};

} // namespace stampede::gui
