// Schedule mode (`stampede-gui --schedule FILE`, SPEC section 12) under
// QTest on the offscreen platform: the window steps through a schedule
// `stampede explore --schedule-out` wrote, its story line by line as the
// file tells it, the end line (the stale set) after the last step; Back
// returns to the step before, its words and its stack; Restart to step 0;
// the picker switches schedules; Play steps to the end. RunControl's
// schedule mode is checked without the window too, and the binary's
// answers to bad files (exit status 2, the file, the field path and what
// was expected).
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QProcess>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "views/main_window.h"
#include "views/timeline_view.h"
#include "worker/run_control.h"
#include "worker/sim_worker.h"

using stampede::ScheduleFile;
using stampede::gui::MainWindow;
using stampede::gui::RunControl;

namespace {

constexpr int kWaitMs = 20000; // a loaded 2-core machine still answers a step in this

std::string read_all(const QString &path) {
  std::ifstream in(path.toStdString(), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A schedule file as `stampede explore SCENARIO --schedule-out` writes it
// (the built binary, run), parsed. Empty schedules when it could not.
ScheduleFile explored_by_cli(const QString &scenario, const QString &out) {
  QProcess cli;
  cli.start(STAMPEDE_CLI_PATH, {"explore", scenario, "--schedule-out", out});
  if (!cli.waitForFinished(120000) || cli.exitStatus() != QProcess::NormalExit)
    return {};
  auto parsed = stampede::parse_schedule_file(read_all(out), out.toStdString());
  return parsed ? *parsed.value : ScheduleFile{};
}

// The same, in process: explore() and the file's text.
ScheduleFile explored(const char *spec) {
  auto s = stampede::load_scenario(spec, {});
  if (!s)
    qFatal("%s", s.error.c_str());
  const stampede::ExploreResult r =
      stampede::explore(*s.value, stampede::StrategyRegistry::global());
  auto parsed = stampede::parse_schedule_file(stampede::schedule_file_text(*s.value, r), spec);
  if (!parsed)
    qFatal("%s", parsed.error.c_str());
  return *parsed.value;
}

QString qs(const std::string &s) { return QString::fromStdString(s); }

// What a step's window shows: "Step K of N: LINE".
QString step_line(std::size_t k, std::size_t n, const std::string &line) {
  return QString("Step %1 of %2: %3").arg(k).arg(n).arg(qs(line));
}

// The activities in flight, as (serial, activity, op) rows: the diagram's
// dots, to compare two moments' stacks.
QStringList dots(const stampede::gui::Snapshot &s) {
  QStringList out;
  for (const auto &f : s.in_flight)
    out << QString("%1/%2/%3")
               .arg(f.serial)
               .arg(static_cast<int>(f.activity))
               .arg(static_cast<int>(f.op));
  return out;
}

// The stack's numbers the diagram draws.
QString stack_text(const stampede::gui::Snapshot &s) {
  QString out;
  for (const auto n : s.stack.cache_items)
    out += QString("items %1 ").arg(n);
  out += QString("db queue %1 busy %2 commits %3 views %4")
             .arg(s.stack.db_queue)
             .arg(s.stack.db_busy)
             .arg(s.totals.submits)
             .arg(s.totals.page_views);
  return out;
}

// Runs the stampede-gui binary. @return its exit status and its stderr.
std::pair<int, QString> run_gui(const QStringList &args) {
  QProcess gui;
  gui.start(STAMPEDE_GUI_PATH, args);
  if (!gui.waitForFinished(60000))
    return {-1, "did not finish"};
  return {gui.exitStatus() == QProcess::NormalExit ? gui.exitCode() : -2,
          QString::fromUtf8(gui.readAllStandardError())};
}

} // namespace

class WindowScheduleTest : public QObject {
  Q_OBJECT

private:
  QTemporaryDir dir_;
  ScheduleFile clear_; // builtin:race-clear, as the CLI wrote it
  QString clear_path_;

  // Waits until the window shows step `k` of its schedule.
  static bool at_step(MainWindow &w, std::size_t k) {
    (void)QTest::qWaitFor(
        [&] {
          const auto &p = w.lastSnapshot().schedule;
          return p.active && p.done == k && w.storyCurrent() == static_cast<int>(k) - 1;
        },
        kWaitMs);
    return w.lastSnapshot().schedule.done == k;
  }

private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    clear_path_ = dir_.filePath("race-clear.json");
    clear_ = explored_by_cli("builtin:race-clear", clear_path_);
    QVERIFY2(!clear_.schedules.empty(), "stampede explore wrote no schedule");
    // clear under race-clear: the shortest stale set, its steps and the
    // line the end adds (explore's own check after the last step).
    QCOMPARE(clear_.schedules[0].anomaly, std::string("stale_sets"));
    QCOMPARE(clear_.schedules[0].story.size(), clear_.schedules[0].order.size() + 1);
  }

  // Every step's words are the file's, in order; the rows not run are
  // greyed; the end line comes after the last step and not before.
  void stepsThroughTheStory() {
    const auto &entry = clear_.schedules[0];
    const std::size_t n = entry.order.size();
    MainWindow w(clear_.scenario);
    w.openSchedule(clear_);
    QVERIFY(at_step(w, 0));
    QCOMPARE(w.scheduleLine(), QString("Step 0 of %1: the start, nothing has run yet").arg(n));
    QCOMPARE(w.storyGreyed(), static_cast<int>(n));
    QCOMPARE(w.storyLines().size(), static_cast<int>(n)); // no end line yet
    for (std::size_t k = 1; k <= n; ++k) {
      w.stepAction()->trigger();
      QVERIFY2(at_step(w, k), qPrintable(QString("step %1 did not come").arg(k)));
      QString want = step_line(k, n, entry.story[k - 1]);
      if (k == n)
        want += "; then " + qs(entry.story[n]);
      QCOMPARE(w.scheduleLine(), want);
      QCOMPARE(w.storyLines()[static_cast<int>(k - 1)], qs(entry.story[k - 1]));
      QCOMPARE(w.storyGreyed(), static_cast<int>(n - k));
      QCOMPARE(w.storyLines().size(), static_cast<int>(k == n ? n + 1 : n));
      QVERIFY2(w.statusBar()->currentMessage().startsWith(step_line(k, n, entry.story[k - 1])),
               qPrintable(w.statusBar()->currentMessage()));
    }
    // The whole story, the end line last, as the file has it.
    QStringList file;
    for (const std::string &line : entry.story)
      file << qs(line);
    QCOMPARE(w.storyLines(), file);
    QVERIFY(w.lastSnapshot().finished);
    // A step past the end does nothing and says why.
    w.stepAction()->trigger();
    QTest::qWait(300);
    QCOMPARE(w.lastSnapshot().schedule.done, n);
    QVERIFY2(w.statusBar()->currentMessage().contains("the schedule has ended"),
             qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(w.grab().save(QDir(STAMPEDE_TEST_OUTPUT_DIR).filePath("schedule_end.png")));
  }

  // Back returns to the step before: its words and its stack (the dots in
  // flight, the numbers on the boxes); Restart to step 0.
  void backAndRestart() {
    const auto &entry = clear_.schedules[0];
    const std::size_t n = entry.order.size();
    QVERIFY(n >= 4);
    MainWindow w(clear_.scenario);
    w.openSchedule(clear_);
    QVERIFY(at_step(w, 0));
    const QStringList dots0 = dots(w.lastSnapshot());
    const QString stack0 = stack_text(w.lastSnapshot());
    const stampede::Time now0 = w.lastSnapshot().now;
    for (std::size_t k = 1; k <= 3; ++k) {
      w.stepAction()->trigger();
      QVERIFY(at_step(w, k));
    }
    const QString line3 = w.scheduleLine();
    const QStringList dots3 = dots(w.lastSnapshot());
    const QString stack3 = stack_text(w.lastSnapshot());
    const stampede::Time now3 = w.lastSnapshot().now;
    w.stepAction()->trigger();
    QVERIFY(at_step(w, 4));
    QVERIFY(w.scheduleLine() != line3);
    QVERIFY(w.backAction()->isVisible());
    w.backAction()->trigger();
    QVERIFY(at_step(w, 3));
    QCOMPARE(w.scheduleLine(), line3);
    QCOMPARE(w.scheduleLine(), step_line(3, n, entry.story[2]));
    QCOMPARE(dots(w.lastSnapshot()), dots3);
    QCOMPARE(stack_text(w.lastSnapshot()), stack3);
    QCOMPARE(w.lastSnapshot().now, now3);
    QCOMPARE(w.storyGreyed(), static_cast<int>(n - 3));
    // Twice more, then Restart: step 0, every row greyed.
    w.backAction()->trigger();
    QVERIFY(at_step(w, 2));
    QCOMPARE(w.scheduleLine(), step_line(2, n, entry.story[1]));
    QAction *restart = nullptr;
    for (QAction *a : w.findChildren<QAction *>())
      if (a->text() == "Restart")
        restart = a;
    QVERIFY(restart != nullptr);
    restart->trigger();
    QVERIFY(at_step(w, 0));
    QCOMPARE(w.storyCurrent(), -1);
    QCOMPARE(w.storyGreyed(), static_cast<int>(n));
    QCOMPARE(w.lastSnapshot().now, now0);
    QCOMPARE(dots(w.lastSnapshot()), dots0);
    QCOMPARE(stack_text(w.lastSnapshot()), stack0);
    QVERIFY(now0 < now3);
    // Back at the start stays there.
    w.backAction()->trigger();
    QTest::qWait(300);
    QCOMPARE(w.lastSnapshot().schedule.done, std::size_t{0});
  }

  // race-update holds two schedules, stale_sets and lost_updates (the same
  // steps: the shortest of each): the picker offers both, by name.
  void pickerOffersEachAnomaly() {
    const ScheduleFile file = explored("builtin:race-update");
    QCOMPARE(file.schedules.size(), std::size_t{2});
    MainWindow w(file.scenario);
    w.openSchedule(file);
    QVERIFY(at_step(w, 0));
    QComboBox *pick = w.findChild<QComboBox *>("schedule pick");
    QVERIFY(pick != nullptr);
    QCOMPARE(pick->count(), 2);
    QVERIFY(pick->isEnabled());
    QStringList items{pick->itemText(0), pick->itemText(1)};
    QVERIFY2(items.join('|').contains("lost updates (8 steps)") &&
                 items.join('|').contains("stale sets (8 steps)"),
             qPrintable(items.join('|')));
    w.pickSchedule(1);
    QCOMPARE(w.schedulePicked(), 1);
    QCOMPARE(pick->currentIndex(), 1);
    QVERIFY(at_step(w, 0));
    w.stepAction()->trigger();
    QVERIFY(at_step(w, 1));
    QCOMPARE(w.scheduleLine(), step_line(1, 8, file.schedules[1].story[0]));
  }

  // race-lease's three schedules differ: the story follows the one picked,
  // and picking starts it at step 0.
  void pickerSwitchesSchedules() {
    const ScheduleFile file = explored("builtin:race-lease");
    QCOMPARE(file.schedules.size(), std::size_t{3});
    QVERIFY(file.schedules[0].order != file.schedules[1].order);
    MainWindow w(file.scenario);
    w.openSchedule(file);
    QVERIFY(at_step(w, 0));
    QComboBox *pick = w.findChild<QComboBox *>("schedule pick");
    QVERIFY(pick != nullptr);
    w.stepAction()->trigger();
    QVERIFY(at_step(w, 1));
    for (int which : {1, 2, 0}) {
      const auto &entry = file.schedules[static_cast<std::size_t>(which)];
      QStringList want;
      for (std::size_t k = 0; k < entry.order.size(); ++k)
        want << qs(entry.story[k]);
      pick->setCurrentIndex(which);
      emit pick->activated(which); // as a click on the item does
      QCOMPARE(w.schedulePicked(), which);
      QTRY_COMPARE_WITH_TIMEOUT(w.storyLines(), want, kWaitMs);
      QVERIFY(at_step(w, 0));
      QCOMPARE(w.storyGreyed(), static_cast<int>(entry.order.size()));
      // To its end: its own end line, if it has one, and nothing else.
      for (std::size_t k = 1; k <= entry.order.size(); ++k) {
        w.stepAction()->trigger();
        QVERIFY(at_step(w, k));
      }
      QStringList whole;
      for (const std::string &line : entry.story)
        whole << qs(line);
      QCOMPARE(w.storyLines(), whole);
    }
  }

  // Play steps through to the end on its own, then stops.
  void playStepsToTheEnd() {
    const std::size_t n = clear_.schedules[0].order.size();
    MainWindow w(clear_.scenario);
    w.setSpeedIndex(9); // as fast as it goes: a step a slice
    w.openSchedule(clear_);
    QVERIFY(at_step(w, 0));
    w.worker()->play();
    QVERIFY(at_step(w, n));
    QTRY_VERIFY_WITH_TIMEOUT(!w.lastSnapshot().running, kWaitMs);
    QCOMPARE(w.storyLines().size(), static_cast<int>(n + 1));
  }

  // A click on a step follows its request: the Request tab's timeline.
  void clickFollowsTheRequest() {
    const auto &entry = clear_.schedules[0];
    MainWindow w(clear_.scenario);
    w.openSchedule(clear_, 0, entry.order.size());
    QVERIFY(at_step(w, entry.order.size()));
    const int row = static_cast<int>(entry.order.size()) - 1;
    w.clickStory(row);
    const std::uint64_t serial = entry.order.back() - 1;
    QTRY_COMPARE_WITH_TIMEOUT(w.lastSnapshot().followed, serial, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(!w.timeline()->rows().isEmpty(), kWaitMs);
  }

  // RunControl alone: the messages, Back at the start, and a schedule whose
  // order names a request with no step there stops at that step.
  void runControlScheduleMode() {
    const auto &entry = clear_.schedules[0];
    RunControl rc(clear_.scenario);
    QVERIFY(!rc.schedule_mode());
    rc.open_schedule(entry.order);
    QVERIFY(rc.schedule_mode());
    (void)rc.take_snapshot();
    rc.back();
    QVERIFY(qs(rc.take_snapshot().message).startsWith("Back: already at the start"));
    rc.step();
    auto s = rc.take_snapshot();
    QCOMPARE(qs(s.message), step_line(1, entry.order.size(), entry.story[0]));
    QCOMPARE(s.schedule.done, std::size_t{1});
    rc.submit_burst(5); // the stack's controls are off
    s = rc.take_snapshot();
    QVERIFY2(qs(s.message).contains("off while a schedule"), s.message.c_str());
    QCOMPARE(s.totals.submits, std::uint64_t{0});

    std::vector<std::uint64_t> bad = entry.order;
    bad.push_back(1); // a step past the schedule's end: request #1 has none left
    rc.open_schedule(bad, entry.order.size());
    s = rc.take_snapshot();
    QCOMPARE(s.schedule.done, entry.order.size());
    QVERIFY(!s.finished);
    rc.step();
    s = rc.take_snapshot();
    QVERIFY2(!s.schedule.error.empty(), s.message.c_str());
    QVERIFY2(qs(s.message).contains("request #1"), s.message.c_str());
    QVERIFY(s.finished);
    rc.back(); // the step before the failed one is step N-1
    s = rc.take_snapshot();
    QCOMPARE(s.schedule.done, entry.order.size() - 1);
    QVERIFY(s.schedule.error.empty());
  }

  // Bad input: exit status 2 and the file, the field path and what was
  // expected on stderr; never a crash.
  // File > Open of a schedule file, from a window on another scenario: the
  // file's scenario becomes the window's and its story steps as with
  // --schedule; a file whose order cannot run is refused, naming it.
  void fileOpenTakesAScheduleFile() {
    auto other = stampede::load_scenario("builtin:frontpage", {});
    QVERIFY(other);
    MainWindow w(*other.value);
    QCOMPARE(w.openPath(clear_path_), QString());
    const auto &entry = clear_.schedules[0];
    const std::size_t n = entry.order.size();
    QVERIFY(at_step(w, 0));
    QCOMPARE(w.schedulePicked(), 0);
    for (std::size_t k = 1; k <= n; ++k) {
      w.stepAction()->trigger();
      QVERIFY2(at_step(w, k), qPrintable(QString("step %1 did not come").arg(k)));
    }
    QStringList file;
    for (const std::string &line : entry.story)
      file << qs(line);
    QCOMPARE(w.storyLines(), file);

    std::string text = read_all(clear_path_);
    const std::string order = "\"order\": [";
    const std::size_t at = text.find(order);
    QVERIFY(at != std::string::npos);
    text.insert(at + order.size(), "2, "); // submit #2 cannot come first
    const QString bad = dir_.filePath("bad-order.json");
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(text.data(), static_cast<qint64>(text.size()));
    }
    MainWindow again(*other.value);
    const QString said = again.openPath(bad);
    QVERIFY2(said.startsWith(bad + ": schedules[0]: ") && said.contains("request #2"),
             qPrintable(said));
    QCOMPARE(again.schedulePicked(), -1);
  }

  void badFiles() {
    const QString missing = dir_.filePath("no-such.json");
    auto [code, err] = run_gui({"--schedule", missing});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(missing) && err.contains("cannot read"), qPrintable(err));

    const QString not_json = dir_.filePath("not.json");
    {
      QFile f(not_json);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("{ schedules: nope");
    }
    std::tie(code, err) = run_gui({"--schedule", not_json});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(not_json) && err.contains("not JSON"), qPrintable(err));

    const std::string text = read_all(clear_path_);
    auto j = nlohmann::json::parse(text);
    const auto write = [&](const char *name, const nlohmann::json &doc) {
      const QString path = dir_.filePath(name);
      std::ofstream(path.toStdString()) << doc.dump(2);
      return path;
    };
    nlohmann::json wrong = j;
    wrong["schedules"][0]["order"][1] = "x";
    const QString wrong_path = write("wrong.json", wrong);
    std::tie(code, err) = run_gui({"--schedule", wrong_path});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(wrong_path + ": schedules[0].order[1]: expected a request number"),
             qPrintable(err));

