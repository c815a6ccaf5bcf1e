// What the diagram's three files share: a label as laid out, and the layout
// itself (diagram_layout.cc computes it, diagram_dots.cc places the dots in it,
// diagram_view.cc paints it). Private to the diagram.
#pragma once

#include <QFont>
#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <cstdint>
#include <utility>
#include <vector>

#include "views/diagram_view.h"

namespace stampede::gui {

namespace diagram {

// A label as laid out: its lines, the font, and where the block goes.
struct Text {
  QRectF rect, frame;
  QStringList lines;
  QFont font;
  bool bold_first = false; // a title line over details
  bool whole = false;      // one of its wordings fitted (not the elided fallback)
  bool muted = false;      // drawn in grey: an old tier's node, on its way out
  Qt::Alignment align = Qt::AlignCenter;
};

} // namespace diagram

struct DiagramView::Layout {
  QRectF users, lb, db, db_queue, db_cells;
  QRectF edge; // the front cache, between the users and the balancer; empty without one
  std::vector<QRectF> servers, cpu, local, queues; // per server
  std::vector<QRectF> nodes;     // the tier's, then the gutter pool's (StackState::cache_items)
  std::vector<QRectF> old_nodes; // during a migration, the old tier's, under them
  QRectF old_group;              // the old tier's dotted frame; empty without a migration
  std::vector<diagram::Text> texts;
  std::vector<std::pair<QPointF, Shade>> key;
  int cell_cols = 1;
  std::uint32_t cells = 1;   // connection cells: one per `per_dot` connections
  std::uint32_t thin = 1;    // dots kept: one in `thin` of the snapshot's sample
  std::uint32_t per_dot = 1; // requests a dot stands for: the sample times thin
  double cell = 8;           // a connection cell's side
  double r = 3;              // a dot's radius
  double scale = 1;          // the font's size over the usual 12 px
};

} // namespace stampede::gui
