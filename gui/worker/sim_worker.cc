// SimWorker: the simulation's thread, running RunControl from a timer and emitting a
// Snapshot after each slice, one in flight at most.
#include "worker/sim_worker.h"

#include <algorithm>

#include "worker/run_control.h"

namespace stampede::gui {

SimWorker::SimWorker(const Scenario &scenario, QObject *parent) : QObject(parent) {
  qRegisterMetaType<stampede::gui::Snapshot>();
  // This object stays on the UI thread (it is the UI's handle). The
  // RunControl and the timer live on thread_, reached by queued calls whose
  // context object lives there.
  thread_.setObjectName("simulation");
  context_ = new QObject;
  context_->moveToThread(&thread_);
  thread_.start();
  QMetaObject::invokeMethod(
      context_, [this, scenario] { start(scenario); }, Qt::BlockingQueuedConnection);
}

SimWorker::~SimWorker() {
  // Tear the run down on its own thread, then stop the thread and wait.
  QMetaObject::invokeMethod(
      context_,
      [this] {
        delete timer_;
        timer_ = nullptr;
        rc_.reset();
      },
      Qt::BlockingQueuedConnection);
  thread_.quit();
  thread_.wait();
  delete context_; // its thread has finished
}

void SimWorker::start(const Scenario &scenario) {
  rc_ = std::make_unique<RunControl>(scenario);
  timer_ = new QTimer; // deleted on this thread by the destructor
  timer_->setTimerType(Qt::PreciseTimer);
  QObject::connect(timer_, &QTimer::timeout, context_, [this] { tick(); });
  since_tick_.start();
  since_publish_.start();
  // The first snapshot goes out on the first tick, once the UI has connected.
  timer_->start(1000 / kSnapshotsPerSecond);
}

template <typename F> void SimWorker::onWorker(F f) {
  QMetaObject::invokeMethod(
      context_,
      [this, f = std::move(f)] {
        f(*rc_);
        dirty_ = true;
        since_tick_.restart(); // a paused run does not make up for the pause
        schedule();
        publish(true);
      },
      Qt::QueuedConnection);
}

void SimWorker::play() {
  onWorker([](RunControl &r) { r.play(); });
}
void SimWorker::pause() {
  onWorker([](RunControl &r) { r.pause(); });
}
void SimWorker::step() {
  onWorker([](RunControl &r) { r.step(); });
}
void SimWorker::setSpeed(double s) {
  onWorker([s](RunControl &r) { r.set_speed(s); });
}
void SimWorker::restart(qulonglong seed) {
  onWorker([seed](RunControl &r) { r.restart(seed); });
}
void SimWorker::loadScenario(const Scenario &scenario) {
  onWorker([scenario](RunControl &r) { r.load(scenario); });
}
void SimWorker::switchStrategy(const QString &name) {
  onWorker([n = name.toStdString()](RunControl &r) { r.switch_strategy(n); });
}
void SimWorker::pauseAt(double seconds) {
  onWorker([t = seconds_to_ns(seconds)](RunControl &r) { r.pause_at(t); });
}
void SimWorker::submitBurst(uint count) {
  onWorker([count](RunControl &r) { r.submit_burst(count); });
}
void SimWorker::crashNode(uint node) {
  onWorker([node](RunControl &r) { r.crash_node(node); });
}
void SimWorker::addNode() {
  onWorker([](RunControl &r) { r.add_node(); });
}
void SimWorker::migrateCache(uint nodes) {
  onWorker([nodes](RunControl &r) { r.migrate_cache(nodes); });
}
void SimWorker::retireOldCache() {
  onWorker([](RunControl &r) { r.retire_old_cache(); });
}
void SimWorker::addServer() {
  onWorker([](RunControl &r) { r.add_server(); });
}
void SimWorker::removeServer() {
  onWorker([](RunControl &r) { r.remove_server(); });
}
void SimWorker::follow(qulonglong serial) {
  onWorker([serial](RunControl &r) { r.follow(serial); });
}
void SimWorker::unfollow() {
  onWorker([](RunControl &r) { r.unfollow(); });
}
void SimWorker::openSchedule(const std::vector<std::uint64_t> &order, qulonglong at,
                             const std::optional<Scenario> &scenario) {
  onWorker([order, at, scenario](RunControl &r) {
    r.open_schedule(order, static_cast<std::size_t>(at), scenario);
  });
}
void SimWorker::back() {
  onWorker([](RunControl &r) { r.back(); });
}

// As fast as it goes: back-to-back slices (a zero timer still lets queued
// controls in between). At a set speed, or paused: a tick per frame.
void SimWorker::schedule() {
  if (!timer_)
    return;
  const int interval = rc_->running() && rc_->speed() == 0 ? 0 : 1000 / kSnapshotsPerSecond;
  if (timer_->interval() != interval)
    timer_->setInterval(interval);
}

void SimWorker::setStallForTest(int ms) {
  QMetaObject::invokeMethod(context_, [this, ms] { stall_ms_ = std::max(0, ms); });
}

void SimWorker::tick() {
  if (stall_ms_ > 0)
    QThread::msleep(static_cast<unsigned long>(stall_ms_));
  // Wall time since the last slice, capped so a stall is not made up in one go.
  const double elapsed = std::min(static_cast<double>(since_tick_.nsecsElapsed()) / 1e9, 0.1);
  since_tick_.restart();
  if (rc_->running()) {
    rc_->advance(elapsed, kSliceBudgetS);
    dirty_ = true;
    if (!rc_->running())
      schedule();
  }
  publish(false);
}

void SimWorker::publish(bool force) {
  if (!dirty_)
    return;
  if (!force && rc_->running() && since_publish_.elapsed() < 1000 / kSnapshotsPerSecond)
    return;
  bool expected = false;
  if (!in_flight_.compare_exchange_strong(expected, true, std::memory_order_acq_rel) &&
      since_publish_.elapsed() < kLostAfterMs)
    return; // the UI has not taken the last one: keep gathering
  since_publish_.restart();
  Snapshot s = rc_->take_snapshot();
  dirty_ = rc_->backlog(); // the rest of the anomalies go with the next one
  emit snapshotReady(s);
}

} // namespace stampede::gui
