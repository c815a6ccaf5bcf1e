// Prints digests of to_chars and from_chars over the portable sample: built
// natively (std::) and as WebAssembly (internal/portable.h's fallbacks on
// musl), the two outputs must be equal (tests/web/parity.mjs compares them).
//
//     portable_check [VALUES]     (default 2,000,000: 4 million texts)
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "internal/portable.h"
#include "portable_sample.h"

int main(int argc, char **argv) {
  using namespace stampede;
  const std::uint64_t values = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  constexpr std::uint64_t kBlocks = 20;
  std::uint64_t state = 7;
  std::uint64_t text_digest = 0xcbf29ce484222325ULL, read_digest = text_digest;
  std::uint64_t unread = 0;
  for (std::uint64_t i = 0; i < values; ++i) {
    const double v = portable_sample::value(state, i);
    for (double x : {v, -v}) {
      std::array<char, 64> buf{};
      const auto r = portable::to_chars(buf.data(), buf.data() + buf.size(), x);
      portable_sample::mix(text_digest, buf.data(), r.ptr);
      double back = 0;
      const auto p = portable::from_chars(buf.data(), r.ptr, back);
      const auto bits = portable::bit_cast<std::uint64_t>(back);
      std::array<char, 8> raw{};
      std::memcpy(raw.data(), &bits, sizeof bits);
      portable_sample::mix(read_digest, raw.data(), raw.data() + raw.size());
      unread +=
          (p.ec != std::errc() || p.ptr != r.ptr || bits != portable::bit_cast<std::uint64_t>(x))
              ? 1
              : 0;
    }
    if ((i + 1) % (values / kBlocks == 0 ? 1 : values / kBlocks) == 0 || i + 1 == values)
      std::printf("%" PRIu64 " values: to_chars %016" PRIx64 ", from_chars %016" PRIx64 ", %" PRIu64
                  " not read back exactly\n",
                  i + 1, text_digest, read_digest, unread);
  }
  return unread == 0 ? 0 : 1;
}
