// stampede-gui [SCENARIO]: the window of SPEC section 9.
//
//     stampede-gui                              # builtin:frontpage, paused at t=0
//     stampede-gui builtin:stampede --strategy clear --play
//     stampede-gui --screenshot shot.png --at 30 --speed max --play   # render and exit
//     stampede-gui builtin:stampede --projector    # large text and lines, no side panels
//     stampede-gui moment.json --at 12.5            # a report's run, paused at 12.5 s
//     stampede-gui moment.json --anomaly 3          # ... paused at its third anomaly
//     stampede-gui builtin:stampede --record clip.gif --from 4.9 --to 6   # a clip for slides
//
// A schedule `stampede explore --schedule-out FILE` wrote (SPEC section 12),
// stepped through: Step (S) runs its next step, Back (B or Shift+S) the one
// before, Play a step a second at x1, Restart (R) goes to step 0; the story
// stands under the diagram and a picker chooses among the file's schedules
// (one per anomaly found; --pick names one by its anomaly field):
//
//     stampede explore builtin:race-clear --schedule-out s.json
//     stampede-gui --schedule s.json                       # paused at step 0
//     stampede-gui --schedule s.json --pick stale_sets --at-step 5
//     stampede-gui --schedule s.json --at-step 5 --screenshot shot.png   # render and exit
#include <CLI/CLI.hpp>
#include <QApplication>
#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/lecture.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"
#include "stampede/student_loader.h"
#include "views/main_window.h"
#include "worker/request_follow.h"
#include "worker/sim_worker.h"

namespace {

/// The n-th anomaly (1-based, in the order they happen) of a run of `s`.
/// Runs are deterministic, so the window's run reaches it at the same time.
/// With it, when its story began: the earliest instant its cause names
/// (the write, the commit, the query it was built from), or for a stampede
/// the delete that emptied its key (as the Request tab tells it), so a clip
/// can start before it.
struct NthAnomaly final : stampede::Observer {
  std::uint64_t wanted, seen = 0;
  std::optional<stampede::AnomalyRecord> found;
  stampede::Time began = -1;
  stampede::gui::RecentRecords recent;
  explicit NthAnomaly(std::uint64_t n) : wanted(n) {}
  void on_activity(const stampede::ActivityRecord &a) override { recent.on_activity(a); }
  void on_anomaly(const stampede::AnomalyRecord &a) override {
    if (++seen != wanted || found)
      return;
    found = a;
    began = a.at;
    for (const stampede::Time t : {a.cause_at, a.snapshot_at, a.post_committed_at})
      if (t >= 0)
        began = std::min(began, t);
    if (a.kind == stampede::AnomalyKind::kStampede)
      if (const auto cause = recent.stampede_cause(a); cause.deleter != stampede::kNoSerial)
        began = std::min(began, cause.deleted_at);
  }
};

NthAnomaly find_anomaly(const stampede::Scenario &s, std::uint64_t n) {
  stampede::Simulation sim(s);
  NthAnomaly watch(n);
  sim.set_observer(&watch);
  while (!watch.found && sim.step()) {
  }
  return watch;
}

/// Records the window over a stretch of simulated time as a clip a slide
/// deck embeds: one paused frame every 1/fps of video time (`speed` simulated
/// seconds per video second), each rendered exactly at its instant, then
/// assembled by Debian's ffmpeg (started as a process): an animated GIF,
/// MP4 (H.264, yuv420p) for a .mp4 name, or WebM (VP9) for a .webm name.
class ClipRecorder {
public:
  ClipRecorder(stampede::gui::MainWindow &window, QString out, double from_s, double to_s,
               double fps, double speed)
      : window_(window), out_(std::move(out)), from_(from_s), to_(to_s), fps_(fps), speed_(speed) {}

