// A student library whose static constructor crashes when it is loaded.
#include "stampede/strategy.h"

namespace {
struct Crash {
  Crash() {
    volatile int *volatile nowhere = nullptr;
    *nowhere = 1;
  }
} crash;
} // namespace

extern "C" void stampede_register_strategies(stampede::StrategyRegistry &) {}
