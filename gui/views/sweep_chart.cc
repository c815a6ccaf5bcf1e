// A sweep's chart from its CSV: a line per strategy with its 95 % band, drawn alike by
// the Sweep tab and `stampede sweep --plot`.
#include "views/sweep_chart.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChartView>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QPixmap>
#include <QScatterSeries>
#include <QSvgGenerator>
#include <QValueAxis>

#include "stampede/report_fields.h"
#include "views/palette.h"

namespace stampede::gui {
namespace {

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes) into rows.
std::vector<std::vector<std::string>> parse_csv(const std::string &text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty()) {
    rows.back().push_back(std::move(field));
  } else {
    rows.pop_back();
  }
  return rows;
}

std::optional<double> as_number(const std::string &s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

const std::vector<QColor> &line_colours() {
  static const std::vector<QColor> colours = {palette::kBlue,   palette::kVermillion,
                                              palette::kGreen,  palette::kOrange,
                                              palette::kPurple, palette::kSkyBlue};
  return colours;
}

} // namespace

std::optional<SweepSeries> sweep_series_from_csv(const std::string &csv, const std::string &x,
                                                 const std::string &y, std::string &error) {
  const std::vector<std::vector<std::string>> rows = parse_csv(csv);
  if (rows.empty()) {
    error = "the CSV is empty";
    return std::nullopt;
  }
  const std::vector<std::string> &head = rows.front();
  const auto column = [&](const std::string &name) -> std::optional<std::size_t> {
    const auto it = std::find(head.begin(), head.end(), name);
    if (it == head.end()) {
      return std::nullopt;
    }
    return static_cast<std::size_t>(it - head.begin());
  };
  const auto strategy = column("strategy");
  const auto xc = column(x);
  const auto mean = column(y + ".mean");
  const auto low = column(y + ".ci95_low");
  const auto high = column(y + ".ci95_high");
  if (!strategy || !xc || *xc >= *strategy) {
    error = "no varied column " + x + " before the strategy column";
    return std::nullopt;
  }
  if (!mean || !low || !high) {
    error = "no columns " + y + ".mean, .ci95_low and .ci95_high (is " + y + " an output?)";
    return std::nullopt;
  }
  SweepSeries out;
  out.x_title = QString::fromStdString(x);
  const std::string label = report_label(y);
  out.y_title = QString::fromStdString(label == y ? y : label + "  (" + y + ")");
  // The x values in the order they first appear; numeric unless one is not.
  std::vector<std::string> xs;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != head.size()) {
      error = "row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) +
              " fields, the header " + std::to_string(head.size());
      return std::nullopt;
    }
    if (std::find(xs.begin(), xs.end(), rows[r][*xc]) == xs.end()) {
      xs.push_back(rows[r][*xc]);
    }
  }
  out.categorical = std::any_of(xs.begin(), xs.end(),
                                [](const std::string &v) { return !as_number(v).has_value(); });
  for (const std::string &v : xs) {
    out.x_labels.push_back(QString::fromStdString(v));
  }
  // A line per strategy and values of the other varied fields.
  std::map<std::string, std::size_t> line_of;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string> &row = rows[r];
    std::string name = row[*strategy];
    for (std::size_t c = 0; c < *strategy; ++c) {
      if (c != *xc) {
        name += ", " + head[c] + "=" + row[c];
      }
    }
    const auto [it, added] = line_of.emplace(name, out.lines.size());
    if (added) {
      out.lines.push_back({QString::fromStdString(name), {}});
    }
    SweepPoint p;
    const std::size_t xi =
        static_cast<std::size_t>(std::find(xs.begin(), xs.end(), row[*xc]) - xs.begin());
    p.x = out.categorical ? static_cast<double>(xi) : *as_number(row[*xc]);
    p.mean = as_number(row[*mean]).value_or(NAN);
    p.low = as_number(row[*low]);
    p.high = as_number(row[*high]);
    out.lines[it->second].points.push_back(p);
  }
  return out;
}

