// The window's controls under QTest on the offscreen platform (issue 12,
// items 4 and 7): the Compare tab offers every strategy and its table fits;
// Apply and restart keeps the live strategy; a button that cannot act says
// why in the status bar; projector mode enlarges the text and hides the side
// panels, and `stampede-gui --help` names it. Each test saves a PNG of what
// it checked next to the test binary, for a person to look at.
#include <QAction>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QHeaderView>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

#include "stampede/lecture.h"
#include "stampede/lessons.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "views/charts_view.h"
#include "views/compare_view.h"
#include "views/diagram_view.h"
#include "views/lecture_bar.h"
#include "views/lesson_panel.h"
#include "views/main_window.h"
#include "views/scenario_panel.h"
#include "views/timeline_view.h"
#include "worker/sim_worker.h"

using stampede::Scenario;
using stampede::gui::MainWindow;

namespace {

// A student's strategy as the loader would register it: any `student:` name
// must be offered wherever the built-in ones are.
constexpr const char *kStudentStrategy = "student:copy_of_clear";

Scenario load(const char *spec, std::vector<std::string> overrides = {}) {
  auto s = stampede::load_scenario(spec, overrides);
  if (!s)
    qFatal("%s", s.error.c_str());
  return *s.value;
}

constexpr int kMaxSpeed = 9; // "as fast as it goes" in the speed combo

QString outputPath(const QString &name) { return QString(STAMPEDE_TEST_OUTPUT_DIR) + "/" + name; }

// A toolbar or menu action by its text, as a user finds it.
QAction *action(MainWindow &w, const QString &text) {
  for (QAction *a : w.findChildren<QAction *>())
    if (a->text() == text)
      return a;
  return nullptr;
}

// Every strategy the window must offer: the lecture's six (update+cas among
// them) in the table's order, then every other registered name.
QStringList everyStrategy() {
  QStringList names;
  for (const std::string &n : stampede::lecture_strategies())
    names << QString::fromStdString(n);
  for (const std::string &n : stampede::StrategyRegistry::global().names())
    if (!names.contains(QString::fromStdString(n)))
      names << QString::fromStdString(n);
  return names;
}

// Ticks every strategy box of the compare view and runs them.
bool runEveryStrategy(MainWindow &w) {
  for (QCheckBox *b : w.compare()->findChildren<QCheckBox *>())
    b->setChecked(true);
  QSignalSpy done(w.compare(), &stampede::gui::CompareView::finished);
  w.compare()->runAll();
  return done.wait(120000);
}

// @return a line per toolbar that hides controls in its "»" menu (none: empty).
QString toolbarsOverflowing(MainWindow &w) {
  QString bad;
  for (QToolBar *bar : w.findChildren<QToolBar *>()) {
    const auto *more = bar->findChild<QToolButton *>("qt_toolbar_ext_button");
    if (bar->isVisible() && more != nullptr && more->isVisible())
      bad += QString("toolbar \"%1\" hides controls behind »\n").arg(bar->windowTitle());
  }
  return bad;
}

// A font's size whichever way it was given (chart themes set pixels).
double size(const QFont &f) { return f.pointSizeF() > 0 ? f.pointSizeF() : f.pixelSize(); }

bool runToTheEnd(MainWindow &w) {
  w.setSpeedIndex(kMaxSpeed);
  w.worker()->play();
  return QTest::qWaitFor([&] { return w.lastSnapshot().finished; }, 60000);
}

} // namespace

class WindowControlsTest : public QObject {
  Q_OBJECT
private slots:
  void initTestCase();
  void compareOffersEveryStrategy();
  void compareTableFitsItsWidth_data();
  void compareTableFitsItsWidth();
  void compareStopsAndStartsAgainAtOnce();
  void applyKeepsTheLiveStrategy();
  void applyTakesAStrategyTypedInThePanel();
  void submitBurstAfterTheEndSaysWhy();
  void stepAtTheEndSaysWhy();
  void crashNodeSaysWhyItCannot();
  void projectorModeEnlargesTextAndHidesSidePanels();
  void projectorModeFitsABeamer_data();
  void projectorModeFitsABeamer();
  void helpNamesProjectorMode();
  void reopensTheMomentOfAnAnomaly();
  void recordsAClipFrameByFrame();
  void followsTheRequestOfAnAnomaly();
  void keysDriveTheRun();
  void projectorShowsTheFollowedRequestLarge();
  void theLecturePlaylistWalksEveryDemo();
  void fileOpenTakesAScenarioAReportALessonAndALecture();
  void aClipOfAnAnomalyStartsBeforeItsCauseAsMp4();
  void aServerThatHasLeftLeavesTheDiagram();
  void everyControlIsWholeAndSaysWhatItIsWhilePlaying();
  void migrateAndRetireAreEnabledWhenTheyCanAct();
  void aMigrationIsLegibleOnABeamer_data();
  void aMigrationIsLegibleOnABeamer();
};

void WindowControlsTest::initTestCase() {
  auto &registry = stampede::StrategyRegistry::global();
  if (!registry.contains(kStudentStrategy))
    registry.add(kStudentStrategy, registry.factory("clear"), "a student's copy of clear");
}

void WindowControlsTest::compareOffersEveryStrategy() {
  MainWindow w(load("builtin:frontpage", {"duration_s=5"}));
  QStringList offered;
  for (const QCheckBox *b : w.compare()->findChildren<QCheckBox *>())
    offered << b->text();
  const QStringList expected = everyStrategy();
  QVERIFY(expected.contains(kStudentStrategy));
  QVERIFY(expected.contains("coalesce"));
  QCOMPARE(offered, expected);
  // The lecture's six are ticked to begin with: Run gives the lecture's table.
  QStringList ticked;
  for (const QCheckBox *b : w.compare()->findChildren<QCheckBox *>())
    if (b->isChecked())
      ticked << b->text();
  QCOMPARE(ticked, expected.mid(0, 6));
  // Issue 24, item 8: the Seeds box capped what was typed without a word;
  // its label says its limit.
  bool said = false;
  for (const QLabel *l : w.compare()->findChildren<QLabel *>())
    if (auto *box = qobject_cast<QSpinBox *>(l->buddy()))
      said = said || l->text() == QString("Seeds (1-%1):").arg(box->maximum());
  QVERIFY(said);

  QVERIFY(runEveryStrategy(w));
  const QTableWidget *t = w.compare()->table();
  QCOMPARE(t->rowCount(), static_cast<int>(expected.size()));
  for (int row = 0; row < t->rowCount(); ++row)
    QCOMPARE(t->item(row, 0)->text(), expected[row]);
}

