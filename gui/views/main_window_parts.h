// What the window's files (main_window*.cc) share: the speed box's choices,
// how long a status-bar message stays, the seed box's value. Private to the
// window.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "stampede/lecture.h"

namespace stampede::gui::window {

struct SpeedChoice {
  const char *label;
  double sim_s_per_wall_s; // 0 = as fast as it goes
};
inline constexpr SpeedChoice kSpeeds[] = {
    {"x0.1", 0.1}, {"x0.25", 0.25}, {"x0.5", 0.5}, {"x1", 1},       {"x2", 2},
    {"x5", 5},     {"x10", 10},     {"x100", 100}, {"x1000", 1000}, {"as fast as it goes", 0}};
static_assert(std::size(kSpeeds) == std::size(kLectureSpeeds),
              "the speed box and the speed words (--speed, a demo's speed) name the same speeds");
inline constexpr int kDefaultSpeed = 3; // x1: a lecture watches the stack in real time

inline constexpr int kMessageMs = 8000; // how long a status-bar message stays

inline constexpr int kSeedBoxMax = 1'000'000'000; // the seed box's largest seed

/// The seed box's value for `seed`: `seed`, or the box's largest.
inline int seed_box_value(std::uint64_t seed) {
  return static_cast<int>(std::min<std::uint64_t>(seed, kSeedBoxMax));
}

} // namespace stampede::gui::window
