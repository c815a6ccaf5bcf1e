// The graded test's side of a class exercise (SPEC section 10: student code
// runs apart). The student's class runs in a process of its own, the
// exercise host (NN-slug/host/adapter.cc, started sandboxed by
// stampede_hosting); the test holds proxies (NN-slug/remote.h) with the
// class's names and methods, each call going to the host and its answer
// coming back. The test binary holds none of the student's code, so nothing
// a student writes can fake a passing report or a check.
//
// A fault of the student's code in a call (it crashed, did not return,
// threw, exited) fails the running test with words that name the call and
// what the code did, as `TinyCache::get("a") crashed (SIGSEGV)`, and ends
// that test; the next call starts a fresh host, so the next test runs as
// usual. A call may call back into the test (count_visit's `between`, a
// Ring's hash): a proxy registers a Callback for it, and what that callback
// throws comes out of the call, as it would in one process.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "exhost/text.h"
#include "graded.h"
#include "graded_env.h"
#include "hosting/json_peer.h"

namespace exhost {

/// Serves one call the host makes back into the test: its request, our answer.
using Callback = std::function<json(const json &)>;

/// How long one call may go on, the callbacks it makes included. The
/// student's code between two callbacks has the host's own limit (2 s); this
/// ends a call that keeps calling back, as a retry loop that swallows what
/// the test's callback threw to stop it would.
inline constexpr std::chrono::seconds kCallLimit{10};

/// `"a"`, as fault words show a string argument: its first 40 bytes, escaped.
inline std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kShown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kShown)
    return out + "...\" (" + std::to_string(s.size()) + " bytes)";
  return out + "\"";
}

namespace internal {

struct State {
  stampede::hosting::ExerciseHost host{graded::from_grader("STAMPEDE_EXERCISE_HOST")};
  // Bumped whenever a fault ended the host: the objects made before went
  // with it.
  int generation = 0;
  // The generation whose host said hello (it started and serves calls).
  int greeted = -1;
  std::map<std::string, Callback, std::less<>> callbacks;
  int depth = 0; // calls in progress: a callback may call again
  std::chrono::steady_clock::time_point outermost_since;
  bool overran = false;
  // What a callback threw, kept for the call it interrupted (the innermost).
  std::exception_ptr callback_threw;
};

json serve_callback(const json &request);

inline State &state() {
  static State s;
  static const bool serving = (s.host.on_callback(serve_callback), true);
  (void)serving;
  return s;
}

inline ::testing::AssertionResult said(const char *, const std::string &words) {
  return ::testing::AssertionFailure() << words;
}

/// A hint for what the code did, in the words of json_peer.h's faults.
inline std::string hint_for(const std::string &fault) {
  if (fault.starts_with("crashed (SIGSEGV") || fault.starts_with("crashed (SIGBUS"))
    return "your code touched memory it does not own: look for end() or an empty optional "
           "dereferenced, an iterator used after its element was erased, or an index past the "
           "end";
  if (fault.starts_with("crashed (SIGABRT"))
    return "your code aborted: a failed assert, or an exception let out of a destructor or a "
           "noexcept function";
  if (fault.starts_with("crashed (SIGFPE"))
    return "your code divided by zero (a / or % by 0?)";
  if (fault.starts_with("did not return"))
    return "a loop in this call that never ends?";
  if (fault.starts_with("threw"))
    return "this call let an exception out: the tests expect an answer";
  if (fault.starts_with("exited"))
    return "your code ended the process (exit, quick_exit?): return from the call instead";
  return "";
}

/// Records a failure in the running test: `sentence`, and `hint` if any.
inline void record(const std::string &sentence, const std::string &hint) {
  EXPECT_PRED_FORMAT1(said, sentence) << (hint.empty() ? "" : graded::hint(hint));
}

/// Records the failure and ends the running test: gtest takes an
/// AssertionException for a failure reported already.
[[noreturn]] inline void fail_with(const std::string &sentence, const std::string &hint) {
  record(sentence, hint);
  throw ::testing::AssertionException(::testing::TestPartResult(
      ::testing::TestPartResult::kFatalFailure, __FILE__, __LINE__, sentence.c_str()));
}

/// Fails the running test with `words fault` (`TinyCache::get("a")
/// crashed (SIGSEGV)`) and a hint for the fault, and ends it.
[[noreturn]] inline void fail(const std::string &words, const std::string &fault) {
  fail_with(words + " " + fault, hint_for(fault));
}

/// @return whether `p` holds a failure reported already (by a nested call).
inline bool reported(const std::exception_ptr &p) {
  try {
    std::rethrow_exception(p);
  } catch (const ::testing::AssertionException &) {
    return true;
  } catch (...) {
    return false;
  }
}

inline json serve_callback(const json &request) {
  State &s = state();
  if (std::chrono::steady_clock::now() - s.outermost_since > kCallLimit) {
    s.overran = true;
    // ExerciseHost takes a closed channel as the host's end: it stops it.
    throw stampede::hosting::ChannelClosed("the call went on too long");
  }
  const std::string op = request.value("op", "");
  const auto it = s.callbacks.find(op);
  if (it == s.callbacks.end())
    throw std::runtime_error("the test serves no callback \"" + op + "\"");
  try {
    return it->second(request);
  } catch (...) {
    if (!s.callback_threw)
      s.callback_threw = std::current_exception();
    throw;
  }
}

// Starts the host if it is new, before the first call: a host that cannot
// serve (a static object's constructor that exits) is named as such.
inline void greet(State &s) {
  if (s.greeted == s.generation)
    return;
  try {
    s.host.call({{"op", "hello"}});
    s.greeted = s.generation;
  } catch (const stampede::hosting::PeerFault &e) {
    ++s.generation;
    fail_with(std::string("your code ") + e.what() + " as its process started, before any call",
              "code that runs before main (a global or static object's constructor) must not "
              "end the process, crash or loop");
  }
}

} // namespace internal

