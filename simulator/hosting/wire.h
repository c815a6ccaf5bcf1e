// The messages between the simulator and the strategy host
// (stampede-student-host), in the channel's frames (channel.h). A payload
// opens with its Kind. Request and Reply cross as their bytes: both sides
// are built from the same headers in the same tree (the host refuses a
// library built against other headers by the size check in kHello).
#pragma once

#include <cstdint>
#include <type_traits>

#include "stampede/strategy.h"

namespace stampede::hosting {

static_assert(std::is_trivially_copyable_v<Request>);
static_assert(std::is_trivially_copyable_v<Reply>);

/// What a call to the host asks.
enum class Kind : std::uint8_t {
  kList = 1,     ///< -> JSON {"strategies": [[name, description]...], "rings": [...]}
  kMake = 2,     ///< name, StrategyConfig as JSON -> Made
  kCallback = 3, ///< Callback -> Actions
  kRing = 4,     ///< RingCall -> an int32 (node_for) or nothing
  kDraw = 5,     ///< host to simulator, inside a callback: -> a double in [0, 1)
};

/// Which callback.
enum class Callback : std::uint8_t { kView = 0, kSubmit = 1, kResume = 2 };

/// @return `view()`, `submit()` or `resume()`.
inline const char *callback_name(Callback c) {
  return c == Callback::kView ? "view()" : c == Callback::kSubmit ? "submit()" : "resume()";
}

/// The strategy's answers to the Strategy interface's questions, asked once.
struct Made {
  std::uint8_t uses_cache = 1;
  std::uint8_t updates_cache_on_submit = 0;
  std::int64_t cache_ttl_s = 0;
};

/// A call into the strategy.
struct CallbackMsg {
  Callback which = Callback::kView;
  Time now = 0;
  Request request;
  Reply reply;
};

/// What a strategy did through its Context during one callback, in order.
enum class Action : std::uint8_t {
  kOp = 1,      ///< an operation (Op in `op`)
  kWait = 2,    ///< wait(): `pause` ns
  kRespond = 3, ///< respond()
  kAnswer = 4,  ///< answer()
  kFinish = 5,  ///< finish()
};

/// One action, with the request as the strategy left it at that moment.
struct ActionMsg {
  Action action = Action::kOp;
  Op op = Op::kNone;
  Time pause = 0;
  Request request;
};

/// What a ring call asks.
enum class RingCall : std::uint8_t { kAdd = 1, kRemove = 2, kNodeFor = 3 };

} // namespace stampede::hosting
