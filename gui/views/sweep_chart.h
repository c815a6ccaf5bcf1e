// A sweep's chart (SPEC section 11): one output against a varied scenario
// field, a line per strategy (and per value of any other varied field) with
// its 95 % band. Drawn by `stampede sweep --plot` (through stampede-plot)
// and by the window's Sweep tab, so both look the same.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QChart>
#include <QString>

namespace stampede::gui {

/// One x of a line: the output's mean over the seeds and its interval.
struct SweepPoint {
  double x = 0;              ///< The varied value (its index when not a number).
  double mean = 0;           ///< The output's mean.
  std::optional<double> low; ///< The 95 % interval's ends; none for one seed.
  std::optional<double> high;
};

/// One line: a strategy (with the other varied fields' values, if any).
struct SweepLine {
  QString name;
  std::vector<SweepPoint> points; ///< In the order of the varied values.
};

/// Everything a sweep chart shows.
struct SweepSeries {
  QString title;                 ///< e.g. "frontpage: view p99, ms".
  QString x_title;               ///< The varied field's path.
  QString y_title;               ///< The output's words (report_label) and path.
  std::vector<QString> x_labels; ///< The varied values as written: the axis's labels when
                                 ///< any is not a number (then x is the index).
  bool categorical = false;      ///< Whether x is an index into x_labels.
  std::vector<SweepLine> lines;
};

/// Reads a sweep's CSV (as `stampede sweep` writes it) into the series of
/// one output against one varied field.
/// @param csv the CSV's text. @param x a varied field's path. @param y an output's path.
/// @param error set to what is wrong (a column missing, say) on failure.
std::optional<SweepSeries> sweep_series_from_csv(const std::string &csv, const std::string &x,
                                                 const std::string &y, std::string &error);

/// Builds the chart: a line per SweepLine, its band shaded behind it.
/// @return a new chart (the caller owns it, or gives it to a view).
QChart *make_sweep_chart(const SweepSeries &series);

/// Saves a chart as PNG or SVG (by the file's ending), at `width` x `height`.
/// Needs a QApplication (the offscreen platform will do).
/// @return an empty string, or why it could not be written.
QString save_chart(QChart *chart, const QString &file, int width, int height);

} // namespace stampede::gui