namespace {

// The span of the values drawn: every line's means and intervals.
struct Extent {
  double ymin = INFINITY, ymax = -INFINITY, xmin = INFINITY, xmax = -INFINITY;
};

// Adds `line` to `chart` in `colour`: its 95 % band when it has one, its mean
// as a line and as dots. Widens `extent` to its points; appends its series
// to `all`.
void add_line(QChart *chart, const SweepLine &line, const QColor &colour, Extent &extent,
              std::vector<QAbstractSeries *> &all) {
  auto *mean = new QLineSeries();
  mean->setName(line.name);
  mean->setPen(QPen(colour, 2.5));
  auto *dots = new QScatterSeries();
  dots->setColor(colour);
  dots->setBorderColor(colour);
  dots->setMarkerSize(8);
  auto *upper = new QLineSeries();
  auto *lower = new QLineSeries();
  bool band = false;
  for (const SweepPoint &p : line.points) {
    if (!std::isfinite(p.mean)) {
      continue;
    }
    mean->append(p.x, p.mean);
    dots->append(p.x, p.mean);
    const double lo = p.low.value_or(p.mean), hi = p.high.value_or(p.mean);
    band = band || (p.low && p.high && hi > lo);
    upper->append(p.x, hi);
    lower->append(p.x, lo);
    extent.ymin = std::min(extent.ymin, lo);
    extent.ymax = std::max(extent.ymax, hi);
    extent.xmin = std::min(extent.xmin, p.x);
    extent.xmax = std::max(extent.xmax, p.x);
  }
  if (band) {
    // The 95 % band: a translucent area between the interval's ends.
    auto *area = new QAreaSeries(upper, lower);
    QColor fill = colour;
    fill.setAlpha(60);
    area->setBrush(fill);
    area->setPen(Qt::NoPen);
    area->setName(line.name + " 95 %");
    chart->addSeries(area);
    all.push_back(area);
  } else {
    delete upper;
    delete lower;
  }
  chart->addSeries(mean);
  chart->addSeries(dots);
  all.push_back(mean);
  all.push_back(dots);
}

// The y axis over `e`, padded; never below 0 when no value is.
QValueAxis *make_y_axis(const SweepSeries &series, const Extent &e) {
  const double ypad =
      e.ymax > e.ymin ? (e.ymax - e.ymin) * 0.08 : std::max(1.0, std::fabs(e.ymax) * 0.1);
  auto *yaxis = new QValueAxis();
  yaxis->setTitleText(series.y_title);
  // A count or a latency never goes below 0, and neither does its axis.
  yaxis->setRange(e.ymin >= 0 ? std::max(0.0, e.ymin - ypad) : e.ymin - ypad, e.ymax + ypad);
  yaxis->applyNiceNumbers();
  yaxis->setLabelFormat("%g");
  return yaxis;
}

// The x axis: the varied field's values as categories, or a value axis over
// `e`, padded.
QAbstractAxis *make_x_axis(const SweepSeries &series, const Extent &e) {
  QAbstractAxis *xaxis = nullptr;
  const double xpad = e.xmax > e.xmin ? (e.xmax - e.xmin) * 0.05 : 0.5;
  if (series.categorical) {
    auto *cat = new QCategoryAxis();
    for (std::size_t i = 0; i < series.x_labels.size(); ++i) {
      cat->append(series.x_labels[i], static_cast<double>(i) + 0.5);
    }
    cat->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    cat->setRange(-0.5, static_cast<double>(series.x_labels.size()) - 0.5);
    xaxis = cat;
  } else {
    auto *values = new QValueAxis();
    values->setRange(e.xmin >= 0 ? std::max(0.0, e.xmin - xpad) : e.xmin - xpad, e.xmax + xpad);
    values->applyNiceNumbers();
    values->setLabelFormat("%g");
    xaxis = values;
  }
  xaxis->setTitleText(series.x_title);
  return xaxis;
}

} // namespace

QChart *make_sweep_chart(const SweepSeries &series) {
  auto *chart = new QChart();
  chart->setTitle(series.title);
  chart->legend()->setAlignment(Qt::AlignBottom);
  Extent extent;
  std::vector<QAbstractSeries *> all;
  for (std::size_t k = 0; k < series.lines.size(); ++k) {
    add_line(chart, series.lines[k], line_colours()[k % line_colours().size()], extent, all);
  }
  // Only the mean lines in the legend; bands and dots share their colour.
  for (QAbstractSeries *s : all) {
    if (s->type() != QAbstractSeries::SeriesTypeLine) {
      for (QLegendMarker *m : chart->legend()->markers(s)) {
        m->setVisible(false);
      }
    }
  }
  if (!std::isfinite(extent.ymin)) {
    extent = {0, 1, 0, 1};
  }
  QValueAxis *yaxis = make_y_axis(series, extent);
  QAbstractAxis *xaxis = make_x_axis(series, extent);
  chart->addAxis(xaxis, Qt::AlignBottom);
  chart->addAxis(yaxis, Qt::AlignLeft);
  for (QAbstractSeries *s : all) {
    s->attachAxis(xaxis);
    s->attachAxis(yaxis);
  }
  return chart;
}

QString save_chart(QChart *chart, const QString &file, int width, int height) {
  QChartView view(chart);
  view.setRenderHint(QPainter::Antialiasing);
  view.resize(width, height);
  chart->resize(width, height);
  if (file.endsWith(".svg")) {
    QSvgGenerator svg;
    svg.setFileName(file);
    svg.setSize(QSize(width, height));
    svg.setViewBox(QRect(0, 0, width, height));
    svg.setTitle(chart->title());
    QPainter painter;
    if (!painter.begin(&svg)) {
      view.setChart(new QChart());
      return "cannot write " + file;
    }
    view.render(&painter);
    painter.end();
  } else {
    const QPixmap pixmap = view.grab();
    if (!pixmap.save(file, "PNG")) {
      view.setChart(new QChart());
      return "cannot write " + file;
    }
  }
  // The view owns the chart now; give it back to the caller's care.
  view.setChart(new QChart());
  return QString();
}

} // namespace stampede::gui