void WindowControlsTest::compareTableFitsItsWidth_data() {
  QTest::addColumn<QSize>("size");
  QTest::newRow("1400x900") << QSize(1400, 900);
  QTest::newRow("1024x768") << QSize(1024, 768);
}

void WindowControlsTest::compareTableFitsItsWidth() {
  QFETCH(QSize, size);
  MainWindow w(load("builtin:frontpage", {"duration_s=5"}));
  w.resize(size);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  auto *tabs = qobject_cast<QTabWidget *>(w.centralWidget());
  QVERIFY(tabs);
  tabs->setCurrentWidget(w.compare());
  QVERIFY(runEveryStrategy(w));
  QTest::qWait(100);        // the layout settles
  QCOMPARE(w.size(), size); // nothing in the window demands more room than that
  const QString shot = QString("controls-compare-%1x%2.png").arg(size.width()).arg(size.height());
  QVERIFY(w.grab().save(outputPath(shot)));

  const QTableWidget *t = w.compare()->table();
  const QHeaderView *header = t->horizontalHeader();
  // Every column is on screen: no column cut off at the right, no scroll bar.
  QVERIFY2(header->length() <= t->viewport()->width(),
           qPrintable(QString("columns take %1 px, the table shows %2")
                          .arg(header->length())
                          .arg(t->viewport()->width())));
  QVERIFY(!t->horizontalScrollBar()->isVisible());
  // And each is wide enough for its title and every cell (nothing elided).
  const QAbstractItemView *view = t;
  for (int c = 0; c < t->columnCount(); ++c) {
    const int need = std::max(view->sizeHintForColumn(c), header->sectionSizeHint(c));
    QVERIFY2(t->columnWidth(c) >= need, qPrintable(QString("column %1 (%2): %3 px, needs %4")
                                                       .arg(c)
                                                       .arg(t->horizontalHeaderItem(c)->text())
                                                       .arg(t->columnWidth(c))
                                                       .arg(need)));
  }
  // The button's text is whole.
  for (const QPushButton *b : w.compare()->findChildren<QPushButton *>())
    QVERIFY2(b->width() >= b->sizeHint().width(), qPrintable(QString("\"%1\": %2 px, needs %3")
                                                                 .arg(b->text())
                                                                 .arg(b->width())
                                                                 .arg(b->sizeHint().width())));
}

void WindowControlsTest::compareStopsAndStartsAgainAtOnce() {
  // The runs are the worker's (CompareRunner): Stop and Run return at once
  // though a million simulated seconds are running, and a comparison begun
  // again shows its own rows only.
  stampede::gui::CompareView view;
  QSignalSpy done(&view, &stampede::gui::CompareView::finished);
  QElapsedTimer call;
  qint64 longest_ms = 0;
  const auto timed = [&](auto f) {
    call.start();
    f();
    longest_ms = std::max(longest_ms, call.elapsed());
  };
  view.setScenario(load("builtin:frontpage", {"duration_s=1000000"}));
  view.setSelected({"clear"});
  timed([&] { view.runAll(); });
  QVERIFY(view.busy());
  timed([&] { view.stop(); });
  QVERIFY(done.wait(30000));
  QVERIFY(!view.busy());
  QCOMPARE(view.table()->rowCount(), 0);
  bool said = false;
  for (const QLabel *l : view.findChildren<QLabel *>())
    said = said || l->text().startsWith("stopped after 0 of 1: frontpage");
  QVERIFY(said);

  timed([&] { view.runAll(); });
  view.setScenario(load("builtin:frontpage", {"duration_s=5"}));
  view.setSelected({"none", "naive"});
  timed([&] { view.runAll(); }); // the long run is stopped, not waited for
  QVERIFY(done.wait(30000));
  QTest::qWait(50);
  QCOMPARE(done.count(), 2); // the run begun again ended once; the one it stopped, silently
  QCOMPARE(view.table()->rowCount(), 2);
  QCOMPARE(view.table()->item(0, 0)->text(), QString("none"));
  QCOMPARE(view.table()->item(1, 0)->text(), QString("naive"));
  qInfo("longest Run or Stop call: %lld ms", static_cast<long long>(longest_ms));
  QVERIFY(longest_ms < 2000); // generous; a wait for the long run would take minutes
}

void WindowControlsTest::applyKeepsTheLiveStrategy() {
  // The file says clear; the lecturer switches to update+cas live, then
  // edits a field and applies: the run restarts with update+cas.
  MainWindow w(load("builtin:frontpage"));
  w.show();
  QVERIFY(QTest::qWaitFor([&] { return w.snapshotsApplied() > 0; }, 5000));
  QCOMPARE(w.lastSnapshot().stack.strategy, std::string("clear"));
  w.chooseStrategy("update+cas");
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().stack.strategy == "update+cas"; }, 5000));
  const auto generation = w.lastSnapshot().generation;
  QVERIFY(w.scenarioPanel()->setField("app.servers", "2"));
  w.scenarioPanel()->apply();
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().generation != generation; }, 5000));
  QCOMPARE(w.lastSnapshot().stack.busy_workers.size(), std::size_t{2}); // the edit applied
  QCOMPARE(w.lastSnapshot().stack.strategy, std::string("update+cas"));
  QVERIFY2(w.statusBar()->currentMessage().contains("update+cas"),
           qPrintable(w.statusBar()->currentMessage()));
}

