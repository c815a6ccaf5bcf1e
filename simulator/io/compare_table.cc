// The lecture's table (SPEC section 7), which `stampede compare` prints and
// the window's Compare tab draws: its columns, its cells and its layout.
#include "stampede/compare_table.h"

#include <algorithm>
#include <array>

#include "stampede/report_fields.h"

namespace stampede {
namespace {

// The lecture's table (SPEC section 7): a report field per column, titled
// and written as the report's field table says (report_label, report_text),
// so the window's panels use the same words. The strategy, first, is left-aligned.
constexpr std::array<const char *, 11> kCompareColumns = {
    "strategy",
    "db.reads_per_page_view",
    "db.reads_per_submit",
    "anomalies.stale_reads",
    "anomalies.max_staleness_s",
    "anomalies.redundant_db_reads",
    "anomalies.stampedes",
    "anomalies.lost_updates",
    "cache.cas_conflicts",
    "cache.hit_ratio",
    "latency_ms.page_view.p99",
};

} // namespace

const std::vector<std::string> &compare_paths() {
  static const std::vector<std::string> paths(kCompareColumns.begin(), kCompareColumns.end());
  return paths;
}

const std::vector<std::string> &compare_columns() {
  static const std::vector<std::string> titles = [] {
    std::vector<std::string> t;
    for (const char *path : kCompareColumns)
      t.push_back(report_label(path));
    return t;
  }();
  return titles;
}

std::vector<std::string> compare_cells(const Report &r) {
  std::vector<std::string> cells;
  for (const char *path : kCompareColumns)
    cells.push_back(report_text(r, path));
  return cells;
}

std::vector<std::string> compare_cells(const ReplicatedReport &r) {
  std::vector<std::string> cells;
  for (const char *path : kCompareColumns)
    cells.push_back(spread_text(r, path));
  return cells;
}

namespace {

/// The table of rows of cells under compare_columns(): aligned, the first
/// column to the left and the others to the right.
std::string format_rows(const std::vector<std::vector<std::string>> &rows) {
  const std::size_t columns = kCompareColumns.size();
  const std::vector<std::string> &titles = compare_columns();
  std::vector<std::size_t> width(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    width[c] = titles[c].size();
    for (const auto &row : rows) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  const auto cell = [&](std::string &line, std::size_t c, const std::string &text) {
    if (c > 0) {
      line += "  ";
    }
    const std::string pad(width[c] - text.size(), ' ');
    line += c == 0 ? text + pad : pad + text;
  };
  std::string out;
  std::string line;
  for (std::size_t c = 0; c < columns; ++c) {
    cell(line, c, titles[c]);
  }
  out += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
  for (const auto &row : rows) {
    line.clear();
    for (std::size_t c = 0; c < columns; ++c) {
      cell(line, c, row[c]);
    }
    out += line + "\n";
  }
  return out;
}

} // namespace

std::string format_compare_table(const std::vector<Report> &reports) {
  std::vector<std::vector<std::string>> rows;
  for (const Report &r : reports) {
    rows.push_back(compare_cells(r));
  }
  return format_rows(rows);
}

std::string format_compare_table(const std::vector<ReplicatedReport> &reports) {
  std::vector<std::vector<std::string>> rows;
  for (const ReplicatedReport &r : reports) {
    rows.push_back(compare_cells(r));
  }
  return format_rows(rows);
}

} // namespace stampede
