// stampede-plot: draws a sweep's CSV (SPEC section 11) as PNG or SVG with Qt
// Charts on the offscreen platform, so no display is needed. `stampede
// sweep --plot` and `stampede merge --plot` run it; it can be run alone:
//
//     stampede-plot sweep.csv --x strategy.ttl_s --y anomalies.stale_reads --out ttl.png
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <QApplication>

#include "views/sweep_chart.h"

int main(int argc, char **argv) {
  CLI::App app{"Draw a sweep's CSV: one output against a varied field, a line per strategy "
               "with its 95 % band",
               "stampede-plot"};
  std::string csv_path, x, y, out, title;
  int width = 1000, height = 620;
  app.add_option("CSV", csv_path, "The CSV `stampede sweep` wrote")->required();
  app.add_option("--x", x, "The varied field on the x axis (a column before `strategy`)")
      ->required();
  app.add_option("--y", y, "The output to draw (a report path, e.g. latency_ms.page_view.p99)")
      ->required();
  app.add_option("--out", out, "FILE.png or FILE.svg")->required();
  app.add_option("--title", title, "The chart's title (default: the output's words)");
  app.add_option("--width", width, "Pixels (default 1000)")->check(CLI::Range(200, 8000));
  app.add_option("--height", height, "Pixels (default 620)")->check(CLI::Range(150, 8000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!out.ends_with(".png") && !out.ends_with(".svg")) {
    std::cerr << "--out: expected a file ending in .png or .svg, got " << out << "\n";
    return 2;
  }
  std::ifstream in(csv_path, std::ios::binary);
  if (!in) {
    std::cerr << csv_path << ": cannot read\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  std::optional<stampede::gui::SweepSeries> series =
      stampede::gui::sweep_series_from_csv(text.str(), x, y, error);
  if (!series) {
    std::cerr << csv_path << ": " << error << "\n";
    return 2;
  }
  series->title = QString::fromStdString(
      title.empty() ? series->y_title.toStdString() + " against " + x : title);
  // No display is needed: the offscreen platform draws as well as any.
  setenv("QT_QPA_PLATFORM", "offscreen", 0);
  QApplication qt(argc, argv);
  QChart *chart = stampede::gui::make_sweep_chart(*series);
  const QString why = stampede::gui::save_chart(chart, QString::fromStdString(out), width, height);
  delete chart;
  if (!why.isEmpty()) {
    std::cerr << why.toStdString() << "\n";
    return 2;
  }
  return 0;
}
