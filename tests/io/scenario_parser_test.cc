// Scenario files that are right: defaults, the SPEC example, round trips,
// overrides, distributions, events, and loading by path or built-in name.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stampede/expectations.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace {

// SPEC section 2's example, verbatim.
constexpr const char *kSpecExample = R"({"format": 1, "name": "front page", "description": "...",
 "workload": {"kind": "open", "rate": 200, "submit_ratio": 0.01,
              "keys": 1, "zipf_alpha": 1.0},
 "balancer": {"policy": "round_robin"},
 "app": {"servers": 4, "workers": 8, "cpu": 0.002, "local_cache": false},
 "cache": {"nodes": 1, "memory_bytes": 67108864, "item_bytes": 2048,
           "rtt": 0.0005, "hashing": "consistent", "lru": "segmented"},
 "db": {"connections": 4, "query_latency": 0.1, "insert_latency": 0.02},
 "strategy": {"name": "clear", "ttl_s": 0, "warm": true, "cas": false},
 "events": [{"at": 30, "crash_node": 0}, {"at": 40, "add_node": true},
            {"at": 50, "submit_burst": 20}],
 "duration_s": 60, "seed": 1,
 "expect": ["anomalies.stale_reads > 0", "db.reads_per_submit <= 1"]})";

Scenario parse_ok(std::string_view text, const std::vector<std::string> &overrides = {}) {
  auto r = parse_scenario(text, "t.json", overrides);
  EXPECT_TRUE(r) << r.error;
  return r ? *r.value : Scenario{};
}

void expect_same_distribution(const Distribution &a, const Distribution &b, const char *what) {
  EXPECT_EQ(a.kind, b.kind) << what;
  EXPECT_EQ(a.a, b.a) << what;
  EXPECT_EQ(a.b, b.b) << what;
  EXPECT_EQ(a.values, b.values) << what;
  EXPECT_EQ(a.cumulative, b.cumulative) << what;
}

// Field by field: Scenario has no operator== (the model has no use for one).
void expect_same(const Scenario &a, const Scenario &b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.workload.kind, b.workload.kind);
  EXPECT_EQ(a.workload.rate, b.workload.rate);
  EXPECT_EQ(a.workload.users, b.workload.users);
  expect_same_distribution(a.workload.think_time, b.workload.think_time, "workload.think_time");
  EXPECT_EQ(a.workload.submit_ratio, b.workload.submit_ratio);
  EXPECT_EQ(a.workload.keys, b.workload.keys);
  EXPECT_EQ(a.workload.zipf_alpha, b.workload.zipf_alpha);
  EXPECT_EQ(a.balancer, b.balancer);
  EXPECT_EQ(a.app.servers, b.app.servers);
  EXPECT_EQ(a.app.workers, b.app.workers);
  expect_same_distribution(a.app.cpu, b.app.cpu, "app.cpu");
  EXPECT_EQ(a.app.local_cache, b.app.local_cache);
  EXPECT_EQ(a.cache.nodes, b.cache.nodes);
  EXPECT_EQ(a.cache.memory_bytes, b.cache.memory_bytes);
  EXPECT_EQ(a.cache.item_bytes, b.cache.item_bytes);
  expect_same_distribution(a.cache.rtt, b.cache.rtt, "cache.rtt");
  EXPECT_EQ(a.cache.hashing, b.cache.hashing);
  EXPECT_EQ(a.cache.lru, b.cache.lru);
  EXPECT_EQ(a.db.connections, b.db.connections);
  expect_same_distribution(a.db.query_latency, b.db.query_latency, "db.query_latency");
  expect_same_distribution(a.db.insert_latency, b.db.insert_latency, "db.insert_latency");
  EXPECT_EQ(a.db.load_factor, b.db.load_factor);
  EXPECT_EQ(a.strategy.name, b.strategy.name);
  EXPECT_EQ(a.strategy.ttl_s, b.strategy.ttl_s);
  EXPECT_EQ(a.strategy.warm, b.strategy.warm);
  EXPECT_EQ(a.strategy.cas, b.strategy.cas);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].at, b.events[i].at) << i;
    EXPECT_EQ(a.events[i].kind, b.events[i].kind) << i;
    EXPECT_EQ(a.events[i].value, b.events[i].value) << i;
  }
  EXPECT_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.seed, b.seed);
  ASSERT_EQ(a.expect.size(), b.expect.size());
  for (std::size_t i = 0; i < a.expect.size(); ++i) {
    EXPECT_EQ(a.expect[i].text, b.expect[i].text);
    ASSERT_EQ(a.expect[i].terms.size(), b.expect[i].terms.size());
    for (std::size_t k = 0; k < a.expect[i].terms.size(); ++k) {
      EXPECT_EQ(a.expect[i].terms[k].path, b.expect[i].terms[k].path);
      EXPECT_EQ(a.expect[i].terms[k].op, b.expect[i].terms[k].op);
      EXPECT_EQ(a.expect[i].terms[k].value, b.expect[i].terms[k].value);
    }
  }
}