void WindowControlsTest::applyTakesAStrategyTypedInThePanel() {
  // A strategy typed in the Scenario tab is the user's choice: it wins over
  // the live one.
  MainWindow w(load("builtin:frontpage"));
  w.show();
  QVERIFY(QTest::qWaitFor([&] { return w.snapshotsApplied() > 0; }, 5000));
  w.chooseStrategy("naive");
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().stack.strategy == "naive"; }, 5000));
  const auto generation = w.lastSnapshot().generation;
  QVERIFY(w.scenarioPanel()->setField("strategy.name", "refresh"));
  w.scenarioPanel()->apply();
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().generation != generation; }, 5000));
  QCOMPARE(w.lastSnapshot().stack.strategy, std::string("refresh"));
}

void WindowControlsTest::submitBurstAfterTheEndSaysWhy() {
  MainWindow w(load("builtin:frontpage", {"duration_s=2"}));
  w.show();
  QVERIFY(runToTheEnd(w));
  const std::uint64_t submits = w.lastSnapshot().totals.submits;
  QAction *submit = action(w, "Submit burst");
  QVERIFY(submit);
  submit->trigger();
  const QString message = w.statusBar()->currentMessage();
  QVERIFY2(message.contains("ended"), qPrintable(message));
  QVERIFY2(message.contains("Restart"), qPrintable(message));
  QVERIFY(w.grab().save(outputPath("controls-status-submit-after-end.png")));
  QTest::qWait(200);
  QCOMPARE(w.lastSnapshot().totals.submits, submits); // and nothing happened
}

void WindowControlsTest::stepAtTheEndSaysWhy() {
  MainWindow w(load("builtin:frontpage", {"duration_s=2"}));
  w.show();
  QVERIFY(runToTheEnd(w));
  QAction *step = action(w, "Step");
  QVERIFY(step);
  step->trigger();
  const QString message = w.statusBar()->currentMessage();
  QVERIFY2(message.contains("ended"), qPrintable(message));
}

void WindowControlsTest::crashNodeSaysWhyItCannot() {
  MainWindow w(load("builtin:frontpage", {"cache.nodes=1", "events=[]"}));
  w.show();
  QVERIFY(QTest::qWaitFor([&] { return w.snapshotsApplied() > 0; }, 5000));
  QAction *crash = action(w, "Crash node");
  QVERIFY(crash);
  QSpinBox *node = nullptr;
  for (QSpinBox *b : w.findChildren<QSpinBox *>())
    if (b->prefix() == "node ")
      node = b;
  QVERIFY(node);
  // Node 3 does not exist in a one-node tier.
  node->setValue(3);
  crash->trigger();
  QVERIFY2(w.statusBar()->currentMessage().contains("no node 3"),
           qPrintable(w.statusBar()->currentMessage()));
  // Node 0 goes down; crashing again finds no node up.
  node->setValue(0);
  crash->trigger();
  QVERIFY(QTest::qWaitFor(
      [&] {
        const auto &up = w.lastSnapshot().stack.cache_up;
        return up.size() == 1 && !up[0];
      },
      5000));
  crash->trigger();
  const QString message = w.statusBar()->currentMessage();
  QVERIFY2(message.contains("no cache node is up"), qPrintable(message));
  QVERIFY(w.grab().save(outputPath("controls-status-crash-none-up.png")));
}

void WindowControlsTest::projectorModeFitsABeamer_data() {
  QTest::addColumn<QSize>("size");
  QTest::newRow("1024x768") << QSize(1024, 768);
  QTest::newRow("1280x720") << QSize(1280, 720);
}

void WindowControlsTest::projectorModeFitsABeamer() {
  // Issue 23: on a 1024x768 beamer projector mode elided every axis label to
  // "...", clipped the diagram's colour key, and hid Restart behind "»".
  // Every control, label and legend is whole at the beamers' sizes.
  QFETCH(QSize, size);
  MainWindow w(load("builtin:stampede"));
  w.resize(size);
  w.setProjectorMode(true);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  w.worker()->pauseAt(5.1);
  w.setSpeedIndex(9);
  w.worker()->play();
  QVERIFY(QTest::qWaitFor([&] { return !w.lastSnapshot().running && w.lastSnapshot().now > 0; },
                          30000));
  QTest::qWait(200);
  QCOMPARE(w.size(), size);
  QVERIFY(w.grab().save(
      outputPath(QString("controls-projector-%1x%2.png").arg(size.width()).arg(size.height()))));
  // No toolbar overflows into its "»" menu.
  QString bad = toolbarsOverflowing(w);
  // No chart text elided: titles, axis labels and titles, legends.
  for (QChartView *view : w.charts()->chartViews())
    for (QGraphicsItem *item : view->scene()->items()) {
      QString text;
      if (auto *t = dynamic_cast<QGraphicsTextItem *>(item))
        text = t->toPlainText();
      else if (auto *s = dynamic_cast<QGraphicsSimpleTextItem *>(item))
        text = s->text();
      if (item->isVisible() && (text.contains("...") || text.contains(QChar(0x2026))))
        bad += QString("chart \"%1\": \"%2\" elided\n").arg(view->chart()->title(), text);
    }
  // The diagram's labels (its key too) whole and inside their frames.
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  for (const auto &l : diagram->labels()) {
    if (l.text.contains(QChar(0x2026)))
      bad += QString("diagram: \"%1\" elided\n").arg(l.text);
    if (!l.frame.adjusted(-0.5, -0.5, 0.5, 0.5).contains(l.rect))
      bad += QString("diagram: \"%1\" outside its box\n").arg(l.text);
  }
  QVERIFY2(bad.isEmpty(), qPrintable(bad));
}

