// scenario_to_json: a Scenario written back as a scenario file, in the field
// table's order.
#include <limits>

#include "io/scenario_internal.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace internal {
namespace {

Json distribution_json(const Distribution &d) {
  const DistributionKind &row = distribution_kind(d.kind);
  const std::string name(row.name), a(row.a), b(row.b);
  switch (d.kind) {
  case Distribution::Kind::kConstant:
    return d.a;
  case Distribution::Kind::kExponential:
    return Json{{name, d.a}};
  case Distribution::Kind::kUniform:
    return Json{{name, Json::array({d.a, d.b})}};
  case Distribution::Kind::kNormal:
  case Distribution::Kind::kLogNormal:
    return Json{{name, Json{{a, d.a}, {b, d.b}}}};
  case Distribution::Kind::kEmpirical: {
    // The weights come back as the steps of the cumulative table.
    Json pairs = Json::array();
    double previous = 0;
    for (std::size_t i = 0; i < d.values.size() && i < d.cumulative.size(); ++i) {
      // A weight too small to show in the normalised table still was positive.
      const double weight = d.cumulative[i] - previous;
      pairs.push_back(Json::array(
          {d.values[i], weight > 0 ? weight : std::numeric_limits<double>::denorm_min()}));
      previous = d.cumulative[i];
    }
    return Json{{name, pairs}};
  }
  }
  return d.a;
}

} // namespace

Json field_json(const Field &f, const FieldValue &v) {
  switch (f.kind) {
  case FieldKind::kInteger:
    return std::get<std::uint64_t>(v);
  case FieldKind::kNumber:
    return std::get<double>(v);
  case FieldKind::kBoolean:
    return std::get<bool>(v);
  case FieldKind::kEnum: {
    auto i = std::get<std::uint64_t>(v);
    return i < f.choices.size() ? Json(std::string(f.choices[i])) : Json();
  }
  case FieldKind::kString:
    return std::get<std::string>(v);
  case FieldKind::kDistribution:
    return distribution_json(std::get<Distribution>(v));
  }
  return Json();
}

} // namespace internal

using internal::Json;

std::string scenario_to_json(const Scenario &s) {
  using namespace internal;
  Json root = Json::object();
  for (auto top : kTopLevel) {
    if (top == "events") {
      Json events = Json::array();
      for (auto &e : s.events) {
        Json j{{"at", ns_to_seconds(e.at)}};
        const EventKind &kind = kEventTable[static_cast<std::size_t>(e.kind)];
        if (kind.value == EventKind::Value::kTrue)
          j[std::string(kind.name)] = true;
        else
          j[std::string(kind.name)] = e.value;
        events.push_back(std::move(j));
      }
      root["events"] = std::move(events);
    } else if (top == "expect") {
      Json expect = Json::array();
      for (auto &c : s.expect)
        expect.push_back(c.text);
      root["expect"] = std::move(expect);
    } else if (is_section(top)) {
      Json section = Json::object();
      for (auto &f : scenario_fields())
        if (section_of(f.path) == top)
          section[std::string(leaf_of(f.path))] = field_json(f, f.load(s));
      root[std::string(top)] = std::move(section);
    } else if (const Field *f = find_field(top)) {
      root[std::string(top)] = field_json(*f, f->load(s));
    }
  }
  // The fold of update+cas is written as its parts (name update, cas true).
  return root.dump(2, ' ', false, nlohmann::detail::error_handler_t::replace) + "\n";
}

} // namespace stampede