TEST(ScenarioParser, OnlyWorkloadGivesEveryDefaultOfADefaultConstructedScenario) {
  expect_same(parse_ok(R"({"workload": {}})"), Scenario{});
}

TEST(ScenarioParser, SpecExampleParsesToItsValues) {
  const Scenario s = parse_ok(kSpecExample);
  EXPECT_EQ(s.name, "front page");
  EXPECT_EQ(s.workload.kind, WorkloadKind::kOpen);
  EXPECT_EQ(s.workload.rate, 200);
  EXPECT_EQ(s.app.servers, 4u);
  EXPECT_EQ(s.cache.memory_bytes, 67108864u);
  EXPECT_EQ(s.cache.hashing, Hashing::kConsistent);
  EXPECT_EQ(s.db.query_latency.kind, Distribution::Kind::kConstant);
  EXPECT_EQ(s.db.query_latency.a, 0.1);
  EXPECT_EQ(s.strategy.name, "clear");
  EXPECT_TRUE(s.strategy.warm);
  ASSERT_EQ(s.events.size(), 3u);
  EXPECT_EQ(s.events[0].kind, ScriptedEvent::Kind::kCrashNode);
  EXPECT_EQ(s.events[0].at, 30 * kSecond);
  EXPECT_EQ(s.events[0].value, 0u);
  EXPECT_EQ(s.events[1].kind, ScriptedEvent::Kind::kAddNode);
  EXPECT_EQ(s.events[2].kind, ScriptedEvent::Kind::kSubmitBurst);
  EXPECT_EQ(s.events[2].value, 20u);
  ASSERT_EQ(s.expect.size(), 2u);
  EXPECT_EQ(s.expect[1].text, "db.reads_per_submit <= 1");
}

TEST(ScenarioParser, SpecExampleRoundTripsThroughScenarioToJson) {
  const Scenario s = parse_ok(kSpecExample);
  const std::string text = scenario_to_json(s);
  const Scenario again = parse_ok(text);
  expect_same(s, again);
  EXPECT_EQ(scenario_to_json(again), text);
}

TEST(ScenarioParser, EveryDistributionKindRoundTrips) {
  const Scenario s = parse_ok(R"({"workload": {"think_time": {"exp": 2}},
    "app": {"cpu": {"uniform": [0.001, 0.003]}},
    "cache": {"rtt": {"normal": {"mean": 0.0005, "sd": 0.0001}}},
    "db": {"query_latency": {"lognormal": {"median": 0.1, "sigma": 0.5}},
           "insert_latency": {"empirical": [[0.01, 0.5], [0.05, 0.5]]}}})");
  expect_same(s, parse_ok(scenario_to_json(s)));
}

TEST(ScenarioParser, ScenarioToJsonWritesEveryField) {
  const auto j = nlohmann::json::parse(scenario_to_json(Scenario{}));
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["cache"]["lru"], "segmented");
  EXPECT_EQ(j["workload"]["think_time"], nlohmann::json::parse(R"({"exp": 1.0})"));
  EXPECT_EQ(j["db"]["query_latency"], 0.1);
  EXPECT_EQ(j["seed"], 1);
  EXPECT_TRUE(j["events"].is_array());
  EXPECT_TRUE(j["expect"].is_array());
}

