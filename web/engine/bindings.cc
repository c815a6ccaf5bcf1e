// The browser edition's engine (SPEC section 13): the simulator compiled to
// WebAssembly, and the small interface a page uses. Every value crosses as
// JSON text, written by the same functions the command line and the window
// use, so a report from here equals `stampede run --report -` byte for byte
// (the `engine` fields aside).
//
//     const m = await createStampede();
//     m.runReport('{"scenario": "builtin:frontpage", "set": ["seed=2"]}'); // a whole run
//     const live = new m.LiveRun('{"scenario": "builtin:frontpage"}');           // the diagram's
//     live.play(); live.advance(0.016, 0.008); JSON.parse(live.snapshot());
#include <emscripten/bind.h>

#include <nlohmann/json.hpp>

#include "web_api.h"

EMSCRIPTEN_BINDINGS(stampede) {
  using namespace emscripten;
  using stampede::web::LiveRun;
  function("builtins", &stampede::web::builtins_json);
  function("strategies", &stampede::web::strategies_json);
  function("schema", &stampede::web::schema_json);
  function("checkScenario", &stampede::web::check_scenario);
  function("runReport", &stampede::web::run_report);
  function("compareTable", &stampede::web::compare_table);
  function("sweep", &stampede::web::sweep);
  function("explore", &stampede::web::explore_report);
  function("reportPaths", &stampede::web::report_paths_json);
  function("lessons", &stampede::web::lessons_json);
  function("lessonCheck", &stampede::web::lesson_check);
  class_<LiveRun>("LiveRun")
      .constructor<std::string>()
      .function("error", &LiveRun::error)
      .function("play", &LiveRun::play)
      .function("pause", &LiveRun::pause)
      .function("step", &LiveRun::step)
      .function("setSpeed", &LiveRun::set_speed)
      .function("pauseAt", &LiveRun::pause_at)
      .function("runUntil", &LiveRun::run_until)
      .function("advance", &LiveRun::advance)
      .function("follow", &LiveRun::follow)
      .function("unfollow", &LiveRun::unfollow)
      .function("restart", &LiveRun::restart)
      .function("switchStrategy", &LiveRun::switch_strategy)
      .function("submitBurst", &LiveRun::submit_burst)
      .function("crashNode", &LiveRun::crash_node)
      .function("addNode", &LiveRun::add_node)
      .function("migrateCache", &LiveRun::migrate_cache)
      .function("retireOldCache", &LiveRun::retire_old_cache)
      .function("addServer", &LiveRun::add_server)
      .function("removeServer", &LiveRun::remove_server)
      .function("finished", &LiveRun::finished)
      .function("nowSeconds", &LiveRun::now_s)
      .function("snapshot", &LiveRun::snapshot);
}
