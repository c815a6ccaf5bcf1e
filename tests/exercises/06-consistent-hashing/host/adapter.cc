// Exercise 06's host: serves the graded test's calls (06-consistent-hashing/
// remote.h) with the student's Ring and modulo_node. A ring made with the
// test's hash calls the test back for each name it hashes.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exhost/host.h"
#include "ring.h"

namespace {

using exercise::Ring;
using exhost::json;
using exhost::text;

exhost::Objects<Ring> rings;

Ring::Hash test_hash(int id) {
  return [id](std::string_view name) {
    return exhost::call_back({{"op", "hash"}, {"ring", id}, {"name", exhost::encode_text(name)}})
        .get<std::uint32_t>();
  };
}

// The keys of a request's "keys".
std::vector<std::string> keys_of(const json &r) {
  std::vector<std::string> keys;
  for (const json &k : r.at("keys"))
    keys.push_back(exhost::decode_text(k));
  return keys;
}

json handle(const std::string &op, const json &r) {
  if (op == "modulo_node")
    return exercise::modulo_node(text(r, "key"), r.at("nodes").get<int>());
  if (op == "modulo_node_each") {
    const int nodes = r.at("nodes").get<int>();
    json out = json::array();
    for (const std::string &key : keys_of(r))
      out.push_back(exercise::modulo_node(key, nodes));
    return out;
  }
  if (op == "new") {
    const int points = r.at("points_per_node").get<int>();
    if (r.contains("hash"))
      return rings.add(std::make_unique<Ring>(points, test_hash(r.at("hash").get<int>())));
    return rings.add(std::make_unique<Ring>(points));
  }
  if (op == "delete")
    return rings.remove(r);
  Ring &ring = rings.at(r);
  if (op == "add_node") {
    ring.add_node(r.at("node").get<int>());
    return nullptr;
  }
  if (op == "remove_node") {
    ring.remove_node(r.at("node").get<int>());
    return nullptr;
  }
  if (op == "node_for")
    return std::as_const(ring).node_for(text(r, "key"));
  if (op == "node_for_each") {
    json out = json::array();
    for (const std::string &key : keys_of(r))
      out.push_back(std::as_const(ring).node_for(key));
    return out;
  }
  return exhost::unknown(op);
}

} // namespace

int main() { return exhost::serve(handle); }