void WindowControlsTest::projectorModeEnlargesTextAndHidesSidePanels() {
  MainWindow w(load("builtin:frontpage"));
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QAction *projector = action(w, "Projector mode");
  QVERIFY(projector);
  QVERIFY(projector->isCheckable());
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  auto *dock = w.findChild<QDockWidget *>();
  QVERIFY(diagram && dock);
  QVERIFY(dock->isVisible());
  const auto *table = w.compare()->table();
  const QToolBar *toolbar = w.findChild<QToolBar *>();
  QChart *chart = w.charts()->chartViews().front()->chart();
  QAbstractAxis *axis = chart->axes().front();
  const double diagram_pt = size(diagram->font());
  const double table_pt = size(table->font());
  const double toolbar_pt = size(toolbar->font());
  const double title_pt = size(chart->titleFont());
  const double axis_pt = size(axis->labelsFont());

  projector->trigger();
  QVERIFY(projector->isChecked());
  QTest::qWait(100);
  QVERIFY(w.grab().save(outputPath("controls-projector.png")));
  QVERIFY(!dock->isVisible());
  // Readable from the back: every text at least 1.5 times its size.
  QVERIFY(size(diagram->font()) >= 1.5 * diagram_pt);
  QVERIFY(size(table->font()) >= 1.5 * table_pt);
  QVERIFY(size(toolbar->font()) >= 1.5 * toolbar_pt);
  QVERIFY(size(chart->titleFont()) >= 1.5 * title_pt);
  QVERIFY(size(axis->labelsFont()) >= 1.5 * axis_pt);
  // Views that draw their own lines read the scale from this property.
  QVERIFY(diagram->property("projectorScale").toDouble() >= 1.5);
  QVERIFY(w.charts()->property("projectorScale").toDouble() >= 1.5);

  projector->trigger();
  QVERIFY(!projector->isChecked());
  QVERIFY(dock->isVisible());
  QCOMPARE(size(diagram->font()), diagram_pt);
  QCOMPARE(size(chart->titleFont()), title_pt);
  QCOMPARE(size(axis->labelsFont()), axis_pt);
  QCOMPARE(diagram->property("projectorScale").toDouble(), 1.0);
}

void WindowControlsTest::helpNamesProjectorMode() {
  QProcess help;
  help.start(STAMPEDE_GUI_PATH, {"--help"});
  QVERIFY(help.waitForFinished(30000));
  const QString text = QString::fromUtf8(help.readAllStandardOutput());
  QCOMPARE(help.exitCode(), 0);
  QVERIFY2(text.contains("--projector"), qPrintable(text));
  QVERIFY2(text.contains("QT_SCALE_FACTOR"), qPrintable(text));

  // The flag starts the window in projector mode (rendered and checked by eye).
  const QString shot = outputPath("controls-projector-cli.png");
  QFile::remove(shot);
  QProcess gui;
  gui.start(STAMPEDE_GUI_PATH, {"builtin:stampede", "--projector", "--screenshot", shot, "--at",
                                "10.2", "--speed", "max"});
  QVERIFY(gui.waitForFinished(60000));
  QVERIFY2(gui.exitCode() == 0, gui.readAllStandardError().constData());
  QVERIFY(QFile::exists(shot));
}

// Reopen a moment (issue 12, item 6): --anomaly N opens the run paused just
// after its N-th anomaly. builtin:stampede under clear, seed 4: one submit
// every 5 s, so the third stampede begins just after 15 s.
void WindowControlsTest::reopensTheMomentOfAnAnomaly() {
  const QString shot = outputPath("controls-anomaly-3.png");
  QFile::remove(shot);
  QProcess gui;
  gui.start(STAMPEDE_GUI_PATH, {"builtin:stampede", "--strategy", "clear", "--seed", "4",
                                "--anomaly", "3", "--screenshot", shot, "--speed", "max"});
  QVERIFY(gui.waitForFinished(60000));
  QVERIFY2(gui.exitCode() == 0, gui.readAllStandardError().constData());
  const QString said = QString::fromUtf8(gui.readAllStandardOutput());
  QVERIFY2(said.startsWith("anomaly 3: stampede at 15.0"), qPrintable(said));
  QVERIFY(QFile::exists(shot));

  QProcess none;
  none.start(STAMPEDE_GUI_PATH,
             {"builtin:stampede", "--strategy", "clear", "--anomaly", "1000000"});
  QVERIFY(none.waitForFinished(60000));
  QCOMPARE(none.exitCode(), 2); // the run has 6 anomalies, not a million
  QVERIFY(QString::fromUtf8(none.readAllStandardError()).contains("fewer anomalies"));
}

// Record a clip (issue 12, item 5): one paused frame per 1/fps of video,
// --clip-speed simulated seconds per video second: 0.5 s of simulated time
// at 0.25 s a second and 10 frames a second is 20 steps, 21 frames.
void WindowControlsTest::recordsAClipFrameByFrame() {
  const QString ffprobe = QStandardPaths::findExecutable("ffprobe");
  if (ffprobe.isEmpty())
    QSKIP("no ffmpeg/ffprobe (./dev installs Debian's ffmpeg)");
  const QString clip = outputPath("controls-stampede.gif");
  QFile::remove(clip);
  QProcess gui;
  gui.start(STAMPEDE_GUI_PATH,
            {"builtin:stampede", "--strategy", "clear", "--record", clip, "--from", "4.95", "--to",
             "5.45", "--fps", "10", "--clip-speed", "0.25"});
  QVERIFY(gui.waitForFinished(120000));
  QVERIFY2(gui.exitCode() == 0, gui.readAllStandardError().constData());
  QVERIFY(QString::fromUtf8(gui.readAllStandardOutput()).contains("21 frames"));
  QFile f(clip);
  QVERIFY(f.open(QIODevice::ReadOnly));
  QCOMPARE(f.read(6), QByteArray("GIF89a"));
  QProcess probe;
  probe.start(ffprobe, {"-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                        "stream=nb_read_frames", "-of", "csv=p=0", clip});
  QVERIFY(probe.waitForFinished(60000));
  QCOMPARE(QString::fromUtf8(probe.readAllStandardOutput()).trimmed(), QString("21"));

  QProcess bad;
  bad.start(STAMPEDE_GUI_PATH, {"--record", clip, "--from", "5", "--to", "4"});
  QVERIFY(bad.waitForFinished(30000));
  QCOMPARE(bad.exitCode(), 2);
  QVERIFY(QString::fromUtf8(bad.readAllStandardError()).contains("--to: expected a time after"));
}

// Follow one request (issue 12, item 2): a row of the anomaly list pauses
// the run and the Request tab shows that request's life; Step then runs it
// to its next event and says what ran. builtin:stampede under clear: the
// first stampede is a view whose page query starts while another is in
// flight, just after the submit at 5 s.
void WindowControlsTest::followsTheRequestOfAnAnomaly() {
  MainWindow w(load("builtin:stampede", {"strategy.name=clear"}));
  w.resize(1400, 900);
  w.show();
  w.setSpeedIndex(kMaxSpeed);
  w.worker()->pauseAt(5.02);
  w.worker()->play();
  QVERIFY(QTest::qWaitFor(
      [&] { return w.lastSnapshot().now >= stampede::seconds_to_ns(5.02) && w.anomalyRows() > 0; },
      60000));
  const QString details = w.showAnomaly(0);
  QVERIFY2(details.contains("stampede: this request's page query started while another"),
           qPrintable(details));
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().followed != stampede::kNoSerial; }, 10000));
  QVERIFY(!w.lastSnapshot().running);
  const QStringList rows = w.timeline()->rows();
  QVERIFY2(rows.size() >= 4, qPrintable(rows.join("\n")));
  QVERIFY2(rows[0].contains("user: page view arrives"), qPrintable(rows.join("\n")));
  QVERIFY2(rows.join("\n").contains("cache get to memcached 0 -> miss"),
           qPrintable(rows.join("\n")));
  QVERIFY2(rows.join("\n").contains("app server: stampede:"), qPrintable(rows.join("\n")));
  // Highlighted on the diagram: its dot (it waits at the database) is there
  // to ring.
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  QVERIFY(diagram != nullptr);
  bool ringed = false;
  for (const auto &d : diagram->dots(w.lastSnapshot().now))
    ringed = ringed || d.serial == w.lastSnapshot().followed;
  QVERIFY(ringed);

  // Step: the followed request's next event, in words, in the status bar.
  QAction *step = action(w, "Step");
  QVERIFY(step != nullptr);
  step->trigger();
  const QString serial = QString::number(w.lastSnapshot().followed);
  QVERIFY(QTest::qWaitFor(
      [&] { return w.statusBar()->currentMessage().startsWith("Step: req #" + serial); }, 10000));
  QVERIFY(w.timeline()->rows().size() > rows.size());
  w.grab().save(outputPath("controls-follow.png"));
}

