// SimWorker: the simulation's thread. It owns a RunControl, runs it in
// slices from a timer on its own thread, and emits a Snapshot after each
// slice, at most one in flight: while the UI has not taken the last one the
// worker keeps running and gathers the deltas into the next. Controls arrive
// as queued calls (the slots below), so the UI thread never waits for the
// simulation. The destructor stops the thread and waits, as the mandelbrot
// example's RenderThread does.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "snapshot/snapshot.h"
#include "stampede/scenario.h"

namespace stampede::gui {

class RunControl;

class SimWorker : public QObject {
  Q_OBJECT
public:
  /// Starts the thread; the run is paused at t=0 until play().
  explicit SimWorker(const Scenario &scenario, QObject *parent = nullptr);
  ~SimWorker() override;

  /// Called by the UI once it has applied a snapshot (any thread).
  void snapshotTaken() noexcept { in_flight_.store(false, std::memory_order_release); }

  /// Wall time a slice may take, in seconds (a frame's share).
  static constexpr double kSliceBudgetS = 0.008;
  /// Snapshots per second at most.
  static constexpr int kSnapshotsPerSecond = 30;
  /// A snapshot not taken after this long is taken as lost (say, emitted
  /// before the UI connected), and the next one goes out anyway.
  static constexpr int kLostAfterMs = 1000;

public slots:
  void play();
  void pause();
  void step();
  void setSpeed(double simSecondsPerWallSecond);
  void restart(qulonglong seed);
  void loadScenario(const stampede::Scenario &scenario);
  void switchStrategy(const QString &name);
  /// Pauses when simulated time reaches `seconds`.
  void pauseAt(double seconds);
  void submitBurst(uint count);
  void crashNode(uint node);
  void addNode();
  /// A new, empty memcached tier of `nodes` nodes takes over; the tier in
  /// use becomes the old tier (RunControl::migrate_cache).
  void migrateCache(uint nodes);
  /// The old tier of a migration is retired.
  void retireOldCache();
  /// An app server joins the balancer's pool (the lecture's stateless tier).
  void addServer();
  /// The newest app server in the pool leaves it; it finishes what it holds.
  void removeServer();
  /// Pauses and follows one request (RunControl::follow).
  void follow(qulonglong serial);
  /// Stops following.
  void unfollow();
  /// Schedule mode: runs the scenario's requests in `order` (a schedule
  /// file's), `at` steps in and paused (RunControl::open_schedule).
  void openSchedule(const std::vector<std::uint64_t> &order, qulonglong at = 0,
                    const std::optional<Scenario> &scenario = std::nullopt);
  /// Schedule mode: back one step (RunControl::back).
  void back();
  /// Makes every slice take `ms` more wall time, as on a loaded machine
  /// (tests: the picture must stay true when the run falls behind).
  void setStallForTest(int ms);

signals:
  /// A new picture of the run (queued to the UI thread).
  void snapshotReady(const stampede::gui::Snapshot &snapshot);

private:
  // Runs `f(run)` on the worker thread, then publishes what changed.
  template <typename F> void onWorker(F f);
  void start(const Scenario &scenario); // on the worker thread
  void tick();
  void publish(bool force);
  void schedule();

  QThread thread_;
  QObject *context_ = nullptr;     // lives on thread_: queued calls run there
  std::unique_ptr<RunControl> rc_; // lives and dies on thread_
  QTimer *timer_ = nullptr;        // on thread_
  QElapsedTimer since_tick_, since_publish_;
  int stall_ms_ = 0; // setStallForTest
  std::atomic<bool> in_flight_{false};
  bool dirty_ = true; // something the UI has not seen
};

} // namespace stampede::gui