TEST(ScenarioParser, DistributionsParseToTheirParameters) {
  const Scenario s = parse_ok(R"({"workload": {"think_time": {"exp": 2}},
    "app": {"cpu": {"uniform": [0.001, 0.003]}},
    "cache": {"rtt": {"normal": {"mean": 0.0005, "sd": 0.0001}}},
    "db": {"query_latency": {"lognormal": {"median": 0.1, "sigma": 0.5}},
           "insert_latency": {"empirical": [[0.01, 1], [0.05, 3]]}}})");
  EXPECT_EQ(s.workload.think_time.kind, Distribution::Kind::kExponential);
  EXPECT_EQ(s.workload.think_time.a, 2);
  EXPECT_EQ(s.app.cpu.kind, Distribution::Kind::kUniform);
  EXPECT_EQ(s.app.cpu.a, 0.001);
  EXPECT_EQ(s.app.cpu.b, 0.003);
  EXPECT_EQ(s.cache.rtt.kind, Distribution::Kind::kNormal);
  EXPECT_EQ(s.cache.rtt.a, 0.0005);
  EXPECT_EQ(s.cache.rtt.b, 0.0001);
  EXPECT_EQ(s.db.query_latency.kind, Distribution::Kind::kLogNormal);
  EXPECT_EQ(s.db.query_latency.a, 0.1);
  EXPECT_EQ(s.db.query_latency.b, 0.5);
  EXPECT_EQ(s.db.insert_latency.kind, Distribution::Kind::kEmpirical);
  // Weights 1 and 3 of 4: the cumulative table is 0.25, 1.
  EXPECT_EQ(s.db.insert_latency.values, (std::vector<double>{0.01, 0.05}));
  EXPECT_EQ(s.db.insert_latency.cumulative, (std::vector<double>{0.25, 1.0}));
}

TEST(ScenarioParser, ConstantDistributionAcceptsAnInteger) {
  const Scenario s = parse_ok(R"({"workload": {}, "db": {"query_latency": 1}})");
  EXPECT_EQ(s.db.query_latency.kind, Distribution::Kind::kConstant);
  EXPECT_EQ(s.db.query_latency.a, 1);
}

TEST(ScenarioParser, UpdatePlusCasFoldsIntoUpdateWithCas) {
  const Scenario s = parse_ok(R"({"workload": {}, "strategy": {"name": "update+cas"}})");
  EXPECT_EQ(s.strategy.name, "update");
  EXPECT_TRUE(s.strategy.cas);
}

TEST(ScenarioParser, StudentStrategyNamesAreAccepted) {
  const Scenario s = parse_ok(R"({"workload": {}, "strategy": {"name": "student:mine"}})");
  EXPECT_EQ(s.strategy.name, "student:mine");
}

TEST(ScenarioParser, IntegralFloatIsAnInteger) {
  EXPECT_EQ(parse_ok(R"({"workload": {}, "app": {"servers": 4.0}})").app.servers, 4u);
}

TEST(ScenarioParser, LargestSeedIsAccepted) {
  EXPECT_EQ(parse_ok(R"({"workload": {}, "seed": 18446744073709551615})").seed,
            18446744073709551615ull);
}

TEST(ScenarioParser, NumberFieldAcceptsAnInteger) {
  EXPECT_EQ(parse_ok(R"({"workload": {"rate": 2000}})").workload.rate, 2000);
}

TEST(ScenarioParser, ClosedWorkloadAndEveryChoice) {
  const Scenario s = parse_ok(R"({"workload": {"kind": "closed", "users": 7},
    "balancer": {"policy": "least_connections"},
    "cache": {"hashing": "modulo", "lru": "classic", "nodes": 0}, "db": {"load_factor": 0.5}})");
  EXPECT_EQ(s.workload.kind, WorkloadKind::kClosed);
  EXPECT_EQ(s.workload.users, 7u);
  EXPECT_EQ(s.balancer, BalancerPolicy::kLeastConnections);
  EXPECT_EQ(s.cache.hashing, Hashing::kModulo);
  EXPECT_EQ(s.cache.lru, LruModel::kClassic);
  EXPECT_EQ(s.cache.nodes, 0u);
  EXPECT_EQ(s.db.load_factor, 0.5);
}

TEST(ScenarioParser, CrashOfANodeAddedEarlierIsAccepted) {
  // One node at start, one added at 40 s: node 1 exists at 50 s.
  const Scenario s = parse_ok(R"({"workload": {}, "events": [
    {"at": 50, "crash_node": 1}, {"at": 40, "add_node": true}]})");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].kind, ScriptedEvent::Kind::kCrashNode);
  EXPECT_EQ(s.events[0].value, 1u);
}

TEST(ScenarioParser, ViewBurstIsAnEvent) {
  const Scenario s =
      parse_ok(R"({"workload": {"rate": 0}, "events": [{"at": 2.5, "view_burst": 3}]})");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].kind, ScriptedEvent::Kind::kViewBurst);
  EXPECT_EQ(s.events[0].at, 2'500'000'000);
  EXPECT_EQ(s.events[0].value, 3u);
}