// A lecture given from the keyboard (issue 23, part 2): Space plays and
// pauses, S steps, + and - change the speed, R restarts, 1-9 pick the
// strategy list's entries; the Run menu lists them. The window opens with
// the diagram holding the focus, so no spin box takes the digits.
void WindowControlsTest::keysDriveTheRun() {
  MainWindow w(load("builtin:stampede", {"strategy.name=clear"}));
  w.resize(1400, 900);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  QVERIFY(diagram->hasFocus());
  QWidget *keys = diagram;
  QComboBox *speed = nullptr, *strategies = nullptr;
  for (QComboBox *c : w.findChildren<QComboBox *>()) {
    if (c->findText("x1") >= 0)
      speed = c;
    if (c->findText("clear") >= 0)
      strategies = c;
  }
  QVERIFY(speed != nullptr && strategies != nullptr);

  // Space plays; Space again pauses.
  QTest::keyClick(keys, Qt::Key_Space);
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().running; }, 10000));
  QTest::keyClick(keys, Qt::Key_Space);
  QVERIFY(QTest::qWaitFor([&] { return !w.lastSnapshot().running; }, 10000));
  // + and = faster, - slower.
  const int at = speed->currentIndex();
  QTest::keyClick(keys, Qt::Key_Plus);
  QCOMPARE(speed->currentIndex(), at + 1);
  QTest::keyClick(keys, Qt::Key_Equal);
  QCOMPARE(speed->currentIndex(), at + 2);
  QTest::keyClick(keys, Qt::Key_Minus);
  QCOMPARE(speed->currentIndex(), at + 1);
  // S steps: the clock moves while the run stays paused.
  const auto before = w.lastSnapshot().now;
  QTest::keyClick(keys, Qt::Key_S);
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().now > before; }, 10000));
  QVERIFY(!w.lastSnapshot().running);
  // 4 picks the fourth strategy of the list, live.
  const QString fourth = strategies->itemText(3);
  QVERIFY(fourth != "clear");
  QTest::keyClick(keys, Qt::Key_4);
  QVERIFY2(
      QTest::qWaitFor(
          [&] { return QString::fromStdString(w.lastSnapshot().stack.strategy) == fourth; }, 10000),
      qPrintable(QString::fromStdString(w.lastSnapshot().stack.strategy)));
  QCOMPARE(strategies->currentText(), fourth);
  // R restarts: a new run (generation) back at t = 0.
  const auto generation = w.lastSnapshot().generation;
  QTest::keyClick(keys, Qt::Key_R);
  QVERIFY(QTest::qWaitFor(
      [&] { return w.lastSnapshot().generation != generation && w.lastSnapshot().now == 0; },
      10000));
  // Every one of them is in the Run menu, with its key.
  for (const char *name : {"Play", "Step", "Faster", "Slower", "Restart"}) {
    QAction *a = action(w, name);
    QVERIFY2(a != nullptr && !a->shortcut().isEmpty(), name);
  }
  QVERIFY(action(w, "Full screen") != nullptr);
  QCOMPARE(action(w, "Full screen")->shortcut(), QKeySequence(Qt::Key_F11));
}

// Following a request in projector mode (issue 23): the side panels are
// hidden there, so the request's life takes the charts' place, large, under
// the diagram; Esc gives the charts back.
void WindowControlsTest::projectorShowsTheFollowedRequestLarge() {
  MainWindow w(load("builtin:stampede", {"strategy.name=clear"}));
  w.resize(1024, 768);
  w.setProjectorMode(true);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  w.setSpeedIndex(kMaxSpeed);
  w.worker()->pauseAt(5.02);
  w.worker()->play();
  QVERIFY(QTest::qWaitFor(
      [&] { return w.lastSnapshot().now >= stampede::seconds_to_ns(5.02) && w.anomalyRows() > 0; },
      60000));
  QVERIFY(w.charts()->isVisible());
  QVERIFY(!w.stageTimeline()->isVisible());
  w.showAnomaly(0);
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().followed != stampede::kNoSerial; }, 10000));
  QVERIFY(QTest::qWaitFor([&] { return w.stageTimeline()->isVisible(); }, 5000));
  QVERIFY(!w.charts()->isVisible());
  QVERIFY(!w.findChild<QDockWidget *>()->isVisible()); // the side panels stay hidden
  const QStringList rows = w.stageTimeline()->rows();
  QVERIFY2(rows.join("\n").contains("app server: stampede:"), qPrintable(rows.join("\n")));
  // Large: it has the room the charts had, and projector mode's text.
  QVERIFY(w.stageTimeline()->width() > w.width() * 0.9);
  QVERIFY(w.stageTimeline()->font().pointSizeF() >= w.charts()->font().pointSizeF());
  QVERIFY(w.grab().save(outputPath("controls-projector-follow-1024x768.png")));
  // Esc: following stops, the charts come back.
  QTest::keyClick(w.findChild<stampede::gui::DiagramView *>(), Qt::Key_Escape);
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().followed == stampede::kNoSerial; }, 10000));
  QVERIFY(QTest::qWaitFor([&] { return w.charts()->isVisible(); }, 5000));
  QVERIFY(!w.stageTimeline()->isVisible());
}

