// The pool behind run_parts: every part runs once, work no worker has started never waits for
// one, and which thread runs a part does not change a result.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kernels/conv.hpp"
#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"
#include "support/force_threads.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

// Pauses the pool's workers for a scope (as if other processes held all their cores).
struct PausedWorkers {
  PausedWorkers() { kernels::set_workers_paused(true); }
  ~PausedWorkers() { kernels::set_workers_paused(false); }
};

// C = A B with A m x k, B k x n (row-major), through kernels::gemm.
std::vector<float> product(const std::vector<float>& a, const std::vector<float>& b, std::size_t m,
                           std::size_t n, std::size_t k) {
  std::vector<float> c(m * n, 0.0f);
  kernels::gemm<float>(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
  return c;
}

}  // namespace

TEST_CASE("run_parts runs every part exactly once, for 1 to 8 parts, 200 times each",
          "[parallel]") {
  test::ForceThreads force(8);
  for (int parts = 1; parts <= 8; ++parts) {
    for (int rep = 0; rep < 200; ++rep) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(parts));
      std::atomic<int> bad_count{0};
      kernels::run_parts(parts, [&](int part, int count) {
        if (count != parts) bad_count.fetch_add(1);
        runs[std::size_t(part)].fetch_add(1);
      });
      REQUIRE(bad_count.load() == 0);
      for (auto& r : runs) REQUIRE(r.load() == 1);
    }
  }
}

TEST_CASE("with every worker unavailable the calling thread runs all the parts itself",
          "[parallel]") {
  test::ForceThreads force(4);
  kernels::run_parts(4, [](int, int) {});  // the workers exist and have seen a job
  PausedWorkers paused;
  // Were the parts assigned to workers, this would wait for them forever (the test times out).
  for (int rep = 0; rep < 50; ++rep) {
    std::vector<std::thread::id> ran_on(4);
    kernels::run_parts(4, [&](int part, int) { ran_on[std::size_t(part)] = std::this_thread::get_id(); });
    for (const auto& id : ran_on) REQUIRE(id == std::this_thread::get_id());
  }
}

TEST_CASE("a depth-split product is bit-identical whichever threads run its parts",
          "[parallel]") {
  // Deep product: split by depth into 3 partial products, summed in part order. With the
  // workers paused the caller computes all three, one after another: each needs its own
  // buffer, not one per thread.
  const std::size_t m = 6, n = 5, k = 600;
  std::vector<float> a(m * k), b(k * n);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = float((i * 37) % 101) / 50.0f - 1.0f;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = float((i * 53) % 97) / 48.0f - 1.0f;
  test::ForceThreads force(3);
  const std::vector<float> shared = product(a, b, m, n, k);
  std::vector<float> alone;
  {
    PausedWorkers paused;
    alone = product(a, b, m, n, k);
  }
  REQUIRE(alone == shared);
  // And both are the product (to float rounding).
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t q = 0; q < k; ++q) s += double(a[i * k + q]) * double(b[q * n + j]);
      CHECK(shared[i * n + j] == Approx(s).margin(1e-3));
    }
  }
}

namespace {

// A job of 4 parts runs normally: each part exactly once.
bool every_part_runs_once() {
  std::vector<std::atomic<int>> runs(4);
  kernels::run_parts(4, [&](int part, int) { runs[std::size_t(part)].fetch_add(1); });
  return std::all_of(runs.begin(), runs.end(), [](const std::atomic<int>& r) { return r.load() == 1; });
}

}  // namespace

TEST_CASE("an exception in a part reaches the caller, the caller's own first, and the pool goes on",
          "[parallel]") {
  test::ForceThreads force(2);
  const auto caller = std::this_thread::get_id();
  // A worker's part throws; the caller's part 0 waits long enough for a worker to claim one.
  int worker_threw = 0;
  for (int rep = 0; rep < 50 && worker_threw < 5; ++rep) {
    std::atomic<bool> on_worker{false};
    try {
      kernels::run_parts(4, [&](int part, int) {
        if (std::this_thread::get_id() != caller) {
          on_worker = true;
          throw std::runtime_error("a worker's part");
        }
        if (part == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      });
      REQUIRE_FALSE(on_worker.load());  // no worker ran a part: nothing was thrown
    } catch (const std::runtime_error& e) {
      REQUIRE(on_worker.load());
      REQUIRE(std::string(e.what()) == "a worker's part");
      ++worker_threw;
    }
    REQUIRE(every_part_runs_once());
  }
  REQUIRE(worker_threw > 0);  // a worker did run (and throw in) a part
  // Both throw: the calling thread's exception is the one passed on.
  for (int rep = 0; rep < 20; ++rep) {
    REQUIRE_THROWS_WITH(kernels::run_parts(4,
                                           [&](int, int) {
                                             if (std::this_thread::get_id() == caller) {
                                               std::this_thread::sleep_for(std::chrono::microseconds(200));
                                               throw std::runtime_error("the caller's part");
                                             }
                                             throw std::runtime_error("a worker's part");
                                           }),
                        "the caller's part");
    REQUIRE(every_part_runs_once());
  }
}

TEST_CASE("a job of more parts than threads runs on at most that many threads", "[parallel]") {
  // The pool keeps the workers a larger thread count started; they must stay out of a job for
  // fewer threads. Each part runs long enough (about 100 us) for every awake worker to join.
  {
    test::ForceThreads wide(8);
    kernels::run_parts(8, [](int, int) {});
  }
  test::ForceThreads force(2);
  for (int rep = 0; rep < 50; ++rep) {
    std::vector<std::thread::id> ran_on(16);
    kernels::run_parts(16, [&](int part, int) {
      ran_on[std::size_t(part)] = std::this_thread::get_id();
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
      while (std::chrono::steady_clock::now() < until) {
      }
    });
    std::vector<std::thread::id> distinct;
    for (const auto& id : ran_on) {
      if (std::find(distinct.begin(), distinct.end(), id) == distinct.end()) distinct.push_back(id);
    }
    REQUIRE(distinct.size() <= 2);
  }
}

TEST_CASE("a convolution cut into several parts per thread is bit-identical whichever threads "
          "run them", "[parallel]") {
  // 2 threads cut the batch of 12 images into kPartsPerThread parts each; the filter gradient
  // is a sum of per-part partials in part order.
  const auto g = kernels::make_geometry(12, 7, 7, 3, 3, 3, 4, 1, 1, /*same=*/true);
  std::vector<float> in(g.n * g.h * g.w * g.c), filter(g.cols() * g.o), grad_out(g.rows() * g.o);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = float((i * 37) % 101) / 50.0f - 1.0f;
  for (std::size_t i = 0; i < filter.size(); ++i) filter[i] = float((i * 53) % 97) / 48.0f - 1.0f;
  for (std::size_t i = 0; i < grad_out.size(); ++i) grad_out[i] = float((i * 29) % 89) / 44.0f - 1.0f;
  REQUIRE(kernels::parts_for(2, g.n) > 2);
  const auto run = [&] {
    std::vector<float> out(g.rows() * g.o), grad_in(in.size()), grad_filter(filter.size());
    kernels::conv2d_forward(g, in.data(), filter.data(), out.data());
    kernels::conv2d_backward(g, in.data(), filter.data(), grad_out.data(), grad_in.data(),
                             grad_filter.data());
    return std::vector<std::vector<float>>{out, grad_in, grad_filter};
  };
  test::ForceThreads force(2);
  const auto shared = run();
  std::vector<std::vector<float>> alone;
  {
    PausedWorkers paused;
    alone = run();
  }
  REQUIRE(alone == shared);
}