  /// Starts; the application exits when the clip is written (0) or not (1).
  void start() {
    if (!dir_.isValid()) {
      fail("cannot make a folder for the frames");
      return;
    }
    target_ = from_;
    window_.worker()->pauseAt(target_);
    window_.worker()->play();
    auto *poll = new QTimer(&window_);
    QObject::connect(poll, &QTimer::timeout, &window_, [this, poll] { tick(poll); });
    poll->start(10);
  }

private:
  void tick(QTimer *poll) {
    const auto &s = window_.lastSnapshot();
    const stampede::Time at = stampede::seconds_to_ns(target_);
    if (!(s.finished || (s.now >= at && !s.running)))
      return;
    if (++settle_ < 3)
      return; // let the views draw the snapshot they were just given
    settle_ = 0;
    window_.repaint();
    const QString frame = dir_.filePath(QString("frame%1.png").arg(frames_, 5, 10, QChar('0')));
    if (!window_.grab().save(frame)) {
      poll->stop();
      fail("cannot write a frame to " + frame.toStdString());
      return;
    }
    ++frames_;
    target_ = from_ + frames_ * speed_ / fps_;
    if (target_ > to_ + 1e-9 || s.finished) {
      poll->stop();
      assemble();
      return;
    }
    window_.worker()->pauseAt(target_);
    window_.worker()->play();
  }

  void assemble() {
    const QString ffmpeg = QStandardPaths::findExecutable("ffmpeg");
    if (ffmpeg.isEmpty()) {
      fail("ffmpeg not found: install Debian's ffmpeg (./dev installs it)");
      return;
    }
    const QString input = dir_.filePath("frame%05d.png");
    QStringList args{"-y", "-loglevel", "error", "-framerate", QString::number(fps_), "-i", input};
    if (out_.endsWith(".mp4", Qt::CaseInsensitive))
      // What slide software plays (PowerPoint, Keynote, QuickTime): H.264,
      // 4:2:0, even dimensions, the index at the front.
      args << "-c:v"
           << "libx264"
           << "-profile:v"
           << "high"
           << "-crf"
           << "18"
           << "-vf"
           << "scale=trunc(iw/2)*2:trunc(ih/2)*2"
           << "-pix_fmt"
           << "yuv420p"
           << "-movflags"
           << "+faststart";
    else if (out_.endsWith(".webm", Qt::CaseInsensitive))
      args << "-c:v"
           << "libvpx-vp9"
           << "-b:v"
           << "0"
           << "-crf"
           << "33"
           << "-pix_fmt"
           << "yuv420p";
    else
      // One palette for the whole clip: colours stay what they mean.
      args << "-vf"
           << "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none";
    args << out_;
    QProcess run;
    run.start(ffmpeg, args);
    if (!run.waitForFinished(600000) || run.exitStatus() != QProcess::NormalExit ||
        run.exitCode() != 0) {
      fail("ffmpeg failed: " + QString::fromUtf8(run.readAllStandardError()).toStdString());
      return;
    }
    std::cout << "wrote " << out_.toStdString() << ": " << frames_ << " frames, " << from_
              << " s to " << target_ - speed_ / fps_ << " s of simulated time at " << fps_
              << " frames/s\n"
              << std::flush;
    QApplication::exit(0);
  }

  void fail(const std::string &why) {
    std::cerr << "--record: " << why << '\n';
    QApplication::exit(1);
  }

