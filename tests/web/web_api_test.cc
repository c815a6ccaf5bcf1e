// The browser edition's interface (web/engine/web_api.h), built natively:
// its answers are the command line's, and its live run is the window's.
#include "web_api.h"

#include <regex>

#include "../cli/cli_fixture.h"

namespace {

using stampede_cli_test::Cli;
using Json = nlohmann::json;

/// A report without the engine's two timing fields, the only ones a run may not repeat.
std::string untimed(const std::string &report) {
  static const std::regex timing(R"re(\n {4}"(wall_s|events_per_s)": [^\n]*)re");
  return std::regex_replace(report, timing, "");
}

using WebApi = Cli;

TEST_F(WebApi, RunReportIsTheCommandLinesReport) {
  const auto cli =
      run({"run", "builtin:herd", "--strategy", "lease", "--seed", "3", "--report", "-"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const std::string web = stampede::web::run_report(
      R"({"scenario": "builtin:herd", "set": ["strategy.name=\"lease\"", "seed=3"]})");
  EXPECT_EQ(untimed(web), untimed(cli.out));
  EXPECT_NE(untimed(web), web) << "the timing fields are there to take out";
}

TEST_F(WebApi, AScenarioGivenAsTextOrObjectRunsAsItsFile) {
  // The herd's file, as a user would copy it into the editor.
  std::string text;
  for (const Json &b : Json::parse(stampede::web::builtins_json()))
    if (b["name"] == "herd")
      text = b["json"];
  ASSERT_FALSE(text.empty());
  stampede_cli_test::spit(dir_ / "mine.json", text);
  const auto cli = run({"run", "mine.json", "--report", "-"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const std::string as_text =
      stampede::web::run_report(Json{{"scenario", text}, {"origin", "mine.json"}}.dump());
  const std::string as_object =
      stampede::web::run_report(Json{{"scenario", Json::parse(text)}}.dump());
  EXPECT_EQ(untimed(as_text), untimed(cli.out));
  EXPECT_EQ(untimed(as_object), untimed(cli.out));
}

TEST_F(WebApi, CompareTableIsTheCommandLinesTable) {
  const auto cli = run({"compare", "builtin:stampede", "--seeds", "2", "--table"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const Json web =
      Json::parse(stampede::web::compare_table(R"({"scenario": "builtin:stampede", "seeds": 2})"));
  ASSERT_TRUE(web.contains("table")) << web.dump();
  const std::string table = web["table"];
  ASSERT_GE(cli.out.size(), table.size());
  EXPECT_EQ(cli.out.substr(cli.out.size() - table.size()), table);
  EXPECT_EQ(web["reports"].size(), 6u); // the lecture's six strategies
}

TEST_F(WebApi, ExploreIsTheCommandLinesReport) {
  static const std::regex timing(R"re(\n {4}"(wall_s|schedules_per_s)": [^\n]*)re");
  for (const char *race : {"builtin:race-clear", "builtin:race-coalesce"}) {
    const auto cli =
        run({"explore", race, "--strategy", "lease", "--preemptions", "2", "--report", "-"});
    const std::string web = stampede::web::explore_report(
        Json{{"scenario", race}, {"set", {"strategy.name=\"lease\""}}, {"preemptions", 2}}.dump());
    EXPECT_EQ(std::regex_replace(web, timing, ""), std::regex_replace(cli.out, timing, "")) << race;
    EXPECT_NE(std::regex_replace(web, timing, ""), web) << "the timing fields are there";
  }
  const Json bad = Json::parse(stampede::web::explore_report(R"({"scenario": "builtin:r1"})"));
  EXPECT_EQ(bad.value("error", ""),
            "builtin:r1: workload.rate: stampede explore runs only the scripted requests "
            "(view_burst, submit_burst events); expected 0");
  const Json depth = Json::parse(
      stampede::web::explore_report(R"({"scenario": "builtin:race-clear", "depth": 0})"));
  EXPECT_EQ(depth.value("error", ""),
            "request: depth: expected a whole number from 1 to 100000, got 0");
}

TEST_F(WebApi, BadInputIsSaidInTheCommandLinesWords) {
  const std::string bad = R"({"cache": {"memory_bytes": -64}})";
  stampede_cli_test::spit(dir_ / "naive.json", bad);
  const auto cli = run({"validate", "naive.json"});
  ASSERT_EQ(cli.code, 2);
  const Json web = Json::parse(
      stampede::web::check_scenario(Json{{"scenario", bad}, {"origin", "naive.json"}}.dump()));
  EXPECT_EQ(web.value("error", "") + "\n", cli.err);

  // A student's strategy, not loaded: the command line's sentence, and why
  // (natively, no library; in the browser, student code runs natively only).
  const Json web_student = Json::parse(stampede::web::run_report(
      R"({"scenario": "builtin:herd", "set": ["strategy.name=\"student:mine\""]})"));
  const std::string said = web_student.value("error", "");
  EXPECT_TRUE(said.starts_with("builtin:herd: strategy.name: expected one of none, naive")) << said;
  EXPECT_TRUE(said.ends_with(", update+cas, got \"student:mine\" (no student library was loaded)"))
      << said;

  for (const char *request :
       {"", "[]", "{}", R"({"scenario": 3})", R"({"scenario": "{"})",
        R"({"scenario": "builtin:nope"})", R"({"scenario": "builtin:herd", "set": "seed=2"})",
        R"({"scenario": "builtin:herd", "set": ["seed=-1"]})"}) {
    const Json j = Json::parse(stampede::web::run_report(request), nullptr, false);
    ASSERT_TRUE(j.is_object()) << request;
    EXPECT_FALSE(j.value("error", "").empty()) << request << " -> " << j.dump();
  }
  EXPECT_NE(
      stampede::web::run_report(R"({"scenario": "builtin:herd", "set": ["seed=-1"]})").find("seed"),
      std::string::npos);
}

TEST_F(WebApi, ASweepIsTheCommandLinesSweep) {
  const auto cli = run({"sweep", "builtin:stampede", "--vary", "strategy.ttl_s=1,5", "--strategies",
                        "naive", "--seeds", "3"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const Json web = Json::parse(stampede::web::sweep(
      R"({"scenario": "builtin:stampede", "set": ["strategy.name=\"naive\""],
          "vary": "strategy.ttl_s", "values": [1, "5"], "seeds": 3,
          "outputs": ["db.reads_per_page_view"]})"));
  ASSERT_EQ(web["rows"].size(), 2u) << web.dump();
  // The CSV's columns for that output, row by row.
  const std::vector<std::string> lines = stampede_cli_test::lines_of(cli.out);
  ASSERT_EQ(lines.size(), 3u) << cli.out;
  const auto cells = [](const std::string &line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');)
      out.push_back(cell);
    return out;
  };
  const std::vector<std::string> header = cells(lines[0]);
  const auto column = [&](const std::string &name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (std::size_t i = 0; i < 2; ++i) {
    const Json &cell = web["rows"][i]["outputs"]["db.reads_per_page_view"];
    const std::vector<std::string> row = cells(lines[i + 1]);
    EXPECT_DOUBLE_EQ(cell["mean"].get<double>(),
                     std::stod(row.at(column("db.reads_per_page_view.mean"))));
    EXPECT_DOUBLE_EQ(cell["low"].get<double>(),
                     std::stod(row.at(column("db.reads_per_page_view.ci95_low"))));
    EXPECT_DOUBLE_EQ(cell["high"].get<double>(),
                     std::stod(row.at(column("db.reads_per_page_view.ci95_high"))));
  }
  EXPECT_TRUE(
      Json::parse(stampede::web::sweep(R"({"scenario": "builtin:stampede"})")).contains("error"));
}

TEST_F(WebApi, LessonsAreTheCommandLinesInTheLecturesOrder) {
  const auto cli = run({"lesson", "list"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const Json lessons = Json::parse(stampede::web::lessons_json());
  ASSERT_TRUE(lessons.is_array()) << lessons.dump();
  std::string listed;
  for (const Json &l : lessons) {
    EXPECT_EQ(l["error"], "") << l["folder"];
    EXPECT_FALSE(l["steps"].empty()) << l["folder"];
    EXPECT_NE(cli.out.find(l["folder"].get<std::string>() + "  "), std::string::npos)
        << l["folder"];
    listed += l["folder"].get<std::string>() + " ";
  }
  EXPECT_GE(lessons.size(), 18u) << listed;
  EXPECT_TRUE(listed.starts_with("01-why-scale 02-why-cache 03-stale-pages ")) << listed;
  // A step shows its text up to its question, and the rest once run.
  const Json &step = lessons[2]["steps"][0];
  EXPECT_EQ(step["request"]["scenario"], "builtin:frontpage");
  EXPECT_NE(step["before"].get<std::string>().find("## Step 1"), std::string::npos);
  EXPECT_NE(step["after"].get<std::string>().find("### After the run"), std::string::npos);
  EXPECT_EQ(step["question"]["choices"].size(), 3u);
}

TEST_F(WebApi, ALessonStepIsJudgedAsTheInteractiveLessonJudgesIt) {
  stampede_cli_test::spit(dir_ / "answers", "3\n1\n");
  const auto cli = run({"lesson", "run", "03", "--interactive"}, "", (dir_ / "answers").string());
  const Json web = Json::parse(
      stampede::web::lesson_check(R"({"lesson": "03-stale-pages", "step": 0, "answer": "3"})"));
  ASSERT_TRUE(web.contains("question")) << web.dump();
  const Json &q = web["question"];
  EXPECT_NE(cli.out.find("  measured: " + q["measured"].get<std::string>() + "\n"),
            std::string::npos)
      << q.dump() << "\n"
      << cli.out;
  EXPECT_EQ(q["said"], "most (over half)");
  EXPECT_EQ(q["right"], true);
  EXPECT_EQ(q["answer"], "most (over half)");
  EXPECT_TRUE(web["ok"].get<bool>()) << web.dump();
  EXPECT_FALSE(web["expectations"].empty());
  EXPECT_FALSE(web["claims"].empty());

  // A wrong answer is said to be one; an answer that is none, why.
  const Json wrong = Json::parse(
      stampede::web::lesson_check(R"({"lesson": "03-stale-pages", "step": 1, "answer": "2"})"));
  EXPECT_EQ(wrong["question"]["right"], false) << wrong.dump();
  const Json nonsense = Json::parse(
      stampede::web::lesson_check(R"({"lesson": "03-stale-pages", "step": 1, "answer": "9"})"));
  EXPECT_FALSE(nonsense["question"].value("said_error", "").empty()) << nonsense.dump();
  for (const char *bad : {R"({"lesson": "99-nope", "step": 0})", R"({"lesson": "03-stale-pages",
      "step": 99})",
                          R"({"step": 0})"})
    EXPECT_TRUE(Json::parse(stampede::web::lesson_check(bad)).contains("error")) << bad;
}

TEST(WebLiveRun, RunsUntilAnInstantAndDrawsIt) {
  stampede::web::LiveRun live(R"({"scenario": "builtin:stampede"})");
  ASSERT_EQ(live.error(), "");
  live.run_until(5.0);
  EXPECT_DOUBLE_EQ(live.now_s(), 5.0);
  EXPECT_FALSE(live.finished());
  const Json s = Json::parse(live.snapshot());
  EXPECT_DOUBLE_EQ(s["now_s"].get<double>(), 5.0);
  EXPECT_FALSE(s["running"].get<bool>());
  EXPECT_GT(s["totals"]["requests"]["page_views"].get<std::uint64_t>(), 2000u);
  EXPECT_EQ(s["in_flight"].size(), s["in_flight_all"].get<std::size_t>()); // one dot a request
  EXPECT_GT(s["in_flight"].size(), 0u); // 500 views/s: some are always in flight
  for (const Json &f : s["in_flight"]) {
    EXPECT_LE(f["from_s"].get<double>(), 5.0) << f.dump();
    EXPECT_TRUE(f["until_s"].is_null() || f["until_s"].get<double>() >= 5.0) << f.dump();
  }
  EXPECT_FALSE(s["intervals"].empty());

  // Following the first request in flight: its timeline, in words.
  live.follow(s["in_flight"][0]["request"].get<double>());
  live.step();
  const Json followed = Json::parse(live.snapshot());
  EXPECT_EQ(followed["followed"], s["in_flight"][0]["request"]);
  ASSERT_FALSE(followed["timeline"].empty());
  EXPECT_FALSE(followed["timeline"][0]["what"].get<std::string>().empty());

  live.run_until(2.0); // passed already: stays where it is
  EXPECT_LT(live.now_s(), 5.1);
  EXPECT_FALSE(live.finished());
  live.run_until(1e9); // to the end
  EXPECT_TRUE(live.finished());
}

TEST(WebLiveRun, ABadScenarioSaysWhyAndDoesNothing) {
  stampede::web::LiveRun live(R"({"scenario": "builtin:nope"})");
  EXPECT_NE(live.error().find("builtin:nope"), std::string::npos) << live.error();
  live.play();
  live.advance(1, 1);
  live.run_until(5);
  EXPECT_EQ(live.now_s(), 0);
  EXPECT_TRUE(live.finished());
  EXPECT_EQ(Json::parse(live.snapshot())["error"], live.error());
}

} // namespace
