/// @file student_hashing.h
/// Key placement a student writes (exercise 06, SPEC section 10): a hash
/// ring that the memcached tier asks which node holds a key, selectable as
/// `"cache.hashing": "student:NAME"` (or `--set cache.hashing=student:NAME`)
/// in `stampede` and `stampede-gui` once the student library is built.
///
///     #include "stampede/student_hashing.h"
///
///     class Ring {
///     public:
///       void add_node(int node);
///       void remove_node(int node);
///       int node_for(std::string_view key) const;
///     };
///     STAMPEDE_STUDENT_HASHING(ring, Ring, "my ketama ring");
///
/// The class needs no base class and sees nothing of the simulator: any
/// default-constructible class with those three members will do.
///
/// How the tier drives it: at the start it adds nodes 0, 1, ..., n-1 in that
/// order; a `crash_node` event removes that node, an `add_node` event adds
/// the next index. After each change it asks node_for() of every key (`page:K`)
/// and expects a node that is on the ring; an answer that is not one of them
/// stops the run with a message naming the key and the answer.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stampede {

/// Thrown by a run when a student's code breaks a rule the simulator relies
/// on (a ring whose node_for() names a node that is not on it). The message
/// says which rule and what came back; `stampede` prints it and exits 2, as
/// for any other bad input.
struct StudentCodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A fault of a student's strategy in one request (SPEC section 5): names
/// the strategy, the callback, the request and its step, as in
/// `student:refresh: view() of request #12 (step 1) answered it twice`. The
/// strategy knows a request by its Request::id; the simulator, which shows
/// requests by serial number, names it with name_request() on its way out.
class StudentFault : public StudentCodeError {
public:
  /// @param before the words before the request's number (`student:x: view() of request #`).
  /// @param slot the request's Request::id. @param after the words after it.
  StudentFault(std::string before, std::uint64_t slot, std::string after)
      : StudentCodeError(before), before_(std::move(before)), after_(std::move(after)), slot_(slot),
        shown_(compose(slot)) {}
  /// @return the message.
  const char *what() const noexcept override { return shown_.c_str(); }
  /// @return the request's Request::id.
  std::uint64_t slot() const noexcept { return slot_; }
  /// Names the request by the number the simulator shows (its serial).
  /// @param number that number.
  void name_request(std::uint64_t number) {
    if (!named_) {
      shown_ = compose(number);
      request_ = number;
    }
    named_ = true;
  }
  /// @return whether name_request() was called (the window then follows it).
  bool named() const noexcept { return named_; }
  /// @return the request's serial, once named.
  std::uint64_t request() const noexcept { return request_; }

private:
  std::string compose(std::uint64_t n) const { return before_ + std::to_string(n) + after_; }
  std::string before_, after_;
  std::uint64_t slot_;
  std::string shown_;
  std::uint64_t request_ = 0;
  bool named_ = false;
};

/// What the memcached tier asks of a student's key placement.
class HashRing {
public:
  virtual ~HashRing() = default;
  /// A node joins the ring.
  /// @param node its index (0, 1, ...); it is not on the ring yet.
  virtual void add_node(int node) = 0;
  /// A node leaves the ring (it crashed).
  /// @param node the index of a node on the ring.
  virtual void remove_node(int node) = 0;
  /// @param key a cache key, e.g. `page:42`.
  /// @return the node that holds the key, or -1 when the ring has no node.
  virtual int node_for(std::string_view key) const = 0;
};

/// Makes a new, empty ring.
using HashRingFactory = std::unique_ptr<HashRing> (*)();
/// Makes a new, empty ring of the given name (one factory serving many names:
/// the proxies of students' rings, which run in a process of their own).
using NamedHashRingFactory = std::unique_ptr<HashRing> (*)(std::string_view name);

/// The key placements that `cache.hashing` may name as `student:NAME`, as
/// the student library registers them (load_student_strategies()).
class HashingRegistry {
public:
  /// @return the process-wide registry the scenario parser and the
  /// memcached tier look names up in.
  static HashingRegistry &global();

  /// Registers a ring; a name registered again replaces the first.
  /// @param name `student:NAME`, as scenario files spell it.
  /// @param factory makes it.
  /// @param description one line for messages.
  void add(std::string name, HashRingFactory factory, std::string description);
  /// Registers a ring whose factory takes its name.
  /// @param name `student:NAME`. @param factory makes it. @param description one line.
  void add(std::string name, NamedHashRingFactory factory, std::string description);

  /// @param name a name.
  /// @return whether it is registered.
  bool contains(std::string_view name) const;

  /// @param name a registered name.
  /// @return a new ring, with no node on it.
  /// @throws std::invalid_argument for an unknown name.
  std::unique_ptr<HashRing> make(std::string_view name) const;

  /// @param name a registered name.
  /// @return its factory, or null if unknown.
  HashRingFactory factory(std::string_view name) const;

  /// @return every registered name, in registration order.
  std::vector<std::string> names() const;

  /// @param name a registered name.
  /// @return its description, empty if unknown.
  std::string description(std::string_view name) const;

private:
  struct Entry {
    std::string name, description;
    HashRingFactory factory;
    NamedHashRingFactory named = nullptr;
  };
  std::vector<Entry> entries_;
};

/// The function a student library exports (C linkage, this exact name) to
/// add its rings to a registry, each named `student:NAME`; optional, beside
/// the strategies' entry point (stampede/strategy.h, kStudentEntryPoint).
using StudentHashingEntryPoint = void (*)(HashingRegistry &);

/// The hashing entry point's symbol name.
inline constexpr const char *kStudentHashingEntryPoint = "stampede_register_hashings";

namespace student {

/// A ring a student's file declared.
struct HashingEntry {
  const char *name;        ///< `student:NAME`.
  HashRingFactory factory; ///< Makes it.
  const char *description; ///< One line.
};

/// @return the rings declared in this library (defined by the library's
/// entry point, tests/exercises/student_entry.cc, not in the simulator).
std::vector<HashingEntry> &hashing_entries();

/// Adds an entry at load time; STAMPEDE_STUDENT_HASHING declares one.
struct HashingRegistrar {
  /// @param e the ring to record.
  explicit HashingRegistrar(const HashingEntry &e) { hashing_entries().push_back(e); }
};

/// A student's class with add_node, remove_node and node_for, as a HashRing.
template <typename T> class RingOf final : public HashRing {
public:
  /// @param node the node that joins.
  void add_node(int node) override { ring_.add_node(node); }
  /// @param node the node that leaves.
  void remove_node(int node) override { ring_.remove_node(node); }
  /// @param key a cache key.
  /// @return the student's answer.
  int node_for(std::string_view key) const override { return ring_.node_for(key); }

private:
  T ring_;
};

/// @return a new, default-constructed `T` as a HashRing (a HashRingFactory).
template <typename T> std::unique_ptr<HashRing> make_ring() {
  return std::make_unique<RingOf<T>>();
}

} // namespace student
} // namespace stampede

/// Declares `Class` (with add_node, remove_node and node_for) as the key
/// placement `"cache.hashing": "student:NAME"`.
#define STAMPEDE_STUDENT_HASHING(NAME, Class, description)                                         \
  static const ::stampede::student::HashingRegistrar stampede_student_hashing_##NAME(              \
      ::stampede::student::HashingEntry{"student:" #NAME, &::stampede::student::make_ring<Class>,  \
                                        description})