  stampede::gui::MainWindow &window_;
  QString out_;
  double from_, to_, fps_, speed_;
  double target_ = 0;
  int frames_ = 0, settle_ = 0;
  QTemporaryDir dir_;
};

/// Writes --screenshot's PNG. @return the exit status: 0, or 1 when it could
/// not be written or the run stopped with an error (the picture shows it,
/// and the error is said on stderr, as `stampede run` would).
int write_screenshot(stampede::gui::MainWindow &window, const std::string &path) {
  if (!window.exportWindowPng(QString::fromStdString(path))) {
    std::cerr << "could not write " << path << '\n';
    return 1;
  }
  if (const std::string &fault = window.lastSnapshot().fault; !fault.empty()) {
    std::cerr << "the run stopped with an error: " << fault << " (the screenshot shows it)\n";
    return 1;
  }
  return 0;
}

/// What the command line asks for (main's flags), filled by CLI11.
struct GuiOptions {
  std::string spec = "builtin:frontpage", strategy, speed = "1", screenshot;
  std::vector<std::string> overrides;
  std::uint64_t seed = 0;
  double at_s = -1;
  bool play = false, projector = false;
  std::uint64_t anomaly_n = 0;
  std::string record;
  double record_from = 0, record_to = -1, record_fps = 10, record_speed = 1;
  bool from_given = false, to_given = false; // --from, --to were on the command line
  std::string lecture_file;
  bool lecture_given = false; // --lecture, with or without a file
  int demo_n = 1;
  int speed_choice = 0;            // the speed box's index of `speed`
  std::string schedule_file, pick; // --schedule, --pick
  std::int64_t at_step = -1;       // --at-step; -1: not given
  // Flags --schedule cannot go with (its file holds the scenario, its
  // strategy and seed), those given named.
  std::vector<std::string> given_with_schedule;
};

/// --at's check: a simulated second, 0 or more.
CLI::Validator simulated_second() {
  return CLI::Validator(
      [](std::string &s) {
        char *end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        return !s.empty() && end == s.c_str() + s.size() && std::isfinite(v) && v >= 0
                   ? std::string()
                   : "expected a simulated second, 0 or more, got \"" + s + "\"";
      },
      "SECONDS");
}

/// The flags of the run, the moment and the speed it opens at.
void add_run_options(CLI::App &cli, GuiOptions &o) {
  cli.add_option("scenario", o.spec, "scenario file or builtin:NAME")->capture_default_str();
  cli.add_option("--strategy", o.strategy, "strategy to start with");
  cli.add_option("--seed", o.seed, "random seed");
  cli.add_option("--set", o.overrides, "PATH=VALUE override of a scenario field");
  cli.add_option("--speed", o.speed, "0.1 0.25 0.5 1 2 5 10 100 1000 or max")
      ->capture_default_str();
  cli.add_flag("--play", o.play, "start playing at once");
  cli.add_option("--screenshot", o.screenshot, "render the window to this PNG and exit");
  cli.add_option("--at", o.at_s,
                 "open paused at this simulated second (with --screenshot: render there; "
                 "default: the end)")
      ->check(simulated_second());
  cli.add_option("--anomaly", o.anomaly_n,
                 "open paused just after the run's N-th anomaly (1 = the first), e.g. of a "
                 "report file a colleague shared")
      ->check(CLI::PositiveNumber);
}

/// The flags of --record's clip. @return --from and --to, to learn whether
/// they were given.
std::pair<CLI::Option *, CLI::Option *> add_record_options(CLI::App &cli, GuiOptions &o) {
  cli.add_option("--record", o.record,
                 "record the window as a clip for slides (FILE.gif, FILE.mp4 or FILE.webm) and "
                 "exit; with --anomaly, from just before its cause to just after it");
  auto *from = cli.add_option("--from", o.record_from,
                              "with --record: simulated second it starts at (0; with --anomaly, "
                              "0.1 s before its cause)")
                   ->check(CLI::NonNegativeNumber);
  auto *to = cli.add_option("--to", o.record_to,
                            "with --record: simulated second it ends at (--from + 5; with "
                            "--anomaly, 0.3 s after it)")
                 ->check(CLI::NonNegativeNumber);
  cli.add_option("--fps", o.record_fps, "with --record: frames per second of the clip (10)")
      ->check(CLI::Range(1.0, 60.0));
  cli.add_option("--clip-speed", o.record_speed,
                 "with --record: simulated seconds per second of the clip (1)")
      ->check(CLI::Range(0.01, 1000.0));
  return {from, to};
}

/// The flags of the lecture and of projector mode. @return --lecture, to
/// learn whether it was given.
CLI::Option *add_lecture_options(CLI::App &cli, GuiOptions &o) {
  auto *lecture = cli.add_option("--lecture", o.lecture_file,
                                 "walk the lecture's demos in order (lessons/lecture.json, or "
                                 "FILE): Page Down or N the next, Page Up or P the previous")
                      ->expected(0, 1);
  cli.add_option("--demo", o.demo_n, "with --lecture: the demo to open at (1 = the first)")
      ->check(CLI::PositiveNumber);
  cli.add_flag("--projector", o.projector,
               "projector mode: every font and line larger, the side panels hidden (View > "
               "Projector mode, Ctrl+Shift+P, toggles it)");
  cli.footer(
      "For a lecture hall: --projector. To scale the whole window as well (any Qt\n"
      "application), set QT_SCALE_FACTOR, e.g. QT_SCALE_FACTOR=1.4 stampede-gui --projector.");
  return lecture;
}

/// The flags of schedule mode.
void add_schedule_options(CLI::App &cli, GuiOptions &o) {
  cli.add_option("--schedule", o.schedule_file,
                 "step through a schedule `stampede explore --schedule-out FILE` wrote: Step (S) "
                 "its next step, Back (B) the one before, Play a step a second at x1 (not with "
                 "SCENARIO, --strategy, --seed, --set, --at, --anomaly, --record or --lecture)");
  cli.add_option("--pick", o.pick,
                 "with --schedule: the schedule of this anomaly (its field: stale_sets, "
                 "lost_updates, ...; default: the file's first)");
  cli.add_option("--at-step", o.at_step,
                 "with --schedule: open paused after this many steps (with --screenshot: render "
                 "there; default: the last)")
      ->check(CLI::NonNegativeNumber);
}

/// Parses the command line. @return the exit status when it is to end here
/// (help, or a bad flag), else nothing.
std::optional<int> parse_command_line(int argc, char **argv, GuiOptions &o) {
  CLI::App cli{"Stampede: watch caching strategies scale, stale and stampede.", "stampede-gui"};
  add_run_options(cli, o);
  const auto [from, to] = add_record_options(cli, o);
  CLI::Option *lecture = add_lecture_options(cli, o);
  add_schedule_options(cli, o);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  o.from_given = from->count() > 0;
  o.to_given = to->count() > 0;
  o.lecture_given = lecture->count() > 0;
  for (const char *name :
       {"scenario", "--strategy", "--seed", "--set", "--at", "--anomaly", "--record", "--lecture"})
    if (cli.get_option(name)->count() > 0)
      o.given_with_schedule.push_back(std::string(name) == "scenario" ? "SCENARIO" : name);
  return std::nullopt;
}

/// --schedule's file, read and checked before Qt starts: its scenario and
/// strategy load, and each schedule's steps can run in its order (a step's
/// request named in the field path). @return the file and the schedule
/// picked, or nothing with the message said (exit status 2).
std::optional<std::pair<stampede::ScheduleFile, int>> load_schedule(const GuiOptions &o) {
  const std::string &path = o.schedule_file;
  if (!o.given_with_schedule.empty()) {
    std::string names;
    for (const std::string &n : o.given_with_schedule)
      names += (names.empty() ? "" : ", ") + n;
    std::cerr << "--schedule: its file holds the scenario, strategy and seed explored; not "
                 "with "
              << names << '\n';
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path << ": cannot read file: " << std::strerror(errno) << '\n';
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  stampede::load_student_strategies(); // student:NAME, when a student library is built
  stampede::Parsed<stampede::ScheduleFile> parsed = stampede::parse_schedule_file(text.str(), path);
  if (!parsed) {
    std::cerr << parsed.error << '\n';
    return std::nullopt;
  }
  stampede::ScheduleFile &file = *parsed.value;
  const auto &registry = stampede::StrategyRegistry::global();
  if (const std::string &name = file.scenario.strategy.name; !registry.contains(name)) {
    std::cerr << path << ": scenario.strategy.name: unknown strategy \"" << name << "\"\n";
    return std::nullopt;
  }
  int picked = o.pick.empty() ? 0 : -1;
  std::string fields;
  for (std::size_t i = 0; i < file.schedules.size(); ++i) {
    const stampede::ScheduleEntry &e = file.schedules[i];
    if (!o.pick.empty() && e.anomaly == o.pick)
      picked = static_cast<int>(i);
    fields += (fields.empty() ? "" : " ") + e.anomaly;
    const std::string at = "schedules[" + std::to_string(i) + "].order";
    try {
      stampede::ScheduleRun run(file.scenario, registry, e.order);
      for (std::size_t k = 0; k < e.order.size(); ++k) {
        try {
          run.step();
        } catch (const std::invalid_argument &) {
          std::cerr << path << ": " << at << "[" << k << "]: expected a request with a step that "
                    << "can run there (step " << k + 1 << " of " << e.order.size()
                    << "), got request #" << e.order[k] << ", which has none\n";
          return std::nullopt;
        }
      }
    } catch (const std::exception &err) {
      std::cerr << path << ": scenario: " << err.what() << '\n';
      return std::nullopt;
    }
  }
  if (picked < 0) {
    std::cerr << "--pick: expected an anomaly the file has a schedule of (" << fields << "), got "
              << o.pick << '\n';
    return std::nullopt;
  }
  const std::size_t steps = file.schedules[static_cast<std::size_t>(picked)].order.size();
  if (o.at_step > static_cast<std::int64_t>(steps)) {
    std::cerr << "--at-step: expected 0 to " << steps << " (the schedule's steps), got "
              << o.at_step << '\n';
    return std::nullopt;
  }
  return std::pair{std::move(file), picked};
}

/// --schedule: the window in schedule mode; with --screenshot, rendered
/// once it shows the step asked for.
int run_schedule(int argc, char **argv, const GuiOptions &o) {
  std::optional<std::pair<stampede::ScheduleFile, int>> loaded = load_schedule(o);
  if (!loaded)
    return 2;
  const auto &[file, picked] = *loaded;
  const std::size_t steps = file.schedules[static_cast<std::size_t>(picked)].order.size();
  const std::size_t at_step = o.at_step >= 0         ? static_cast<std::size_t>(o.at_step)
                              : o.screenshot.empty() ? 0
                                                     : steps;
  QApplication app(argc, argv);
  QApplication::setApplicationName("stampede-gui");
  stampede::gui::MainWindow window(file.scenario);
  window.setSpeedIndex(o.speed_choice);
  if (o.projector)
    window.setProjectorMode(true);
  window.openSchedule(file, picked, at_step);
  window.show();
  if (o.play)
    window.worker()->play();
  if (!o.screenshot.empty()) {
    auto *poll = new QTimer(&window);
    const std::string screenshot = o.screenshot;
    QObject::connect(poll, &QTimer::timeout, &window, [&window, at_step, screenshot, poll] {
      const auto &p = window.lastSnapshot().schedule;
      if (!p.active || (p.done != at_step && p.error.empty()) ||
          window.storyCurrent() != static_cast<int>(at_step) - 1)
        return;
      poll->stop();
      // Two more frames so the views have drawn the last snapshot.
      QTimer::singleShot(200, &window, [&window, screenshot] {
        QApplication::exit(write_screenshot(window, screenshot));
      });
    });
    poll->start(50);
  }
  return QApplication::exec();
}

/// Checks the clip's stretch and the speed (an --anomaly clip's stretch is
/// placed later, once the anomaly is found). @return 2 when bad, else 0.
int check_clip_and_speed(GuiOptions &o) {
  if (o.anomaly_n > 0 && !o.record.empty() && (!o.from_given || !o.to_given)) {
    // Placed below, once the anomaly is found.
  } else if (o.record_to < 0) {
    o.record_to = o.record_from + 5;
  }
  if (!o.record.empty() && o.record_to >= 0 &&
      (o.record_to <= o.record_from ||
       (o.record_to - o.record_from) * o.record_fps / o.record_speed > 3000)) {
    std::cerr << "--to: expected a time after --from, and at most 3000 frames in the clip "
                 "((--to - --from) * --fps / --clip-speed), got --from "
              << o.record_from << " --to " << o.record_to << '\n';
    return 2;
  }
  o.speed_choice = stampede::lecture_speed_index(o.speed);
  if (o.speed_choice < 0) {
    std::cerr << "--speed: expected one of 0.1 0.25 0.5 1 2 5 10 100 1000 max, got " << o.speed
              << '\n';
    return 2;
  }
  return 0;
}

/// The scenario the window opens on, its strategy known; else its message
/// said and nothing.
std::optional<stampede::Scenario> load_start_scenario(GuiOptions &o) {
  if (!o.strategy.empty())
    o.overrides.push_back("strategy.name=" + o.strategy);
  if (o.seed != 0)
    o.overrides.push_back("seed=" + std::to_string(o.seed));
  stampede::load_student_strategies(); // student:NAME, when a student library is built
  auto loaded = stampede::load_scenario(o.spec, o.overrides);
  if (!loaded) {
    std::cerr << loaded.error << '\n';
    return std::nullopt;
  }
  if (const std::string &name = loaded.value->strategy.name;
      !stampede::StrategyRegistry::global().contains(name)) {
    const std::string hint = stampede::student_load_hint();
    std::cerr << o.spec << ": strategy.name: unknown strategy \"" << name << "\""
              << (name.starts_with("student:") && !hint.empty() ? " (" + hint + ")" : "") << '\n';
    return std::nullopt;
  }
  return std::move(*loaded.value);
}

/// A lecture: every demo's scenario loads, or the file and demo are named.
/// @return 2 when it cannot be used, else 0 (`lecture` filled when asked for).
int read_lecture_for(const GuiOptions &o, stampede::Lecture &lecture) {
  if (!o.lecture_given)
    return 0;
  lecture = stampede::read_lecture(o.lecture_file.empty() ? stampede::default_lecture_file()
                                                          : std::filesystem::path(o.lecture_file));
  if (!lecture.error.empty()) {
    std::cerr << lecture.error << '\n';
    return 2;
  }
  for (std::size_t k = 0; k < lecture.demos.size(); ++k) {
    auto demo = stampede::load_scenario(lecture.demos[k].scenario, lecture.demos[k].overrides);
    if (!demo || !stampede::StrategyRegistry::global().contains(demo.value->strategy.name)) {
      std::cerr << "--lecture: demos[" << k << "] (\"" << lecture.demos[k].title << "\"): "
                << (demo ? "unknown strategy \"" + demo.value->strategy.name + "\"" : demo.error)
                << '\n';
      return 2;
    }
  }
  if (o.demo_n > static_cast<int>(lecture.demos.size())) {
    std::cerr << "--demo: expected 1 to " << lecture.demos.size() << ", got " << o.demo_n << '\n';
    return 2;
  }
  return 0;
}

/// --anomaly: finds it, places the clip around it (from just before its
/// cause to just after it, unless told otherwise) or the pause just after
/// it, and says where it is. @return 2 when the run has fewer, else 0.
int place_anomaly(const stampede::Scenario &s, GuiOptions &o) {
  if (o.anomaly_n == 0)
    return 0;
  const NthAnomaly found = find_anomaly(s, o.anomaly_n);
  const auto &a = found.found;
  if (!a) {
    std::cerr << o.spec << ": --anomaly " << o.anomaly_n << ": the run has fewer anomalies\n";
    return 2;
  }
  if (!o.record.empty()) {
    if (!o.from_given)
      o.record_from = std::max(0.0, stampede::ns_to_seconds(found.began) - 0.1);
    if (!o.to_given)
      o.record_to = stampede::ns_to_seconds(a->at) + 0.3;
    if (o.record_to <= o.record_from ||
        (o.record_to - o.record_from) * o.record_fps / o.record_speed > 3000) {
      std::cerr << "--to: expected a time after --from, and at most 3000 frames in the clip, "
                   "got --from "
                << o.record_from << " --to " << o.record_to << '\n';
      return 2;
    }
    std::cout << "clip from " << o.record_from << " s (its cause at "
              << stampede::ns_to_seconds(found.began) << " s) to " << o.record_to << " s\n";
  }
  // Just after it: the run processes events before the pause point. (A
  // clip runs from its own start.)
  if (o.record.empty())
    o.at_s = stampede::ns_to_seconds(a->at + 1);
  std::cout << "anomaly " << o.anomaly_n << ": " << stampede::anomaly_label(a->kind) << " at "
            << stampede::ns_to_seconds(a->at) << " s, request #" << a->serial << '\n'
            << std::flush;
  return 0;
}

/// The lecture's demo: its own scenario, moment and speed; with
/// --screenshot, rendered once it has arrived there.
int run_lecture(stampede::gui::MainWindow &window, const stampede::Lecture &lecture,
                const GuiOptions &o) {
  window.openLecture(lecture, o.demo_n - 1);
  if (!o.screenshot.empty()) {
    const stampede::Time demo_at =
        stampede::seconds_to_ns(lecture.demos[static_cast<std::size_t>(o.demo_n - 1)].at);
    const std::string screenshot = o.screenshot;
    auto *poll = new QTimer(&window);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, demo_at, screenshot, poll] {
      const auto &s = window.lastSnapshot();
      if (window.arriving() || s.running || (s.now < demo_at && !s.finished))
        return;
      poll->stop();
      QTimer::singleShot(300, &window, [&window, screenshot] {
        QApplication::exit(write_screenshot(window, screenshot));
      });
    });
    QTimer::singleShot(300, &window, [poll] { poll->start(50); });
  }
  return QApplication::exec();
}