/// Serves the host's calls back named `op` with `callback` (replacing any).
/// @return the callback it replaced, or an empty one.
inline Callback set_callback(const std::string &op, Callback callback) {
  auto &callbacks = internal::state().callbacks;
  Callback before = callbacks.contains(op) ? callbacks[op] : Callback();
  if (callback)
    callbacks[op] = std::move(callback);
  else
    callbacks.erase(op);
  return before;
}

/// Serves a callback for as long as it lives, then puts back the one before.
class ScopedCallback {
public:
  /// @param op the callback's name. @param callback serves it.
  ScopedCallback(std::string op, Callback callback)
      : op_(std::move(op)), before_(set_callback(op_, std::move(callback))) {}
  ~ScopedCallback() { set_callback(op_, std::move(before_)); }
  ScopedCallback(const ScopedCallback &) = delete;
  ScopedCallback &operator=(const ScopedCallback &) = delete;

private:
  std::string op_;
  Callback before_;
};

/// Calls the student's code in the host. On a fault, fails the running test
/// with `words()` (the call as the test made it, `TinyCache::get("a")`) and
/// what the code did, and ends the test (see the file comment).
/// @param words makes the call's words (only when needed).
/// @param request `{"op": ..., ...}` for the adapter.
/// @return the answer.
template <typename Words> json call(const Words &words, const json &request) {
  using namespace internal;
  State &s = state();
  if (s.depth == 0) {
    greet(s);
    s.outermost_since = std::chrono::steady_clock::now();
    s.overran = false;
  }
  struct Depth {
    State &s;
    std::exception_ptr outer;
    explicit Depth(State &state) : s(state), outer(std::exchange(state.callback_threw, nullptr)) {
      ++s.depth;
    }
    ~Depth() {
      --s.depth;
      s.callback_threw = outer;
    }
  } depth(s);
  std::string fault;
  try {
    // What a callback threw and the student's code swallowed stays
    // swallowed when the call returns, as in one process.
    return s.host.call(request);
  } catch (const stampede::hosting::PeerFault &e) {
    fault = e.what();
  } catch (const std::exception &e) {
    // Not the student's fault as such (the host could not start, or sent
    // what is not JSON): named all the same, and the test fails.
    fault = std::string("could not be called: ") + e.what();
  }
  const bool ended = !fault.starts_with("threw ") && !fault.starts_with("could not be called");
  if (ended)
    ++s.generation;
  const std::exception_ptr threw = std::exchange(s.callback_threw, nullptr);
  if (threw && reported(threw))
    std::rethrow_exception(threw); // a nested call's fault, reported there
  if (std::exchange(s.overran, false))
    fail(words(), "did not return within " + std::to_string(kCallLimit.count()) +
                      " s, calling back into the test all along (an endless loop?)");
  if (threw && !ended)
    std::rethrow_exception(threw); // the callback's exception came through the student's code
  fail(words(), fault);
}

