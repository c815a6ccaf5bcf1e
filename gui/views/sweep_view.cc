// The Sweep tab: one field over a list of values, under a list of strategies, each over
// N seeds, the chart rebuilt as each row arrives.
#include "views/sweep_view.h"
#include "views/queued.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "stampede/report_fields.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "views/sweep_chart.h"

namespace stampede::gui {

namespace {

// The scenario's numeric fields (`app.servers`, `strategy.ttl_s`,
// `duration_s`): the ones a sweep's x axis can carry. Nested values (a
// distribution's parameters) and lists (events) are left to typing.
QStringList numeric_fields(const Scenario &s) {
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(scenario_to_json(s));
  QStringList out;
  for (const auto &[key, value] : j.items()) {
    if (value.is_number() && key != "format" && key != "seed")
      out << QString::fromStdString(key);
    if (!value.is_object())
      continue;
    for (const auto &[field, v] : value.items())
      if (v.is_number())
        out << QString::fromStdString(key + "." + field);
  }
  return out;
}

std::optional<double> as_number(const std::string &s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::vector<std::string> split_names(const QString &text) {
  std::vector<std::string> out;
  for (const QString &n : text.split(',', Qt::SkipEmptyParts))
    if (!n.trimmed().isEmpty())
      out.push_back(n.trimmed().toStdString());
  return out;
}

} // namespace

SweepView::SweepView(QWidget *parent) : QWidget(parent) {
  auto *layout = new QVBoxLayout(this);
  auto *form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
  path_ = new QComboBox;
  path_->setEditable(true);
  path_->setInsertPolicy(QComboBox::NoInsert);
  path_->setToolTip("The scenario field to vary, as --vary PATH= names it: pick a numeric "
                    "field or type any path (docs/scenario-format.md lists them)");
  path_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  path_->setMinimumContentsLength(22);
  values_ = new QLineEdit("1, 5, 10, 30");
  values_->setToolTip("Its values, separated by commas; each is applied as --set PATH=VALUE");
  auto *vary = new QHBoxLayout;
  vary->addWidget(path_);
  vary->addWidget(new QLabel("="));
  vary->addWidget(values_, 1);
  form->addRow("Vary:", vary);
  strategies_ = new QLineEdit("naive, early");
  strategies_->setToolTip("The strategies, separated by commas: a line each (update+cas "
                          "included)");
  seeds_ = new QSpinBox;
  seeds_->setRange(1, static_cast<int>(CompareRunner::kMaxSeeds));
  seeds_->setValue(3);
  seeds_->setToolTip("Independent replications per point: seeds counting up from the "
                     "scenario's; the band is the 95 % interval of the mean over them");
  auto *runs = new QHBoxLayout;
  runs->addWidget(strategies_, 1);
  runs->addWidget(new QLabel("Seeds:"));
  runs->addWidget(seeds_);
  form->addRow("Strategies:", runs);
  output_ = new QComboBox;
  for (const std::string &path : sweep_outputs()) {
    const std::string label = report_label(path);
    output_->addItem(QString::fromStdString(label == path ? path : label + "  (" + path + ")"),
                     QString::fromStdString(path));
  }
  output_->setCurrentIndex(output_->findData(QString("anomalies.max_staleness_s")));
  output_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  output_->setMinimumContentsLength(22);
  run_ = new QPushButton("Run the sweep");
  run_->setToolTip("Runs every value under every strategy over the seeds, as stampede sweep "
                   "--vary PATH=VALUES --strategies ... --seeds N does");
  stop_ = new QPushButton("Stop");
  stop_->setToolTip("Stop the sweep; the points so far stay drawn");
  stop_->setEnabled(false);
  auto *y = new QHBoxLayout;
  y->addWidget(output_, 1);
  y->addWidget(run_);
  y->addWidget(stop_);
  form->addRow("Draw:", y);
  layout->addLayout(form);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);
  chart_view_ = new QChartView(make_sweep_chart(SweepSeries{}));
  chart_view_->setRenderHint(QPainter::Antialiasing);
  layout->addWidget(chart_view_, 1);

  connect(run_, &QPushButton::clicked, this, [this] { runSweep(); });
  connect(stop_, &QPushButton::clicked, this, &SweepView::stop);
  connect(values_, &QLineEdit::returnPressed, this, [this] { runSweep(); });
  connect(output_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });

  // The runner calls back on its thread; queued() runs each call here.
  runner_ = std::make_unique<SweepRunner>(queued(this, &SweepView::addRow),
                                          queued(this, &SweepView::done),
                                          queued(this, &SweepView::progress));
  say("Pick a field and its values, the strategies and the seeds, then run the sweep.", false);
}

SweepView::~SweepView() { runner_.reset(); }

void SweepView::setScenario(const Scenario &scenario) {
  scenario_ = scenario;
  const QString typed = path_->currentText();
  const QSignalBlocker block(path_);
  path_->clear();
  path_->addItems(numeric_fields(scenario));
  path_->setCurrentText(typed.isEmpty() ? QString("strategy.ttl_s") : typed);
}

