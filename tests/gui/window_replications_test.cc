// The window over seeds (SPEC section 11, issue 10 item 3), under QTest on
// the offscreen platform: the Compare tab's cells over N seeds and its
// error-bar chart, the Sweep tab's lines and bands and its messages for bad
// input, and a lesson step with `seeds` checked over them. Each expected
// number is computed here independently, from Simulation and replicate().
#include <QAbstractBarSeries>
#include <QAreaSeries>
#include <QBarSet>
#include <QChart>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <algorithm>

#include "stampede/compare_table.h"
#include "stampede/expectations.h"
#include "stampede/lessons.h"
#include "stampede/replication.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"
#include "stampede/strategy.h"
#include "views/compare_view.h"
#include "views/lesson_panel.h"
#include "views/main_window.h"
#include "views/sweep_view.h"

using stampede::ReplicatedReport;
using stampede::Scenario;
using stampede::gui::MainWindow;

namespace {

Scenario load(const char *spec, std::vector<std::string> overrides = {}) {
  auto s = stampede::load_scenario(spec, overrides);
  if (!s)
    qFatal("%s", s.error.c_str());
  return *s.value;
}

QString outputPath(const char *name) { return QString(STAMPEDE_TEST_OUTPUT_DIR) + "/" + name; }

// The index of "as fast as it goes" in the speed combo.
constexpr int kMaxSpeed = 9;

// `scenario` under `strategy` over seeds scenario.seed .. + n - 1, run here
// as `stampede compare --seeds n` runs it.
ReplicatedReport replicated(Scenario scenario, const std::string &strategy, std::size_t n) {
  scenario.strategy = stampede::with_strategy(scenario.strategy, strategy);
  std::vector<stampede::Report> runs;
  const std::uint64_t first = scenario.seed;
  for (std::size_t k = 0; k < n; ++k) {
    scenario.seed = first + k;
    stampede::Simulation sim(scenario);
    sim.run();
    runs.push_back(sim.report());
  }
  return stampede::replicate(std::move(runs), 0);
}

template <class T> std::vector<T *> seriesOf(QChart *chart) {
  std::vector<T *> out;
  for (QAbstractSeries *s : chart->series())
    if (auto *t = qobject_cast<T *>(s))
      out.push_back(t);
  return out;
}

// The mean lines of a sweep chart: line series shown in the legend.
std::vector<QLineSeries *> legendLines(QChart *chart) {
  std::vector<QLineSeries *> out;
  for (QLineSeries *l : seriesOf<QLineSeries>(chart)) {
    const auto markers = chart->legend()->markers(l);
    if (!markers.isEmpty() && markers.front()->isVisible())
      out.push_back(l);
  }
  return out;
}

} // namespace

class WindowReplicationsTest : public QObject {
  Q_OBJECT
private slots:
  void compareOverThreeSeedsShowsSpreadsAndErrorBars();
  void compareOverOneSeedHasNoErrorBars();
  void sweepTabDrawsALineAndABandPerStrategy();
  void sweepTabSaysWhatIsWrongWithItsInput_data();
  void sweepTabSaysWhatIsWrongWithItsInput();
  void lessonStepWithSeedsIsCheckedOverThem();
  void lessonStepWithSeedsCountsTheSeedsAsTheyRun();
};

