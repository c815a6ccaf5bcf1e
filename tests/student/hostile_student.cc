// Student strategies that break the strategy contract (strategy.h), each in
// its own way, for the tests that every fault is named as the student's
// (tests/cli/student_faults_test.cc). Each is naive where it is not broken.
#include <cstdio>
#include <cstdlib>

#include "stampede/strategy.h"

namespace {

using namespace stampede;

class Naive : public Strategy {
public:
  void view(Context &ctx, Request &r) override {
    r.step = kGet;
    ctx.cache_get(r);
  }
  void submit(Context &ctx, Request &r) override {
    r.step = kInsert;
    ctx.db_insert(r);
  }
  void resume(Context &ctx, Request &r, const Reply &reply) override {
    if (r.step == kGet && !reply.hit) {
      r.step = kRead;
      return ctx.db_read(r);
    }
    if (r.step == kRead) {
      r.step = kFill;
      return ctx.cache_fill(r);
    }
    ctx.respond(r);
  }

protected:
  static constexpr std::uint16_t kGet = 1, kRead = 2, kFill = 3, kInsert = 4;
};

class Twice final : public Naive {
  void view(Context &ctx, Request &r) override {
    ctx.answer(r);
    ctx.respond(r);
  }
};

class Never final : public Naive {
  void view(Context &, Request &) override {}
};

class TwoOps final : public Naive {
  void view(Context &ctx, Request &r) override {
    r.step = kGet;
    ctx.cache_get(r);
    ctx.db_read(r);
  }
};

class Segfault final : public Naive {
  void resume(Context &ctx, Request &r, const Reply &reply) override {
    if (r.step == kGet) {
      volatile int *volatile nowhere = nullptr;
      *nowhere = 1;
    }
    Naive::resume(ctx, r, reply);
  }
};

class Throws final : public Naive {
  void view(Context &, Request &) override { throw 42; }
};

class Aborts final : public Naive {
  void view(Context &, Request &) override { std::abort(); }
};

class Exits final : public Naive {
  void view(Context &, Request &) override { std::exit(0); }
};

volatile bool forever = true;

class Loops final : public Naive {
  void view(Context &ctx, Request &r) override {
    while (forever) {
    }
    Naive::view(ctx, r);
  }
};

class ForgesKey final : public Naive {
  void view(Context &ctx, Request &r) override {
    r.key = 0xffffffff;
    Naive::view(ctx, r);
  }
};

class ForgesServer final : public Naive {
  void view(Context &ctx, Request &r) override {
    r.server = 7;
    ctx.respond(r);
  }
};

class ForgesPage final : public Naive {
  void view(Context &ctx, Request &r) override {
    r.page.add(999999); // a post nobody wrote
    ctx.respond(r);
  }
};

// Tries to leave a mark outside its sandbox, then behaves as naive.
class Escapes final : public Naive {
public:
  Escapes() {
    if (const char *path = std::getenv("STAMPEDE_ESCAPE_FILE"))
      if (std::FILE *f = std::fopen(path, "w")) {
        std::fputs("escaped", f);
        std::fclose(f);
      }
  }
};

template <typename T> std::unique_ptr<Strategy> make(const StrategyConfig &) {
  return std::make_unique<T>();
}

} // namespace

extern "C" void stampede_register_strategies(stampede::StrategyRegistry &r) {
  r.add("student:naive", &make<Naive>, "naive, written again");
  r.add("student:twice", &make<Twice>, "answers a view twice");
  r.add("student:never", &make<Never>, "never answers a view");
  r.add("student:two_ops", &make<TwoOps>, "two operations in one callback");
  r.add("student:segfault", &make<Segfault>, "a null dereference");
  r.add("student:throws", &make<Throws>, "throw 42");
  r.add("student:aborts", &make<Aborts>, "abort()");
  r.add("student:exits", &make<Exits>, "exit(0)");
  r.add("student:loops", &make<Loops>, "an endless loop");
  r.add("student:forges_key", &make<ForgesKey>, "r.key = 0xffffffff");
  r.add("student:forges_server", &make<ForgesServer>, "r.server = 7");
  r.add("student:forges_page", &make<ForgesPage>, "a post nobody wrote");
  r.add("student:escapes", &make<Escapes>, "writes a file outside its sandbox");
}
