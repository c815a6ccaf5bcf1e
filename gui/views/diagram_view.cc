// The architecture as a diagram: the widget, the snapshot it keeps, and the
// painting of a frame (wires, boxes, labels, dots) from the layout
// (diagram_layout.cc) and the dots (diagram_dots.cc).
#include "views/diagram_view.h"

#include <QFontInfo>
#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>

#include "views/diagram_layout.h"
#include "views/palette.h"

namespace stampede::gui {

namespace {

using diagram::Text;

const QColor kBox(245, 246, 250);
const QColor kEdge(190, 194, 204);
const QColor kBorder(90, 95, 110);
const QColor kDown(190, 190, 190);
const QColor kCell(225, 228, 235);
const QColor kText(25, 25, 35);
// A migration's old tier: greyed, dashed, on its way out.
const QColor kOldFill(233, 234, 238);
const QColor kOldBorder(120, 124, 136);
const QColor kOldText(75, 78, 90);

void draw(QPainter &p, const Text &t) {
  if (t.lines.isEmpty())
    return;
  p.setPen(t.muted ? kOldText : kText);
  const double lh = QFontMetricsF(t.font).height();
  for (qsizetype i = 0; i < t.lines.size(); ++i) {
    QFont f = t.font;
    f.setBold(i == 0 && t.bold_first);
    p.setFont(f);
    const QRectF line(t.rect.left(), t.rect.top() + lh * static_cast<double>(i), t.rect.width(),
                      lh);
    p.drawText(line, static_cast<int>((t.align & Qt::AlignHorizontal_Mask) | Qt::AlignVCenter),
               t.lines[i]);
  }
}

void box(QPainter &p, const QRectF &r, bool alarm, bool down = false) {
  QPen pen(down ? kDown : kBorder, alarm ? 2.5 : 1.2);
  if (down)
    pen.setStyle(Qt::DashLine);
  p.setPen(pen);
  p.setBrush(kBox);
  p.drawRoundedRect(r, 5, 5);
}

} // namespace

DiagramView::DiagramView(QWidget *parent) : QWidget(parent) {
  setMinimumSize(640, 220);
  setAutoFillBackground(true);
  QPalette pal = palette();
  pal.setColor(QPalette::Window, Qt::white);
  setPalette(pal);
}

void DiagramView::applySnapshot(const Snapshot &s, std::uint32_t workers_per_server,
                                std::uint32_t db_connections) {
  if (s.generation != last_.generation)
    arrivals_per_s_ = 0;
  if (!s.intervals.empty()) {
    const IntervalRecord &i = s.intervals.back();
    const double len = ns_to_seconds(i.end - i.start);
    if (len > 0)
      arrivals_per_s_ = static_cast<double>(i.arrivals) / len;
  }
  last_ = s;
  last_.workers = std::max<std::uint32_t>(1, workers_per_server);
  last_.db_connections = std::max<std::uint32_t>(1, db_connections);
}

std::vector<DiagramView::Label> DiagramView::labels() const {
  std::vector<Label> out;
  for (const Text &t : layout().texts)
    if (!t.lines.isEmpty())
      out.push_back({t.rect, t.frame, t.lines.join('\n'), QFontInfo(t.font).pixelSize()});
  return out;
}

void DiagramView::paintEvent(QPaintEvent *) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const Layout l = layout();
  const Time t = shownTime();
  const std::size_t wires = paintWires(p, l); // under everything
  paintBoxes(p, l);
  for (const Text &text : l.texts)
    draw(p, text);
  const std::vector<Dot> drawn = dots(l, t);
  Frame f = frameOf(l, t, drawn);
  f.wires = wires;
  paintDots(p, l, drawn);
  frame_ = std::move(f);
  emit framePainted();
}

namespace {

// A server removed from the balancer's pool (live) gets no new requests:
// no wire from the balancer, a dashed box while it finishes what it holds.
bool in_pool(const StackState &st, std::size_t s) {
  return s >= st.app_in_pool.size() || st.app_in_pool[s];
}

} // namespace

std::size_t DiagramView::paintWires(QPainter &p, const Layout &l) const {
  const StackState &st = last_.stack;
  p.setPen(QPen(kEdge, 1));
  std::size_t wires = 0;
  const auto wire = [&](QPointF a, QPointF b) {
    p.drawLine(a, b);
    ++wires;
  };
  if (l.edge.isEmpty()) {
    wire(QPointF(l.users.right(), l.users.center().y()), QPointF(l.lb.left(), l.lb.center().y()));
  } else { // every request passes the front cache; the views it cannot answer go on
    wire(QPointF(l.users.right(), l.users.center().y()),
         QPointF(l.edge.left(), l.edge.center().y()));
    wire(QPointF(l.edge.center().x(), l.edge.bottom()), QPointF(l.lb.center().x(), l.lb.top()));
  }
  // Every server talks to every node: past a few dozen pairs the wires
  // meet at a hub before the tier, one wire a server and one a node, so a
  // frame costs servers + nodes lines, not their product (1,024 x 1,024
  // took 13.6 s a frame). During a migration the old tier's nodes count
  // too, and their wires are dashed.
  const QPen solid(kEdge, 1), dashed(kEdge, 1, Qt::DashLine);
  const auto to_node = [&](QPointF from, const QRectF &n, bool old) {
    if (old)
      p.setPen(dashed);
    wire(from, QPointF(n.left(), n.center().y()));
    if (old)
      p.setPen(solid);
  };
  const bool hub = l.servers.size() * (l.nodes.size() + l.old_nodes.size()) > 64;
  QPointF hub_at;
  if (hub) {
    double top = l.nodes.front().top(), bottom = l.nodes.front().bottom(), left = 1e9;
    for (const auto *tier : {&l.nodes, &l.old_nodes})
      for (const QRectF &n : *tier) {
        top = std::min(top, n.top());
        bottom = std::max(bottom, n.bottom());
        left = std::min(left, n.left());
      }
    hub_at = QPointF(left - 10, (top + bottom) / 2);
    for (const QRectF &n : l.nodes)
      to_node(hub_at, n, false);
    for (const QRectF &n : l.old_nodes)
      to_node(hub_at, n, true);
  }
  for (std::size_t s = 0; s < l.servers.size(); ++s) {
    const QRectF &a = l.servers[s];
    if (a.isEmpty())
      continue; // it has left
    if (in_pool(st, s))
      wire(QPointF(l.lb.right(), l.lb.center().y()), QPointF(a.left(), a.center().y()));
    if (hub) {
      wire(QPointF(a.right(), a.center().y()), hub_at);
    } else {
      for (const QRectF &n : l.nodes)
        to_node(QPointF(a.right(), a.center().y()), n, false);
      for (const QRectF &n : l.old_nodes)
        to_node(QPointF(a.right(), a.center().y()), n, true);
    }
    wire(QPointF(a.right(), a.center().y()), QPointF(l.db.left(), l.db.center().y()));
  }
  return wires;
}

