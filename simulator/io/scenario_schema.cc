// scenario_schema: the JSON Schema of scenario files, from the field table and
// the tables of distribution families and event kinds.
#include <cmath>

#include "io/scenario_internal.h"
#include "stampede/scenario_file.h"

namespace stampede {
namespace internal {
namespace {

Json schema_for(const Field &f) {
  Json j;
  j["description"] = std::string(f.description);
  switch (f.kind) {
  case FieldKind::kInteger:
    j["type"] = "integer";
    j["minimum"] = f.int_min;
    j["maximum"] = f.int_max;
    break;
  case FieldKind::kNumber:
    j["type"] = "number";
    j[f.range.min_exclusive ? "exclusiveMinimum" : "minimum"] = f.range.min;
    if (std::isfinite(f.range.max))
      j[f.range.max_exclusive ? "exclusiveMaximum" : "maximum"] = f.range.max;
    break;
  case FieldKind::kBoolean:
    j["type"] = "boolean";
    break;
  case FieldKind::kEnum: {
    j["type"] = "string";
    Json e = Json::array();
    for (auto c : f.choices)
      e.push_back(std::string(c));
    j["enum"] = e;
    break;
  }
  case FieldKind::kString:
    j["type"] = "string";
    if (f.max_bytes > 0)
      j["maxLength"] = f.max_bytes; // characters there, bytes here: at most as many
    if (f.schema_names) {
      Json any = Json::array();
      any.push_back(Json{{"enum", f.schema_names()}});
      if (!f.schema_pattern.empty())
        any.push_back(Json{{"pattern", std::string(f.schema_pattern)}});
      j["anyOf"] = any;
    }
    break;
  case FieldKind::kDistribution:
    j["$ref"] = "#/$defs/distribution";
    break;
  }
  j["default"] = field_json(f, f.load(Scenario{}));
  return j;
}

Json seconds_schema(bool positive) {
  Json j{{"type", "number"}};
  j[positive ? "exclusiveMinimum" : "minimum"] = 0;
  j["maximum"] = kMaxSeconds;
  return j;
}

Json distribution_schema() {
  auto object_with = [](const char *key, Json value) {
    return Json{{"type", "object"},
                {"properties", Json{{key, std::move(value)}}},
                {"required", Json::array({key})},
                {"additionalProperties", false}};
  };
  auto members = [](const char *a, Json sa, const char *b, Json sb) {
    return Json{{"type", "object"},
                {"properties", Json{{a, std::move(sa)}, {b, std::move(sb)}}},
                {"required", Json::array({a, b})},
                {"additionalProperties", false}};
  };
  Json one_of = Json::array();
  Json constant = seconds_schema(false);
  constant["description"] = "a constant, seconds";
  one_of.push_back(constant);
  Json sigma{{"type", "number"}, {"minimum", 0}, {"maximum", kMaxSigma}};
  Json weight{{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", kMaxWeight}};
  Json pair{{"type", "array"},
            {"prefixItems", Json::array({seconds_schema(false), weight})},
            {"items", false},
            {"minItems", 2}};
  for (const DistributionKind &row : kDistributionTable) {
    const std::string name(row.name), a(row.a), b(row.b);
    Json value;
    switch (row.kind) {
    case Distribution::Kind::kConstant:
    case Distribution::Kind::kExponential:
      value = seconds_schema(true);
      break;
    case Distribution::Kind::kUniform:
      value = Json{{"type", "array"},
                   {"prefixItems", Json::array({seconds_schema(false), seconds_schema(false)})},
                   {"items", false},
                   {"minItems", 2}};
      break;
    case Distribution::Kind::kNormal:
      value = members(a.c_str(), seconds_schema(false), b.c_str(), seconds_schema(false));
      break;
    case Distribution::Kind::kLogNormal:
      value = members(a.c_str(), seconds_schema(true), b.c_str(), sigma);
      break;
    case Distribution::Kind::kEmpirical:
      value = Json{{"type", "array"}, {"items", pair}, {"minItems", 1}};
      break;
    }
    Json family = object_with(name.c_str(), std::move(value));
    family["description"] = row.description;
    one_of.push_back(std::move(family));
  }
  return Json{{"description", "a duration in seconds: a number (constant) or a distribution"},
              {"oneOf", one_of}};
}

Json event_schema() {
  Json at{{"type", "number"},
          {"minimum", 0},
          {"maximum", 1e6},
          {"description", "when, seconds from the start, up to the longest duration_s (an event "
                          "at or after duration_s never happens)"}};
  auto kind = [&](const char *key, Json value) {
    return Json{{"type", "object"},
                {"properties", Json{{"at", at}, {key, std::move(value)}}},
                {"required", Json::array({"at", key})},
                {"additionalProperties", false}};
  };
  Json one_of = Json::array();
  for (const EventKind &k : kEventTable) {
    Json value;
    switch (k.value) {
    case EventKind::Value::kTrue:
      value = Json{{"const", true}};
      break;
    case EventKind::Value::kCount:
      value = Json{{"type", "integer"},
                   {"minimum", 1},
                   {"maximum", kMaxBurst},
                   {"description", k.value_says}};
      break;
    case EventKind::Value::kIndex:
      value = Json{{"type", "integer"}, {"minimum", 0}, {"description", k.value_says}};
      break;
    case EventKind::Value::kNodes:
      value = Json{{"type", "integer"},
                   {"minimum", 1},
                   {"maximum", kMaxCacheNodes},
                   {"description", k.value_says}};
      break;
    }
    Json event = kind(std::string(k.name).c_str(), std::move(value));
    event["description"] = k.description;
    one_of.push_back(std::move(event));
  }
  return Json{{"oneOf", std::move(one_of)}};
}

} // namespace

} // namespace internal

using internal::Json;

std::string scenario_schema() {
  using namespace internal;
  Json properties = Json::object();
  for (auto top : kTopLevel) {
    if (top == "events") {
      properties["events"] = Json{{"description", "scripted node crashes and additions, submit "
                                                  "and page-view bursts, app servers joining "
                                                  "and leaving, in any order"},
                                  {"type", "array"},
                                  {"items", Json{{"$ref", "#/$defs/event"}}},
                                  {"default", Json::array()}};
    } else if (top == "expect") {
      properties["expect"] =
          Json{{"description", "expectations on the report: PATH OP NUMBER (OP one of == != < <= > "
                               ">=), joined with and; PATH a numeric report field"},
               {"type", "array"},
               {"items", Json{{"type", "string"}}},
               {"default", Json::array()}};
    } else if (is_section(top)) {
      Json section_props = Json::object();
      for (auto &f : scenario_fields())
        if (section_of(f.path) == top)
          section_props[std::string(leaf_of(f.path))] = schema_for(f);
      std::string description;
      for (auto &s : scenario_sections())
        if (s.name == top)
          description = s.description;
      properties[std::string(top)] = Json{{"description", description},
                                          {"type", "object"},
                                          {"properties", section_props},
                                          {"additionalProperties", false}};
    } else if (const Field *f = find_field(top)) {
      properties[std::string(top)] = schema_for(*f);
    }
  }
  Json required = Json::array();
  for (auto &s : scenario_sections())
    if (s.required)
      required.push_back(std::string(s.name));
  Json schema{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"$id", "https://stampede.invalid/scenario.schema.json"},
              {"title", "Stampede scenario"},
              {"description", "A scenario file for the Stampede simulator (SPEC section 2). "
                              "Generated by stampede::scenario_schema(); do not edit."},
              {"type", "object"},
              {"properties", properties},
              {"required", required},
              {"additionalProperties", false},
              {"$defs", Json{{"distribution", distribution_schema()}, {"event", event_schema()}}}};
  return schema.dump(2) + "\n";
}

} // namespace stampede