// The lecture as a playlist (issue 23, part 3): on a 1024x768 beamer in
// projector mode, every demo of lessons/lecture.json opens with its
// scenario, strategy, seed and speed, paused at its moment, the strip naming
// it; Page Down walks forward through all of them, Page Up back.
void WindowControlsTest::theLecturePlaylistWalksEveryDemo() {
  const stampede::Lecture lecture = stampede::read_lecture(stampede::default_lecture_file());
  QVERIFY2(lecture.error.empty(), lecture.error.c_str());
  MainWindow w(load("builtin:frontpage"));
  w.resize(1024, 768);
  w.setProjectorMode(true);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(QTest::qWaitFor([&] { return w.snapshotsApplied() > 0; }, 10000));
  auto generation = w.lastSnapshot().generation;
  w.openLecture(lecture);
  QVERIFY(w.lectureBar()->isVisible());
  QComboBox *speed = nullptr;
  for (QComboBox *c : w.findChildren<QComboBox *>())
    if (c->findText("x1") >= 0)
      speed = c;
  QVERIFY(speed != nullptr);
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  for (std::size_t k = 0; k < lecture.demos.size(); ++k) {
    const stampede::LectureDemo &d = lecture.demos[k];
    const QString where = QString("demo %1 (%2)").arg(k + 1).arg(QString::fromStdString(d.title));
    QCOMPARE(w.lectureBar()->current(), static_cast<int>(k));
    const auto at = stampede::seconds_to_ns(d.at);
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                   const auto &s = w.lastSnapshot();
                   return s.generation != generation && !w.arriving() && !s.running &&
                          s.now >= at && s.stack.strategy == d.strategy;
                 },
                 60000),
             qPrintable(where));
    QVERIFY2(w.lastSnapshot().now < at + stampede::seconds_to_ns(0.05), qPrintable(where));
    QVERIFY2(w.lectureBar()->text().contains(QString::fromStdString(d.title)), qPrintable(where));
    const QString want =
        d.speed == "max" ? "as fast as it goes" : "x" + QString::fromStdString(d.speed);
    QVERIFY2(speed->currentText() == want, qPrintable(where + ": " + speed->currentText()));
    if (k == 7)
      QVERIFY(w.grab().save(outputPath("controls-lecture-demo-8-1024x768.png")));
    generation = w.lastSnapshot().generation; // the next demo is a new run
    QTest::keyClick(diagram, Qt::Key_PageDown);
  }
  // Past the last, Page Down stays; Page Up goes back one.
  QCOMPARE(w.lectureBar()->current(), static_cast<int>(lecture.demos.size()) - 1);
  QTest::keyClick(diagram, Qt::Key_PageUp);
  QCOMPARE(w.lectureBar()->current(), static_cast<int>(lecture.demos.size()) - 2);
}

// File > Open (issue 23): a scenario file, a report (its run_scenario), a
// lesson's folder and a playlist each open; a file that is none says why.
void WindowControlsTest::fileOpenTakesAScenarioAReportALessonAndALecture() {
  MainWindow w(load("builtin:frontpage"));
  w.resize(1400, 900);
  w.show();
  QVERIFY(action(w, "Open…") != nullptr);
  QCOMPARE(action(w, "Open…")->shortcut(), QKeySequence(QKeySequence::Open));
  const QString lessons = QString::fromStdString(stampede::default_lessons_dir().string());
  // A scenario file: the window restarts on it.
  QCOMPARE(w.openPath(lessons + "/../simulator/io/builtin/stampede.json"), QString());
  QVERIFY(QTest::qWaitFor([&] { return w.windowTitle().contains("stampede"); }, 5000));
  // A report: the scenario it ran, with its seed.
  const QString report = outputPath("controls-open-report.json");
  {
    QProcess run;
    run.start(STAMPEDE_CLI_PATH, {"run", "builtin:lost-updates", "--strategy", "update", "--seed",
                                  "7", "--report", report});
    QVERIFY(run.waitForFinished(60000));
    QCOMPARE(run.exitCode(), 0);
  }
  QCOMPARE(w.openPath(report), QString());
  QVERIFY(QTest::qWaitFor(
      [&] { return w.lastSnapshot().stack.strategy == "update" && w.lastSnapshot().now == 0; },
      5000));
  QVERIFY(w.windowTitle().contains("lost"));
  // A lesson: the Lesson tab shows it.
  QCOMPARE(w.openPath(lessons + "/04-cache-stampede"), QString());
  QVERIFY(w.lessonPanel()->isVisible());
  QVERIFY(w.lessonPanel()->stepText().size() > 0);
  // A playlist: the lecture strip.
  QCOMPARE(w.openPath(lessons + "/lecture.json"), QString());
  QVERIFY(w.lectureBar()->isVisible());
  QCOMPARE(w.lectureBar()->current(), 0);
  // Not one of them: the file and what was expected.
  const QString junk = outputPath("controls-open-junk.json");
  {
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"workload\": {\"rate\": -5}}");
  }
  const QString problem = w.openPath(junk);
  QVERIFY2(problem.contains("controls-open-junk.json") && problem.contains("workload.rate"),
           qPrintable(problem));
  // A strategy nobody built: said, not run.
  const QString nope = outputPath("controls-open-nope.json");
  {
    QFile f(nope);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"workload\": {\"rate\": 5}, \"strategy\": {\"name\": \"student:nope\"}}");
  }
  const QString unknown = w.openPath(nope);
  QVERIFY2(unknown.contains("unknown strategy \"student:nope\""), qPrintable(unknown));
}