/// --record: the clip, then exit.
int run_clip(stampede::gui::MainWindow &window, const GuiOptions &o) {
  // Frames are paused instants: the speed only decides how fast they come.
  window.setSpeedIndex(9);
  auto *clip = new ClipRecorder(window, QString::fromStdString(o.record), o.record_from,
                                o.record_to, o.record_fps, o.record_speed);
  clip->start();
  const int status = QApplication::exec();
  delete clip;
  return status;
}

/// --at without --screenshot: get to the moment as fast as the run goes,
/// then keep the speed asked for (as a lecture's demo opens); with
/// --anomaly, follow its request there (the Request tab), once the anomaly
/// list has filled.
void arrive(stampede::gui::MainWindow &window, const GuiOptions &o) {
  window.arriveAt(o.at_s, o.speed_choice);
  if (o.anomaly_n == 0)
    return;
  auto *follow = new QTimer(&window);
  const std::uint64_t anomaly_n = o.anomaly_n;
  QObject::connect(follow, &QTimer::timeout, &window, [&window, follow, anomaly_n] {
    const bool listed = static_cast<std::uint64_t>(window.anomalyRows()) >= anomaly_n;
    if (window.arriving() || (!listed && !window.lastSnapshot().finished))
      return;
    follow->stop();
    window.showAnomaly(static_cast<int>(anomaly_n - 1));
  });
  follow->start(50);
}

