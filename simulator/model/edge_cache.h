// The front cache (SPEC section 2, `edge.*`): a CDN-like cache in front of
// the balancer that keeps each key's page as an app server last answered it
// and answers a page view from that copy while it is younger than
// edge.ttl_s. It never hears of submits. The core holds it by value; an
// answer under way is one event, named by its index here.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stampede/page.h"
#include "stampede/rng.h"
#include "stampede/scenario.h"
#include "stampede/time.h"

namespace stampede::internal {

class EdgeCache {
public:
  /// A page view the front cache is answering, from its arrival until its
  /// answer goes out.
  struct Answer {
    Time arrival = 0;
    std::uint64_t serial = 0;
    std::uint32_t key = 0;
    std::uint32_t committed_at_arrival = 0;
    bool burst = false;
    Page page;
  };

  /// @param config the scenario's `edge`. @param keys how many keys there
  /// are. @param rng the front cache's stream (its answer times).
  EdgeCache(const EdgeConfig &config, std::uint32_t keys, Rng rng)
      : on_(config.enabled), ttl_(seconds_to_ns(config.ttl_s)), latency_(config.latency),
        rng_(rng) {
    if (on_)
      copies_.resize(keys); // cold: a copy is kept the first time a page is answered
  }

  /// Whether the scenario has a front cache (edge.enabled).
  bool on() const noexcept { return on_; }

  /// @return the key's copy if it is fresh at `now`, else null.
  const Page *fresh(std::uint32_t key, Time now) const noexcept {
    const Copy &c = copies_[key];
    return c.stored >= 0 && now - c.stored < ttl_ ? &c.page : nullptr;
  }

  /// An app server answered a view of `key` with `page` at `now`: the copy.
  void keep(std::uint32_t key, const Page &page, Time now) { copies_[key] = Copy{page, now}; }

  /// Room for one more answer under way: @return its index, or nothing when
  /// more are under way than `limit` (what an event can name).
  std::optional<std::uint32_t> begin_answer(std::uint32_t limit) {
    if (!free_.empty()) {
      const std::uint32_t index = free_.back();
      free_.pop_back();
      return index;
    }
    if (answers_.size() > limit)
      return std::nullopt;
    answers_.emplace_back();
    return static_cast<std::uint32_t>(answers_.size() - 1);
  }
  Answer &answer(std::uint32_t index) noexcept { return answers_[index]; }
  /// The answer went out: its index is free again.
  void end_answer(std::uint32_t index) { free_.push_back(index); }

  /// How long an answer takes (edge.latency).
  Time latency() { return latency_.sample(rng_); }

private:
  struct Copy {
    Page page;
    Time stored = -1; // -1: none yet
  };
  bool on_;
  Time ttl_;
  Distribution latency_;
  Rng rng_;
  std::vector<Copy> copies_;
  std::vector<Answer> answers_;
  std::vector<std::uint32_t> free_;
};

} // namespace stampede::internal