QChart *SweepView::chart() const { return chart_view_->chart(); }
QString SweepView::message() const { return status_->text(); }
void SweepView::setPath(const QString &path) { path_->setCurrentText(path); }
void SweepView::setValues(const QString &values) { values_->setText(values); }
void SweepView::setStrategies(const QString &names) { strategies_->setText(names); }
void SweepView::setSeeds(int n) { seeds_->setValue(n); }
QString SweepView::output() const { return output_->currentData().toString(); }

bool SweepView::setOutput(const QString &path) {
  const int i = output_->findData(path);
  if (i < 0)
    return false;
  output_->setCurrentIndex(i);
  return true;
}

bool SweepView::runSweep() {
  Parsed<SweepGrid> grid =
      plan_sweep(scenario_, path_->currentText().toStdString(), values_->text().toStdString(),
                 split_names(strategies_->text()), static_cast<std::size_t>(seeds_->value()));
  if (!grid) {
    say(QString::fromStdString(grid.error), true);
    return false; // the sweep shown, if any, goes on
  }
  grid_ = std::move(*grid.value);
  running_ = scenario_;
  rows_.clear();
  busy_ = true;
  stop_->setEnabled(true);
  say(QString("running 1 of %1…").arg(grid_->rows.size()), false);
  redraw();
  run_id_ = runner_->start(*grid_); // never waits
  return true;
}

void SweepView::stop() {
  if (busy_)
    runner_->cancel();
}

void SweepView::addRow(const SweepRow &row) {
  if (row.run != run_id_)
    return; // from a sweep begun again since
  rows_.push_back(row);
  redraw();
  if (!row.error.empty()) {
    say(QString("%1 = %2: %3")
            .arg(QString::fromStdString(grid_->path), QString::fromStdString(row.value),
                 QString::fromStdString(row.error)),
        true);
    return;
  }
  if (row.index + 1 < row.count)
    say(QString("running %1 of %2…").arg(row.index + 2).arg(row.count), false);
}

void SweepView::progress(const CompareProgress &p) {
  if (p.run != run_id_ || p.seeds < 2 || p.seeds_done >= p.seeds)
    return;
  say(QString("running %1 of %2, seed %3 of %4…")
          .arg(p.index + 1)
          .arg(p.count)
          .arg(p.seeds_done + 1)
          .arg(p.seeds),
      false);
}

void SweepView::done(const CompareDone &d) {
  if (d.run != run_id_)
    return;
  busy_ = false;
  stop_->setEnabled(false);
  const bool failed =
      std::any_of(rows_.begin(), rows_.end(), [](const SweepRow &r) { return !r.error.empty(); });
  if (!failed) {
    const std::uint64_t first = running_.seed;
    const QString seeds = grid_->seeds == 1
                              ? QString("seed %1").arg(first)
                              : QString("seeds %1..%2").arg(first).arg(first + grid_->seeds - 1);
    const QString what = QString("%1: %2 values x %3 strategies, %4 (%5 s simulated each)")
                             .arg(QString::fromStdString(running_.name))
                             .arg(grid_->values.size())
                             .arg(grid_->strategies.size())
                             .arg(seeds)
                             .arg(running_.duration_s);
    say(d.stopped
            ? QString("stopped after %1 of %2: %3").arg(d.rows).arg(grid_->rows.size()).arg(what)
            : what,
        false);
  }
  emit finished();
}

SweepSeries SweepView::series() const {
  SweepSeries out;
  if (!grid_)
    return out;
  const std::string y = output().toStdString();
  const std::string label = report_label(y);
  out.title = QString::fromStdString(running_.name + ": " + (label.empty() ? y : label));
  out.x_title = QString::fromStdString(grid_->path);
  out.y_title = QString::fromStdString(label == y ? y : label + "  (" + y + ")");
  out.categorical = std::any_of(grid_->values.begin(), grid_->values.end(),
                                [](const std::string &v) { return !as_number(v).has_value(); });
  for (const std::string &v : grid_->values)
    out.x_labels.push_back(QString::fromStdString(v));
  for (const std::string &name : grid_->strategies)
    out.lines.push_back({QString::fromStdString(name), {}});
  const std::size_t n = grid_->strategies.size();
  for (const SweepRow &row : rows_) {
    const Spread *sp = row.error.empty() ? row.replicated.spread(y) : nullptr;
    if (sp == nullptr)
      continue;
    const std::size_t xi = row.index / n;
    SweepPoint p;
    p.x = out.categorical ? static_cast<double>(xi) : *as_number(grid_->values[xi]);
    p.mean = sp->mean;
    p.low = sp->ci95_low;
    p.high = sp->ci95_high;
    out.lines[row.index % n].points.push_back(p);
  }
  // Values may be typed in any order; a line joins them left to right.
  if (!out.categorical)
    for (SweepLine &line : out.lines)
      std::stable_sort(line.points.begin(), line.points.end(),
                       [](const SweepPoint &a, const SweepPoint &b) { return a.x < b.x; });
  // A line not yet begun stays out of the legend until its first point.
  std::erase_if(out.lines, [](const SweepLine &l) { return l.points.empty(); });
  return out;
}

void SweepView::redraw() {
  QChart *old = chart_view_->chart();
  chart_view_->setChart(make_sweep_chart(series()));
  delete old; // the view does not delete the chart it gives up
}

void SweepView::say(const QString &text, bool error) {
  status_->setStyleSheet(error ? "color: #b02020" : "");
  status_->setText(text);
}

} // namespace stampede::gui
