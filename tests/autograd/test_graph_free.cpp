// Freeing a graph that never ran backward() must not recurse once per op: a Tensor owns the
// node that produced it and a node owns its inputs, so a naive destructor chain overflows the
// stack on a long graph. The graphs here are built and dropped on a thread with a small stack
// (256 KiB), so a recursive free fails at once, under ASan too.
#include <pthread.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

constexpr std::size_t kSmallStack = 256 * 1024;

/// Runs `body` to completion on a new thread whose stack is `stack_bytes`; rethrows nothing,
/// returns the message of an exception it threw (empty if none).
std::string run_with_small_stack(const std::function<void()>& body,
                                 std::size_t stack_bytes = kSmallStack) {
  struct Job {
    const std::function<void()>* body;
    std::string error;
  } job{&body, {}};
  auto entry = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    try {
      (*j->body)();
    } catch (const std::exception& e) {
      j->error = e.what();
    }
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  const int rc = pthread_create(&thread, &attr, entry, &job);
  pthread_attr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("pthread_create failed: " + std::to_string(rc));
  pthread_join(thread, nullptr);
  return job.error;
}

// The cheapest recorded ops (y = x, and y = xs[0] over several inputs, on one element), so
// that the time goes into making and freeing nodes (a few seconds under ASan).
Tensor64 step(const Tensor64& x) {
  return make_op("step", xt::xarray<double>(x.value()), {x},
                 [](const auto& g, const auto&, auto& grads) { grads.set(0, g); });
}

Tensor64 join(const std::vector<Tensor64>& xs) {
  return make_op("join", xt::xarray<double>(xs[0].value()), xs,
                 [n = xs.size()](const auto& g, const auto&, auto& grads) {
                   for (std::size_t i = 0; i < n; ++i) grads.set(i, g);
                 });
}

}  // namespace

TEST_CASE("a 1,000,000-op chain dropped without backward frees on a 256 KiB stack",
          "[autograd][graph-free]") {
  const std::size_t before = autograd::live_node_count();
  std::size_t built = 0;
  const std::string error = run_with_small_stack([&] {
    Tensor64 a = Tensor64::scalar(1.0, true);
    Tensor64 x = a;
    for (int i = 0; i < 1000000; ++i) x = step(x);
    built = autograd::live_node_count() - before;
    // x, the only handle on the chain, goes out of scope here.
  });
  REQUIRE(error.empty());
  CHECK(built == 1000000);
  CHECK(autograd::live_node_count() == before);
}

TEST_CASE("a wide, deep diamond dropped without backward frees on a 256 KiB stack",
          "[autograd][graph-free]") {
  // 50,000 levels; each feeds 8 branches that are joined into the next level, so every level's
  // tensor is shared by 8 nodes and only the last of them to go may free it.
  constexpr int kDepth = 50000;
  constexpr int kWidth = 8;
  const std::size_t before = autograd::live_node_count();
  std::size_t built = 0;
  const std::string error = run_with_small_stack([&] {
    Tensor64 a = Tensor64::scalar(0.5, true);
    Tensor64 x = a;
    std::vector<Tensor64> branches(kWidth);
    for (int level = 0; level < kDepth; ++level) {
      for (auto& b : branches) b = step(x);
      x = join(branches);
    }
    branches.clear();
    built = autograd::live_node_count() - before;
  });
  REQUIRE(error.empty());
  CHECK(built == std::size_t(kDepth) * (kWidth + 1));
  CHECK(autograd::live_node_count() == before);
}

TEST_CASE("a long chain still backpropagates, then frees, on a 256 KiB stack",
          "[autograd][graph-free]") {
  const std::size_t before = autograd::live_node_count();
  double grad = 0;
  const std::string error = run_with_small_stack([&] {
    Tensor64 a = Tensor64::scalar(1.0, true);
    Tensor64 x = a;
    for (int i = 0; i < 100000; ++i) x = step(x);
    x.backward();
    grad = a.grad()();
  });
  REQUIRE(error.empty());
  CHECK(grad == 1.0);
  CHECK(autograd::live_node_count() == before);
}

TEST_CASE("a graph kept alive by a second handle is freed when the last handle goes",
          "[autograd][graph-free]") {
  const std::size_t before = autograd::live_node_count();
  const std::string error = run_with_small_stack([&] {
    Tensor64 a = Tensor64::scalar(1.0, true);
    Tensor64 x = a;
    Tensor64 middle;
    for (int i = 0; i < 200000; ++i) {
      x = step(x);
      if (i == 100000) middle = x;
    }
    x = Tensor64();  // frees the upper half; the lower half stays reachable from `middle`
    if (autograd::live_node_count() != before + 100001) {
      throw std::runtime_error("expected the lower 100,001 nodes alive, found " +
                               std::to_string(autograd::live_node_count() - before));
    }
    middle.backward();  // the kept half is intact
    if (a.grad()() != 1.0) throw std::runtime_error("wrong gradient through the kept half");
  });
  REQUIRE(error.empty());
  CHECK(autograd::live_node_count() == before);
}
