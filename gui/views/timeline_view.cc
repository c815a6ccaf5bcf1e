// One request's life as a sequence diagram: lanes for the user, the app server, the
// cache and the database, an entry per event, and an anomaly's cause in words.
#include "views/timeline_view.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QResizeEvent>
#include <algorithm>

#include "views/palette.h"

namespace stampede::gui {

namespace {

constexpr int kLanes = 4;
const char *const kLaneNames[kLanes] = {"user", "app server", "cache", "database"};
// A lane's header where its name is wider than the lane (a narrow panel).
const char *const kShortLaneNames[kLanes] = {"user", "app", "cache", "DB"};

int lane_index(Lane l) { return static_cast<int>(l); }

QString when(Time t) { return QString::number(ns_to_seconds(t), 'f', 4) + " s"; }

// An entry's words as drawn: its time, then what happened.
QString text_of(const TimelineEntry &e) {
  return when(e.at) + "  " + QString::fromStdString(e.what);
}

} // namespace

TimelineView::TimelineView(QWidget *parent) : QWidget(parent) {
  setMinimumHeight(120);
  setAutoFillBackground(true);
  QPalette pal = palette();
  pal.setColor(QPalette::Window, Qt::white);
  setPalette(pal);
}

void TimelineView::applySnapshot(const Snapshot &s) {
  // A fault belongs to its request: following another, the tab shows that one.
  const QString fault = s.followed != kNoSerial && s.fault_request == s.followed
                            ? QString::fromStdString(s.fault)
                            : QString();
  const bool changed =
      s.followed != serial_ || s.timeline.size() != entries_.size() || fault != fault_;
  fault_ = fault;
  serial_ = s.followed;
  entries_ = s.timeline;
  late_ = s.timeline_begins_late;
  done_ = s.timeline_done;
  schedule_ = s.schedule.active;
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

QRect TimelineView::faultRect() const {
  if (fault_.isEmpty())
    return {};
  const int w = std::max(width(), 120);
  QFont bold = font();
  bold.setBold(true);
  const QRect text = QFontMetrics(bold).boundingRect(QRect(0, 0, w - 24, 10000),
                                                     Qt::AlignLeft | Qt::TextWordWrap, fault_);
  return {4, 4, w - 8, text.height() + 16};
}

std::vector<int> TimelineView::rowHeights() const {
  // The marker's line, then the words wrapped to the width: two lines at
  // least, so most rows line up; a long cause takes what it needs.
  const int line = fontMetrics().height();
  const int w = std::max(width(), 120);
  std::vector<int> out;
  out.reserve(entries_.size());
  for (const TimelineEntry &e : entries_) {
    const QRect words = fontMetrics().boundingRect(QRect(0, 0, w - 12, 100000),
                                                   Qt::AlignLeft | Qt::TextWordWrap, text_of(e));
    out.push_back(line + std::max(2 * line, words.height()) + 6);
  }
  return out;
}

QString TimelineView::foot() const {
  // A schedule's story numbers its requests from 1 ("view #1"): say both.
  QString foot = schedule_
                     ? QString("request #%1 of the story (serial %2)").arg(serial_ + 1).arg(serial_)
                     : QString("request #%1").arg(serial_);
  if (late_)
    foot += " (its first events are no longer kept)";
  if (!fault_.isEmpty())
    foot += ": the run stopped in it; Restart runs again";
  else
    foot += done_       ? ", done"
            : schedule_ ? ", in flight: Step runs the schedule's next step"
                        : ", in flight: Step runs it to its next event";
  return foot;
}

int TimelineView::footHeight() const {
  return fontMetrics()
      .boundingRect(QRect(0, 0, std::max(width(), 120) - 12, 100000),
                    Qt::AlignLeft | Qt::TextWordWrap, foot())
      .height();
}

QSize TimelineView::sizeHint() const {
  const int line = fontMetrics().height();
  const QRect f = faultRect();
  int h = (f.isEmpty() ? 0 : f.bottom() + 6) + line + 8 + footHeight() + 4;
  for (const int row : rowHeights())
    h += row;
  return {340, h};
}

void TimelineView::resizeEvent(QResizeEvent *event) {
  QWidget::resizeEvent(event);
  if (event->size().width() != event->oldSize().width())
    updateGeometry(); // the words wrap to the width: the height it needs changed
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
  QFont bold = font();
  bold.setBold(true);
  // The fault that stopped the run here, above everything: the status
  // bar's sentence, in red, on a pale box with a red rule on its left.
  double banner = 0;
  if (const QRect f = faultRect(); !f.isEmpty()) {
    p.setPen(Qt::NoPen);
    p.setBrush(palette::kFaultFill);
    p.drawRect(f);
    p.setBrush(palette::kFaultText);
    p.drawRect(QRect(f.left(), f.top(), 4, f.height()));
    p.setFont(bold);
    p.setPen(palette::kFaultText);
    p.drawText(f.adjusted(12, 8, -8, -8), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, fault_);
    banner = f.bottom() + 6;
  }
  // Lane headers and lifelines.
  const double lane_w = w / kLanes;
  auto lane_x = [&](int i) { return lane_w * (i + 0.5); };
  p.setFont(bold);
  p.setPen(Qt::black);
  const QFontMetricsF bold_metrics(bold);
  for (int i = 0; i < kLanes; ++i) {
    const bool fits = bold_metrics.horizontalAdvance(kLaneNames[i]) <= lane_w - 4;
    p.drawText(QRectF(lane_w * i, banner + 2, lane_w, line + 2), Qt::AlignCenter,
               fits ? kLaneNames[i] : kShortLaneNames[i]);
  }
  p.setFont(font());
  const double top = banner + line + 8;
  const std::vector<int> heights = rowHeights();
  double bottom = top;
  for (const int row : heights)
    bottom += row;
  p.setPen(QPen(QColor(200, 203, 212), 1, Qt::DashLine));
  for (int i = 0; i < kLanes; ++i)
    p.drawLine(QPointF(lane_x(i), top), QPointF(lane_x(i), std::max(bottom, top + 10)));
  // Entries: a dot (an instant) or a bar (a span) on its lane, its words
  // beside it, an anomaly in its colour.
  double row_top = top;
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    const TimelineEntry &e = entries_[k];
    const double row_h = heights[k];
    // The marker on the row's first line, at its lane; the words below it.
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
    p.drawText(QRectF(6, row_top + line, w - 12, row_h),
               Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text_of(e));
    row_top += row_h;
  }
  p.setPen(QColor(110, 110, 120));
  p.drawText(QRectF(6, bottom + 2, w - 12, footHeight() + 4), Qt::AlignLeft | Qt::TextWordWrap,
             foot());
}

} // namespace stampede::gui