TEST(ScenarioOverrides, StringAndNumberValuesApply) {
  const Scenario s = parse_ok(R"({"workload": {}})", {"strategy.name=refresh", "db.connections=2",
                                                      "name=2024", "app.cpu={\"exp\": 0.01}"});
  EXPECT_EQ(s.strategy.name, "refresh");
  EXPECT_EQ(s.db.connections, 2u);
  EXPECT_EQ(s.name, "2024"); // a string field keeps the text as typed
  EXPECT_EQ(s.app.cpu.kind, Distribution::Kind::kExponential);
}

TEST(ScenarioOverrides, ReplaceFileValuesAndLaterOnesWin) {
  const Scenario s = parse_ok(R"({"workload": {}, "db": {"connections": 8}})",
                              {"db.connections=2", "db.connections=3"});
  EXPECT_EQ(s.db.connections, 3u);
}

TEST(ScenarioOverrides, CanSetTheStrategyToUpdatePlusCas) {
  const Scenario s = parse_ok(R"({"workload": {}})", {"strategy.name=update+cas"});
  EXPECT_EQ(s.strategy.name, "update");
  EXPECT_TRUE(s.strategy.cas);
}

TEST(ScenarioOverrides, CanReplaceWholeEventsAndExpectArrays) {
  const Scenario s =
      parse_ok(R"({"workload": {}, "events": [{"at": 1, "add_node": true}]})",
               {R"(events=[{"at": 2, "submit_burst": 4}])", R"(expect=["db.reads >= 0"])"});
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].kind, ScriptedEvent::Kind::kSubmitBurst);
  ASSERT_EQ(s.expect.size(), 1u);
}

TEST(ScenarioOverrides, CanSupplyTheRequiredWorkload) {
  EXPECT_EQ(parse_ok("{}", {"workload.rate=5"}).workload.rate, 5);
}

TEST(ScenarioExpect, TermsJoinedWithAnd) {
  auto r = parse_expect("db.reads_per_submit<=1 and latency_ms.page_view.p99 > -2.5e2");
  ASSERT_TRUE(r) << r.error;
  ASSERT_EQ(r.value->terms.size(), 2u);
  EXPECT_EQ(r.value->terms[0].path, "db.reads_per_submit");
  EXPECT_EQ(r.value->terms[0].op, Expectation::Op::kLe);
  EXPECT_EQ(r.value->terms[0].value, 1);
  EXPECT_EQ(r.value->terms[1].path, "latency_ms.page_view.p99");
  EXPECT_EQ(r.value->terms[1].op, Expectation::Op::kGt);
  EXPECT_EQ(r.value->terms[1].value, -250);
}

TEST(ScenarioExpect, EveryOperatorParsesAndHolds) {
  const std::pair<const char *, Expectation::Op> ops[] = {
      {"==", Expectation::Op::kEq}, {"!=", Expectation::Op::kNe}, {"<", Expectation::Op::kLt},
      {"<=", Expectation::Op::kLe}, {">", Expectation::Op::kGt},  {">=", Expectation::Op::kGe}};
  for (auto [text, op] : ops) {
    auto r = parse_expect(std::string("db.reads ") + text + " 2");
    ASSERT_TRUE(r) << text << ": " << r.error;
    EXPECT_EQ(r.value->terms[0].op, op);
    EXPECT_STREQ(op_name(op), text);
  }
  Expectation e{"db.reads", Expectation::Op::kLe, 2};
  EXPECT_TRUE(holds(e, 2));
  EXPECT_FALSE(holds(e, 2.5));
  e.op = Expectation::Op::kNe;
  EXPECT_TRUE(holds(e, 1));
  EXPECT_FALSE(holds(e, 2));
}

TEST(ScenarioExpect, ErrorsCarryNoOrigin) {
  auto r = parse_expect("db.reads =< 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "expected an operator (== != < <= > >=) after \"db.reads\", got \"=<\"");
}

// Loading.

std::filesystem::path temp_file(const char *name, const std::string &text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ScenarioLoad, ReadsAFile) {
  auto path = temp_file("stampede_load_ok.json", kSpecExample);
  auto r = load_scenario(path.string(), {"seed=7"});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->seed, 7u);
  std::filesystem::remove(path);
}

TEST(ScenarioLoad, ErrorsNameTheFile) {
  auto path = temp_file("stampede_load_bad.json", R"({"workload": {"rate": -1}})");
  auto r = load_scenario(path.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, path.string() + ": workload.rate: expected a number >= 0, got -1");
  std::filesystem::remove(path);
}

