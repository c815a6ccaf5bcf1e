// The live charts under the diagram: the database, the cache hit ratio, page-view
// latency and anomalies per second, one point per interval of the run.
#include "views/charts_view.h"

#include <QChart>
#include <QChartView>
#include <QFontMetricsF>
#include <QGridLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QResizeEvent>
#include <QScatterSeries>
#include <QValueAxis>
#include <cmath>

#include "views/palette.h"

namespace stampede::gui {

namespace {

const std::array<double, 4> kMarkerRow = {0.96, 0.90, 0.84, 0.78};

} // namespace

ChartsView::ChartsView(QWidget *parent) : QWidget(parent) {
  auto *grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(2);
  db_ = make("Database", {"queries/s", "queue (max)"}, "queries/s", true);
  hit_ = make("Cache hit ratio", {"hit ratio"}, "");
  latency_ = make("Page-view latency", {"p50 ms", "p99 ms"}, "ms");
  anomalies_ =
      make("Anomalies",
           {"stale reads/s", "redundant DB reads/s", "CAS conflicts/s", "lost updates/s"}, "per s");
  hit_.y->setRange(0, 1);
  anomalies_.chart->setTitle("Anomalies (dots on top: where each kind happened)");
  // The diagram's colours for the same things (views/palette.h); lines
  // without a meaning of their own are grey or dashed.
  const auto pen = [](QLineSeries *s, const QColor &c, Qt::PenStyle style = Qt::SolidLine) {
    s->setPen(QPen(c, 2, style));
  };
  pen(db_.lines[0], palette::shade(Shade::kDbRead));
  pen(db_.lines[1], palette::kGrey, Qt::DashLine);
  pen(hit_.lines[0], palette::shade(Shade::kHit));
  // p50 and p99 told apart by colour as well as dash (a beamer's grey and
  // grey are one colour): the median blue and dashed, the tail black.
  pen(latency_.lines[0], palette::shade(Shade::kWrite), Qt::DashLine);
  pen(latency_.lines[1], palette::kBlack);
  for (std::size_t k = 0; k < anomalies_.lines.size(); ++k)
    pen(anomalies_.lines[k], palette::anomaly(k));
  // Markers sit in rows at the top of the anomalies chart, one row per kind,
  // on a hidden axis of their own so the lines' scale never moves them.
  auto *rows = new QValueAxis;
  rows->setRange(0, 1);
  rows->setVisible(false);
  anomalies_.chart->addAxis(rows, Qt::AlignRight);
  for (std::size_t k = 0; k < markers_.size(); ++k) {
    auto *m = new QScatterSeries;
    m->setName(anomaly_label(static_cast<AnomalyKind>(k)));
    m->setMarkerSize(7);
    m->setColor(palette::anomaly(k));
    m->setBorderColor(k == 3 ? palette::kGrey
                             : palette::anomaly(k)); // yellow needs an edge on white
    anomalies_.chart->addSeries(m);
    m->attachAxis(anomalies_.x);
    m->attachAxis(rows);
    // The markers share the lines' colours; the legend lists the lines only.
    for (QLegendMarker *lm : anomalies_.chart->legend()->markers(m))
      lm->setVisible(false);
    connect(m, &QScatterSeries::clicked, this,
            [this, k](const QPointF &p) { emit anomalyClicked(p.x(), static_cast<int>(k)); });
    markers_[k] = m;
  }
  for (std::size_t i = 0; i < views_.size(); ++i)
    grid->addWidget(views_[i], static_cast<int>(i / 2), static_cast<int>(i % 2));
}

void ChartsView::resizeEvent(QResizeEvent *event) {
  QWidget::resizeEvent(event);
  fitLegends();
}

void ChartsView::fitLegends() {
  for (QChartView *view : views_) {
    QChart *chart = view->chart();
    QLegend *legend = chart->legend();
    if (!legend->property("wantedFont").isValid())
      legend->setProperty("wantedFont", legend->font());
    const QFont wanted = legend->property("wantedFont").value<QFont>();
    if (!(legend->alignment() & (Qt::AlignLeft | Qt::AlignRight))) {
      legend->setFont(wanted);
      continue;
    }
    int entries = 0;
    for (QLegendMarker *m : legend->markers())
      entries += m->isVisible() ? 1 : 0;
    const QMargins margins = chart->margins();
    // The chart's title above, its frame's padding above and below.
    const double room = view->height() - QFontMetricsF(chart->titleFont()).height() -
                        margins.top() - margins.bottom() - 24;
    QFont f = wanted;
    for (double k = 1.0; k >= 0.6; k -= 0.05) {
      f = wanted;
      if (wanted.pointSizeF() > 0)
        f.setPointSizeF(wanted.pointSizeF() * k);
      else if (wanted.pixelSize() > 0)
        f.setPixelSize(std::max(1, static_cast<int>(wanted.pixelSize() * k)));
      // An entry: its line of text and the gap Qt Charts leaves between
      // them (measured: half a line), and the legend's own padding.
      if (entries * (QFontMetricsF(f).height() * 1.6) + 10 <= room)
        break;
    }
    if (legend->font() != f)
      legend->setFont(f);
  }
}

ChartsView::Panel ChartsView::make(const QString &title, const std::vector<QString> &names,
                                   const QString &y_title, bool second_axis) {
  Panel p;
  p.chart = new QChart;
  p.chart->setTitle(title);
  p.chart->setMargins(QMargins(2, 2, 2, 2));
  p.chart->legend()->setAlignment(Qt::AlignBottom);
  p.chart->setAnimationOptions(QChart::NoAnimation);
  p.x = new QValueAxis;
  p.x->setTitleText("simulated s");
  p.x->setLabelFormat("%g");
  p.y = new QValueAxis;
  p.y->setTitleText(y_title);
  p.y->setLabelFormat("%g");
  p.chart->addAxis(p.x, Qt::AlignBottom);
  p.chart->addAxis(p.y, Qt::AlignLeft);
  if (second_axis) {
    p.y2 = new QValueAxis;
    p.y2->setLabelFormat("%g");
    p.chart->addAxis(p.y2, Qt::AlignRight);
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto *s = new QLineSeries;
    s->setName(names[i]);
    p.chart->addSeries(s);
    s->attachAxis(p.x);
    s->attachAxis(second_axis && i == 1 ? p.y2 : p.y);
    p.lines.push_back(s);
  }
  auto *view = new QChartView(p.chart);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(260, 140);
  views_.push_back(view);
  return p;
}

void ChartsView::fit(QValueAxis *axis, double &max, double value) {
  if (!(value > max))
    return;
  // Grow in steps of 1, 2 or 5 times a power of ten, so the axis rarely moves.
  const double decade = std::pow(10.0, std::floor(std::log10(value)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= value) {
      max = m * decade;
      break;
    }
  axis->setRange(0, max);
}

void ChartsView::clear(double end_s) {
  for (Panel *p : {&db_, &hit_, &latency_, &anomalies_}) {
    for (QLineSeries *s : p->lines)
      s->clear();
    p->x->setRange(0, end_s);
    if (p != &hit_) {
      p->ymax = 0;
      p->y->setRange(0, 1);
    }
    if (p->y2) {
      p->y2max = 0;
      p->y2->setRange(0, 1);
    }
  }
  for (QScatterSeries *m : markers_)
    m->clear();
  head_ = false;
}

void ChartsView::applySnapshot(const Snapshot &s) {
  if (s.generation != generation_) {
    generation_ = s.generation;
    clear(ns_to_seconds(s.end));
  }
  // Batched appends: one repaint per series per snapshot.
  std::array<QList<QPointF>, 9> add;
  // The interval under way's point goes: its interval's own comes now, or
  // a newer head.
  if (head_ && db_.lines[0]->count() > 0)
    db_.lines[0]->remove(db_.lines[0]->count() - 1);
  head_ = false;
  for (std::size_t n = 0; n < s.intervals.size(); ++n) {
    const IntervalRecord &i = s.intervals[n];
    const double len = ns_to_seconds(i.end - i.start);
    if (len <= 0)
      continue;
    const double t = ns_to_seconds(i.end);
    // Queries as they reach the database, as the diagram counts them (not
    // as they complete: a stampede's 200 ms queries would show late).
    const std::uint64_t issued = n < s.interval_db_issued.size() ? s.interval_db_issued[n] : 0;
    const double queries = static_cast<double>(issued) / len;
    add[0].append({t, queries});
    fit(db_.y, db_.ymax, queries);
    add[1].append({t, static_cast<double>(i.db_queue_max)});
    fit(db_.y2, db_.y2max, static_cast<double>(i.db_queue_max));
    if (i.cache_gets > 0)
      add[2].append({t, static_cast<double>(i.cache_hits) / static_cast<double>(i.cache_gets)});
    if (i.page_views > 0) {
      add[3].append({t, i.view_p50_ms});
      add[4].append({t, i.view_p99_ms});
      fit(latency_.y, latency_.ymax, i.view_p99_ms);
    }
    const double stale = static_cast<double>(i.stale_reads) / len;
    const double redundant = static_cast<double>(i.redundant_db_reads) / len;
    const double cas = static_cast<double>(i.cas_conflicts) / len;
    add[5].append({t, stale});
    add[6].append({t, redundant});
    const double lost = static_cast<double>(i.lost_updates) / len;
    add[7].append({t, cas});
    add[8].append({t, lost});
    fit(anomalies_.y, anomalies_.ymax, std::max({stale, redundant, cas, lost}));
  }
  QLineSeries *targets[] = {db_.lines[0],        db_.lines[1],        hit_.lines[0],
                            latency_.lines[0],   latency_.lines[1],   anomalies_.lines[0],
                            anomalies_.lines[1], anomalies_.lines[2], anomalies_.lines[3]};
  // The interval under way, up to the instant shown: the line reaches the
  // present, as the diagram's rate does.
  const Time elapsed = s.now - s.db_issued_since;
  if (s.interval > 0 && elapsed >= s.interval / 4 && s.now > 0) {
    const double queries = static_cast<double>(s.db_issued_partial) / ns_to_seconds(elapsed);
    add[0].append({ns_to_seconds(s.now), queries});
    fit(db_.y, db_.ymax, queries);
    head_ = true;
  }
  for (std::size_t k = 0; k < add.size(); ++k)
    if (!add[k].isEmpty())
      targets[k]->append(add[k]);

  // One marker per kind per interval, where the kind first showed in it.
  for (const AnomalyRecord &a : s.markers) {
    const auto k = static_cast<std::size_t>(a.kind);
    if (k < markers_.size())
      markers_[k]->append(ns_to_seconds(a.at), kMarkerRow[k]);
  }
}

qsizetype ChartsView::points() const { return db_.lines[0]->count(); }

QPointF ChartsView::lastDbRate() const {
  const QLineSeries *line = db_.lines[0];
  return line->count() > 0 ? line->at(line->count() - 1) : QPointF();
}

} // namespace stampede::gui
