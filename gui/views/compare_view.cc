// The Compare tab: the ticked strategies run on the scenario shown, over its seeds,
// filling the lecture's table a row at a time, and a bar chart of one column.
#include "views/compare_view.h"
#include "views/queued.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLayout>
#include <QLegend>
#include <QLineSeries>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "stampede/compare_table.h"
#include "stampede/report_fields.h"
#include "stampede/strategy.h"
#include "views/palette.h"
#include "worker/compare_runner.h"

namespace stampede::gui {

namespace {

// The strategy boxes, left to right, wrapped to the view's width (the
// qtbase FlowLayout example, cut down), so a dozen names never widen the
// window: its narrowest is its widest box.
class FlowLayout : public QLayout {
public:
  explicit FlowLayout(int spacing) { setSpacing(spacing); }
  ~FlowLayout() override {
    while (QLayoutItem *item = takeAt(0))
      delete item;
  }
  void addItem(QLayoutItem *item) override { items_.push_back(item); }
  int count() const override { return static_cast<int>(items_.size()); }
  QLayoutItem *itemAt(int i) const override {
    return i >= 0 && i < count() ? items_[static_cast<std::size_t>(i)] : nullptr;
  }
  QLayoutItem *takeAt(int i) override {
    if (i < 0 || i >= count())
      return nullptr;
    QLayoutItem *item = items_[static_cast<std::size_t>(i)];
    items_.erase(items_.begin() + i);
    return item;
  }
  Qt::Orientations expandingDirections() const override { return {}; }
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override { return place(QRect(0, 0, width, 0), false); }
  void setGeometry(const QRect &rect) override {
    QLayout::setGeometry(rect);
    place(rect, true);
  }
  QSize sizeHint() const override { return minimumSize(); }
  QSize minimumSize() const override {
    QSize size;
    for (const QLayoutItem *item : items_)
      size = size.expandedTo(item->minimumSize());
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
  }

private:
  // Lays the items out in `rect` (or only measures): @return the height used.
  int place(const QRect &rect, bool apply) const {
    const QRect r = rect.marginsRemoved(contentsMargins());
    int x = r.x(), y = r.y(), line = 0;
    for (QLayoutItem *item : items_) {
      const QSize hint = item->sizeHint();
      if (x + hint.width() > r.right() + 1 && line > 0) {
        x = r.x();
        y += line + spacing();
        line = 0;
      }
      if (apply)
        item->setGeometry(QRect(QPoint(x, y), hint));
      x += hint.width() + 3 * spacing();
      line = std::max(line, hint.height());
    }
    const QMargins m = contentsMargins();
    return y + line - rect.y() + m.bottom();
  }
  std::vector<QLayoutItem *> items_;
};

// A column title on two lines, broken at the space nearest its middle, so
// eleven columns fit a 1024-pixel window: "redundant DB reads" becomes
// "redundant" over "DB reads".
QString two_lines(const std::string &title) {
  const QString t = QString::fromStdString(title);
  int best = -1;
  for (int i = 0; i < t.size(); ++i)
    if (t[i] == ' ' && (best < 0 || std::abs(i - t.size() / 2) < std::abs(best - t.size() / 2)))
      best = i;
  if (best < 0)
    return t;
  return t.left(best) + '\n' + t.mid(best + 1);
}

// One bar per row: the mean of `path` over the row's seeds, and an error
// bar (an I-beam, one line series per bar, on the bars' own axes as in Qt's
// "line and bar" example) from the 95 % interval's low end to its high end.
// A row with one seed has no interval and so no error bar; a failed row and
// an undefined mean (a hit ratio with no gets) have no bar.
QChart *make_bar_chart(const std::vector<CompareRow> &rows, const std::string &path) {
  auto *chart = new QChart();
  const std::string label = report_label(path);
  chart->setTitle(QString::fromStdString(label.empty() ? path : label));
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto *set = new QBarSet(QString::fromStdString(label));
  set->setColor(palette::kSkyBlue);
  set->setBorderColor(palette::kBlue);
  auto *bars = new QBarSeries();
  bars->append(set);
  bars->setBarWidth(0.6);
  QStringList names;
  std::vector<QLineSeries *> whiskers;
  double top = 0, bottom = 0, least_mean = 0;
  for (const CompareRow &row : rows) {
    const Spread *sp = row.failed() ? nullptr : row.replicated.spread(path);
    if (sp == nullptr || !std::isfinite(sp->mean))
      continue;
    const double x = static_cast<double>(names.size());
    names << QString::fromStdString(row.strategy);
    set->append(sp->mean);
    top = std::max(top, sp->mean);
    bottom = std::min(bottom, sp->mean);
    least_mean = std::min(least_mean, sp->mean);
    if (!sp->ci95_low || !sp->ci95_high)
      continue;
    const double lo = *sp->ci95_low, hi = *sp->ci95_high, w = 0.12;
    auto *beam = new QLineSeries();
    beam->setName(QString::fromStdString(row.strategy) + " 95 %");
    beam->setPen(QPen(palette::kBlack, 1.5));
    // Top cap, the stem, then the bottom cap: one polyline.
    for (const QPointF p : {QPointF(x - w, hi), QPointF(x + w, hi), QPointF(x, hi), QPointF(x, lo),
                            QPointF(x - w, lo), QPointF(x + w, lo)})
      beam->append(p);
    whiskers.push_back(beam);
    top = std::max(top, hi);
    bottom = std::min(bottom, lo);
  }
  chart->addSeries(bars);
  for (QLineSeries *beam : whiskers)
    chart->addSeries(beam);
  auto *x = new QBarCategoryAxis();
  x->append(names);
  // Every column counts or times something, so its means are never below
  // 0 and neither is the axis: an interval reaching below it (a count's
  // t-interval over few seeds can) is cut off at the axis, as the sweep's is.
  if (least_mean >= 0)
    bottom = 0;
  auto *y = new QValueAxis();
  y->setRange(bottom, top > bottom ? top + (top - bottom) * 0.08 : bottom + 1);
  y->applyNiceNumbers();
  y->setLabelFormat("%g");
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  bars->attachAxis(x);
  bars->attachAxis(y);
  for (QLineSeries *beam : whiskers) {
    beam->attachAxis(x);
    beam->attachAxis(y);
  }
  return chart;
}

QString describe(const QString &name) {
  const auto &registry = StrategyRegistry::global();
  if (name == "update+cas")
    return QString::fromStdString(registry.description("update")) +
           "; with cas: gets/cas, retried on a conflict";
  return QString::fromStdString(registry.description(name.toStdString()));
}

} // namespace

QStringList selectable_strategies() {
  QStringList names;
  for (const std::string &n : lecture_strategies())
    names << QString::fromStdString(n);
  for (const std::string &n : StrategyRegistry::global().names())
    if (!names.contains(QString::fromStdString(n)))
      names << QString::fromStdString(n);
  return names;
}

CompareView::CompareView(QWidget *parent) : QWidget(parent) {
  auto *layout = new QVBoxLayout(this);
  layout->addLayout(buildButtons());
  layout->addLayout(buildChoices());
  buildTable();
  // The chart of one column under the table; the splitter lets either grow.
  auto *split = new QSplitter(Qt::Vertical);
  split->addWidget(table_);
  split->addWidget(buildChartPanel());
  // The table needs a row per strategy; the chart takes the rest.
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  split->setChildrenCollapsible(false);
  layout->addWidget(split, 1);
  auto *note = new QLabel(
      "The lecture's table: each strategy runs the same scenario with the same seeds, from t=0 "
      "to the end, as <tt>stampede compare --seeds N</tt> does; over several seeds each cell "
      "is the mean +- the half-width of its 95 % interval. Read it row by row: what each "
      "technique costs the database, and what it costs in stale pages, stampedes and lost "
      "updates.");
  note->setWordWrap(true);
  layout->addWidget(note);
  connect(run_, &QPushButton::clicked, this, &CompareView::runAll);
  connect(stop_, &QPushButton::clicked, this, &CompareView::stop);
  fitColumns();

  // The runner calls back on its own thread; queued() runs each call here.
  runner_ = std::make_unique<CompareRunner>(queued(this, &CompareView::addRow),
                                            queued(this, &CompareView::done),
                                            queued(this, &CompareView::progress));
}

QHBoxLayout *CompareView::buildButtons() {
  auto *top = new QHBoxLayout;
  run_ = new QPushButton("Run the ticked strategies");
  run_->setToolTip("Each ticked strategy runs this scenario from t=0 to the end, as "
                   "stampede compare does");
  // Never narrower than its text: the status beside it gives way instead.
  run_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
  auto *all = new QPushButton("Tick all");
  all->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
  auto *lecture = new QPushButton("The lecture's six");
  lecture->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
  stop_ = new QPushButton("Stop");
  stop_->setToolTip("Stop the runs; the rows so far stay");
  stop_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
  stop_->setEnabled(false);
  status_ = new QLabel;
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  seeds_ = new QSpinBox;
  seeds_->setRange(1, static_cast<int>(CompareRunner::kMaxSeeds));
  seeds_->setValue(1);
  seeds_->setToolTip(QString("Independent replications per strategy: seeds counting up from "
                             "the scenario's, as stampede compare --seeds N; over several, each "
                             "cell reads mean +- half-width of its 95 % interval. At most %1 "
                             "here, so the table fills while the class waits; the command line "
                             "takes more.")
                         .arg(CompareRunner::kMaxSeeds));
  seeds_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
  // The box's limit said beside it: a larger number typed is not taken.
  auto *seeds_label = new QLabel(QString("Seeds (1-%1):").arg(CompareRunner::kMaxSeeds));
  seeds_label->setBuddy(seeds_);
  seeds_label->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
  top->addWidget(run_);
  top->addWidget(stop_);
  top->addWidget(seeds_label);
  top->addWidget(seeds_);
  top->addWidget(all);
  top->addWidget(lecture);
  top->addWidget(status_, 1);
  connect(all, &QPushButton::clicked, this, [this] { setSelected(selectable_strategies()); });
  connect(lecture, &QPushButton::clicked, this, [this] {
    QStringList six;
    for (const std::string &n : lecture_strategies())
      six << QString::fromStdString(n);
    setSelected(six);
  });
  return top;
}

QLayout *CompareView::buildChoices() {
  auto *choices = new FlowLayout(6);
  const QStringList names = selectable_strategies();
  const auto &six = lecture_strategies();
  for (int i = 0; i < names.size(); ++i) {
    auto *box = new QCheckBox(names[i]);
    box->setToolTip(describe(names[i]));
    box->setChecked(std::find(six.begin(), six.end(), names[i].toStdString()) != six.end());
    choices->addWidget(box);
    choices_.push_back(box);
  }
  return choices;
}

void CompareView::buildTable() {
  const auto &columns = compare_columns();
  table_ = new QTableWidget(0, static_cast<int>(columns.size()));
  QStringList titles;
  for (const std::string &c : columns)
    titles << two_lines(c);
  table_->setHorizontalHeaderLabels(titles);
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->viewport()->installEventFilter(this); // refit when its width changes
}

QWidget *CompareView::buildChartPanel() {
  auto *below = new QWidget;
  auto *below_layout = new QVBoxLayout(below);
  below_layout->setContentsMargins(0, 0, 0, 0);
  auto *pick = new QHBoxLayout;
  column_ = new QComboBox;
  for (const std::string &path : compare_paths())
    if (path != "strategy")
      column_->addItem(QString::fromStdString(report_label(path)), QString::fromStdString(path));
  column_->setCurrentIndex(column_->findData(QString("anomalies.stale_reads")));
  column_->setToolTip("The column the chart draws: each bar the mean over the seeds, its error "
                      "bar the 95 % interval");
  auto *chart_label = new QLabel("Chart:");
  chart_label->setBuddy(column_);
  pick->addWidget(chart_label);
  pick->addWidget(column_);
  pick->addStretch(1);
  below_layout->addLayout(pick);
  chart_view_ = new QChartView(make_bar_chart({}, chartedPath().toStdString()));
  chart_view_->setRenderHint(QPainter::Antialiasing);
  chart_view_->setMinimumHeight(160);
  below_layout->addWidget(chart_view_, 1);
  connect(column_, &QComboBox::currentIndexChanged, this, [this] { redrawChart(); });
  return below;
}

int CompareView::seeds() const { return seeds_->value(); }
void CompareView::setSeeds(int n) { seeds_->setValue(n); }
QChart *CompareView::chart() const { return chart_view_->chart(); }
QString CompareView::chartedPath() const { return column_->currentData().toString(); }

bool CompareView::setChartedPath(const QString &path) {
  const int i = column_->findData(path);
  if (i < 0)
    return false;
  column_->setCurrentIndex(i);
  return true;
}

void CompareView::redrawChart() {
  QChart *old = chart_view_->chart();
  chart_view_->setChart(make_bar_chart(rows_, chartedPath().toStdString()));
  delete old; // the view does not delete the chart it gives up
}

CompareView::~CompareView() { runner_.reset(); }

QStringList CompareView::selected() const {
  QStringList names;
  for (const QCheckBox *b : choices_)
    if (b->isChecked())
      names << b->text();
  return names;
}

void CompareView::setSelected(const QStringList &names) {
  for (QCheckBox *b : choices_)
    b->setChecked(names.contains(b->text()));
}

void CompareView::runAll() {
  std::vector<std::string> names;
  for (const QString &n : selected())
    names.push_back(n.toStdString());
  if (names.empty()) {
    status_->setText("Tick at least one strategy to run.");
    return;
  }
  table_->clearSpans();
  table_->setRowCount(0);
  rows_.clear();
  redrawChart();
  expected_rows_ = static_cast<int>(names.size());
  running_ = scenario_;
  running_seeds_ = seeds_->value();
  busy_ = true;
  status_->setText(QString("running 1 of %1…").arg(expected_rows_));
  stop_->setEnabled(true);
  run_id_ = runner_->start(running_, std::move(names),
                           static_cast<std::size_t>(running_seeds_)); // never waits
}

void CompareView::stop() {
  if (busy_)
    runner_->cancel(); // the table stays as it is; done() says so
}

void CompareView::addRow(const CompareRow &r) {
  if (r.run != run_id_)
    return; // from a comparison begun again since
  const int row = table_->rowCount();
  table_->insertRow(row);
  if (r.failed()) {
    // A failed row has no figures: its name, then what went wrong across
    // the other columns, in red (a student's fault: the callback, the
    // request and its step), as `stampede compare` says it below its table.
    const QString why = QString::fromStdString(r.error.empty() ? r.report.strategy : r.error);
    auto *name = new QTableWidgetItem(QString::fromStdString(r.strategy));
    auto *error = new QTableWidgetItem("failed: " + why);
    for (QTableWidgetItem *item : {name, error}) {
      item->setForeground(palette::kFaultText);
      item->setBackground(palette::kFaultFill);
      item->setToolTip(why);
      item->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    }
    table_->setItem(row, 0, name);
    table_->setItem(row, 1, error);
    if (table_->columnCount() > 2)
      table_->setSpan(row, 1, 1, table_->columnCount() - 1);
  } else {
    // One seed reads exactly as `stampede compare` without --seeds; several
    // read mean +- half-width, as with it.
    const std::vector<std::string> cells =
        running_seeds_ > 1 ? compare_cells(r.replicated) : compare_cells(r.report);
    for (int c = 0; c < static_cast<int>(cells.size()); ++c) {
      auto *item = new QTableWidgetItem(QString::fromStdString(cells[static_cast<std::size_t>(c)]));
      item->setTextAlignment((c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
      table_->setItem(row, c, item);
    }
  }
  fitColumns();
  rows_.push_back(r);
  redrawChart();
  if (row + 1 < expected_rows_)
    status_->setText(QString("running %1 of %2…").arg(row + 2).arg(expected_rows_));
}

void CompareView::progress(const CompareProgress &p) {
  if (p.run != run_id_ || p.seeds < 2 || p.seeds_done >= p.seeds)
    return;
  status_->setText(QString("running %1 of %2, seed %3 of %4…")
                       .arg(p.index + 1)
                       .arg(p.count)
                       .arg(p.seeds_done + 1)
                       .arg(p.seeds));
}

void CompareView::done(const CompareDone &d) {
  if (d.run != run_id_)
    return;
  busy_ = false;
  stop_->setEnabled(false);
  const QString seeds =
      running_seeds_ == 1
          ? QString("seed %1").arg(running_.seed)
          : QString("seeds %1..%2").arg(running_.seed).arg(running_.seed + running_seeds_ - 1);
  QString what = QString("%1 (%2, %3 s simulated)")
                     .arg(QString::fromStdString(running_.name), seeds)
                     .arg(running_.duration_s);
  if (running_seeds_ > 1)
    what += QString("; each cell: mean +- 95 % interval over %1 runs").arg(running_seeds_);
  QStringList failed;
  for (const CompareRow &row : rows_)
    if (row.failed())
      failed << QString::fromStdString(row.strategy);
  if (!failed.isEmpty())
    what += QString("; failed: %1 (its row says why)").arg(failed.join(", "));
  status_->setText(
      d.stopped ? QString("stopped after %1 of %2: %3").arg(d.rows).arg(expected_rows_).arg(what)
                : what);
  emit finished();
}

void CompareView::fitColumns() {
  // Each column as wide as its title and cells need; what room is left is
  // shared by the number columns, so the table spans the view. Only when
  // the contents need more than the view has does it scroll.
  table_->resizeColumnsToContents();
  const int columns = table_->columnCount();
  QHeaderView *header = table_->horizontalHeader();
  const int spare = table_->viewport()->width() - header->length();
  if (spare <= 0 || columns < 2)
    return;
  const int share = spare / (columns - 1);
  for (int c = 1; c < columns; ++c)
    table_->setColumnWidth(c, table_->columnWidth(c) + share +
                                  (c == columns - 1 ? spare - share * (columns - 1) : 0));
}

void CompareView::changeEvent(QEvent *event) {
  if (event->type() == QEvent::FontChange) {
    // Rows and columns follow the font (projector mode sets a larger one).
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    fitColumns();
  }
  QWidget::changeEvent(event);
}

bool CompareView::eventFilter(QObject *watched, QEvent *event) {
  if (watched == table_->viewport() && event->type() == QEvent::Resize)
    fitColumns();
  return QWidget::eventFilter(watched, event);
}

} // namespace stampede::gui
