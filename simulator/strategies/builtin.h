// Factories of the built-in strategies, one file each; registry.cc lists them.
#pragma once

#include <memory>

#include "stampede/strategy.h"

namespace stampede::internal {

std::unique_ptr<Strategy> make_none(const StrategyConfig &config);
std::unique_ptr<Strategy> make_naive(const StrategyConfig &config);
std::unique_ptr<Strategy> make_clear(const StrategyConfig &config);
std::unique_ptr<Strategy> make_refresh(const StrategyConfig &config);
std::unique_ptr<Strategy> make_update(const StrategyConfig &config);
std::unique_ptr<Strategy> make_coalesce(const StrategyConfig &config);
std::unique_ptr<Strategy> make_early(const StrategyConfig &config);
std::unique_ptr<Strategy> make_stale_while_revalidate(const StrategyConfig &config);
std::unique_ptr<Strategy> make_lease(const StrategyConfig &config);

} // namespace stampede::internal
