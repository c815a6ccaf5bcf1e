// Exercise 05's host: serves the graded test's calls (05-round-robin/
// remote.h) with the student's RoundRobin.
#include <memory>
#include <string>
#include <vector>

#include "exhost/host.h"
#include "round_robin.h"

namespace {

using exercise::RoundRobin;
using exhost::json;

exhost::Objects<RoundRobin> balancers;

json handle(const std::string &op, const json &r) {
  if (op == "new") {
    std::vector<std::string> servers;
    for (const json &s : r.at("servers"))
      servers.push_back(exhost::decode_text(s));
    return balancers.add(std::make_unique<RoundRobin>(std::move(servers)));
  }
  if (op == "delete")
    return balancers.remove(r);
  RoundRobin &lb = balancers.at(r);
  if (op == "next")
    return exhost::encode_text(lb.next());
  return exhost::unknown(op);
}

} // namespace

int main() { return exhost::serve(handle); }
