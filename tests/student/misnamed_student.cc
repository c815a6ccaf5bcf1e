// A student library that registers a name without the `student:` prefix:
// the loader must refuse it rather than let it shadow a built-in.
#include "stampede/strategy.h"

namespace {
std::unique_ptr<stampede::Strategy> make(const stampede::StrategyConfig &) { return nullptr; }
} // namespace

extern "C" void stampede_register_strategies(stampede::StrategyRegistry &r) {
  r.add("naive", &make, "not allowed: shadows the built-in");
}