void DiagramView::paintBoxes(QPainter &p, const Layout &l) const {
  const StackState &st = last_.stack;
  box(p, l.users, false);
  box(p, l.lb, false);
  if (!l.edge.isEmpty())
    box(p, l.edge, false);
  for (std::size_t s = 0; s < l.servers.size(); ++s) {
    if (l.servers[s].isEmpty())
      continue; // it has left
    box(p, l.servers[s], s < st.app_queue.size() && st.app_queue[s] > 0, !in_pool(st, s));
    if (!l.local[s].isEmpty()) {
      p.setPen(QPen(kBorder, 1));
      p.setBrush(Qt::white);
      p.drawRoundedRect(l.local[s], 3, 3);
    }
  }
  for (std::size_t n = 0; n < l.nodes.size(); ++n) {
    const bool up = n < st.cache_up.size() && st.cache_up[n];
    box(p, l.nodes[n], false, !up);
  }
  if (!l.old_nodes.empty()) {
    // The old tier: a dotted frame around greyed, dashed boxes.
    p.setPen(QPen(kOldBorder, 1, Qt::DotLine));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(l.old_group, 7, 7);
    p.setPen(QPen(kOldBorder, 1.2, Qt::DashLine));
    p.setBrush(kOldFill);
    for (const QRectF &n : l.old_nodes)
      p.drawRoundedRect(n, 5, 5);
  }
  box(p, l.db, st.db_queue > 0);
  // The connections, one cell per `per_dot` of them.
  p.setPen(Qt::NoPen);
  p.setBrush(kCell);
  const auto cols = static_cast<std::uint32_t>(l.cell_cols);
  for (std::uint32_t c = 0; c < l.cells; ++c)
    p.drawRect(QRectF(l.db_cells.left() + (c % cols) * l.cell + 1,
                      l.db_cells.top() + (c / cols) * l.cell + 1, l.cell - 2, l.cell - 2));
}

DiagramView::Frame DiagramView::frameOf(const Layout &l, Time t,
                                        const std::vector<Dot> &drawn) const {
  // What this frame shows, counter beside dots, for the tests.
  const StackState &st = last_.stack;
  Frame f;
  f.at = t;
  f.per_dot = l.per_dot;
  f.busy = st.busy_workers;
  f.waiting = st.app_queue;
  f.busy_dots.assign(l.servers.size(), 0);
  f.queue_dots.assign(l.servers.size(), 0);
  f.db_busy = st.db_busy;
  f.db_queue = st.db_queue;
  f.db_cells = l.cells;
  for (const Dot &d : drawn) {
    if (d.server < l.servers.size())
      ++(d.place == Place::kAppQueue ? f.queue_dots : f.busy_dots)[d.server];
    f.db_busy_dots += d.place == Place::kDbRunning;
    f.db_queue_dots += d.place == Place::kDbQueued;
  }
  return f;
}

void DiagramView::paintDots(QPainter &p, const Layout &l, const std::vector<Dot> &drawn) const {
  const auto dot = [&](QPointF at, Shade shade, double r) {
    const QColor c = palette::shade(shade);
    p.setPen(shade == Shade::kCall ? QPen(palette::kGrey, 1) : Qt::NoPen);
    p.setBrush(c);
    p.drawEllipse(at, r, r);
  };
  const double db_r = std::clamp(l.cell / 2 - 1.5, 1.5, 4.0 * l.scale);
  for (const Dot &d : drawn) {
    const double r = d.place == Place::kDbRunning ? db_r : l.r;
    dot(d.at, d.shade, r);
    if (d.serial == last_.followed && last_.followed != kNoSerial) {
      // The request followed in the Request tab: ringed wherever it is.
      p.setPen(QPen(palette::kBlack, 2 * l.scale));
      p.setBrush(Qt::NoBrush);
      p.drawEllipse(d.at, r + 3 * l.scale, r + 3 * l.scale);
    }
  }
  for (const auto &[at, shade] : l.key)
    dot(at, shade, 3.5 * l.scale);
}

} // namespace stampede::gui
