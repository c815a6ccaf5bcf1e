// The dots of what is in flight at the instant shown: how many requests one dot
// stands for (thinning), and where each dot is drawn (waiting lines, CPUs, cache
// calls on their wires, the database's queue and connections).
#include <algorithm>
#include <cmath>
#include <optional>

#include "views/diagram_layout.h"

namespace stampede::gui {

namespace {

// The i-th of n dots packed in rows in `area` at pitch d (dots overlap when
// n is more than fit, so every one is drawn).
QPointF grid(const QRectF &area, std::size_t i, std::size_t n, double r) {
  const double d = 2 * r + 1;
  const auto rows = static_cast<std::size_t>(std::max(1.0, std::floor(area.height() / d)));
  auto cols = static_cast<std::size_t>(std::max(1.0, std::floor(area.width() / d)));
  if (n > rows * cols)
    cols = (n + rows - 1) / rows;
  const double dx =
      cols > 1 ? std::clamp((area.width() - 2 * r) / static_cast<double>(cols - 1), 0.0, d) : 0;
  return {area.left() + r + static_cast<double>(i % cols) * dx,
          area.top() + r + static_cast<double>(i / cols) * d};
}

// How many dots of `d` pitch a rectangle holds in rows (at least one).
std::uint64_t capacity(const QRectF &area, double d, std::uint64_t max_rows = ~0ull) {
  const auto rows = std::min<std::uint64_t>(
      max_rows, static_cast<std::uint64_t>(std::max(1.0, std::floor(area.height() / d))));
  const auto cols = static_cast<std::uint64_t>(std::max(1.0, std::floor(area.width() / d)));
  return rows * cols;
}

constexpr std::uint64_t kQueueRows = 3; // a waiting line's rows of dots

} // namespace

std::uint32_t DiagramView::thinning(const Layout &l) const {
  // Each place's count, in the snapshot's sample (1 dot = sample requests).
  const StackState &st = last_.stack;
  const std::uint64_t k = std::max<std::uint32_t>(1, last_.sample);
  const double d = 2 * l.r + 1;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> places; // (dots at thin 1, room)
  for (std::size_t s = 0; s < l.servers.size() && s < st.app_queue.size(); ++s)
    places.emplace_back((st.app_queue[s] + k - 1) / k, capacity(l.queues[s], d, kQueueRows));
  std::vector<std::uint64_t> cpu(l.servers.size(), 0);
  std::uint64_t queued = 0;
  for (const InFlight &f : last_.in_flight) {
    if ((f.activity == Activity::kCpu || f.activity == Activity::kWait) && f.server < cpu.size())
      ++cpu[f.server];
    else if (f.activity == Activity::kDbQueued)
      ++queued;
  }
  for (std::size_t s = 0; s < cpu.size(); ++s)
    places.emplace_back(cpu[s], capacity(l.cpu[s], d));
  places.emplace_back(queued, capacity(l.db_queue, d));
  std::uint32_t thin = 1;
  for (const auto &[n, room] : places)
    while ((n + thin - 1) / thin > room && thin < (1u << 24))
      thin *= 2;
  return thin;
}

std::uint32_t DiagramView::perDot() const { return layout().per_dot; }

std::vector<DiagramView::Dot> DiagramView::dots(Time t) const { return dots(layout(), t); }

namespace {

// An activity whose end has come is still drawn until the run moves past
// it: at its instant it is in flight.
bool live(const InFlight &f, Time t) { return f.from <= t && (f.until < 0 || t <= f.until); }

// With thinning, one in `thin` of each place's activities is kept: the
// first, then every thin-th. `seen` counts the place's activities so far.
bool kept(std::uint64_t &seen, std::uint64_t thin) { return seen++ % thin == 0; }

// How many dots each place keeps at `t`, known before any is placed: a grid
// spreads its dots by their number.
struct KeptCounts {
  std::vector<std::size_t> cpu; // per app server: on its CPUs or waiting on its workers
  std::size_t db_queued = 0;
};

KeptCounts kept_counts(const std::vector<InFlight> &in_flight, Time t, std::size_t servers,
                       std::uint64_t thin) {
  KeptCounts c{std::vector<std::size_t>(servers, 0), 0};
  std::vector<std::uint64_t> seen(servers, 0);
  std::uint64_t q = 0;
  for (const InFlight &f : in_flight) {
    if (!live(f, t))
      continue;
    if ((f.activity == Activity::kCpu || f.activity == Activity::kWait) && f.server < servers)
      c.cpu[f.server] += kept(seen[f.server], thin);
    else if (f.activity == Activity::kDbQueued)
      c.db_queued += kept(q, thin);
  }
  return c;
}

// Calls made at one instant travel together: spread them across their
// wire, one dot's width `d` apart, so each one is seen (a burst of eight
// cas). Only the dots from `first` on are looked at.
void spread_calls(std::vector<DiagramView::Dot> &out, std::size_t first, double d) {
  std::vector<std::size_t> calls;
  for (std::size_t i = first; i < out.size(); ++i)
    if (out[i].place == DiagramView::Place::kCacheCall)
      calls.push_back(i);
  const auto key = [&](std::size_t i) {
    return std::make_pair(std::lround(out[i].at.x() * 2), std::lround(out[i].at.y() * 2));
  };
  std::stable_sort(calls.begin(), calls.end(),
                   [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  for (std::size_t g = 0; g < calls.size();) {
    std::size_t e = g;
    while (e < calls.size() && key(calls[e]) == key(calls[g]))
      ++e;
    const std::size_t n = e - g;
    for (std::size_t i = g; n > 1 && i < e; ++i)
      out[calls[i]].at.ry() += (static_cast<double>(i - g) - (n - 1) / 2.0) * d;
    g = e;
  }
}

} // namespace

std::vector<DiagramView::Dot> DiagramView::dots(const Layout &l, Time t) const {
  std::vector<Dot> out;
  const std::uint64_t thin = l.thin;
  const double r = l.r, d = 2 * r + 1;
  const auto servers = l.servers.size();
  queueDots(l, out);

  // What holds a worker, oldest first: order within a server or the
  // database is the order the activities began.
  const KeptCounts count = kept_counts(last_.in_flight, t, servers, thin);
  std::vector<std::uint64_t> cpu_seen(servers, 0), call_seen(servers, 0);
  std::uint64_t queued_seen = 0, running_seen = 0;
  std::vector<std::size_t> cpu_index(servers, 0);
  std::size_t queue_index = 0, running = 0;
  const std::size_t first_call = out.size();
  for (const InFlight &f : last_.in_flight) {
    if (!live(f, t))
      continue;
    switch (f.activity) {
    case Activity::kCpu:
    case Activity::kWait: // waiting on its worker (a lease loser, a coalesced view)
      if (f.server < servers && kept(cpu_seen[f.server], thin)) {
        out.push_back({Place::kCpu, f.shade,
                       grid(l.cpu[f.server], cpu_index[f.server]++, count.cpu[f.server], r),
                       f.serial, f.server});
      }
      break;
    case Activity::kCacheCall:
      if (f.server < servers && kept(call_seen[f.server], thin))
        if (const std::optional<Dot> call = cacheCallDot(l, f, t))
          out.push_back(*call);
      break;
    case Activity::kDbQueued:
      if (kept(queued_seen, thin))
        out.push_back({Place::kDbQueued, f.shade,
                       grid(l.db_queue, queue_index++, count.db_queued, r), f.serial, f.server});
      break;
    case Activity::kDbRunning: {
      if (!kept(running_seen, thin))
        break;
      const std::size_t i = running++;
      const auto cols = static_cast<std::size_t>(l.cell_cols);
      out.push_back({Place::kDbRunning, f.shade,
                     QPointF(l.db_cells.left() + (static_cast<double>(i % cols) + 0.5) * l.cell,
                             l.db_cells.top() + (static_cast<double>(i / cols) + 0.5) * l.cell),
                     f.serial, f.server});
      break;
    }
    case Activity::kDone:
      break;
    }
  }
  spread_calls(out, first_call, d);
  return out;
}

void DiagramView::queueDots(const Layout &l, std::vector<Dot> &out) const {
  // Waiting for a worker: a count, drawn as up to three rows of dots (k
  // requests each) going left from the server; the sampling makes room.
  const StackState &st = last_.stack;
  const std::uint64_t k = l.per_dot;
  const double r = l.r, d = 2 * r + 1;
  for (std::size_t s = 0; s < l.servers.size() && s < st.app_queue.size(); ++s) {
    const QRectF &q = l.queues[s];
    const auto rows = static_cast<std::size_t>(
        std::clamp(std::floor(q.height() / d), 1.0, static_cast<double>(kQueueRows)));
    const std::uint64_t n = (st.app_queue[s] + k - 1) / k;
    for (std::uint64_t i = 0; i < n; ++i) {
      const double y = q.center().y() + (static_cast<double>(i % rows) - (rows - 1) / 2.0) * d;
      out.push_back({Place::kAppQueue, Shade::kView,
                     QPointF(q.right() - r - static_cast<double>(i / rows) * d, y), 0,
                     static_cast<std::uint32_t>(s)});
    }
  }
}

std::optional<DiagramView::Dot> DiagramView::cacheCallDot(const Layout &l, const InFlight &f,
                                                          Time t) {
  const double d = 2 * l.r + 1;
  const QRectF &a = l.servers[f.server];
  QPointF from, to;
  if (f.node < 0) {
    if (l.local[f.server].isEmpty())
      return std::nullopt;
    to = l.local[f.server].center();
    from = QPointF(l.local[f.server].left() - 2 * d, to.y());
  } else {
    // Past the tier's and the gutter's nodes, a migration's old tier's.
    const auto n = static_cast<std::size_t>(f.node);
    const QRectF *node = n < l.nodes.size() ? &l.nodes[n]
                         : n - l.nodes.size() < l.old_nodes.size()
                             ? &l.old_nodes[n - l.nodes.size()]
                             : nullptr;
    if (node == nullptr)
      return std::nullopt;
    from = QPointF(a.right(), a.center().y());
    to = QPointF(node->left(), node->center().y());
  }
  const double span = static_cast<double>(std::max<Time>(1, f.until - f.from));
  const double u = std::clamp(static_cast<double>(t - f.from) / span, 0.0, 1.0);
  // Out over the first half of the round trip, back over the second; a
  // get's hit or miss and a refused cas show only on the way back.
  const QPointF at = u < 0.5 ? from + (to - from) * (2 * u) : to + (from - to) * (2 * u - 1);
  Shade shade = f.shade;
  if (u < 0.5 && shade == Shade::kConflict)
    shade = Shade::kWrite;
  else if (u < 0.5 && (shade == Shade::kHit || shade == Shade::kMiss))
    shade = Shade::kCall;
  return Dot{Place::kCacheCall, shade, at, f.serial, f.server};
}

} // namespace stampede::gui