// Clips for slides (issue 23): with --anomaly, a clip starts before the
// anomaly's cause (the stampede's delete) and ends after it; .mp4 comes out
// as H.264 in yuv420p, which presentation software plays.
void WindowControlsTest::aClipOfAnAnomalyStartsBeforeItsCauseAsMp4() {
  const QString ffprobe = QStandardPaths::findExecutable("ffprobe");
  if (ffprobe.isEmpty())
    QSKIP("no ffmpeg/ffprobe (./dev installs Debian's ffmpeg)");
  const QString clip = outputPath("controls-stampede.mp4");
  QFile::remove(clip);
  QProcess gui;
  gui.start(STAMPEDE_GUI_PATH, {"builtin:stampede", "--strategy", "clear", "--anomaly", "1",
                                "--record", clip, "--fps", "10", "--clip-speed", "0.1"});
  QVERIFY(gui.waitForFinished(120000));
  QVERIFY2(gui.exitCode() == 0, gui.readAllStandardError().constData());
  const QString said = QString::fromUtf8(gui.readAllStandardOutput());
  // "clip from F s (its cause at C s) to T s" then "anomaly 1: stampede at A s".
  const QRegularExpression clip_line(
      R"(clip from ([\d.]+) s \(its cause at ([\d.]+) s\) to ([\d.]+) s)");
  const QRegularExpression anomaly_line(R"(anomaly 1: stampede at ([\d.]+) s)");
  const auto c = clip_line.match(said), a = anomaly_line.match(said);
  QVERIFY2(c.hasMatch() && a.hasMatch(), qPrintable(said));
  const double from = c.captured(1).toDouble(), cause = c.captured(2).toDouble(),
               to = c.captured(3).toDouble(), anomaly = a.captured(1).toDouble();
  QVERIFY2(from < cause && cause < anomaly && anomaly < to, qPrintable(said));
  // The cause is the submit's delete, at 5 s and a little (builtin:stampede).
  QVERIFY2(cause >= 5.0 && cause < 5.1, qPrintable(said));
  QProcess probe;
  probe.start(ffprobe, {"-v", "error", "-select_streams", "v:0", "-show_entries",
                        "stream=codec_name,pix_fmt", "-of", "csv=p=0", clip});
  QVERIFY(probe.waitForFinished(60000));
  QCOMPARE(QString::fromUtf8(probe.readAllStandardOutput()).trimmed(), QString("h264,yuv420p"));
}

// Issue 23: "(leaving)" servers never left the diagram. A server removed
// live is drawn dashed, "(leaving)", while it finishes what it holds; once
// it holds nothing it is gone from the picture and the others take its room.
void WindowControlsTest::aServerThatHasLeftLeavesTheDiagram() {
  MainWindow w(load("builtin:frontpage"));
  w.resize(1400, 900);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  const auto names = [&] {
    QStringList out;
    for (const auto &l : diagram->labels())
      if (l.text.startsWith("App "))
        out << l.text.section('\n', 0, 0);
    return out;
  };
  QVERIFY(QTest::qWaitFor([&] { return names().size() == 4; }, 10000));
  QAction *remove = action(w, "Remove app server");
  QVERIFY(remove != nullptr);
  remove->trigger(); // app 3 leaves the pool; at t = 0 it holds nothing
  QVERIFY(QTest::qWaitFor(
      [&] {
        return w.lastSnapshot().stack.app_in_pool.size() == 4 &&
               !w.lastSnapshot().stack.app_in_pool[3];
      },
      10000));
  w.worker()->pauseAt(2.0);
  w.setSpeedIndex(kMaxSpeed);
  w.worker()->play();
  QVERIFY(QTest::qWaitFor([&] { return !w.lastSnapshot().running && w.lastSnapshot().now > 0; },
                          30000));
  QTest::qWait(100);
  const QStringList shown = names();
  QVERIFY2(shown.size() == 3 && !shown.join(' ').contains("App 3") &&
               !shown.join(' ').contains("leaving"),
           qPrintable(shown.join(" | ")));
  QVERIFY(w.grab().save(outputPath("controls-server-left.png")));
}

// Issue 23: while playing at 1400 px, "Remove app server" hid behind "»"
// (Pause is wider than Play); the burst and node boxes said only "10" and
// "node 0".
void WindowControlsTest::everyControlIsWholeAndSaysWhatItIsWhilePlaying() {
  MainWindow w(load("builtin:frontpage"));
  w.resize(1400, 900);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  w.setSpeedIndex(3); // x1
  w.worker()->play();
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().running; }, 10000));
  QTest::qWait(200);
  const QString overflowing = toolbarsOverflowing(w);
  QVERIFY2(overflowing.isEmpty(), qPrintable(overflowing + "(while playing)"));
  QStringList boxes;
  for (QSpinBox *box : w.findChildren<QSpinBox *>())
    if (box->isVisible())
      boxes << box->text();
  QVERIFY2(boxes.contains("10 submits") && boxes.contains("node 0"), qPrintable(boxes.join(" | ")));
  w.worker()->pause();
}

