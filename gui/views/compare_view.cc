#include "views/compare_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include "io/cli.h"
#include "stampede/simulation.h"
#include "stampede/strategy.h"

namespace stampede::gui {

CompareView::CompareView(QWidget *parent) : QWidget(parent) {
  auto *layout = new QVBoxLayout(this);
  auto *top = new QHBoxLayout;
  run_ = new QPushButton("Run every strategy on this scenario");
  status_ = new QLabel;
  top->addWidget(run_);
  top->addWidget(status_, 1);
  layout->addLayout(top);
  const auto &columns = compare_columns();
  table_ = new QTableWidget(0, static_cast<int>(columns.size()));
  QStringList titles;
  for (const std::string &c : columns)
    titles << QString::fromStdString(c);
  table_->setHorizontalHeaderLabels(titles);
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  layout->addWidget(table_, 1);
  auto *note = new QLabel(
      "The lecture's table: each strategy runs the same scenario with the same seed, from t=0 "
      "to the end, as <tt>stampede compare</tt> does. Read it row by row: what each "
      "technique costs the database, and what it costs in stale pages, stampedes and lost "
      "updates.");
  note->setWordWrap(true);
  layout->addWidget(note);
  connect(run_, &QPushButton::clicked, this, &CompareView::runAll);
}

CompareView::~CompareView() {
  if (thread_) {
    cancel_ = true;
    thread_->wait();
    delete thread_;
  }
}

void CompareView::runAll() {
  if (thread_)
    return;
  table_->setRowCount(0);
  cancel_ = false;
  const std::vector<std::string> names = lecture_strategies();
  expected_rows_ = static_cast<int>(names.size());
  status_->setText(QString("running 1 of %1…").arg(expected_rows_));
  run_->setEnabled(false);
  thread_ = QThread::create([this, names, base = scenario_] {
    for (const std::string &name : names) {
      if (cancel_)
        break;
      // A row named `update` means update without cas, as in `stampede compare`.
      Scenario s = base;
      s.strategy = with_strategy(base.strategy, name);
      Report r;
      try {
        Simulation sim(s);
        // In slices, so closing the window need not wait for a long run.
        for (Time t = kSecond; !sim.finished() && !cancel_; t += 10 * kSecond)
          sim.run_until(t);
        r = sim.report();
      } catch (const std::exception &e) {
        r.strategy = name + ": " + e.what();
      }
      QMetaObject::invokeMethod(
          this, [this, r] { addRow(r); }, Qt::QueuedConnection);
    }
    QMetaObject::invokeMethod(
        this, [this] { done(); }, Qt::QueuedConnection);
  });
  thread_->start();
}

void CompareView::addRow(const Report &r) {
  const int row = table_->rowCount();
  table_->insertRow(row);
  const std::vector<std::string> cells = compare_cells(r);
  for (int c = 0; c < static_cast<int>(cells.size()); ++c) {
    auto *item = new QTableWidgetItem(QString::fromStdString(cells[static_cast<std::size_t>(c)]));
    item->setTextAlignment((c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
    table_->setItem(row, c, item);
  }
  if (row + 1 < expected_rows_)
    status_->setText(QString("running %1 of %2…").arg(row + 2).arg(expected_rows_));
}

void CompareView::done() {
  thread_->wait();
  delete thread_;
  thread_ = nullptr;
  run_->setEnabled(true);
  status_->setText(QString("%1 (seed %2, %3 s simulated)")
                       .arg(QString::fromStdString(scenario_.name))
                       .arg(scenario_.seed)
                       .arg(scenario_.duration_s));
  emit finished();
}

} // namespace stampede::gui
