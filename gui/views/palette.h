// The colours that mean something, in one place: the diagram's dots and the
// charts' lines use the same colour for the same thing. Okabe and Ito's
// palette ("Color Universal Design", 2008), whose colours stay apart for
// viewers with any common colour-vision deficiency, plus greys for what
// carries no outcome.
#pragma once

#include <QColor>
#include <array>

#include "snapshot/snapshot.h"

namespace stampede::gui::palette {

inline const QColor kOrange(0xE6, 0x9F, 0x00);
inline const QColor kSkyBlue(0x56, 0xB4, 0xE9);
inline const QColor kGreen(0x00, 0x9E, 0x73); // Okabe-Ito's bluish green
inline const QColor kYellow(0xF0, 0xE4, 0x42);
inline const QColor kBlue(0x00, 0x72, 0xB2);
inline const QColor kVermillion(0xD5, 0x5E, 0x00);
inline const QColor kPurple(0xCC, 0x79, 0xA7); // Okabe-Ito's reddish purple
inline const QColor kBlack(0x00, 0x00, 0x00);
inline const QColor kGrey(0x80, 0x80, 0x80);
inline const QColor kLightGrey(0xBB, 0xBB, 0xBB);
/// A run stopped by a fault: vermillion, darkened for text, on its pale tint.
inline const QColor kFaultText(0xA8, 0x2A, 0x00);
inline const QColor kFaultFill(0xFD, 0xEC, 0xE4);

/// @param s what a dot means.
/// @return its colour.
inline QColor shade(Shade s) {
  switch (s) {
  case Shade::kView:
    return kGrey;
  case Shade::kSubmit:
    return kSkyBlue; // a submit's work is its insert
  case Shade::kCall:
    return kLightGrey;
  case Shade::kHit:
    return kGreen;
  case Shade::kMiss:
    return kVermillion;
  case Shade::kStale:
    return kPurple;
  case Shade::kWrite:
    return kBlue;
  case Shade::kConflict:
    return kBlack;
  case Shade::kDbRead:
    return kOrange;
  case Shade::kInsert:
    return kSkyBlue;
  }
  return kGrey;
}

/// @param kind an AnomalyKind as an index (stale read, stampede, CAS
/// conflict, lost update).
/// @return its colour: a stale read's purple, a stampede's (redundant DB
/// reads) orange, a CAS conflict's black; a lost update, which has no dot,
/// yellow.
inline QColor anomaly(std::size_t kind) {
  static const std::array<QColor, 4> colours = {kPurple, kOrange, kBlack, kYellow};
  return kind < colours.size() ? colours[kind] : kGrey;
}

} // namespace stampede::gui::palette
