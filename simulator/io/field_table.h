/// @file field_table.h
/// The one table of scenario fields (private to io/).
///
/// Each scalar field of a scenario file appears here once, with its dotted
/// path, kind, range, default (read from a default-constructed Scenario),
/// a one-line description with its unit, and how it is stored into and read
/// from a Scenario. The parser validates against this table, scenario_schema()
/// writes it as a JSON Schema, and scenario_to_json() writes a Scenario in
/// its order, so the four can never disagree. `events` and `expect` are
/// arrays with their own rules and are handled beside the table.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stampede/distribution.h"
#include "stampede/scenario.h"

namespace stampede::internal {

/// What a field holds, as the file writes it.
enum class FieldKind : std::uint8_t {
  kInteger,     ///< A JSON number with no fraction, within [int_min, int_max].
  kNumber,      ///< Any JSON number within `range`.
  kBoolean,     ///< true or false.
  kEnum,        ///< One of `choices` (stored as its index).
  kString,      ///< Any string that `check` accepts.
  kDistribution ///< A number >= 0 or a distribution object (SPEC section 2).
};

/// A field's value between the JSON and the Scenario. Integers and enum
/// indices are std::uint64_t.
using FieldValue = std::variant<std::uint64_t, double, bool, std::string, Distribution>;

/// Bounds of a kNumber field.
struct NumberRange {
  double min = 0;             ///< Lower bound.
  double max = 0;             ///< Upper bound.
  bool min_exclusive = false; ///< The lower bound itself is not allowed.
  bool max_exclusive = false; ///< The upper bound itself is not allowed.
};

/// One scalar field of a scenario file.
struct Field {
  std::string_view path;                 ///< Dotted path, e.g. `cache.memory_bytes`.
  FieldKind kind = FieldKind::kNumber;   ///< What it holds.
  std::uint64_t int_min = 0;             ///< kInteger: smallest allowed.
  std::uint64_t int_max = 0;             ///< kInteger: largest allowed.
  NumberRange range;                     ///< kNumber: bounds.
  std::vector<std::string_view> choices; ///< kEnum: the spellings, in enum order.
  std::string_view description;          ///< One line, with the unit.
  /// Stores an already-validated value.
  std::function<void(Scenario &, const FieldValue &)> store;
  /// Reads the value back (defaults come from `load(Scenario{})`).
  std::function<FieldValue(const Scenario &)> load;
  /// kString: returns what was expected when the string is not acceptable.
  std::function<std::optional<std::string>(std::string_view)> check;
  /// kString: the names the schema lists (besides `pattern`).
  std::function<std::vector<std::string>()> schema_names;
  /// kString: a regular expression the schema also accepts (empty for none).
  std::string_view schema_pattern;
  /// kString: the longest text allowed, in bytes (0: no limit of its own).
  std::size_t max_bytes = 0;
};

/// The longest `name` or `description` a scenario may have: a line a
/// terminal shows, and a report that reads back under its 64 MiB limit.
inline constexpr std::size_t kMaxTextBytes = 4096;

/// @return every scalar field, in the order scenario files and the schema list them.
const std::vector<Field> &scenario_fields();

/// @param path a dotted path.
/// @return the field, or nullptr.
const Field *find_field(std::string_view path);

/// The objects that group fields, in file order, and whether each is required.
struct Section {
  std::string_view name;        ///< e.g. `cache`.
  std::string_view description; ///< One line.
  bool required = false;        ///< Only `workload`.
};

/// @return the sections (`workload`, `balancer`, `app`, `cache`, `db`, `strategy`).
const std::vector<Section> &scenario_sections();

} // namespace stampede::internal