    // Request #1 again past the schedule's end: it has no step left there.
    nlohmann::json no_step = j;
    const std::size_t n = no_step["schedules"][0]["order"].size();
    no_step["schedules"][0]["order"].push_back(1);
    const QString no_step_path = write("no-step.json", no_step);
    std::tie(code, err) = run_gui({"--schedule", no_step_path});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(no_step_path + QString(": schedules[0].order[%1]: expected a request "
                                                 "with a step")
                                             .arg(n)),
             qPrintable(err));
    QVERIFY2(err.contains("got request #1"), qPrintable(err));

    std::tie(code, err) = run_gui({"builtin:race-clear", "--schedule", clear_path_});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains("--schedule") && err.contains("SCENARIO"), qPrintable(err));

    std::tie(code, err) = run_gui({"--schedule", clear_path_, "--pick", "stampedes"});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains("--pick: expected an anomaly") && err.contains("stale_sets"),
             qPrintable(err));

    std::tie(code, err) = run_gui({"--schedule", clear_path_, "--at-step", "99"});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains("--at-step: expected 0 to"), qPrintable(err));
  }

  // --help names the flags; --screenshot renders a step and exits 0.
  void helpAndScreenshot() {
    QProcess help;
    help.start(STAMPEDE_GUI_PATH, {"--help"});
    QVERIFY(help.waitForFinished(30000));
    const QString text = QString::fromUtf8(help.readAllStandardOutput());
    QVERIFY2(text.contains("--schedule") && text.contains("--at-step") && text.contains("--pick"),
             qPrintable(text));
    const QString shot = QDir(STAMPEDE_TEST_OUTPUT_DIR).filePath("schedule_step.png");
    QFile::remove(shot);
    auto [code, err] = run_gui({"--schedule", clear_path_, "--at-step", "3", "--screenshot", shot});
    QVERIFY2(code == 0, qPrintable(err));
    QVERIFY(QFile::exists(shot));
  }
};

QTEST_MAIN(WindowScheduleTest)
#include "window_schedule_test.moc"
