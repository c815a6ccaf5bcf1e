#include "memo.h"

namespace exercise {

std::int64_t Memo::compute(std::int64_t a, std::int64_t b) {
  const auto key = std::make_pair(a, b);
  if (auto hit = cache_.find(key); hit != cache_.end())
    return hit->second;
  const std::int64_t answer = complex_computation(a, b);
  cache_.emplace(key, answer);
  return answer;
}

std::size_t Memo::size() const { return cache_.size(); }

} // namespace exercise
