// The browser edition's interface (web_api.h): requests in, the command
// line's and the window's own JSON out.
#include "web_api.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "stampede/compare_table.h"
#include "stampede/expectations.h"
#include "stampede/explore.h"
#include "stampede/explore_file.h"
#include "stampede/lecture.h"
#include "stampede/lessons.h"
#include "stampede/replication.h"
#include "stampede/report_fields.h"
#include "stampede/report_json.h"
#include "stampede/scenario_file.h"
#include "stampede/simulation.h"
#include "stampede/strategy.h"
#include "stampede/student_loader.h"
#include "worker/request_follow.h"
#include "worker/run_control.h"

namespace stampede::web {
namespace {

using Json = nlohmann::ordered_json;

/// A request's fault, said back as {"error": ...}.
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Written as the command line writes JSON: two-space indent, a newline.
std::string text_of(const Json &j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string error_text(const std::string &why) { return text_of(Json{{"error", why}}); }

/// Every strategy's name, as the command line lists them (update+cas last).
std::string strategy_names() {
  std::string out;
  for (const std::string &name : StrategyRegistry::global().names())
    out += name + ", ";
  return out + "update+cas";
}

/// The scenario a request names, its overrides applied and its strategy known.
struct Loaded {
  Scenario scenario;
  std::string origin;
  Json request;
};

Loaded load(const std::string &request_text, const std::vector<std::string> &extra_sets = {}) {
  Json request = Json::parse(request_text, nullptr, false);
  if (request.is_discarded() || !request.is_object())
    throw BadRequest("request: expected a JSON object with \"scenario\"");
  std::vector<std::string> sets;
  if (request.contains("set")) {
    const Json &s = request["set"];
    if (!s.is_array() ||
        !std::all_of(s.begin(), s.end(), [](const Json &v) { return v.is_string(); }))
      throw BadRequest("request: set: expected an array of \"PATH=VALUE\" strings");
    for (const Json &v : s)
      sets.push_back(v.get<std::string>());
  }
  sets.insert(sets.end(), extra_sets.begin(), extra_sets.end());
  Loaded out;
  out.origin = request.value("origin", std::string("scenario.json"));
  const Json &scenario = request.contains("scenario") ? request["scenario"] : Json();
  Parsed<Scenario> parsed;
  if (request.contains("path") && request["path"].is_string()) {
    // A scenario file in the module's file system (a lesson's own).
    out.origin = request["path"].get<std::string>();
    parsed = load_scenario(out.origin, sets);
  } else if (scenario.is_string() && scenario.get<std::string>().starts_with("builtin:")) {
    out.origin = scenario.get<std::string>();
    parsed = load_scenario(out.origin, sets);
  } else if (scenario.is_string()) {
    parsed = parse_scenario(scenario.get<std::string>(), out.origin, sets);
  } else if (scenario.is_object()) {
    parsed = parse_scenario(scenario.dump(), out.origin, sets);
  } else {
    throw BadRequest("request: scenario: expected \"builtin:NAME\", a scenario's JSON text or "
                     "a scenario object");
  }
  if (!parsed)
    throw BadRequest(parsed.error);
  const std::string &name = parsed.value->strategy.name;
  if (!StrategyRegistry::global().contains(name))
    throw BadRequest(out.origin + ": strategy.name: expected one of " + strategy_names() +
                     ", got " + Json(name).dump() +
                     (name.starts_with("student:") ? " (" + student_load_hint() + ")" : ""));
  out.scenario = std::move(*parsed.value);
  out.request = std::move(request);
  return out;
}

/// A whole run of `s`, as `stampede run` makes it (expectations judged).
Report simulate(const Scenario &s, const std::string &origin) {
  Simulation sim(s);
  sim.run();
  if (const std::optional<Time> at = sim.overloaded_at())
    throw BadRequest(origin + ": the stack is overloaded: requests piled up past " +
                     std::to_string(kMaxQueuedRequests) + " waiting for an app worker at " +
                     std::to_string(ns_to_seconds(*at)) +
                     " s, so the run stopped there; lower workload.rate or add app servers");
  Report r = sim.report();
  evaluate_expectations(r, s.expect);
  return r;
}

/// `seeds` runs of `l`, their seeds counting up from the scenario's (as
/// `stampede run --seeds`, compare, sweep and lesson run do), replicated.
ReplicatedReport over_seeds(const Loaded &l, std::uint64_t seeds) {
  std::vector<Report> runs;
  for (std::uint64_t k = 0; k < seeds; ++k) {
    Scenario one = l.scenario;
    one.seed = l.scenario.seed + k;
    runs.push_back(simulate(one, l.origin));
  }
  return replicate(std::move(runs), 0);
}

/// Runs `body`, turning a bad request or scenario into {"error": ...}.
template <class Body> std::string answer(Body body) {
  try {
    return body();
  } catch (const BadRequest &e) {
    return error_text(e.what());
  } catch (const std::invalid_argument &e) {
    return error_text(e.what());
  } catch (const std::exception &e) {
    return error_text(std::string("the simulator failed: ") + e.what());
  }
}

const char *activity_name(Activity a) {
  switch (a) {
  case Activity::kCpu:
    return "cpu";
  case Activity::kCacheCall:
    return "cache_call";
  case Activity::kDbQueued:
    return "db_queued";
  case Activity::kDbRunning:
    return "db_running";
  case Activity::kWait:
    return "wait";
  case Activity::kDone:
    return "done";
  }
  return "?";
}

const char *shade_name(gui::Shade s) {
  using gui::Shade;
  switch (s) {
  case Shade::kView:
    return "view";
  case Shade::kSubmit:
    return "submit";
  case Shade::kCall:
    return "call";
  case Shade::kHit:
    return "hit";
  case Shade::kMiss:
    return "miss";
  case Shade::kStale:
    return "stale";
  case Shade::kWrite:
    return "write";
  case Shade::kConflict:
    return "conflict";
  case Shade::kDbRead:
    return "db_read";
  case Shade::kInsert:
    return "insert";
  }
  return "?";
}

const char *lane_name(gui::Lane l) {
  switch (l) {
  case gui::Lane::kUser:
    return "user";
  case gui::Lane::kApp:
    return "app";
  case gui::Lane::kCache:
    return "cache";
  case gui::Lane::kDatabase:
    return "database";
  }
  return "?";
}

/// A time in seconds, or null for "not known" (-1).
Json seconds(Time t) { return t < 0 ? Json() : Json(ns_to_seconds(t)); }

Json serial_json(std::uint64_t serial) { return serial == kNoSerial ? Json() : Json(serial); }

Json interval_json(const IntervalRecord &i) {
  return Json{{"start_s", ns_to_seconds(i.start)},
              {"end_s", ns_to_seconds(i.end)},
              {"arrivals", i.arrivals},
              {"page_views", i.page_views},
              {"submits", i.submits},
              {"db_reads", i.db_reads},
              {"db_writes", i.db_writes},
              {"cache_gets", i.cache_gets},
              {"cache_hits", i.cache_hits},
              {"stale_reads", i.stale_reads},
              {"redundant_db_reads", i.redundant_db_reads},
              {"cas_conflicts", i.cas_conflicts},
              {"lost_updates", i.lost_updates},
              {"evictions", i.evictions},
              {"db_queue", i.db_queue},
              {"db_queue_max", i.db_queue_max},
              {"db_utilization", i.db_utilization},
              {"app_backlog", i.app_backlog},
              {"view_p50_ms", i.view_p50_ms},
              {"view_p99_ms", i.view_p99_ms}};
}

Json anomaly_json(const AnomalyRecord &a) {
  return Json{{"kind", anomaly_label(a.kind)},
              {"at_s", ns_to_seconds(a.at)},
              {"request", a.serial},
              {"key", a.key},
              {"post", a.post},
              {"cause_request", serial_json(a.cause_serial)},
              {"cause_at_s", seconds(a.cause_at)},
              {"from_old_tier", a.from_old_tier},
              {"explanation", gui::explain(a)}};
}

Json stack_json(const StackState &s) {
  return Json{{"busy_workers", s.busy_workers},
              {"app_queue", s.app_queue},
              {"app_in_pool", s.app_in_pool},
              {"cache_items", s.cache_items},
              {"cache_up", s.cache_up},
              {"gutter_nodes", s.gutter_nodes},
              {"old_cache_items", s.old_cache_items},
              {"db_busy", s.db_busy},
              {"db_queue", s.db_queue},
              {"strategy", s.strategy}};
}

Json snapshot_json(const gui::Snapshot &s) {
  Json j{{"generation", s.generation},
         {"now_s", ns_to_seconds(s.now)},
         {"end_s", ns_to_seconds(s.end)},
         {"interval_s", ns_to_seconds(s.interval)},
         {"running", s.running},
         {"finished", s.finished},
         {"speed", s.speed},
         {"realtime_factor", s.realtime_factor},
         {"events", s.events},
         {"stack", stack_json(s.stack)},
         {"workers", s.workers},
         {"db_connections", s.db_connections},
         {"local_cache", s.local_cache},
         {"edge", s.edge},
         {"totals", report_to_json(s.totals)},
         {"db_queries_per_s", s.db_queries_per_s},
         {"sample", s.sample},
         {"in_flight_all", s.in_flight_all},
         {"message", s.message},
         {"fault", s.fault},
         {"followed", serial_json(s.followed)},
         {"timeline_begins_late", s.timeline_begins_late},
         {"timeline_done", s.timeline_done},
         {"anomalies_dropped", s.anomalies_dropped}};
  Json &intervals = j["intervals"] = Json::array();
  for (std::size_t i = 0; i < s.intervals.size(); ++i) {
    Json row = interval_json(s.intervals[i]);
    row["db_issued"] = i < s.interval_db_issued.size() ? s.interval_db_issued[i] : 0;
    intervals.push_back(std::move(row));
  }
  Json &anomalies = j["anomalies"] = Json::array();
  for (const AnomalyRecord &a : s.anomalies)
    anomalies.push_back(anomaly_json(a));
  Json &markers = j["markers"] = Json::array();
  for (const AnomalyRecord &a : s.markers)
    markers.push_back(Json{{"kind", anomaly_label(a.kind)}, {"at_s", ns_to_seconds(a.at)}});
  Json &in_flight = j["in_flight"] = Json::array();
  for (const gui::InFlight &f : s.in_flight)
    in_flight.push_back(Json{{"request", f.serial},
                             {"from_s", ns_to_seconds(f.from)},
                             {"until_s", seconds(f.until)},
                             {"server", f.server},
                             {"node", f.node},
                             {"activity", activity_name(f.activity)},
                             {"op", f.op == Op::kNone ? "" : op_label(f.op)},
                             {"shade", shade_name(f.shade)}});
  Json &timeline = j["timeline"] = Json::array();
  for (const gui::TimelineEntry &e : s.timeline)
    timeline.push_back(Json{{"lane", lane_name(e.lane)},
                            {"at_s", ns_to_seconds(e.at)},
                            {"until_s", seconds(e.until)},
                            {"what", e.what},
                            {"anomaly", e.anomaly}});
  return j;
}

/// A count from JavaScript (a double): whole and in range, else a bad request.
std::uint64_t whole(double v, const char *what) {
  if (!(v >= 0 && v <= 9007199254740992.0 && std::floor(v) == v))
    throw BadRequest(std::string(what) + ": expected a whole number >= 0");
  return static_cast<std::uint64_t>(v);
}

} // namespace

std::string builtins_json() {
  Json out = Json::array();
  for (const BuiltinScenario &b : builtin_scenarios())
    out.push_back(Json{{"name", b.name}, {"description", b.description}, {"json", b.json}});
  return text_of(out);
}

std::string strategies_json() {
  Json out = Json::array();
  const StrategyRegistry &r = StrategyRegistry::global();
  for (const std::string &name : r.names()) {
    out.push_back(Json{{"name", name}, {"description", r.description(name)}});
    if (name == "update")
      out.push_back(
          Json{{"name", "update+cas"}, {"description", r.description(name) + ", with cas"}});
  }
  return text_of(out);
}

std::string schema_json() { return scenario_schema(); }

std::string check_scenario(const std::string &request) {
  return answer([&] {
    const Loaded l = load(request);
    return text_of(Json{{"scenario", Json::parse(scenario_to_json(l.scenario))}});
  });
}

std::string run_report(const std::string &request) {
  return answer([&] {
    const Loaded l = load(request);
    return text_of(report_with_scenario(simulate(l.scenario, l.origin), l.scenario, 0));
  });
}

std::string explore_report(const std::string &request) {
  return answer([&] {
    const Loaded l = load(request);
    ExploreOptions options;
    const auto bound = [&](const char *name, std::uint32_t low, std::uint32_t &out) {
      if (!l.request.contains(name))
        return;
      const Json &v = l.request[name];
      if (!v.is_number() || v.get<double>() < low || v.get<double>() > 100000 ||
          v.get<double>() != std::floor(v.get<double>()))
        throw BadRequest(std::string("request: ") + name + ": expected a whole number from " +
                         std::to_string(low) + " to 100000, got " + v.dump());
      out = static_cast<std::uint32_t>(v.get<double>());
    };
    bound("depth", 1, options.depth);
    bound("preemptions", 0, options.preemptions);
    ExploreResult r;
    try {
      r = explore(l.scenario, StrategyRegistry::global(), options);
    } catch (const std::invalid_argument &e) {
      throw BadRequest(l.origin + ": " + e.what());
    }
    return text_of(explore_to_json(r, options, l.scenario));
  });
}

std::string compare_table(const std::string &request) {
  return answer([&] {
    const Loaded first = load(request);
    std::vector<std::string> strategies = lecture_strategies();
    if (first.request.contains("strategies")) {
      strategies.clear();
      for (const Json &v : first.request["strategies"]) {
        if (!v.is_string() || !StrategyRegistry::global().contains(v.get<std::string>()))
          throw BadRequest("request: strategies: expected names of strategies, got " + v.dump());
        strategies.push_back(v.get<std::string>());
      }
    }
    const std::uint64_t seeds =
        first.request.contains("seeds") && first.request["seeds"].is_number()
            ? whole(first.request["seeds"].get<double>(), "request: seeds")
            : 1;
    if (seeds < 1 || seeds > 1000)
      throw BadRequest("request: seeds: expected 1 to 1000");
    std::vector<ReplicatedReport> rows;
    Json reports = Json::array();
    for (const std::string &name : strategies) {
      // As `stampede compare`: a row named without +cas runs without cas.
      std::vector<std::string> sets = {"strategy.name=\"" + name + "\""};
      if (name.find("+cas") == std::string::npos)
        sets.emplace_back("strategy.cas=false");
      const Loaded l = load(request, sets);
      rows.push_back(over_seeds(l, seeds));
      reports.push_back(report_with_scenario(rows.back().runs.front(), l.scenario, 0));
    }
    return text_of(Json{{"table", format_compare_table(rows)}, {"reports", reports}});
  });
}

std::string sweep(const std::string &request_text) {
  return answer([&] {
    const Loaded first = load(request_text);
    const Json &r = first.request;
    if (!r.contains("vary") || !r["vary"].is_string() || r["vary"].get<std::string>().empty())
      throw BadRequest("request: vary: expected the dotted path of a scenario field");
    if (!r.contains("values") || !r["values"].is_array() || r["values"].empty() ||
        r["values"].size() > 50)
      throw BadRequest("request: values: expected 1 to 50 values");
    const std::string path = r["vary"];
    const std::uint64_t seeds =
        r.contains("seeds")
            ? whole(r["seeds"].is_number() ? r["seeds"].get<double>() : -1, "request: seeds")
            : 5;
    if (seeds < 1 || seeds > 100)
      throw BadRequest("request: seeds: expected 1 to 100");
    std::vector<std::string> outputs = {"db.reads_per_page_view", "anomalies.stale_reads",
                                        "latency_ms.page_view.p99"};
    if (r.contains("outputs")) {
      outputs.clear();
      const std::vector<std::string> known = report_paths();
      for (const Json &o : r["outputs"]) {
        if (!o.is_string() ||
            std::find(known.begin(), known.end(), o.get<std::string>()) == known.end())
          throw BadRequest("request: outputs: expected numeric report paths, got " + o.dump());
        outputs.push_back(o);
      }
    }
    Json rows = Json::array();
    for (const Json &v : r["values"]) {
      const std::string value = v.is_string() ? v.get<std::string>() : v.dump();
      const ReplicatedReport rr = over_seeds(load(request_text, {path + "=" + value}), seeds);
      Json cells = Json::object();
      for (const std::string &o : outputs) {
        const Spread *sp = rr.spread(o);
        const double mean = sp != nullptr ? sp->mean : 0;
        cells[o] = Json{{"mean", mean},
                        {"low", sp != nullptr ? sp->ci95_low.value_or(mean) : mean},
                        {"high", sp != nullptr ? sp->ci95_high.value_or(mean) : mean}};
      }
      rows.push_back(Json{{"value", v}, {"outputs", cells}});
    }
    return text_of(Json{{"path", path}, {"outputs", outputs}, {"rows", rows}});
  });
}

std::string report_paths_json() {
  Json out = Json::array();
  for (const std::string &p : report_paths())
    out.push_back(Json{{"path", p}, {"label", report_label(p)}});
  return text_of(out);
}

namespace {

std::filesystem::path lessons_root() {
#if defined(__EMSCRIPTEN__)
  return "/lessons"; // web/engine/CMakeLists.txt packs lessons/ there
#else
  return default_lessons_dir();
#endif
}

/// A step's run as a request: its scenario (built-in or a lesson's file) and overrides.
Json step_request(const LessonStep &step) {
  Json r{{"set", step.overrides}};
  if (step.scenario.starts_with("builtin:"))
    r["scenario"] = step.scenario;
  else
    r["path"] = step.scenario;
  return r;
}

Json question_json(const LessonQuestion &q) {
  Json choices = Json::array();
  for (const LessonChoice &c : q.choices)
    choices.push_back(c.text);
  return Json{{"text", q.text},
              {"choices", choices},
              {"metric", q.metric},
              {"label", q.metric.empty() ? "" : report_label(q.metric)}};
}

const LessonFile &find_lesson(const std::vector<LessonFile> &lessons, const std::string &id) {
  for (const LessonFile &l : lessons)
    if (l.id == id || l.dir.filename().string() == id)
      return l;
  throw BadRequest("request: lesson: no lesson \"" + id + "\"");
}

/// Expectations judged as the window's Lesson tab judges them: one run's
/// report, or over several seeds SPEC 11's way.
Json judged(const std::vector<ExpectClause> &expect, const ReplicatedReport &runs, bool &ok) {
  std::vector<ExpectationResult> results;
  ok = judge_step(expect, runs, results);
  Json out = Json::array();
  for (const ExpectationResult &e : results)
    out.push_back(Json{{"expr", e.expr}, {"ok", e.ok}, {"actual", e.actual}});
  return out;
}

} // namespace

std::string lessons_json() {
  return answer([] {
    std::string error;
    const std::vector<LessonFile> lessons = find_lessons(lessons_root(), &error);
    if (!error.empty())
      throw BadRequest(error);
    Json out = Json::array();
    for (const LessonFile &l : lessons) {
      std::vector<std::string> sections;
      if (Parsed<std::string> md = read_input_file((l.dir / l.text_file).string()))
        sections = lesson_sections(*md.value);
      Json steps = Json::array();
      for (std::size_t i = 0; i < l.steps.size(); ++i) {
        const LessonStep &step = l.steps[i];
        const StepText text =
            i + 1 < sections.size() ? split_step_text(sections[i + 1]) : StepText{};
        steps.push_back(Json{{"title", step.title},
                             {"request", step_request(step)},
                             {"point", step.point},
                             {"seeds", step.seeds.value_or(1)},
                             {"question", step.question ? question_json(*step.question) : Json()},
                             {"before", text.before},
                             {"after", text.after},
                             {"error", step.error}});
      }
      out.push_back(Json{{"id", l.id},
                         {"folder", l.dir.filename().string()},
                         {"title", l.title},
                         {"part", l.part},
                         {"intro", sections.empty() ? std::string() : sections.front()},
                         {"error", l.error},
                         {"steps", steps}});
    }
    return text_of(out);
  });
}

std::string lesson_check(const std::string &request_text) {
  return answer([&] {
    const Json request = Json::parse(request_text, nullptr, false);
    if (!request.is_object() || !request.contains("lesson") || !request["lesson"].is_string() ||
        !request.contains("step") || !request["step"].is_number())
      throw BadRequest("request: expected {\"lesson\": ID, \"step\": N, \"answer\": TEXT}");
    const std::vector<LessonFile> lessons = find_lessons(lessons_root());
    const LessonFile &l = find_lesson(lessons, request["lesson"].get<std::string>());
    const std::uint64_t n = whole(request["step"].get<double>(), "request: step");
    if (n >= l.steps.size())
      throw BadRequest("request: step: lesson " + l.id + " has " + std::to_string(l.steps.size()) +
                       " steps (0 to " + std::to_string(l.steps.size() - 1) + ")");
    const LessonStep &step = l.steps[n];
    if (!step.error.empty())
      throw BadRequest(step.error);
    const Loaded loaded = load(text_of(step_request(step)));
    const ReplicatedReport replicated = over_seeds(loaded, step.seeds.value_or(1));
    const bool several = replicated.runs.size() > 1;
    Json out{{"seeds", replicated.seeds}};
    out["question"] = Json();
    if (step.question) {
      const LessonQuestion &q = *step.question;
      const QuestionOutcome m =
          several ? answer_question(q, replicated) : answer_question(q, replicated.runs.front());
      Json question{{"measured", m.measured_text},
                    {"proved", m.proved},
                    {"failure", m.failure},
                    {"answer", q.answer_text()},
                    {"why", q.why},
                    {"said", Json()},
                    {"right", Json()}};
      const std::string typed = request.value("answer", std::string());
      if (!typed.empty()) {
        std::string why;
        if (const std::optional<double> given = parse_answer(q, typed, why)) {
          question["right"] = answer_is_right(q, *given);
          question["said"] =
              q.has_choices() ? q.choices[static_cast<std::size_t>(*given)].text : typed;
        } else {
          question["said_error"] = why;
        }
      }
      out["question"] = std::move(question);
    }
    bool ok = true;
    out["expectations"] = step.expect ? judged(*step.expect, replicated, ok) : Json::array();
    out["ok"] = ok;
    Json claims = Json::array();
    for (const LessonClaim &claim : step.claims) {
      if (claim.seeds) {
        claims.push_back(Json{{"text", claim.text},
                              {"holds", Json()},
                              {"seeds", {claim.seeds->first, claim.seeds->second}}});
        continue;
      }
      bool holds = true;
      const Json measured = judged(
          claim.expect, several ? replicated : replicate({replicated.runs.front()}, 0), holds);
      claims.push_back(Json{{"text", claim.text}, {"holds", holds}, {"measured", measured}});
    }
    out["claims"] = std::move(claims);
    return text_of(out);
  });
}

LiveRun::LiveRun(const std::string &request) {
  try {
    run_ = std::make_unique<gui::RunControl>(load(request).scenario);
  } catch (const std::exception &e) {
    error_ = e.what();
  }
}

LiveRun::~LiveRun() = default;

// Each control does nothing on a run that could not start (error() says why).
void LiveRun::play() {
  if (run_)
    run_->play();
}
void LiveRun::pause() {
  if (run_)
    run_->pause();
}
void LiveRun::step() {
  if (run_)
    run_->step();
}
void LiveRun::set_speed(double v) {
  if (run_ && v >= 0)
    run_->set_speed(v);
}
void LiveRun::pause_at(double t_s) {
  if (run_)
    run_->pause_at(t_s < 0 ? -1 : seconds_to_ns(t_s));
}
void LiveRun::run_until(double t_s) {
  // A time already passed is no pause point (RunControl would run on to the end).
  if (!run_ || !(t_s >= 0) || seconds_to_ns(t_s) <= run_->now())
    return;
  const double speed = run_->speed();
  run_->set_speed(0);
  run_->pause_at(seconds_to_ns(t_s));
  run_->play();
  while (run_->running())
    run_->advance(0, 1.0);
  run_->pause_at(-1);
  run_->set_speed(speed);
}
void LiveRun::advance(double wall_elapsed_s, double budget_s) {
  if (run_)
    run_->advance(std::max(0.0, wall_elapsed_s), std::max(0.0, budget_s));
}
void LiveRun::follow(double serial) {
  if (run_ && serial >= 0)
    run_->follow(static_cast<std::uint64_t>(serial));
}
void LiveRun::unfollow() {
  if (run_)
    run_->unfollow();
}
void LiveRun::restart(double seed) {
  if (run_ && seed >= 0)
    run_->restart(static_cast<std::uint64_t>(seed));
}
void LiveRun::switch_strategy(const std::string &name) {
  if (run_)
    run_->switch_strategy(name);
}
void LiveRun::submit_burst(double count) {
  if (run_ && count >= 1 && count <= 1e6)
    run_->submit_burst(static_cast<std::uint32_t>(count));
}
void LiveRun::crash_node(double node) {
  if (run_ && node >= 0 && node < 1e6)
    run_->crash_node(static_cast<std::uint32_t>(node));
}
void LiveRun::add_node() {
  if (run_)
    run_->add_node();
}
void LiveRun::migrate_cache(double nodes) {
  if (run_ && nodes >= 1 && nodes <= 1e6)
    run_->migrate_cache(static_cast<std::uint32_t>(nodes));
}
void LiveRun::retire_old_cache() {
  if (run_)
    run_->retire_old_cache();
}
void LiveRun::add_server() {
  if (run_)
    run_->add_server();
}
void LiveRun::remove_server() {
  if (run_)
    run_->remove_server();
}
bool LiveRun::finished() const { return !run_ || run_->finished(); }
double LiveRun::now_s() const { return run_ ? ns_to_seconds(run_->now()) : 0; }
std::string LiveRun::snapshot() {
  if (!run_)
    return error_text(error_);
  return text_of(snapshot_json(run_->take_snapshot()));
}

} // namespace stampede::web
