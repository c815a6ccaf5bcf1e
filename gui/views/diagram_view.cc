#include "views/diagram_view.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace stampede::gui {

namespace {

const QColor kBox(245, 246, 250);
const QColor kEdge(150, 155, 170);
const QColor kBusy(70, 120, 200);
const QColor kHit(40, 160, 80);
const QColor kMiss(210, 60, 50);
const QColor kDown(180, 180, 180);
const QColor kView(90, 110, 190);
const QColor kInsert(40, 140, 140);
const QColor kWrite(120, 140, 160);
const QColor kConflict(130, 70, 180); // as the charts mark CAS conflicts
const QColor kRead(160, 100, 50);

void box(QPainter &p, const QRectF &r, const QString &title, const QString &detail,
         const QColor &border = QColor(90, 95, 110)) {
  p.setPen(QPen(border, 1.5));
  p.setBrush(kBox);
  p.drawRoundedRect(r, 6, 6);
  p.setPen(Qt::black);
  QFont f = p.font();
  f.setBold(true);
  p.setFont(f);
  p.drawText(r.adjusted(6, 4, -6, -4), Qt::AlignTop | Qt::AlignHCenter, title);
  f.setBold(false);
  p.setFont(f);
  p.drawText(r.adjusted(6, 4, -6, -4), Qt::AlignBottom | Qt::AlignHCenter, detail);
}

// A bar of `used` out of `total` inside a box, under its title.
void gauge(QPainter &p, const QRectF &r, double used, double total, const QColor &c) {
  const QRectF bar(r.left() + 8, r.center().y() - 5, r.width() - 16, 10);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(225, 228, 235));
  p.drawRect(bar);
  p.setBrush(c);
  const double share = total > 0 ? std::clamp(used / total, 0.0, 1.0) : 0;
  p.drawRect(QRectF(bar.left(), bar.top(), bar.width() * share, bar.height()));
}

void wire(QPainter &p, QPointF a, QPointF b) {
  p.setPen(QPen(kEdge, 1.2));
  p.drawLine(a, b);
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
  if (!s.intervals.empty()) {
    const IntervalRecord &i = s.intervals.back();
    const double len = ns_to_seconds(i.end - i.start);
    if (len > 0) {
      arrivals_per_s_ = static_cast<double>(i.arrivals) / len;
      db_reads_per_s_ = static_cast<double>(i.db_reads + i.db_writes) / len;
    }
  }
  if (s.generation != last_.generation) {
    arrivals_per_s_ = 0;
    db_reads_per_s_ = 0;
  }
  last_ = s;
  workers_ = std::max<std::uint32_t>(1, workers_per_server);
  connections_ = std::max<std::uint32_t>(1, db_connections);
}