/// Reads a call's answer with `read`; an answer it cannot read (the host
/// sent something else) fails the test as a fault of that call.
template <typename Words, typename Read>
auto answer(const Words &words, const json &request, Read read) -> decltype(read(json())) {
  const json got = call(words, request);
  try {
    return read(got);
  } catch (const std::exception &e) {
    internal::fail(words(), std::string("gave an answer the test cannot read (") + e.what() + ")");
  }
}

/// The student's object a proxy stands for: made in the host by `new`,
/// deleted with the proxy, its calls named `Class::method(...)` in faults.
class Remote {
public:
  Remote(const Remote &) = delete;
  Remote &operator=(const Remote &) = delete;

protected:
  /// Makes the object in the host.
  /// @param class_name the class, as the tests name it. @param args the
  /// constructor's arguments, as words: `300`. @param request `{"op":
  /// "new", ...}` for the adapter.
  Remote(std::string class_name, const std::string &args, const json &request)
      : class_(std::move(class_name)) {
    handle_ = answer([&] { return class_ + "::" + class_ + "(" + args + ")"; }, request,
                     [](const json &j) { return j.get<int>(); });
    generation_ = internal::state().generation;
  }
  Remote(Remote &&other) noexcept
      : class_(std::move(other.class_)), handle_(std::exchange(other.handle_, -1)),
        generation_(other.generation_) {}
  Remote &operator=(Remote &&other) noexcept {
    if (this != &other) {
      release();
      class_ = std::move(other.class_);
      handle_ = std::exchange(other.handle_, -1);
      generation_ = other.generation_;
    }
    return *this;
  }
  ~Remote() { release(); }

  /// Calls a method on the object. @param method makes the words
  /// `get("a")`. @param request the call, to which "obj" is added.
  /// @param read reads the answer. @return what `read` made of it.
  template <typename Method, typename Read>
  auto invoke(const Method &method, json request, Read read) const {
    return invoke_as([&] { return class_ + "::" + method(); }, std::move(request), read);
  }

  /// The same, with the call's whole words: for a free function that takes
  /// the object, `count_visit(cache, "visits", between)`.
  template <typename Words, typename Read>
  auto invoke_as(const Words &words, json request, Read read) const {
    if (generation_ != internal::state().generation)
      internal::fail(words(), "was not run: this " + class_ +
                                  " went with the process your code ended in an earlier call");
    request["obj"] = handle_;
    return answer(words, request, read);
  }

  /// The same, for a method that answers nothing.
  template <typename Method> void invoke(const Method &method, json request) const {
    invoke(method, std::move(request), [](const json &) { return 0; });
  }

private:
  // Deletes the object in the host, unless a fault ended that host. Never
  // throws (it runs in destructors): a fault is recorded, not thrown.
  void release() noexcept {
    if (handle_ < 0 || generation_ != internal::state().generation)
      return;
    const int handle = std::exchange(handle_, -1);
    try {
      call([&] { return class_ + "::~" + class_ + "()"; }, {{"op", "delete"}, {"obj", handle}});
    } catch (...) {
      // The fault is recorded in the running test; the test goes on.
    }
  }

  std::string class_;
  int handle_ = -1;
  int generation_ = -1;
};

} // namespace exhost