void WindowReplicationsTest::compareOverThreeSeedsShowsSpreadsAndErrorBars() {
  const Scenario scenario = load("builtin:frontpage");
  MainWindow w(scenario);
  w.resize(1400, 900);
  w.show();
  auto *tabs = qobject_cast<QTabWidget *>(w.centralWidget());
  QVERIFY(tabs);
  tabs->setCurrentWidget(w.compare());
  const QStringList names = {"naive", "clear", "update"};
  w.compare()->setSelected(names);
  w.compare()->setSeeds(3);
  QVERIFY(w.compare()->setChartedPath("anomalies.stale_reads"));
  QSignalSpy done(w.compare(), &stampede::gui::CompareView::finished);
  w.compare()->runAll();
  QVERIFY(done.wait(60000));
  const QTableWidget *t = w.compare()->table();
  QCOMPARE(t->rowCount(), 3);
  std::vector<ReplicatedReport> expected;
  for (int row = 0; row < 3; ++row) {
    expected.push_back(replicated(scenario, names[row].toStdString(), 3));
    const auto cells = stampede::compare_cells(expected.back());
    for (int c = 0; c < t->columnCount(); ++c)
      QCOMPARE(t->item(row, c)->text().toStdString(), cells[static_cast<std::size_t>(c)]);
  }
  // Seeds differ in stale reads: those cells carry a half-width.
  for (int row = 0; row < 3; ++row)
    QVERIFY2(t->item(row, 3)->text().contains(" +- "), qPrintable(t->item(row, 3)->text()));

  // The chart: a bar per row at its mean, an I-beam per bar from the
  // interval's low end to its high end.
  QChart *chart = w.compare()->chart();
  const auto bars = seriesOf<QAbstractBarSeries>(chart);
  QCOMPARE(bars.size(), std::size_t{1});
  QCOMPARE(bars[0]->barSets().size(), 1);
  const QBarSet *set = bars[0]->barSets()[0];
  QCOMPARE(set->count(), 3);
  const auto whiskers = seriesOf<QLineSeries>(chart);
  QCOMPARE(whiskers.size(), std::size_t{3});
  for (int row = 0; row < 3; ++row) {
    const stampede::Spread *sp =
        expected[static_cast<std::size_t>(row)].spread("anomalies.stale_reads");
    QCOMPARE(set->at(row), sp->mean);
    const QList<QPointF> points = whiskers[static_cast<std::size_t>(row)]->points();
    double lo = points.front().y(), hi = lo, x_min = points.front().x(), x_max = x_min;
    for (const QPointF &p : points) {
      lo = std::min(lo, p.y());
      hi = std::max(hi, p.y());
      x_min = std::min(x_min, p.x());
      x_max = std::max(x_max, p.x());
    }
    QCOMPARE(lo, *sp->ci95_low);
    QCOMPARE(hi, *sp->ci95_high);
    QVERIFY(hi > lo); // the seeds differ
    // Centred on its bar (the category axis puts bar i at x = i).
    QVERIFY(x_min < row && x_max > row && x_max - x_min < 0.5);
    QCOMPARE(whiskers[static_cast<std::size_t>(row)]->attachedAxes().size(), 2);
  }
  // Another column redraws the chart from the same rows.
  QVERIFY(w.compare()->setChartedPath("db.reads_per_page_view"));
  QCOMPARE(seriesOf<QAbstractBarSeries>(w.compare()->chart()).front()->barSets()[0]->at(1),
           expected[1].spread("db.reads_per_page_view")->mean);

  // The lecture's six over five seeds (docs/img/compare-seeds.png): a bar
  // and an error bar each.
  QVERIFY(w.compare()->setChartedPath("anomalies.stale_reads"));
  w.compare()->setSelected(
      QStringList{"none", "naive", "clear", "refresh", "update", "update+cas"});
  w.compare()->setSeeds(5);
  w.compare()->runAll();
  QVERIFY(done.wait(60000));
  QCOMPARE(t->rowCount(), 6);
  QCOMPARE(seriesOf<QAbstractBarSeries>(w.compare()->chart()).front()->barSets()[0]->count(), 6);
  QCOMPARE(seriesOf<QLineSeries>(w.compare()->chart()).size(), std::size_t{6});
  QTest::qWait(100);
  QVERIFY(w.grab().save(outputPath("gui-compare-seeds.png")));
}