void DiagramView::paintEvent(QPaintEvent *) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const StackState &st = last_.stack;
  const double w = width();
  const double h = height() - 22; // the bottom strip holds the key to the dots
  const double col = w / 5;
  const double bw = std::min(150.0, col * 0.8);

  // Columns: users, balancer, app servers, memcached, database.
  const QRectF users(col * 0.5 - bw / 2, h / 2 - 30, bw, 60);
  const QRectF lb(col * 1.5 - bw / 2, h / 2 - 25, bw, 50);
  const auto servers = static_cast<int>(st.busy_workers.size());
  const auto nodes = static_cast<int>(st.cache_up.size());
  auto stacked = [&](int n, int i, double cx) {
    const double gap = 8;
    const double bh = std::min(70.0, (h - 20 - gap * (n - 1)) / std::max(n, 1));
    const double top = (h - (bh * n + gap * (n - 1))) / 2;
    return QRectF(cx - bw / 2, top + i * (bh + gap), bw, bh);
  };
  const double db_height = std::min(90.0, h * 0.4);
  const QRectF db(col * 4.5 - bw / 2, nodes > 0 ? h - db_height - 10 : h / 2 - db_height / 2, bw,
                  db_height);

  wire(p, QPointF(users.right(), users.center().y()), QPointF(lb.left(), lb.center().y()));
  for (int s = 0; s < servers; ++s) {
    const QRectF r = stacked(servers, s, col * 2.5);
    wire(p, QPointF(lb.right(), lb.center().y()), QPointF(r.left(), r.center().y()));
    for (int n = 0; n < nodes; ++n) {
      const QRectF c = stacked(nodes, n, col * 3.5);
      wire(p, QPointF(r.right(), r.center().y()), QPointF(c.left(), c.center().y()));
    }
    wire(p, QPointF(r.right(), r.center().y()), QPointF(db.left(), db.center().y()));
  }

  // Requests in motion: the latest of each kind as dots on their wire, the
  // newest nearest where it went.
  const auto dot = [&](QPointF from, QPointF to, std::size_t k, std::size_t n, QColor c) {
    const double t = 0.15 + 0.7 * static_cast<double>(k + 1) / static_cast<double>(n);
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawEllipse(from + (to - from) * t, 3.5, 3.5);
  };
  const auto &requests = last_.requests; // answered: dots on the balancer's wires
  for (std::size_t k = 0; k < requests.size(); ++k) {
    const RequestRecord &r = requests[k];
    if (static_cast<int>(r.server) >= servers)
      continue;
    const QRectF a = stacked(servers, static_cast<int>(r.server), col * 2.5);
    dot(QPointF(lb.right(), lb.center().y()), QPointF(a.left(), a.center().y()), k, requests.size(),
        r.stale    ? kMiss
        : r.submit ? kInsert
                   : kView);
  }
  const auto &calls = last_.calls; // cache calls
  for (std::size_t k = 0; k < calls.size(); ++k) {
    const CallRecord &c = calls[k];
    if (c.node < 0 || c.node >= nodes || static_cast<int>(c.server) >= servers)
      continue;
    const QRectF a = stacked(servers, static_cast<int>(c.server), col * 2.5);
    const QRectF n = stacked(nodes, c.node, col * 3.5);
    const QColor colour = c.op == Op::kCacheGet           ? (c.hit ? kHit : kMiss)
                          : c.status == McStatus::kExists ? kConflict
                                                          : kWrite;
    dot(QPointF(a.right(), a.center().y()), QPointF(n.left(), n.center().y()), k, calls.size(),
        colour);
  }
  const auto &db_calls = last_.db_calls;
  for (std::size_t k = 0; k < db_calls.size(); ++k) {
    const CallRecord &c = db_calls[k];
    if (static_cast<int>(c.server) >= servers)
      continue;
    const QRectF a = stacked(servers, static_cast<int>(c.server), col * 2.5);
    dot(QPointF(a.right(), a.center().y()), QPointF(db.left(), db.center().y()), k, db_calls.size(),
        c.op == Op::kDbRead ? kRead : kInsert);
  }

  // The key to the dots, bottom left.
  const std::pair<QColor, const char *> key[] = {
      {kView, "page view"},    {kInsert, "submit / insert"},
      {kHit, "cache hit"},     {kMiss, "miss / stale view"},
      {kWrite, "cache write"}, {kConflict, "CAS conflict"},
      {kRead, "DB read"}};
  double x = 8;
  const double y = height() - 11.0;
  for (const auto &[colour, label] : key) {
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawEllipse(QPointF(x + 4, y), 3.5, 3.5);
    p.setPen(QColor(70, 70, 80));
    const QString text(label);
    p.drawText(QPointF(x + 11, y + 4), text);
    x += 11 + p.fontMetrics().horizontalAdvance(text) + 12;
  }

  box(p, users, "Users", QString("%1 req/s").arg(arrivals_per_s_, 0, 'f', 0));
  box(p, lb, "Load balancer", "");
  for (int s = 0; s < servers; ++s) {
    const QRectF r = stacked(servers, s, col * 2.5);
    const auto busy = st.busy_workers[static_cast<std::size_t>(s)];
    const auto queue =
        s < static_cast<int>(st.app_queue.size()) ? st.app_queue[static_cast<std::size_t>(s)] : 0;
    box(p, r, QString("App %1").arg(s),
        QString("%1/%2 busy, %3 waiting").arg(busy).arg(workers_).arg(queue),
        queue > 0 ? kMiss : QColor(90, 95, 110));
    if (r.height() >= 44)
      gauge(p, r, busy, workers_, kBusy);
  }
  for (int n = 0; n < nodes; ++n) {
    const QRectF r = stacked(nodes, n, col * 3.5);
    const bool up = st.cache_up[static_cast<std::size_t>(n)];
    box(p, r, QString("memcached %1").arg(n),
        up ? QString("items: %1").arg(st.cache_items[static_cast<std::size_t>(n)])
           : QString("down"),
        up ? QColor(90, 95, 110) : kDown);
  }
  box(p, db, "Database",
      QString("%1/%2 busy, %3 waiting\n%4 queries/s")
          .arg(st.db_busy)
          .arg(connections_)
          .arg(st.db_queue)
          .arg(db_reads_per_s_, 0, 'f', 0),
      st.db_queue > 0 ? kMiss : QColor(90, 95, 110));
  gauge(p, db.adjusted(0, -12, 0, -12), st.db_busy, connections_, kBusy);

  // Strategy and clock, top left.
  p.setPen(Qt::black);
  p.drawText(QRectF(8, 4, w - 16, 20), Qt::AlignLeft,
             QString("strategy: %1    t = %2 s / %3 s")
                 .arg(QString::fromStdString(st.strategy))
                 .arg(ns_to_seconds(last_.now), 0, 'f', 2)
                 .arg(ns_to_seconds(last_.end), 0, 'f', 0));
}

} // namespace stampede::gui