/// --screenshot: render once the run has reached `at` (or its end), then quit.
void screenshot_when_there(stampede::gui::MainWindow &window, stampede::Time at,
                           const GuiOptions &o) {
  auto *poll = new QTimer(&window);
  const std::string screenshot = o.screenshot;
  const std::uint64_t anomaly_n = o.anomaly_n;
  QObject::connect(poll, &QTimer::timeout, &window, [&window, at, screenshot, poll, anomaly_n] {
    const auto &s = window.lastSnapshot();
    const bool there = s.finished || (at >= 0 && s.now >= at && !s.running);
    if (!there)
      return;
    if (anomaly_n > 0 && static_cast<std::uint64_t>(window.anomalyRows()) < anomaly_n &&
        !s.finished)
      return; // the anomaly list fills a few snapshots after a seek
    poll->stop();
    if (anomaly_n > 0)
      window.showAnomaly(static_cast<int>(anomaly_n - 1)); // as the window opens with it
    // Two more frames so the views have drawn the last snapshot.
    QTimer::singleShot(200, &window, [&window, screenshot] {
      QApplication::exit(write_screenshot(window, screenshot));
    });
  });
  poll->start(50);
}

} // namespace

int main(int argc, char **argv) {
  // Arguments and the scenario are checked before Qt starts, so a bad file
  // gets its one-line message (and exit status 2) with or without a display.
  GuiOptions o;
  if (const std::optional<int> done = parse_command_line(argc, argv, o))
    return *done;
  if (check_clip_and_speed(o) != 0)
    return 2;
  if (!o.schedule_file.empty())
    return run_schedule(argc, argv, o);
  if (!o.pick.empty() || o.at_step >= 0) {
    std::cerr << (o.pick.empty() ? "--at-step" : "--pick")
              << ": only with --schedule FILE (a schedule's steps)\n";
    return 2;
  }
  const std::optional<stampede::Scenario> scenario = load_start_scenario(o);
  if (!scenario)
    return 2;
  stampede::Lecture lecture;
  if (read_lecture_for(o, lecture) != 0 || place_anomaly(*scenario, o) != 0)
    return 2;

  QApplication app(argc, argv);
  QApplication::setApplicationName("stampede-gui");
  stampede::gui::MainWindow window(*scenario);
  window.setSpeedIndex(o.speed_choice);
  if (o.projector)
    window.setProjectorMode(true);
  window.show();
  if (!lecture.demos.empty())
    return run_lecture(window, lecture, o);
  if (!o.record.empty())
    return run_clip(window, o);
  const stampede::Time at = o.at_s >= 0 ? stampede::seconds_to_ns(o.at_s) : -1;
  if (at >= 0 && o.screenshot.empty())
    arrive(window, o);
  else if (at >= 0)
    window.worker()->pauseAt(o.at_s); // queued before play: the first slice stops there
  if (o.play || !o.screenshot.empty() || at >= 0)
    window.worker()->play();
  if (!o.screenshot.empty())
    screenshot_when_there(window, at, o);
  return QApplication::exec();
}