void WindowReplicationsTest::compareOverOneSeedHasNoErrorBars() {
  stampede::gui::CompareView view;
  view.setScenario(load("builtin:frontpage", {"duration_s=10"}));
  view.setSelected({"naive", "clear"});
  QCOMPARE(view.seeds(), 1); // the default: the lecture's table as before
  QSignalSpy done(&view, &stampede::gui::CompareView::finished);
  view.runAll();
  QVERIFY(done.wait(30000));
  QCOMPARE(view.table()->rowCount(), 2);
  for (int row = 0; row < 2; ++row)
    for (int c = 0; c < view.table()->columnCount(); ++c)
      QVERIFY(!view.table()->item(row, c)->text().contains("+-"));
  QCOMPARE(seriesOf<QAbstractBarSeries>(view.chart()).front()->barSets()[0]->count(), 2);
  QVERIFY(seriesOf<QLineSeries>(view.chart()).empty()); // one run: no interval to draw
}

void WindowReplicationsTest::sweepTabDrawsALineAndABandPerStrategy() {
  const Scenario scenario = load("builtin:frontpage");
  MainWindow w(scenario);
  w.resize(1400, 900);
  w.show();
  auto *tabs = qobject_cast<QTabWidget *>(w.centralWidget());
  tabs->setCurrentWidget(w.sweep());
  auto *sweep = w.sweep();
  sweep->setPath("strategy.ttl_s");
  sweep->setValues("1, 30");
  sweep->setStrategies("naive, early");
  sweep->setSeeds(3);
  QVERIFY(sweep->setOutput("anomalies.max_staleness_s"));
  QSignalSpy done(sweep, &stampede::gui::SweepView::finished);
  QVERIFY(sweep->runSweep());
  QVERIFY(sweep->busy());
  QVERIFY(done.wait(60000));
  QVERIFY(!sweep->busy());
  QCOMPARE(sweep->rows(), 4);
  QVERIFY2(sweep->message().contains("2 values x 2 strategies, seeds 1..3"),
           qPrintable(sweep->message()));

  QChart *chart = sweep->chart();
  const auto lines = legendLines(chart);
  QCOMPARE(lines.size(), std::size_t{2});
  QCOMPARE(lines[0]->name(), QString("naive"));
  QCOMPARE(lines[1]->name(), QString("early"));
  QCOMPARE(seriesOf<QAreaSeries>(chart).size(), std::size_t{2}); // a band each
  // naive's line: its mean at TTL 1 s and 30 s, as the runs measure it here.
  Scenario at1 = scenario, at30 = scenario;
  at1.strategy.ttl_s = 1;
  at30.strategy.ttl_s = 30;
  const ReplicatedReport r1 = replicated(at1, "naive", 3), r30 = replicated(at30, "naive", 3);
  const stampede::Spread *m1 = r1.spread("anomalies.max_staleness_s");
  const stampede::Spread *m30 = r30.spread("anomalies.max_staleness_s");
  const QList<QPointF> naive = lines[0]->points();
  QCOMPARE(naive.size(), 2);
  QCOMPARE(naive[0], QPointF(1, m1->mean));
  QCOMPARE(naive[1], QPointF(30, m30->mean));
  // Its band spans the interval at each value.
  const QAreaSeries *band = seriesOf<QAreaSeries>(chart)[0];
  QCOMPARE(band->upperSeries()->points()[1].y(), *m30->ci95_high);
  QCOMPARE(band->lowerSeries()->points()[1].y(), *m30->ci95_low);

  // Another output redraws from the same rows, nothing run again.
  QVERIFY(sweep->setOutput("db.reads_per_page_view"));
  QCOMPARE(legendLines(sweep->chart()).size(), std::size_t{2});
  QVERIFY(!sweep->busy());

  // Lesson 14's sweep, TTL 1 to 30 s over five seeds (docs/img/sweep-tab.png).
  sweep->setValues("1, 2, 5, 10, 20, 30");
  sweep->setSeeds(5);
  QVERIFY(sweep->runSweep());
  QVERIFY(done.wait(60000));
  QCOMPARE(sweep->rows(), 12);
  QCOMPARE(legendLines(sweep->chart()).front()->points().size(), 6);
  QTest::qWait(100);
  QVERIFY(w.grab().save(outputPath("gui-sweep.png")));
}

