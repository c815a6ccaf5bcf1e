// Grading attack 2 (issue 21): a static object that, as the student's code
// is loaded, looks for the graded test binary's --gtest_output path (in its
// own command line or any other process's it can read), writes a report in
// which every test passed, and exits at once. check_grader.sh appends it to
// the stubs of 01 and 02: each must still score 0.
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

namespace {

const char *kForged = R"({"testsuites": [
 {"name": "Refresh", "testsuite": [
  {"name": "PageViewsReadThroughTheCache"}, {"name": "EachSubmitReadsTheDatabaseOnce"},
  {"name": "SimpleUsersNeverTouchTheDatabase"}, {"name": "NoStampedeAndOnlyBriefStaleness"},
  {"name": "BehavesExactlyLikeTheLecturesRefresh"}]},
 {"name": "TinyMemcached", "testsuite": [
  {"name": "SetThenGetReturnsTheLatestValue"}, {"name": "DeleteRemovesOnlyThatKey"},
  {"name": "FlushEmptiesTheCache"}, {"name": "GetsGivesAUniqueThatChangesOnEveryWrite"},
  {"name": "CasStoresWhenNobodyWroteInBetween"}, {"name": "CasRefusesAfterAnotherClientWrote"},
  {"name": "CasOnAMissingKeyIsNotFound"}, {"name": "VisitorCounterNeverLosesAVisit"}]}]})";

struct Forge {
  Forge() {
    const std::string flag = "--gtest_output=json:";
    if (DIR *proc = opendir("/proc")) {
      while (dirent *e = readdir(proc)) {
        std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline");
        const std::string cmd((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
        const std::size_t at = cmd.find(flag);
        if (at == std::string::npos)
          continue;
        const std::string path =
            cmd.substr(at + flag.size(), cmd.find('\0', at) - at - flag.size());
        std::ofstream(path) << kForged;
      }
      closedir(proc);
    }
    _exit(0);
  }
} forge;

} // namespace
