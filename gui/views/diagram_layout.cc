// The diagram's layout for the widget's size: the columns and the band they stand
// in, then each part's boxes and labels (front, key, app servers, memcached nodes,
// database, sampling, top strip), each label the longest wording that fits.
#include <QFontInfo>
#include <QFontMetricsF>
#include <algorithm>
#include <cmath>
#include <optional>

#include "views/diagram_layout.h"

namespace stampede::gui {

namespace {

using diagram::Text;

constexpr int kMinPx = 9;    // the smallest font a label shrinks to
constexpr int kShrinkPx = 2; // how far a wording may shrink before a shorter one is tried

QFont sized(QFont f, int px) {
  f.setPixelSize(px);
  return f;
}

// The block `lines` takes at `f`, aligned in `area`; nothing when it does not fit.
std::optional<QRectF> place(const QStringList &lines, const QFont &f, bool bold_first,
                            const QRectF &area, Qt::Alignment a) {
  QFont bold = f;
  bold.setBold(true);
  const QFontMetricsF plain(f), strong(bold);
  double w = 0;
  for (qsizetype i = 0; i < lines.size(); ++i)
    w = std::max(w, (i == 0 && bold_first ? strong : plain).horizontalAdvance(lines[i]));
  const double h = plain.height() * static_cast<double>(lines.size());
  if (w > area.width() || h > area.height())
    return std::nullopt;
  const double x = (a & Qt::AlignLeft)    ? area.left()
                   : (a & Qt::AlignRight) ? area.right() - w
                                          : area.center().x() - w / 2;
  const double y = (a & Qt::AlignTop)      ? area.top()
                   : (a & Qt::AlignBottom) ? area.bottom() - h
                                           : area.center().y() - h / 2;
  return QRectF(x, y, w, h);
}

// The first wording that fits `area` at the base size or a little smaller;
// else the last, at the smallest size, each line elided and only the lines
// that fit (possibly none: then the label is empty).
Text fit(const QFont &base, const std::vector<QStringList> &wordings, bool bold, const QRectF &area,
         const QRectF &frame, Qt::Alignment align) {
  Text t;
  t.frame = frame;
  t.align = align;
  const int px = QFontInfo(base).pixelSize();
  for (const QStringList &lines : wordings)
    for (int size = px; size >= std::max(kMinPx, px - kShrinkPx); --size) {
      const QFont f = sized(base, size);
      const bool b = bold && lines.size() > 1;
      if (auto r = place(lines, f, b, area, align)) {
        t.rect = *r;
        t.lines = lines;
        t.font = f;
        t.bold_first = b;
        t.whole = true;
        return t;
      }
    }
  t.font = sized(base, kMinPx);
  const QFontMetricsF m(t.font);
  QStringList lines;
  for (const QString &line : wordings.back()) {
    if (m.height() * static_cast<double>(lines.size() + 1) > area.height())
      break;
    const QString e = m.elidedText(line, Qt::ElideRight, area.width());
    if (e.isEmpty() || e == QString(QChar(0x2026)))
      break;
    lines << e;
  }
  if (auto r = place(lines, t.font, false, area, align); r && !lines.isEmpty()) {
    t.rect = *r;
    t.lines = lines;
  }
  return t;
}

// Rows of boxes centred in [top, top + height): each box's height, the gap.
struct Stack {
  double top, box, gap;
  QRectF at(int i, double left, double width) const {
    return {left, top + i * (box + gap), width, box};
  }
};
Stack stacked(int n, double top, double height, double max_box) {
  n = std::max(n, 1);
  const double gap = std::clamp(height * 0.12 / n, 2.0, 10.0);
  const double bh = std::min(max_box, (height - gap * (n - 1)) / n);
  return {top + (height - (bh * n + gap * (n - 1))) / 2, bh, gap};
}

QString count(double v) { return QString::number(v, 'f', 0); }

} // namespace

// What every part of the layout shares: the font, the widget's size, the
// top strip, and the columns (users, balancer, app servers, [memcached,]
// database) with the band they stand in.
struct DiagramView::Geometry {
  QFont base;
  double W = 0, H = 0;
  double line = 0; // the base font's line height
  // The top strip (filled in last, once the sampling is known): strategy,
  // clock, and what a dot stands for. On a beamer the clock is large, on
  // the right, where the back of the room can read it.
  bool big_clock = false;
  QFont clock_font;
  QRectF top_area;
  double top = 0, bottom = 0, A = 0; // the band under the strip: its top, bottom and height
  int servers = 0, nodes = 0;
  int old_nodes = 0; // a migration's old tier, drawn under the tier in use
  int sub = 1;       // app servers' columns: 2 past 8 servers when one would be short
  std::vector<QRectF> cols;
  double pad = 4; // between a box's border and its label
};

DiagramView::Geometry DiagramView::geometry() const {
  Geometry g;
  const StackState &st = last_.stack;
  g.base = font();
  g.W = width();
  g.H = height();
  g.line = QFontMetricsF(g.base).height();
  g.servers = static_cast<int>(st.busy_workers.size());
  g.nodes = last_.local_cache ? 0 : static_cast<int>(st.cache_up.size());
  g.old_nodes = g.nodes == 0 ? 0 : static_cast<int>(st.old_cache_items.size());
  g.big_clock = property("projectorScale").toDouble() > 1;
  g.clock_font = g.base;
  g.clock_font.setPixelSize(static_cast<int>(std::lround(QFontInfo(g.base).pixelSize() * 1.5)));
  const double clock_h = g.big_clock ? QFontMetricsF(g.clock_font).height() : g.line;
  g.top_area = QRectF(8, 2, g.W - 16, std::max(g.line, clock_h) + 4);
  g.top = g.top_area.bottom() + 4;
  g.bottom = g.H - 4;
  g.A = std::max(20.0, g.bottom - g.top);

  // Columns: users, balancer, app servers, [memcached,] database. Past 8
  // servers, when one column of them would be short, they stand in two
  // (0-7 left, the rest right) and the first two columns give up width.
  const int min_row = 26; // a title, a details line and dots
  g.sub = g.servers > 8 && (g.A - 2.0 * (g.servers - 1)) / g.servers < min_row ? 2 : 1;
  std::vector<double> weights = {g.sub == 2 ? 0.55 : 0.7, g.sub == 2 ? 0.6 : 0.8,
                                 g.sub == 2 ? 2.6 : 1.6};
  if (g.nodes > 0)
    weights.push_back(1.1);
  weights.push_back(1.6);
  double total = 0;
  for (double w : weights)
    total += w;
  double x = 0;
  for (double w : weights) {
    g.cols.emplace_back(x, g.top, g.W * w / total, g.A);
    x += g.W * w / total;
  }
  return g;
}

DiagramView::Layout DiagramView::layout() const {
  const Geometry g = geometry();
  Layout l;
  layoutFront(l, g);
  layoutKey(l, g);
  layoutServers(l, g);
  layoutNodes(l, g);
  layoutDatabase(l, g);
  layoutSampling(l);
  layoutTopStrip(l, g);
  return l;
}

void DiagramView::layoutFront(Layout &l, const Geometry &g) const {
  const QRectF &ucol = g.cols[0], &lcol = g.cols[1];
  const double ub = std::min(130.0, ucol.width() * 0.84),
               lbw = std::min(130.0, lcol.width() * 0.84);
  // Users and balancer in the upper part; the key to the dots under them.
  const double mid = g.top + std::min(g.A / 2, std::max(40.0, g.A * 0.32));
  l.users = QRectF(ucol.center().x() - ub / 2, mid - 28, ub, 56);
  l.lb = QRectF(lcol.center().x() - lbw / 2, mid - 28, lbw, 56);
  if (last_.edge) {
    // The front cache stands above the balancer, in the users' path to it.
    l.edge = QRectF(lcol.center().x() - lbw / 2, mid - 54, lbw, 50);
    l.lb = QRectF(lcol.center().x() - lbw / 2, mid + 4, lbw, 50);
  }
  const double pad = g.pad;
  l.texts.push_back(fit(g.base,
                        {{"Users", QString("%1 req/s").arg(count(arrivals_per_s_))},
                         {"Users", QString("%1/s").arg(count(arrivals_per_s_))},
                         {QString("%1/s").arg(count(arrivals_per_s_))}},
                        true, l.users.adjusted(pad, pad, -pad, -pad), l.users, Qt::AlignCenter));
  l.texts.push_back(fit(g.base, {{"Load", "balancer"}, {"Balancer"}, {"LB"}}, false,
                        l.lb.adjusted(pad, pad, -pad, -pad), l.lb, Qt::AlignCenter));
  if (last_.edge) {
    const Report &tot = last_.totals;
    const std::uint64_t asked = tot.edge_hits + tot.edge_misses;
    const QString hits =
        asked ? QString("%1 % hits").arg(100.0 * tot.edge_hit_ratio, 0, 'f', 0) : QString("cold");
    const QString ttl = QString("ttl %1 s").arg(last_.edge_ttl_s, 0, 'g', 3);
    l.texts.push_back(
        fit(g.base,
            {{"Front cache", ttl + ", " + hits}, {"Front cache", hits}, {"Edge", hits}, {"Edge"}},
            true, l.edge.adjusted(pad, pad, -pad, -pad), l.edge, Qt::AlignCenter));
  }
}

void DiagramView::layoutKey(Layout &l, const Geometry &g) const {
  // The key, under the users and the balancer: one entry a line, or in two
  // columns when a short diagram (a beamer's) has no room for eight lines,
  // at the largest size that fits whole.
  const std::pair<Shade, const char *> key[] = {
      {Shade::kView, "page view (CPU, waiting)"}, {Shade::kInsert, "submit / insert"},
      {Shade::kCall, "cache get, asking"},        {Shade::kHit, "hit, coming back"},
      {Shade::kMiss, "miss, or waiting"},         {Shade::kWrite, "cache write"},
      {Shade::kConflict, "CAS conflict"},         {Shade::kDbRead, "DB read"}};
  const double key_top = std::max(l.users.bottom(), l.lb.bottom()) + 14;
  const QRectF key_area(8, key_top, g.cols[1].right() - 16, g.bottom - key_top);
  const auto entries = std::size(key);
  // force: lay it out even when it is too tall (the widget's bottom clips
  // it), unless it is too wide for its column.
  const auto lay_key = [&](int px, std::size_t cols, bool force) {
    const QFont f = sized(g.base, px);
    const QFontMetricsF km(f);
    const double step = km.height() + 1, gap = 8;
    const std::size_t rows = (entries + cols - 1) / cols;
    std::vector<double> widest(cols, 0);
    for (std::size_t i = 0; i < entries; ++i)
      widest[i / rows] = std::max(widest[i / rows], 12 + km.horizontalAdvance(key[i].second));
    double width = gap * static_cast<double>(cols - 1);
    for (double w : widest)
      width += w;
    if (width > key_area.width() ||
        (!force && step * static_cast<double>(rows) > key_area.height()))
      return false;
    double x = key_area.left();
    for (std::size_t c = 0; c < cols; ++c) {
      double y = key_area.top();
      for (std::size_t i = c * rows; i < std::min(entries, (c + 1) * rows); ++i) {
        l.key.emplace_back(QPointF(x + 4, y + step / 2), key[i].first);
        Text t;
        t.font = f;
        t.lines = {key[i].second};
        t.rect = QRectF(x + 12, y, km.horizontalAdvance(key[i].second), km.height());
        t.frame = rect();
        t.align = Qt::AlignLeft;
        l.texts.push_back(t);
        y += step;
      }
      x += widest[c] + gap;
    }
    return true;
  };
  bool keyed = false;
  for (int px = QFontInfo(g.base).pixelSize() - 1; px >= kMinPx && !keyed; --px)
    for (std::size_t cols : {std::size_t{1}, std::size_t{2}})
      if (!keyed)
        keyed = lay_key(px, cols, false);
  if (!keyed && !lay_key(kMinPx, 2, true))
    lay_key(kMinPx, 1, true);
}

void DiagramView::layoutServers(Layout &l, const Geometry &g) const {
  // App servers, with their waiting lines in the gap to their left. A server
  // removed live stays, dashed, while it finishes what it holds; once it
  // holds nothing it has left, and the others take its room.
  const StackState &st = last_.stack;
  const auto gone = [&](int s) {
    const auto i = static_cast<std::size_t>(s);
    return i < st.app_in_pool.size() && !st.app_in_pool[i] && st.busy_workers[i] == 0 &&
           (i >= st.app_queue.size() || st.app_queue[i] == 0);
  };
  int shown_servers = 0;
  for (int s = 0; s < g.servers; ++s)
    shown_servers += gone(s) ? 0 : 1;
  const int sub = g.sub;
  const int per_col = std::max(1, (shown_servers + sub - 1) / sub);
  const Stack as = stacked(per_col, g.top, g.A, 90);
  // Dots grow with the font (projector mode), and shrink in short boxes.
  l.scale = std::max(1.0, QFontInfo(g.base).pixelSize() / 12.0);
  l.r = std::clamp(as.box / 7, 2.0, 3.5 * l.scale);
  const QRectF &acol = g.cols[2];
  const double lane = sub == 2 ? 26 : 0; // the right column's waiting lines
  const double al =
      sub == 2 ? acol.left() + acol.width() * 0.08 : acol.left() + acol.width() * 0.18;
  const double aw = ((sub == 2 ? acol.right() - acol.width() * 0.05 : al + acol.width() * 0.78) -
                     al - lane * (sub - 1)) /
                    sub;
  for (int s = 0, shown = 0; s < g.servers; ++s) {
    if (gone(s)) { // no box, no line, no wire
      l.servers.emplace_back();
      l.queues.emplace_back();
      l.local.emplace_back();
      l.cpu.emplace_back();
      continue;
    }
    const int c = shown / per_col;
    const QRectF b = as.at(shown % per_col, al + c * (aw + lane), aw);
    ++shown;
    l.servers.push_back(b);
    const double lane_left = c == 0 ? l.lb.right() + 10 : b.left() - lane + 3;
    l.queues.emplace_back(lane_left, b.top(), std::max(0.0, b.left() - 3 - lane_left), b.height());
    l.cpu.push_back(layoutServer(l, g, s, b));
  }
}

// One app server's box `b`: its local cache's box, its label; @return where
// its dots go.
QRectF DiagramView::layoutServer(Layout &l, const Geometry &g, int s, const QRectF &b) const {
  const StackState &st = last_.stack;
  QRectF inner = b.adjusted(g.pad, 1, -g.pad, -1);
  QRectF local;
  if (last_.local_cache) {
    const double lw = std::clamp(b.width() * 0.16, 14.0, 52.0);
    local = QRectF(b.right() - lw - 3, b.top() + 1.5, lw, b.height() - 3);
    inner.setRight(local.left() - 3);
    Text t = fit(g.base, {{"cache"}}, false, local.adjusted(2, 0, -2, 0), local, Qt::AlignCenter);
    if (t.lines == QStringList{"cache"}) // else the top line says what the small boxes are
      l.texts.push_back(t);
  }
  l.local.push_back(local);
  const auto i = static_cast<std::size_t>(s);
  const auto busy = st.busy_workers[i];
  const std::uint64_t waiting = i < st.app_queue.size() ? st.app_queue[i] : 0;
  const bool leaving = i < st.app_in_pool.size() && !st.app_in_pool[i];
  const QString name = QString("App %1").arg(s) + (leaving ? " (leaving)" : ""),
                of = QString("%1/%2").arg(busy).arg(last_.workers);
  // Two lines and a row of dots under them when the box is tall enough;
  // else one line on the left and the dots to its right.
  const double d = 2 * l.r + 1;
  Text t = fit(g.base,
               {{name, QString("%1 busy, %2 waiting").arg(of).arg(waiting)},
                {name, QString("%1 busy, %2 wait").arg(of).arg(waiting)},
                {name, QString("%1, %2 waiting").arg(of).arg(waiting)}},
               true, inner.adjusted(0, 1, 0, -d - 1), b, Qt::AlignTop | Qt::AlignHCenter);
  QRectF cpu;
  if (t.whole) {
    cpu = QRectF(inner.left(), t.rect.bottom() + 1, inner.width(),
                 inner.bottom() - t.rect.bottom() - 1);
  } else {
    QRectF left = inner;
    left.setWidth(inner.width() * 0.8);
    t = fit(g.base,
            {{QString("%1 · %2 busy · %3 waiting").arg(name, of).arg(waiting)},
             {QString("%1 · %2 · %3 waiting").arg(name, of).arg(waiting)},
             {QString("%1  %2  %3 wait").arg(name, of).arg(waiting)},
             {QString("%1 %2 w%3").arg(name, of).arg(waiting)},
             {QString("A%1 %2 w%3").arg(s).arg(of).arg(waiting)}},
            false, left, b, Qt::AlignLeft | Qt::AlignVCenter);
    const double x0 = t.lines.isEmpty() ? inner.left() : t.rect.right() + 4;
    const double band = std::max(1.0, std::floor(inner.height() / d)) * d;
    cpu = QRectF(x0, inner.center().y() - band / 2, std::max(d, inner.right() - x0), band);
  }
  l.texts.push_back(t);
  return cpu;
}

void DiagramView::layoutNodes(Layout &l, const Geometry &g) const {
  if (g.nodes == 0)
    return;
  const StackState &st = last_.stack;
  const QRectF &ccol = g.cols[3];
  // During a migration the old tier stands under the tier in use, a gap
  // apart, in a dotted frame of its own; without one, the gap is 0 and the
  // column is as it always was.
  const double group_gap = g.old_nodes > 0 ? std::clamp(g.A * 0.05, 8.0, 16.0) : 0;
  const Stack ns = stacked(g.nodes + g.old_nodes, g.top, g.A - group_gap, 70);
  const double cw = ccol.width() * 0.78, cl = ccol.left() + ccol.width() * 0.11;
  const int first_gutter = g.nodes - static_cast<int>(st.gutter_nodes);
  for (int n = 0; n < g.nodes; ++n) {
    const QRectF b = ns.at(n, cl, cw);
    l.nodes.push_back(b);
    // The gutter pool's nodes come after the tier's: named for what they are.
    const bool gutter = n >= first_gutter;
    const int shown = gutter ? n - first_gutter : n;
    const QString name = gutter ? "gutter" : "memcached", brief = gutter ? "gut" : "mc";
    const auto i = static_cast<std::size_t>(n);
    const bool up = st.cache_up[i];
    const QString items =
        up ? QString(st.cache_items[i] == 1 ? "%1 item" : "%1 items").arg(st.cache_items[i])
           : "down";
    const QString shortItems = up ? QString::number(st.cache_items[i]) : "down";
    l.texts.push_back(fit(g.base,
                          {{QString("%1 %2").arg(name).arg(shown), items},
                           {QString("%1 %2").arg(brief).arg(shown), items},
                           {QString("%1 %2 · %3").arg(name).arg(shown).arg(items)},
                           {QString("%1 %2 · %3").arg(brief).arg(shown).arg(items)},
                           {QString("%1%2 %3").arg(brief).arg(shown).arg(shortItems)}},
                          true, b.adjusted(g.pad, 1, -g.pad, -1), b, Qt::AlignCenter));
  }
  for (int n = 0; n < g.old_nodes; ++n)
    l.old_nodes.push_back(ns.at(g.nodes + n, cl, cw).translated(0, group_gap));
  // The old tier's frame, as far out as the gap between the tiers allows.
  layoutOldNodes(l, g, std::min(4.0, (group_gap + ns.gap) / 2 - 1));
}

// A migration's old tier, its boxes placed (calls to its node i name node
// cache_items.size() + i): greyed, named "old memcached i", with their
// items, in a frame `margin` out from them.
void DiagramView::layoutOldNodes(Layout &l, const Geometry &g, double margin) const {
  const StackState &st = last_.stack;
  for (std::size_t n = 0; n < l.old_nodes.size(); ++n) {
    const QRectF &b = l.old_nodes[n];
    l.old_group = n == 0 ? b : l.old_group.united(b);
    const std::uint64_t items = st.old_cache_items[n];
    const QString count = QString(items == 1 ? "%1 item" : "%1 items").arg(items);
    Text t = fit(g.base,
                 {{QString("old memcached %1").arg(n), count},
                  {QString("old mc %1").arg(n), count},
                  {QString("old memcached %1 · %2").arg(n).arg(count)},
                  {QString("old mc %1 · %2").arg(n).arg(count)},
                  {QString("old mc %1 · %2").arg(n).arg(items)},
                  {QString("old %1 · %2").arg(n).arg(items)}},
                 true, b.adjusted(g.pad, 1, -g.pad, -1), b, Qt::AlignCenter);
    t.muted = true;
    l.texts.push_back(t);
  }
  if (!l.old_nodes.empty())
    l.old_group.adjust(-margin, -margin, margin, margin);
}

void DiagramView::layoutDatabase(Layout &l, const Geometry &g) const {
  // The database: its label on top, the queue on the left (where queries
  // come in), the connections as cells on the right.
  const StackState &st = last_.stack;
  const QRectF &dcol = g.cols.back();
  const double A = g.A, pad = g.pad;
  const double dw = dcol.width() * 0.84, dh = std::min(A, std::max(120.0, A * 0.7));
  l.db = QRectF(dcol.center().x() - dw / 2, g.top + (A - dh) / 2, dw, dh);
  const QString busy = QString("%1/%2 busy").arg(st.db_busy).arg(last_.db_connections);
  const QString qps = count(last_.db_queries_per_s);
  const QString state = QString("%1, %2 waiting").arg(busy).arg(st.db_queue);
  const QString tight = QString("%1, %2 wait").arg(busy).arg(st.db_queue);
  // A schedule's steps are a millisecond apart: a rate over them means nothing.
  const Text dt =
      last_.schedule.active
          ? fit(g.base,
                {{"Database", state},
                 {"Database", tight},
                 {QString("DB %1 w%2").arg(busy).arg(st.db_queue)}},
                true, l.db.adjusted(pad, pad, -pad, -pad), l.db, Qt::AlignTop | Qt::AlignHCenter)
          : fit(g.base,
                {{"Database", state, QString("%1 queries/s").arg(qps)},
                 {"Database", tight, QString("%1 q/s").arg(qps)},
                 {QString("DB · %1 q/s").arg(qps), tight},
                 {QString("DB %1 w%2 %3/s").arg(busy).arg(st.db_queue).arg(qps)}},
                true, l.db.adjusted(pad, pad, -pad, -pad), l.db, Qt::AlignTop | Qt::AlignHCenter);
  l.texts.push_back(dt);
  const QRectF body(l.db.left() + 6, (dt.lines.isEmpty() ? l.db.top() : dt.rect.bottom()) + 4,
                    l.db.width() - 12,
                    l.db.bottom() - 6 - ((dt.lines.isEmpty() ? l.db.top() : dt.rect.bottom()) + 4));
  l.db_queue = QRectF(body.left(), body.top(), body.width() * 0.45, body.height());
  l.db_cells =
      QRectF(body.left() + body.width() * 0.5, body.top(), body.width() * 0.5, body.height());
}

// What a dot stands for, once every place's room is known, and the
// database's connection cells at that rate.
void DiagramView::layoutSampling(Layout &l) const {
  l.thin = thinning(l);
  l.per_dot = std::max<std::uint32_t>(1, last_.sample) * l.thin;
  // One cell per `per_dot` connections, so a full database fills them all.
  l.cells = std::max<std::uint32_t>(1, (last_.db_connections + l.per_dot - 1) / l.per_dot);
  const auto c = static_cast<double>(l.cells);
  l.cell_cols = std::max(1, static_cast<int>(std::ceil(std::sqrt(
                                c * l.db_cells.width() / std::max(1.0, l.db_cells.height())))));
  const int cell_rows = static_cast<int>(std::ceil(c / l.cell_cols));
  l.cell = std::min(l.db_cells.width() / l.cell_cols, l.db_cells.height() / std::max(1, cell_rows));
}

void DiagramView::layoutTopStrip(Layout &l, const Geometry &g) const {
  const StackState &st = last_.stack;
  const QString strategy = QString::fromStdString(st.strategy);
  // A schedule's clock is its steps (a millisecond each), not a timed run's.
  const bool steps = last_.schedule.active;
  const QString step = QString("step %1 of %2").arg(last_.schedule.done).arg(last_.schedule.size);
  const QString clock =
      steps ? step + QString(", t = %1 ms").arg(ns_to_seconds(shownTime()) * 1e3, 0, 'f', 0)
            : QString("t = %1 s / %2 s")
                  .arg(ns_to_seconds(shownTime()), 0, 'f', 3)
                  .arg(ns_to_seconds(last_.end), 0, 'f', 0);
  const QString per_dot =
      l.per_dot == 1 ? QString("1 dot = 1 request") : QString("1 dot = %1 requests").arg(l.per_dot);
  const QString flying = QString("%1 in flight holding a worker").arg(last_.in_flight_all) +
                         (last_.local_cache ? ";  cache: each app server's own" : "");
  if (g.big_clock) {
    const QString now =
        steps ? step : QString("t = %1 s").arg(ns_to_seconds(shownTime()), 0, 'f', 3);
    const QString of =
        steps ? clock : now + QString(" / %1 s").arg(ns_to_seconds(last_.end), 0, 'f', 0);
    Text c = fit(g.clock_font, {{of}, {now}}, false, g.top_area, rect(),
                 Qt::AlignRight | Qt::AlignVCenter);
    QRectF rest = g.top_area;
    rest.setRight(c.lines.isEmpty() ? g.top_area.right() : c.rect.left() - 12);
    l.texts.insert(l.texts.begin(), c);
    l.texts.insert(l.texts.begin(),
                   fit(g.base,
                       {{QString("strategy: %1    %2, %3").arg(strategy, per_dot, flying)},
                        {QString("strategy: %1    %2").arg(strategy, per_dot)},
                        {QString("%1  %2").arg(strategy, per_dot)}},
                       false, rest, rect(), Qt::AlignLeft | Qt::AlignVCenter));
    return;
  }
  l.texts.insert(
      l.texts.begin(),
      fit(g.base,
          {{QString("strategy: %1    %2    %3, %4").arg(strategy, clock, per_dot, flying)},
           {QString("strategy: %1    %2    %3").arg(strategy, clock, per_dot)},
           {QString("%1  %2  %3").arg(strategy, clock, per_dot)}},
          false, g.top_area, rect(), Qt::AlignLeft | Qt::AlignVCenter));
}

} // namespace stampede::gui