// The issue: "a button in the window for each" of migrate_cache and
// retire_old_cache. Migrate to a new tier (of as many nodes as the tier in
// use) is enabled while no migration is under way, Retire old tier only
// during one; each reaches the model, and the diagram shows the old tier
// until it is retired.
void WindowControlsTest::migrateAndRetireAreEnabledWhenTheyCanAct() {
  MainWindow w(load("builtin:frontpage", {"events=[]"}));
  w.resize(1400, 900);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(QTest::qWaitFor([&] { return w.snapshotsApplied() > 0; }, 5000));
  QAction *migrate = action(w, "Migrate to a new tier");
  QAction *retire = action(w, "Retire old tier");
  QVERIFY(migrate != nullptr && retire != nullptr);
  QVERIFY(migrate->isEnabled());
  QVERIFY(!retire->isEnabled());
  QVERIFY2(retire->toolTip().contains("No migration is under way"), qPrintable(retire->toolTip()));
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  const auto old_nodes = [&] {
    int n = 0;
    for (const auto &l : diagram->labels())
      n += l.text.startsWith("old memcached ");
    return n;
  };
  const stampede::StackState &st = w.lastSnapshot().stack;
  const std::size_t tier = st.cache_items.size() - st.gutter_nodes;
  QVERIFY(tier > 0);

  migrate->trigger();
  QVERIFY(!migrate->isEnabled()); // no second one before the first shows
  QVERIFY(
      QTest::qWaitFor([&] { return w.lastSnapshot().stack.old_cache_items.size() == tier; }, 5000));
  QCOMPARE(w.lastSnapshot().stack.cache_items.size(), tier); // as many new nodes, empty
  QVERIFY(!migrate->isEnabled());
  QVERIFY(retire->isEnabled());
  QVERIFY2(migrate->toolTip().contains("A migration is under way"), qPrintable(migrate->toolTip()));
  QVERIFY2(w.statusBar()->currentMessage().contains("took over"),
           qPrintable(w.statusBar()->currentMessage()));
  QCOMPARE(old_nodes(), static_cast<int>(tier));
  QVERIFY(w.grab().save(outputPath("controls-migrating.png")));

  retire->trigger();
  QVERIFY(QTest::qWaitFor([&] { return w.lastSnapshot().stack.old_cache_items.empty(); }, 5000));
  QVERIFY(migrate->isEnabled());
  QVERIFY(!retire->isEnabled());
  QVERIFY2(w.statusBar()->currentMessage().contains("retired"),
           qPrintable(w.statusBar()->currentMessage()));
  QCOMPARE(old_nodes(), 0);

  // The servers' own caches are no tier to migrate.
  MainWindow local(load("builtin:local-caches"));
  local.show();
  QVERIFY(QTest::qWaitFor([&] { return local.snapshotsApplied() > 0; }, 5000));
  QAction *local_migrate = action(local, "Migrate to a new tier");
  QVERIFY(local_migrate != nullptr);
  QVERIFY(!local_migrate->isEnabled());
  QVERIFY2(local_migrate->toolTip().contains("cache locally"),
           qPrintable(local_migrate->toolTip()));
}

void WindowControlsTest::aMigrationIsLegibleOnABeamer_data() {
  QTest::addColumn<QSize>("size");
  QTest::addColumn<bool>("projector");
  QTest::newRow("1280x720") << QSize(1280, 720) << false;
  QTest::newRow("1280x720, projector mode") << QSize(1280, 720) << true;
  QTest::newRow("1024x768, projector mode") << QSize(1024, 768) << true;
}

// builtin:migrate with cache.fallback at 30 s, both tiers up, on a beamer's
// screen: every control whole (in projector mode the bar shows, of Migrate
// and Retire, the one that can act), every diagram label whole, inside its
// box and apart from the others, the old tier's named ("old mc 0" on a
// beamer's larger font).
void WindowControlsTest::aMigrationIsLegibleOnABeamer() {
  QFETCH(QSize, size);
  QFETCH(bool, projector);
  MainWindow w(load("builtin:migrate", {"cache.fallback=true"}));
  w.resize(size);
  w.setProjectorMode(projector);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  w.worker()->pauseAt(30);
  w.setSpeedIndex(kMaxSpeed);
  w.worker()->play();
  QVERIFY(QTest::qWaitFor(
      [&] {
        return w.lastSnapshot().now == stampede::seconds_to_ns(30) && !w.lastSnapshot().running;
      },
      30000));
  QTest::qWait(200);
  QCOMPARE(w.size(), size);
  QVERIFY(w.grab().save(outputPath(QString("controls-migration-%1x%2%3.png")
                                       .arg(size.width())
                                       .arg(size.height())
                                       .arg(projector ? "-projector" : ""))));
  QString bad = toolbarsOverflowing(w);
  QAction *migrate = action(w, projector ? "Migrate" : "Migrate to a new tier");
  QAction *retire = action(w, projector ? "Retire" : "Retire old tier");
  QVERIFY(migrate != nullptr && retire != nullptr);
  QVERIFY(retire->isVisible() && retire->isEnabled());
  QCOMPARE(migrate->isVisible(), !projector);
  auto *diagram = w.findChild<stampede::gui::DiagramView *>();
  const auto labels = diagram->labels();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto &a = labels[i];
    if (a.text.contains(QChar(0x2026)))
      bad += QString("diagram: \"%1\" elided\n").arg(a.text);
    if (!a.frame.contains(a.rect))
      bad += QString("diagram: \"%1\" outside its box\n").arg(a.text);
    if (a.px < 10)
      bad += QString("diagram: \"%1\" at %2 px\n").arg(a.text).arg(a.px);
    for (std::size_t j = i + 1; j < labels.size(); ++j)
      if (a.rect.intersects(labels[j].rect))
        bad += QString("diagram: \"%1\" overlaps \"%2\"\n").arg(a.text, labels[j].text);
  }
  // Each old node named, with its items, in the longest wording that fits
  // ("old memcached 0\n770 items", "old mc 0 · 770 items", "old mc 1 · 1066").
  const std::vector<std::uint64_t> &items = w.lastSnapshot().stack.old_cache_items;
  QCOMPARE(items.size(), std::size_t{2});
  for (std::size_t n = 0; n < items.size(); ++n) {
    const QRegularExpression named(
        QString("^old (memcached|mc) %1\\b.*\\b%2( items)?$").arg(n).arg(items[n]),
        QRegularExpression::DotMatchesEverythingOption);
    int found = 0;
    for (const auto &l : labels)
      found += named.match(l.text).hasMatch();
    if (found != 1)
      bad += QString("old node %1 with %2 items is not named once\n").arg(n).arg(items[n]);
  }
  QVERIFY2(bad.isEmpty(), qPrintable(bad));
}

QTEST_MAIN(WindowControlsTest)
#include "window_controls_test.moc"
