// A student library whose entry point throws while it is loaded.
#include "stampede/strategy.h"

extern "C" void stampede_register_strategies(stampede::StrategyRegistry &) {
  throw std::runtime_error("my registration failed");
}
