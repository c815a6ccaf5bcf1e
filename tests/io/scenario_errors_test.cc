// Bad scenario input, one per case: each asserts the whole message the user
// sees (STYLE.md section 7, error tests). The origin is always "t.json".
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stampede/scenario_file.h"
#include "stampede/strategy.h"

namespace stampede {
namespace {

struct BadInput {
  const char *name;                   // the instance name
  const char *json;                   // the file's text
  std::vector<std::string> overrides; // --set PATH=VALUE
  const char *message;                // the exact error
};

void PrintTo(const BadInput &c, std::ostream *os) { *os << c.name; }

class ScenarioError : public ::testing::TestWithParam<BadInput> {};

TEST_P(ScenarioError, ReportsOneLineNamingPathExpectationAndValue) {
  const BadInput &c = GetParam();
  auto r = parse_scenario(c.json, "t.json", c.overrides);
  ASSERT_FALSE(r) << "accepted: " << c.json;
  EXPECT_EQ(r.error, c.message);
  EXPECT_EQ(r.error.find('\n'), std::string::npos);
}

const BadInput kBadInputs[] = {
    // The document and its structure.
    {"EmptyText", "", {}, "t.json: expected a JSON object, got an empty file"},
    {"RootNotObject", "[1, 2]", {}, "t.json: expected a JSON object at the top level, got [1,2]"},
    {"SyntaxErrorHasLineAndColumn",
     "{\n  \"workload\": {},\n  \"seed\": tru\n}",
     {},
     "t.json: line 3, column 13: expected a JSON value, got 'tru'"},
    {"TrailingComma",
     "{\"workload\": {},}",
     {},
     "t.json: line 1, column 17: expected string literal, got '}'"},
    {"UnexpectedEnd",
     "{\"workload\": {}",
     {},
     "t.json: line 1, column 16: expected '}', got end of input"},
    {"TrailingGarbage",
     "{\"workload\": {}} x",
     {},
     "t.json: line 1, column 18: expected end of input, got 'x'"},
    {"NumberOverflow",
     "{\"workload\": {}, \"duration_s\": 1e400}",
     {},
     "t.json: duration_s: expected a finite number, got 1e400"},
    {"NumberOverflowNamesItsField",
     "{\"workload\": {\"rate\": 1e400}}",
     {},
     "t.json: workload.rate: expected a finite number, got 1e400"},
    {"NumberOverflowInAnArrayNamesItsIndex",
     "{\"workload\": {}, \"events\": [{\"at\": 1}, {\"at\": 1e400}]}",
     {},
     "t.json: events[1].at: expected a finite number, got 1e400"},
    {"NaNHasLineAndColumn",
     "{\"workload\": {\"rate\": NaN}}",
     {},
     "t.json: line 1, column 23: expected a JSON value, got 'N'"},
    {"DuplicateTopLevelKey",
     "{\"workload\": {}, \"seed\": 1, \"seed\": 2}",
     {},
     "t.json: seed: duplicate field (each field may appear once)"},
    {"DuplicateKeyInArrayElement",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"add_node\": true}, {\"at\": 1, \"at\": 2}]}",
     {},
     "t.json: events[1].at: duplicate field (each field may appear once)"},
    {"MissingWorkload", "{\"seed\": 1}", {}, "t.json: workload: required field is missing"},
    {"BadFormatVersion",
     "{\"format\": 2, \"workload\": {}}",
     {},
     "t.json: format: expected 1 (the only version), got 2"},
    {"UnknownTopLevelField",
     "{\"workload\": {}, \"sed\": 1}",
     {},
     "t.json: sed: unknown field, expected one of: format, name, description, workload, "
     "edge, balancer, app, cache, db, strategy, events, duration_s, seed, expect"},
    {"EdgeTtlZero",
     "{\"workload\": {}, \"edge\": {\"enabled\": true, \"ttl_s\": 0}}",
     {},
     "t.json: edge.ttl_s: expected a number > 0, got 0"},
    {"EdgeWithTooManyKeys",
     "{\"workload\": {\"keys\": 2000000}, \"edge\": {\"enabled\": true}}",
     {},
     "t.json: edge.enabled: expected workload.keys at most 1000000 with a front cache (it holds "
     "a page per key), got 2000000"},
    {"EdgeAnsweringClosedUsersAtOnce",
     "{\"workload\": {\"kind\": \"closed\", \"think_time\": 0}, \"edge\": {\"enabled\": "
     "true, \"latency\": 0}}",
     {},
     "t.json: edge.latency: expected a latency above 0 (or a think time above 0): the front cache "
     "would answer a closed workload's users at once and they would send requests at the same "
     "instant forever, got 0"},
    {"UnknownNestedField",
     "{\"workload\": {}, \"cache\": {\"nodez\": 2}}",
     {},
     "t.json: cache.nodez: unknown field, expected one of: nodes, memory_bytes, item_bytes, rtt, "
     "hashing, lru, timeout_s, gutter_nodes, gutter_ttl_s, node_capacity, fallback, "
     "delete_holdoff_s"},
    {"SectionNotObject",
     "{\"workload\": [1]}",
     {},
     "t.json: workload: expected an object, got [1]"},

    // Integers.
    {"IntegerAsString",
     "{\"workload\": {}, \"db\": {\"connections\": \"4\"}}",
     {},
     "t.json: db.connections: expected an integer >= 1, got \"4\""},
    {"IntegerWithFraction",
     "{\"workload\": {}, \"app\": {\"servers\": 2.5}}",
     {},
     "t.json: app.servers: expected an integer >= 1, got 2.5"},
    {"IntegerBelowMinimum",
     "{\"workload\": {}, \"app\": {\"servers\": 0}}",
     {},
     "t.json: app.servers: expected an integer >= 1, got 0"},
    {"IntegerAboveMaximum",
     "{\"workload\": {}, \"app\": {\"servers\": 5000}}",
     {},
     "t.json: app.servers: expected an integer <= 4096, got 5000"},
    {"NegativeInteger",
     "{\"workload\": {}, \"cache\": {\"memory_bytes\": -64}}",
     {},
     "t.json: cache.memory_bytes: expected an integer >= 1048576, got -64"},
    {"IntegerBeyondUint64",
     "{\"workload\": {}, \"seed\": 18446744073709551616}",
     {},
     "t.json: seed: expected an integer <= 18446744073709551615, got 1.8446744073709552e+19"},
    {"IntegerIsNull",
     "{\"workload\": {\"users\": null}}",
     {},
     "t.json: workload.users: expected an integer >= 1, got null"},

    // Numbers, booleans, strings, enums.
    {"NumberAsString",
     "{\"workload\": {\"rate\": \"fast\"}}",
     {},
     "t.json: workload.rate: expected a number >= 0, got \"fast\""},
    {"NumberAboveMaximum",
     "{\"workload\": {\"submit_ratio\": 1.5}}",
     {},
     "t.json: workload.submit_ratio: expected a number <= 1, got 1.5"},
    {"HugeNumber",
     "{\"workload\": {\"rate\": 1e300}}",
     {},
     "t.json: workload.rate: expected a number <= 10000000, got 1e+300"},
    {"ExclusiveMinimum",
     "{\"workload\": {}, \"duration_s\": 0}",
     {},
     "t.json: duration_s: expected a number > 0, got 0"},
    {"NegativeTtl",
     "{\"workload\": {}, \"strategy\": {\"ttl_s\": -1}}",
     {},
     "t.json: strategy.ttl_s: expected a number >= 0, got -1"},
    {"BooleanAsNumber",
     "{\"workload\": {}, \"app\": {\"local_cache\": 1}}",
     {},
     "t.json: app.local_cache: expected true or false, got 1"},
    {"StringAsNumber",
     "{\"workload\": {}, \"name\": 3}",
     {},
     "t.json: name: expected a string, got 3"},
    {"BadEnumValue",
     "{\"workload\": {\"kind\": \"opne\"}}",
     {},
     "t.json: workload.kind: expected one of \"open\", \"closed\", got \"opne\""},
    {"EnumAsNumber",
     "{\"workload\": {}, \"balancer\": {\"policy\": 1}}",
     {},
     "t.json: balancer.policy: expected one of \"round_robin\", \"random\", "
     "\"least_connections\", got 1"},
    {"LongValueIsTruncated",
     "{\"workload\": {}, \"cache\": {\"lru\": "
     "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}",
     {},
     "t.json: cache.lru: expected one of \"segmented\", \"classic\", \"plain\", got "
     "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."},

    // Distributions.
    {"DistributionAsString",
     "{\"workload\": {}, \"app\": {\"cpu\": \"fast\"}}",
     {},
     "t.json: app.cpu: expected a number >= 0 or an object with one of exp, uniform, normal, "
     "lognormal, empirical, got \"fast\""},
    {"DistributionNegative",
     "{\"workload\": {}, \"app\": {\"cpu\": -0.5}}",
     {},
     "t.json: app.cpu: expected a number >= 0, got -0.5"},
    {"DistributionTwoKinds",
     "{\"workload\": {}, \"db\": {\"query_latency\": {\"exp\": 1, \"uniform\": [1, 2]}}}",
     {},
     "t.json: db.query_latency: expected exactly one of exp, uniform, normal, lognormal, "
     "empirical, got {\"exp\":1,\"uniform\":[1,2]}"},
    {"DistributionNoKind",
     "{\"workload\": {}, \"db\": {\"query_latency\": {}}}",
     {},
     "t.json: db.query_latency: expected exactly one of exp, uniform, normal, lognormal, "
     "empirical, got {}"},
    {"DistributionUnknownKind",
     "{\"workload\": {}, \"db\": {\"query_latency\": {\"gamma\": 2}}}",
     {},
     "t.json: db.query_latency.gamma: unknown field, expected one of: exp, uniform, normal, "
     "lognormal, empirical"},
    {"ExponentialMeanZero",
     "{\"workload\": {}, \"cache\": {\"rtt\": {\"exp\": 0}}}",
     {},
     "t.json: cache.rtt.exp: expected a number > 0, got 0"},
    {"UniformReversed",
     "{\"workload\": {}, \"db\": {\"query_latency\": {\"uniform\": [0.2, 0.1]}}}",
     {},
     "t.json: db.query_latency.uniform: expected [LO, HI] with LO <= HI, got [0.2,0.1]"},
    {"UniformBoundNotANumber",
     "{\"workload\": {}, \"db\": {\"query_latency\": {\"uniform\": [1, \"x\"]}}}",
     {},
     "t.json: db.query_latency.uniform[1]: expected a number >= 0, got \"x\""},
    {"UniformNotAPair",
     "{\"workload\": {}, \"db\": {\"query_latency\": {\"uniform\": [1]}}}",
     {},
     "t.json: db.query_latency.uniform: expected an array [LO, HI], got [1]"},
    {"NormalMissingSd",
     "{\"workload\": {}, \"db\": {\"insert_latency\": {\"normal\": {\"mean\": 1}}}}",
     {},
     "t.json: db.insert_latency.normal.sd: required field is missing"},
    {"NormalUnknownMember",
     "{\"workload\": {}, \"db\": {\"insert_latency\": {\"normal\": {\"mean\": 1, \"sd\": 1, "
     "\"skew\": 0}}}}",
     {},
     "t.json: db.insert_latency.normal.skew: unknown field, expected one of: mean, sd"},
    {"LognormalMedianZero",
     "{\"workload\": {\"think_time\": {\"lognormal\": {\"median\": 0, \"sigma\": 1}}}}",
     {},
     "t.json: workload.think_time.lognormal.median: expected a number > 0, got 0"},
    {"EmpiricalEmpty",
     "{\"workload\": {}, \"app\": {\"cpu\": {\"empirical\": []}}}",
     {},
     "t.json: app.cpu.empirical: expected a non-empty array of [VALUE, WEIGHT] pairs, got []"},
    {"EmpiricalZeroWeight",
     "{\"workload\": {}, \"app\": {\"cpu\": {\"empirical\": [[0.1, 1], [0.2, 0]]}}}",
     {},
     "t.json: app.cpu.empirical[1][1]: expected a number > 0, got 0"},
    {"EmpiricalNotAPair",
     "{\"workload\": {}, \"app\": {\"cpu\": {\"empirical\": [[0.1]]}}}",
     {},
     "t.json: app.cpu.empirical[0]: expected a [VALUE, WEIGHT] pair, got [0.1]"},

    // Events.
    {"EventsNotArray",
     "{\"workload\": {}, \"events\": {}}",
     {},
     "t.json: events: expected an array of events, got {}"},
    {"EventNotObject",
     "{\"workload\": {}, \"events\": [3]}",
     {},
     "t.json: events[0]: expected an object {\"at\": SECONDS, ...}, got 3"},
    {"EventUnknownKind",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"explode\": true}]}",
     {},
     "t.json: events[0].explode: unknown field, expected one of: at, crash_node, add_node, "
     "submit_burst, view_burst, add_app_server, remove_app_server, migrate_cache, "
     "retire_old_cache"},
    {"EventWithoutKind",
     "{\"workload\": {}, \"events\": [{\"at\": 1}]}",
     {},
     "t.json: events[0]: expected exactly one of crash_node, add_node, submit_burst, view_burst, "
     "add_app_server, remove_app_server, migrate_cache, retire_old_cache, got {\"at\":1}"},
    {"EventWithoutTime",
     "{\"workload\": {}, \"events\": [{\"add_node\": true}]}",
     {},
     "t.json: events[0].at: required field is missing"},
    {"EventAtNegative",
     "{\"workload\": {}, \"events\": [{\"at\": -1, \"add_node\": true}]}",
     {},
     "t.json: events[0].at: expected a number >= 0, got -1"},
    {"CrashOfNodeThatNeverExists",
     "{\"workload\": {}, \"events\": [{\"at\": 5, \"crash_node\": 1}]}",
     {},
     "t.json: events[0].crash_node: expected a node index < 1 (cache.nodes plus nodes added "
     "before then), got 1"},
    {"CrashBeforeTheNodeIsAdded",
     "{\"workload\": {}, \"events\": [{\"at\": 40, \"add_node\": true}, {\"at\": 30, "
     "\"crash_node\": 1}]}",
     {},
     "t.json: events[1].crash_node: expected a node index < 1 (cache.nodes plus nodes added "
     "before then), got 1"},
    {"CrashWithoutCacheTier",
     "{\"workload\": {}, \"cache\": {\"nodes\": 0}, \"events\": [{\"at\": 1, \"crash_node\": 0}]}",
     {},
     "t.json: events[0].crash_node: expected a node that exists then, but none does "
     "(cache.nodes plus nodes added before then is 0), got 0"},
    // A migration (migrate_cache, retire_old_cache).
    {"CrashAfterAMigrationNamesTheNewTiersNodes",
     "{\"workload\": {}, \"cache\": {\"nodes\": 4}, \"events\": [{\"at\": 2, \"crash_node\": 3}, "
     "{\"at\": 1, \"migrate_cache\": 2}]}",
     {},
     "t.json: events[0].crash_node: expected a node index < 2 (the new tier's nodes plus nodes "
     "added since), got 3"},
    {"MigrateToNoNodes",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"migrate_cache\": 0}]}",
     {},
     "t.json: events[0].migrate_cache: expected an integer >= 1, got 0"},
    {"MigrateTwice",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"migrate_cache\": 2}, {\"at\": 3, "
     "\"migrate_cache\": 2}]}",
     {},
     "t.json: events[1].migrate_cache: a migration is already under way (events[0]): "
     "retire_old_cache before the next migrate_cache"},
    {"RetireWithoutAMigration",
     "{\"workload\": {}, \"events\": [{\"at\": 5, \"retire_old_cache\": true}, {\"at\": 6, "
     "\"migrate_cache\": 1}]}",
     {},
     "t.json: events[0].retire_old_cache: expected a migrate_cache event before it: there is no "
     "old tier to retire"},
    {"MigrateLocalCaches",
     "{\"workload\": {}, \"app\": {\"local_cache\": true}, \"events\": [{\"at\": 1, "
     "\"migrate_cache\": 1}]}",
     {},
     "t.json: events[0].migrate_cache: a migration moves a memcached tier, but app.local_cache is "
     "true (each app server caches in its own memory)"},
    {"HoldoffNegative",
     "{\"workload\": {}, \"cache\": {\"delete_holdoff_s\": -2}}",
     {},
     "t.json: cache.delete_holdoff_s: expected a number >= 0, got -2"},
    {"AddAppServerFalse",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"add_app_server\": 2}]}",
     {},
     "t.json: events[0].add_app_server: expected true, got 2"},
    {"RemoveAppServerThatNeverExists",
     "{\"workload\": {}, \"app\": {\"servers\": 2}, \"events\": [{\"at\": 1, "
     "\"remove_app_server\": 2}]}",
     {},
     "t.json: events[0].remove_app_server: expected an app server index < 2 (app.servers plus "
     "servers added before then), got 2"},
    {"RemoveAppServerBeforeItIsAdded",
     "{\"workload\": {}, \"app\": {\"servers\": 2}, \"events\": [{\"at\": 9, "
     "\"add_app_server\": true}, {\"at\": 1, \"remove_app_server\": 2}]}",
     {},
     "t.json: events[1].remove_app_server: expected an app server index < 2 (app.servers plus "
     "servers added before then), got 2"},
    {"RemoveAppServerTwice",
     "{\"workload\": {}, \"app\": {\"servers\": 3}, \"events\": [{\"at\": 5, "
     "\"remove_app_server\": 1}, {\"at\": 2, \"remove_app_server\": 1}]}",
     {},
     "t.json: events[0].remove_app_server: app server 1 has already left the pool (events[1])"},
    {"RemoveTheLastAppServer",
     "{\"workload\": {}, \"app\": {\"servers\": 2}, \"events\": [{\"at\": 1, "
     "\"remove_app_server\": 0}, {\"at\": 1, \"remove_app_server\": 1}]}",
     {},
     "t.json: events[1].remove_app_server: expected one app server to stay in the pool, but "
     "this removes the last"},
    {"RemoveAppServerNotAnIndex",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"remove_app_server\": \"a\"}]}",
     {},
     "t.json: events[0].remove_app_server: expected an app server index < 4 (app.servers plus "
     "servers added before then), got \"a\""},
    {"AddNodeFalse",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"add_node\": false}]}",
     {},
     "t.json: events[0].add_node: expected true, got false"},
    {"SubmitBurstZero",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"submit_burst\": 0}]}",
     {},
     "t.json: events[0].submit_burst: expected an integer >= 1, got 0"},

    // Expectations.
    {"ExpectNotArray",
     "{\"workload\": {}, \"expect\": \"db.reads > 0\"}",
     {},
     "t.json: expect: expected an array of strings, got \"db.reads > 0\""},
    {"ExpectEntryNotString",
     "{\"workload\": {}, \"expect\": [1]}",
     {},
     "t.json: expect[0]: expected a string \"PATH OP NUMBER\", got 1"},
    {"ExpectNoOperator",
     "{\"workload\": {}, \"expect\": [\"db.reads > 0\", \"db.reads => 1\"]}",
     {},
     "t.json: expect[1]: expected an operator (== != < <= > >=) after \"db.reads\", got \"=>\""},
    {"ExpectUnknownPath",
     "{\"workload\": {}, \"expect\": [\"db.read > 1\"]}",
     {},
     "t.json: expect[0]: expected a numeric report path, got \"db.read\" (close: db.reads, "
     "db.writes, db.max_queue)"},
    {"ExpectBadNumber",
     "{\"workload\": {}, \"expect\": [\"db.reads > x\"]}",
     {},
     "t.json: expect[0]: expected a number after \">\", got \"x\""},
    {"ExpectTrailingAnd",
     "{\"workload\": {}, \"expect\": [\"db.reads > 1 and\"]}",
     {},
     "t.json: expect[0]: expected a report path after \"and\", got the end"},
    {"ExpectEmpty",
     "{\"workload\": {}, \"expect\": [\"\"]}",
     {},
     "t.json: expect[0]: expected PATH OP NUMBER, got an empty expression"},
    {"ExpectJoinedWithOr",
     "{\"workload\": {}, \"expect\": [\"db.reads > 1 or db.writes > 1\"]}",
     {},
     "t.json: expect[0]: expected \"and\" or the end after \"db.reads > 1\", got \"or\""},

    // --set overrides.
    {"SetUnknownPath",
     "{\"workload\": {}}",
     {"cache.nodez=2"},
     "--set cache.nodez=2: unknown field cache.nodez, expected one of cache.nodes, "
     "cache.memory_bytes, cache.item_bytes, cache.rtt, cache.hashing, cache.lru, cache.timeout_s, "
     "cache.gutter_nodes, cache.gutter_ttl_s, cache.node_capacity, cache.fallback, "
     "cache.delete_holdoff_s"},
    {"SetUnknownTopLevelPath",
     "{\"workload\": {}}",
     {"sed=2"},
     "--set sed=2: unknown field sed, expected one of format, name, description, workload.*, "
     "edge.*, balancer.*, app.*, cache.*, db.*, strategy.*, events, duration_s, seed, expect"},
    {"SetWithoutEquals",
     "{\"workload\": {}}",
     {"db.connections"},
     "--set db.connections: expected PATH=VALUE (no '=')"},
    {"SetBadValue",
     "{\"workload\": {}}",
     {"db.connections=x"},
     "--set db.connections=x: db.connections: expected an integer >= 1, got \"x\""},
    {"SetBadDistribution",
     "{\"workload\": {}}",
     {"db.query_latency={\"exp\": -1}"},
     "--set db.query_latency={\"exp\": -1}: db.query_latency.exp: expected a number > 0, got -1"},
    {"SetWholeSectionIsNotAField",
     "{\"workload\": {}}",
     {"cache={}"},
     "--set cache={}: unknown field cache, expected one of cache.nodes, cache.memory_bytes, "
     "cache.item_bytes, cache.rtt, cache.hashing, cache.lru, cache.timeout_s, cache.gutter_nodes, "
     "cache.gutter_ttl_s, cache.node_capacity, cache.fallback, cache.delete_holdoff_s"},
    {"TooManyWorkerSlots",
     "{\"workload\": {}, \"app\": {\"servers\": 2048, \"workers\": 1000}}",
     {},
     "t.json: app.workers: expected app.servers x app.workers at most 1048576, got 2048 x 1000 = "
     "2048000"},
    // Limits a run depends on (issue 15): bursts, nodes, zero-time cycles.
    {"BurstsPastTheirTotal",
     "{\"workload\": {}, \"events\": [{\"at\": 1, \"view_burst\": 1000000}, {\"at\": 1, "
     "\"view_burst\": 1000000}, {\"at\": 1, \"view_burst\": 1000000}, {\"at\": 1, "
     "\"view_burst\": 1000000}, {\"at\": 1, \"view_burst\": 1000000}, {\"at\": 1, "
     "\"submit_burst\": 1000000}, {\"at\": 1, \"view_burst\": 1000000}, {\"at\": 1, "
     "\"view_burst\": 1000000}, {\"at\": 1, \"view_burst\": 1000000}, {\"at\": 1, "
     "\"view_burst\": 999999}, {\"at\": 2, \"submit_burst\": 2}]}",
     {},
     "t.json: events[10].submit_burst: expected at most 10000000 burst requests in all "
     "(submit_burst plus view_burst over the events before duration_s), got 10000001 with this "
     "one"},
    {"NodesPastTheLimit",
     "{\"workload\": {}, \"cache\": {\"nodes\": 1023}, \"events\": [{\"at\": 1, \"add_node\": "
     "true}, {\"at\": 2, \"add_node\": true}]}",
     {},
     "t.json: events[1].add_node: expected at most 1024 memcached nodes in all (cache.nodes plus "
     "the add_node events before duration_s), got 1025 with this one"},
    {"BacklogAboveTheQueueBound",
     "{\"workload\": {}, \"app\": {\"backlog\": 16777217}}",
     {},
     "t.json: app.backlog: expected an integer <= 16777216, got 16777217"},
    {"ClosedWorkloadWithNoTimeAnywhere",
     "{\"workload\": {\"kind\": \"closed\", \"think_time\": 0}, \"app\": {\"cpu\": 0}, "
     "\"cache\": {\"rtt\": 0}, \"db\": {\"query_latency\": 0, \"insert_latency\": 0}}",
     {},
     "t.json: workload.think_time: expected a think time above 0 (or app.cpu above 0): with "
     "app.cpu 0 and cache.rtt 0, db.query_latency 0, db.insert_latency 0, a closed workload's "
     "users would send requests at the same instant forever, got 0"},
    {"ClosedWorkloadWhoseCacheHitsTakeNoTime",
     "{\"workload\": {\"kind\": \"closed\", \"think_time\": {\"uniform\": [0, 0]}}, \"app\": "
     "{\"cpu\": 0}, \"cache\": {\"rtt\": 0}}",
     {},
     "t.json: workload.think_time: expected a think time above 0 (or app.cpu above 0): with "
     "app.cpu 0 and cache.rtt 0, a closed workload's users would send requests at the same "
     "instant forever, got {\"uniform\":[0,0]}"},
    {"ClosedWorkloadWithLocalCacheAndNoThinkTime",
     "{\"workload\": {\"kind\": \"closed\"}, \"app\": {\"cpu\": 0, \"local_cache\": true}}",
     {"workload.think_time={\"exp\": 1e-12}"},
     "--set workload.think_time={\"exp\": 1e-12}: workload.think_time: expected a think time "
     "above 0 (or app.cpu above 0): with app.cpu 0 and app.local_cache true (local hits take no "
     "time), a closed workload's users would send requests at the same instant forever, got "
     "{\"exp\":1e-12}"},
    {"ErrorInFileAfterSetKeepsFileOrigin",
     "{\"workload\": {}, \"seed\": -1}",
     {"db.connections=2"},
     "t.json: seed: expected an integer >= 0, got -1"},
};

INSTANTIATE_TEST_SUITE_P(BadInput, ScenarioError, ::testing::ValuesIn(kBadInputs),
                         [](const ::testing::TestParamInfo<BadInput> &info) {
                           return std::string(info.param.name);
                         });

TEST(ScenarioErrorStrategy, UnknownNameListsRegisteredNames) {
  std::string names;
  for (auto &n : StrategyRegistry::global().names()) {
    if (n.starts_with("student:"))
      continue;
    names += n + ", ";
    if (n == "update")
      names += "update+cas, ";
  }
  auto r = parse_scenario(R"({"workload": {}, "strategy": {"name": "clever"}})", "t.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error, "t.json: strategy.name: expected a strategy (" + names +
                         "or student:NAME), got \"clever\"");
}

TEST(ScenarioErrorStrategy, StudentPrefixNeedsAName) {
  auto r = parse_scenario(R"({"workload": {}, "strategy": {"name": "student:"}})", "t.json");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error.starts_with("t.json: strategy.name: expected a strategy (")) << r.error;
}

} // namespace
} // namespace stampede