void WindowReplicationsTest::sweepTabSaysWhatIsWrongWithItsInput_data() {
  QTest::addColumn<QString>("path");
  QTest::addColumn<QString>("values");
  QTest::addColumn<QString>("strategies");
  QTest::addColumn<QString>("said");
  QTest::newRow("unknown path") << "strategy.tll_s"
                                << "1, 30"
                                << "naive"
                                << "unknown field strategy.tll_s";
  QTest::newRow("bad value") << "strategy.ttl_s"
                             << "1, soon"
                             << "naive"
                             << "strategy.ttl_s: expected a number >= 0, got \"soon\"";
  QTest::newRow("unknown strategy") << "strategy.ttl_s"
                                    << "1"
                                    << "naive, nieve"
                                    << "unknown strategy \"nieve\"";
  QTest::newRow("no values") << "strategy.ttl_s"
                             << ""
                             << "naive"
                             << "no empty value";
}

void WindowReplicationsTest::sweepTabSaysWhatIsWrongWithItsInput() {
  QFETCH(QString, path);
  QFETCH(QString, values);
  QFETCH(QString, strategies);
  QFETCH(QString, said);
  stampede::gui::SweepView view;
  view.setScenario(load("builtin:frontpage", {"duration_s=5"}));
  view.show();
  QChart *before = view.chart();
  view.setPath(path);
  view.setValues(values);
  view.setStrategies(strategies);
  QSignalSpy done(&view, &stampede::gui::SweepView::finished);
  QVERIFY(!view.runSweep());
  QVERIFY(!view.busy());
  QVERIFY2(view.message().contains(said), qPrintable(view.message()));
  // Shown, in red, and nothing ran: the chart is the one before.
  bool shown = false;
  for (const QLabel *l : view.findChildren<QLabel *>())
    shown = shown ||
            (l->text() == view.message() && l->isVisible() && l->styleSheet().contains("#b02020"));
  QVERIFY(shown);
  QCOMPARE(view.chart(), before);
  QTest::qWait(50);
  QCOMPARE(done.count(), 0);
}