TEST(ScenarioLoad, MissingFileIsAnError) {
  auto r = load_scenario("/nonexistent/stampede.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "/nonexistent/stampede.json: cannot read file: No such file or directory");
}

TEST(ScenarioLoad, DirectoryIsAnError) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  auto r = load_scenario(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, dir + ": cannot read file: Is a directory");
}

TEST(ScenarioLoad, EmptyFileIsAnError) {
  auto path = temp_file("stampede_load_empty.json", "");
  auto r = load_scenario(path.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, path.string() + ": expected a JSON object, got an empty file");
  std::filesystem::remove(path);
}

TEST(ScenarioLoad, UnknownBuiltinListsTheKnownNames) {
  std::string names;
  for (auto &b : builtin_scenarios())
    names += (names.empty() ? "" : ", ") + b.name;
  auto r = load_scenario("builtin:nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "builtin:nope: unknown built-in scenario, expected one of: " + names);
}

TEST(ScenarioLoad, EveryBuiltinParses) {
  ASSERT_FALSE(builtin_scenarios().empty());
  for (auto &b : builtin_scenarios()) {
    auto r = load_scenario("builtin:" + b.name);
    EXPECT_TRUE(r) << r.error;
  }
}

TEST(ScenarioLoad, BuiltinErrorsNameTheBuiltin) {
  const auto &first = builtin_scenarios().front();
  auto r = load_scenario("builtin:" + first.name, {"app.servers=0"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "--set app.servers=0: app.servers: expected an integer >= 1, got 0");
}

// Deep nesting must neither overflow the stack nor print a huge message.
TEST(ScenarioHostileInput, DeeplyNestedValueIsRejectedWithATruncatedMessage) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto r = parse_scenario(R"({"workload": {}, "name": )" + deep + "}", "t.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "t.json: name: expected a string, got " + std::string(40, '[') + "...");
}

TEST(ScenarioHostileInput, ManyEventsParseQuickly) {
  // 20000 additions and 20000 crashes: counting the nodes that exist at each
  // crash must not take quadratic time. They come after duration_s (60 s), so
  // they never happen and the 1024-node limit of a run does not apply.
  std::string events;
  for (int i = 0; i < 20000; ++i)
    events += std::string(i ? "," : "") +
              R"({"at": 100, "add_node": true}, {"at": 200, "crash_node": )" + std::to_string(i) +
              "}";
  auto r = parse_scenario(R"({"workload": {}, "events": [)" + events + "]}", "t.json");
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->events.size(), 40000u);
}

TEST(ScenarioHostileInput, TooManyEventsAreRefusedByCount) {
  std::string events;
  for (int i = 0; i <= 100000; ++i)
    events += std::string(i ? "," : "") + R"({"at": 1, "view_burst": 1})";
  auto r = parse_scenario(R"({"workload": {}, "events": [)" + events + "]}", "t.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "t.json: events: expected at most 100000 scripted events, got 100001");
}

TEST(ScenarioHostileInput, ControlCharactersInKeysAndOverridesStayOnOneLine) {
  auto r = parse_scenario("{\"workload\": {}, \"a\\nb\": 1}", "t.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
  auto o = parse_scenario(R"({"workload": {}})", "t.json", {"db.connections=\nx"});
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error, "--set db.connections=\\nx: db.connections: expected an integer >= 1, got "
                     "\"\\nx\"");
}

TEST(ScenarioLoad, EndlessDeviceIsAnErrorNotAHang) {
  auto r = load_scenario("/dev/zero");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "/dev/zero: cannot read file: larger than 64 MiB");
}

// The limits of issue 15 count what happens: bursts and node additions at or
// after duration_s never happen and are not counted.
TEST(ScenarioLimits, BurstsAndNodesAfterTheEndDoNotCount) {
  std::string events = R"({"at": 1, "view_burst": 1000000})";
  for (int i = 1; i < 10; ++i)
    events += R"(, {"at": 1, "submit_burst": 1000000})"; // 10000000: exactly the total
  events += R"(, {"at": 60, "view_burst": 1000000})";    // at duration_s: never happens
  events += R"(, {"at": 1, "add_node": true})";          // node 1024 of 1024
  events += R"(, {"at": 61, "add_node": true})";         // after the end
  auto r = parse_scenario(R"({"workload": {}, "cache": {"nodes": 1023}, "duration_s": 60, )"
                          R"("events": [)" +
                              events + "]}",
                          "t.json");
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->events.size(), 13u);
}

