// The random generator: xoshiro256** seeded through SplitMix64, and one stream per
// (seed, component, index), so adding a component never moves another's draws.
#include "stampede/rng.h"

#include "stampede/stable_hash.h"

namespace stampede {
namespace {

std::uint64_t splitmix64(std::uint64_t &state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

Rng::Rng(std::uint64_t seed) noexcept {
  std::uint64_t state = seed;
  for (auto &word : s_)
    word = splitmix64(state);
}

Rng Rng::stream(std::uint64_t seed, std::string_view component, std::uint64_t index) noexcept {
  // Mix the three inputs through SplitMix64 steps so that nearby seeds and
  // indices give unrelated streams.
  std::uint64_t state = seed;
  std::uint64_t mixed = splitmix64(state);
  state = mixed ^ fnv1a64(component); // the component's name, the same on every platform
  mixed = splitmix64(state);
  state = mixed ^ (index * 0xd1342543de82ef95ULL);
  return Rng(splitmix64(state));
}

std::uint64_t Rng::below(std::uint64_t n) noexcept {
  // Lemire's nearly divisionless method, with the rejection that removes bias.
  __extension__ using u128 = unsigned __int128;
  std::uint64_t x = next();
  u128 m = static_cast<u128>(x) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = next();
      m = static_cast<u128>(x) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

} // namespace stampede
