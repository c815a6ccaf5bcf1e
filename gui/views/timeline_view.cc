#include "views/timeline_view.h"

#include <QPainter>

#include "views/palette.h"

namespace stampede::gui {

namespace {

constexpr int kLanes = 4;
const char *const kLaneNames[kLanes] = {"user", "app server", "cache", "database"};

int lane_index(Lane l) { return static_cast<int>(l); }

QString when(Time t) { return QString::number(ns_to_seconds(t), 'f', 4) + " s"; }

} // namespace

TimelineView::TimelineView(QWidget *parent) : QWidget(parent) {
  setMinimumHeight(120);
  setAutoFillBackground(true);
  QPalette pal = palette();
  pal.setColor(QPalette::Window, Qt::white);
  setPalette(pal);
}

void TimelineView::applySnapshot(const Snapshot &s) {
  const bool changed = s.followed != serial_ || s.timeline.size() != entries_.size();
  serial_ = s.followed;
  entries_ = s.timeline;
  late_ = s.timeline_begins_late;
  done_ = s.timeline_done;
  if (changed) {
    updateGeometry();
    update();
  }
}

QStringList TimelineView::rows() const {
  QStringList out;
  for (const TimelineEntry &e : entries_)
    out << when(e.at) + "  " + kLaneNames[lane_index(e.lane)] + ": " +
               QString::fromStdString(e.what);
  return out;
}

QSize TimelineView::sizeHint() const {
  const int line = fontMetrics().height();
  return {340, 2 * line + 8 + static_cast<int>(entries_.size()) * (3 * line + 6)};
}

void TimelineView::paintEvent(QPaintEvent *) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const int line = fontMetrics().height();
  const double w = width();
  if (serial_ == kNoSerial) {
    p.setPen(QColor(110, 110, 120));
    p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignTop | Qt::TextWordWrap,
               "Click a row of the anomaly list, or a marker on the anomalies chart, to follow "
               "that request: the run pauses, and Step then runs it to its next event.");
    return;
  }
  // Lane headers and lifelines.
  const double lane_w = w / kLanes;
  auto lane_x = [&](int i) { return lane_w * (i + 0.5); };
  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  p.setPen(Qt::black);
  for (int i = 0; i < kLanes; ++i)
    p.drawText(QRectF(lane_w * i, 2, lane_w, line + 2), Qt::AlignCenter, kLaneNames[i]);
  p.setFont(font());
  const double top = line + 8;
  const double row_h = 3 * line + 6; // the marker, then up to two lines of words
  const double bottom = top + row_h * static_cast<double>(entries_.size());
  p.setPen(QPen(QColor(200, 203, 212), 1, Qt::DashLine));
  for (int i = 0; i < kLanes; ++i)
    p.drawLine(QPointF(lane_x(i), top), QPointF(lane_x(i), std::max(bottom, top + 10)));
  // Entries: a dot (an instant) or a bar (a span) on its lane, its words
  // beside it, an anomaly in its colour.
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    const TimelineEntry &e = entries_[k];
    // The marker on the row's first line, at its lane; the words below it.
    const double row_top = top + row_h * static_cast<double>(k);
    const double y = row_top + line * 0.5;
    const int lane = lane_index(e.lane);
    const QColor c = e.anomaly ? palette::kVermillion : palette::kBlue;
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    if (e.until > e.at)
      p.drawRoundedRect(QRectF(lane_x(lane) - 14, y - 4, 28, 8), 4, 4); // a span
    else
      p.drawEllipse(QPointF(lane_x(lane), y), 4, 4); // an instant
    p.setPen(e.anomaly ? c.darker(130) : QColor(40, 40, 50));
    const QString text = when(e.at) + "  " + QString::fromStdString(e.what);
    p.drawText(QRectF(6, row_top + line, w - 12, row_h),
               Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text);
  }
  p.setPen(QColor(110, 110, 120));
  QString foot = QString("request #%1").arg(serial_);
  if (late_)
    foot += " (its first events are no longer kept)";
  foot += done_ ? ", done" : ", in flight: Step runs it to its next event";
  p.drawText(QRectF(6, bottom + 2, w - 12, line + 4), Qt::AlignLeft, foot);
}

} // namespace stampede::gui