void WindowReplicationsTest::lessonStepWithSeedsIsCheckedOverThem() {
  // Lesson 14's first step: clear over ten seeds, its interval between 159
  // and 1,758 stale reads (the lowest and highest single runs of seeds
  // 1-100). Seed 1 alone cannot say so (ci95 needs two runs), so "As the
  // lesson says" proves the check ran over the seeds.
  MainWindow w(load("builtin:frontpage"));
  w.show();
  auto *lessons = w.lessonPanel();
  int honest = -1;
  for (std::size_t i = 0; i < lessons->lessons().size(); ++i)
    if (lessons->lessons()[i].dir.filename() == "14-honest-numbers")
      honest = static_cast<int>(i);
  QVERIFY(honest >= 0);
  lessons->selectLesson(honest);
  lessons->selectStep(0);
  const stampede::LessonStep &step = lessons->lessons()[static_cast<std::size_t>(honest)].steps[0];
  QCOMPARE(step.seeds.value_or(1), std::uint64_t{10});
  QVERIFY(lessons->predict("somewhere between 159 and 1,758"));
  QSignalSpy checked(lessons, &stampede::gui::LessonPanel::stepChecked);
  w.setSpeedIndex(kMaxSpeed);
  QVERIFY(lessons->runStep());
  QVERIFY(checked.wait(120000));
  QVERIFY(!lessons->checkingSeeds());
  const QString verdict = lessons->verdict();
  QVERIFY2(verdict.contains("Over 10 seeds</b> (1 to 10"), qPrintable(verdict));
  QVERIFY2(verdict.contains("As the lesson says"), qPrintable(verdict));
  QVERIFY2(verdict.contains("right"), qPrintable(verdict));

  // The same judgement, made here from ten runs of the step's scenario.
  auto scenario = stampede::load_scenario(step.scenario, step.overrides);
  QVERIFY(scenario);
  ReplicatedReport rr = replicated(*scenario.value, "clear", 10);
  const stampede::QuestionOutcome m = stampede::answer_question(*step.question, rr);
  QVERIFY(m.proved);
  QVERIFY2(verdict.contains(QString::fromStdString(m.measured_text).toHtmlEscaped()),
           qPrintable(verdict + "\nexpected: " + QString::fromStdString(m.measured_text)));
  QVERIFY(stampede::evaluate_expectations(rr, *step.expect));
  for (const stampede::ExpectationResult &e : rr.expectations)
    QVERIFY2(verdict.contains(QString("✓ %1 <span style='color:gray'>(measured %2)")
                                  .arg(QString::fromStdString(e.expr).toHtmlEscaped())
                                  .arg(e.actual)),
             qPrintable(verdict + "\nexpected: " + QString::fromStdString(e.expr)));
  // Seed 1 alone: not as the lesson says (an interval needs two runs).
  ReplicatedReport one = replicated(*scenario.value, "clear", 1);
  QVERIFY(!stampede::evaluate_expectations(one, *step.expect));
  QVERIFY(lessons->grab().save(outputPath("gui-lesson-seeds.png")));
}

void WindowReplicationsTest::lessonStepWithSeedsCountsTheSeedsAsTheyRun() {
  // The panel alone, fed the live run's last snapshot by hand: the moment
  // the live run ends it says it is checking, and counts the seed it had.
  stampede::gui::LessonPanel panel(stampede::default_lessons_dir());
  int honest = -1;
  for (std::size_t i = 0; i < panel.lessons().size(); ++i)
    if (panel.lessons()[i].dir.filename() == "14-honest-numbers")
      honest = static_cast<int>(i);
  QVERIFY(honest >= 0);
  panel.selectLesson(honest);
  panel.selectStep(2); // update+cas over ten seeds
  Scenario asked;
  connect(&panel, &stampede::gui::LessonPanel::runRequested, this,
          [&asked](const Scenario &s) { asked = s; });
  QVERIFY(panel.runStep());
  QCOMPARE(stampede::strategy_label(asked.strategy), std::string("update+cas"));
  stampede::gui::Snapshot s;
  s.generation = 1;
  s.finished = true;
  stampede::Simulation sim(asked);
  sim.run();
  s.totals = sim.report();
  QSignalSpy checked(&panel, &stampede::gui::LessonPanel::stepChecked);
  panel.applySnapshot(s);
  QVERIFY(panel.checkingSeeds());
  QCOMPARE(panel.verdict(), QString("checking over 10 seeds: 1 of 10 done…"));
  QVERIFY(checked.wait(120000));
  QVERIFY2(panel.verdict().contains("Over 10 seeds</b> (1 to 10"), qPrintable(panel.verdict()));
  // The runs the panel judged are seeds 1..10 of update+cas: its mean of
  // stale reads as computed here.
  const ReplicatedReport rr = replicated(asked, "update+cas", 10);
  const stampede::QuestionOutcome m = stampede::answer_question(
      *panel.lessons()[static_cast<std::size_t>(honest)].steps[2].question, rr);
  QVERIFY2(panel.verdict().contains(QString::fromStdString(m.measured_text).toHtmlEscaped()),
           qPrintable(panel.verdict() + "\nexpected: " + QString::fromStdString(m.measured_text)));
  QVERIFY2(panel.verdict().contains("As the lesson says"), qPrintable(panel.verdict()));
}

QTEST_MAIN(WindowReplicationsTest)
#include "window_replications_test.moc"