TEST(ScenarioLimits, BacklogDefaultsToUnlimitedAndRoundTrips) {
  auto plain = parse_scenario(R"({"workload": {}})", "t.json");
  ASSERT_TRUE(plain) << plain.error;
  EXPECT_EQ(plain.value->app.backlog, 0u); // 0 = unlimited
  auto set = parse_scenario(R"({"workload": {}, "app": {"backlog": 50}})", "t.json");
  ASSERT_TRUE(set) << set.error;
  EXPECT_EQ(set.value->app.backlog, 50u);
  auto again = parse_scenario(scenario_to_json(*set.value), "t.json");
  ASSERT_TRUE(again) << again.error;
  EXPECT_EQ(again.value->app.backlog, 50u);
}

// A closed workload with no think time and no CPU is fine as long as every
// request takes time somewhere (here every cache and DB call does).
TEST(ScenarioLimits, ClosedWorkloadWithoutThinkTimeButWithLatenciesIsAccepted) {
  auto r = parse_scenario(R"({"workload": {"kind": "closed", "think_time": 0},
                              "app": {"cpu": 0}, "cache": {"rtt": 0.0005},
                              "db": {"query_latency": 0.1, "insert_latency": 0.02}})",
                          "t.json");
  ASSERT_TRUE(r) << r.error;
  // And so is one whose think time is a normal around 0 (its draws are positive).
  auto normal =
      parse_scenario(R"({"workload": {"kind": "closed", "think_time": {"normal": {"mean": 0,
                         "sd": 0.01}}}, "app": {"cpu": 0}, "cache": {"rtt": 0}})",
                     "t.json");
  ASSERT_TRUE(normal) << normal.error;
}

TEST(ScenarioLoad, ReadInputFileStopsAtTheBound) {
  auto r = read_input_file("/dev/zero");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "/dev/zero: cannot read file: larger than 64 MiB");
}

TEST(ScenarioLoad, ParseJsonDocumentGivesTheScenarioParsersMessages) {
  EXPECT_EQ(parse_json_document("", "x.json").error,
            "x.json: expected a JSON object, got an empty file");
  EXPECT_EQ(parse_json_document("{\"a\": [1, 1e400]}", "x.json").error,
            "x.json: a[1]: expected a finite number, got 1e400");
  auto ok = parse_json_document(R"({"b": 1, "a": 2})", "x.json");
  ASSERT_TRUE(ok) << ok.error;
  EXPECT_EQ(ok.value->dump(), R"({"b":1,"a":2})");
}

} // namespace
} // namespace stampede

namespace stampede {
namespace {

// Issue 24, item 2: one object of many keys made parsing quadratic
// (nlohmann's ordered_json searches the keys before each one it inserts):
// 40,000 keys took 3 s, 200,000 hung `validate` past 20 s. The document is
// now built in one pass; 200,000 keys keep their order, and a duplicate
// among them is still found, with its path.
TEST(JsonDocument, AnObjectOfTwoHundredThousandKeysParsesInFileOrder) {
  constexpr int kKeys = 200000;
  std::string text = "{\"workload\": {\"rate\": 10}, \"extra\": {";
  for (int i = kKeys; i-- > 0;) // descending: file order is not sorted order
    text += (i + 1 < kKeys ? ", \"k" : "\"k") + std::to_string(i) + "\": " + std::to_string(i);
  text += "}}";
  Parsed<nlohmann::ordered_json> doc = parse_json_document(text, "big.json");
  ASSERT_TRUE(doc) << doc.error;
  const nlohmann::ordered_json &extra = (*doc.value)["extra"];
  ASSERT_EQ(extra.size(), static_cast<std::size_t>(kKeys));
  EXPECT_EQ(extra.begin().key(), "k199999");
  EXPECT_EQ((--extra.end()).key(), "k0");
  EXPECT_EQ(extra.find("k123")->get<int>(), 123);
  EXPECT_EQ(doc.value->begin().key(), "workload");
  // A scenario file of that size says what is wrong with it, at once.
  Parsed<Scenario> s = parse_scenario(text, "big.json");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error.find("big.json: extra: unknown field"), std::string::npos) << s.error;
  // And a duplicate among many keys is found.
  const std::string twice = text.substr(0, text.size() - 2) + ", \"k5\": 1}}";
  Parsed<nlohmann::ordered_json> dup = parse_json_document(twice, "big.json");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error, "big.json: extra.k5: duplicate field (each field may appear once)");
}

} // namespace
} // namespace stampede
