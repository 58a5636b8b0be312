// Prefetcher: order, the capacity bound, exceptions from the loader thread, shutdown mid-epoch
// and recycled batches. Tagged [concurrency]: CI runs these under ThreadSanitizer too.
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <xgrad/data/augment.hpp>
#include <xgrad/data/prefetcher.hpp>

using namespace xgrad;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

/// Waits (up to a generous limit, so a slow or sanitized run does not fail) until `done`.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 2000 && !done(); ++i) std::this_thread::sleep_for(5ms);
  return done();
}

}  // namespace

TEST_CASE("prefetcher: batches arrive in the producer's order, then the end", "[data][prefetcher][concurrency]") {
  const std::size_t capacity = GENERATE(1, 2, 5);
  int k = 0;
  data::Prefetcher<int> loader(
      [&](int& b) {
        if (k == 100) return false;
        b = k++;
        return true;
      },
      capacity);
  std::vector<int> got;
  int b = -1;
  while (loader.next(b)) got.push_back(b);
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[std::size_t(i)] = i;
  CHECK(got == expected);
  CHECK_FALSE(loader.next(b));  // stays at the end
  CHECK(loader.capacity() == capacity);
}

TEST_CASE("prefetcher: at most capacity batches wait, the producer one ahead", "[data][prefetcher][concurrency]") {
  std::atomic<int> calls{0};
  data::Prefetcher<int> loader(
      [&](int& b) {
        b = calls++;
        return true;  // endless
      },
      3);
  // Nobody consumes: the producer fills the queue (3) plus the batch in its hands, then waits.
  REQUIRE(eventually([&] { return calls.load() == 4; }));
  std::this_thread::sleep_for(50ms);
  CHECK(calls.load() == 4);
  CHECK(loader.ready() == 3);
  int b = -1;
  REQUIRE(loader.next(b));
  CHECK(b == 0);
  REQUIRE(eventually([&] { return calls.load() == 5; }));
  std::this_thread::sleep_for(50ms);
  CHECK(calls.load() == 5);
  CHECK(loader.ready() == 3);
}

TEST_CASE("prefetcher: the producer's exception reaches the caller in sequence", "[data][prefetcher][concurrency]") {
  int k = 0;
  data::Prefetcher<int> loader([&](int& b) {
    if (k == 5) throw std::runtime_error("bad file 'x.png'");
    b = k++;
    return true;
  });
  int b = -1;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(loader.next(b));
    CHECK(b == i);
  }
  CHECK_THROWS_WITH(loader.next(b), Contains("bad file 'x.png'"));
  CHECK_FALSE(loader.next(b));  // the loader stopped
}

TEST_CASE("prefetcher: destroyed mid-epoch, it stops and joins without hanging", "[data][prefetcher][concurrency]") {
  std::atomic<int> calls{0};
  auto producer = [&](std::vector<float>& b) {
    ++calls;
    b.assign(1000, float(calls.load()));
    return true;  // endless
  };
  SECTION("never consumed: the producer is waiting for room") {
    auto loader = std::make_unique<data::Prefetcher<std::vector<float>>>(producer, 2);
    REQUIRE(eventually([&] { return calls.load() == 3; }));
    loader.reset();
  }
  SECTION("after a few batches") {
    auto loader = std::make_unique<data::Prefetcher<std::vector<float>>>(producer, 2);
    std::vector<float> b;
    for (int i = 0; i < 3; ++i) REQUIRE(loader->next(b));
    loader.reset();
  }
  SECTION("while the producer is inside a slow call: that call finishes, no further one starts") {
    std::atomic<bool> inside{false};
    auto loader = std::make_unique<data::Prefetcher<std::vector<float>>>(
        [&](std::vector<float>& b) {
          inside = true;
          std::this_thread::sleep_for(100ms);
          b.assign(10, 1.0f);
          ++calls;
          return true;
        },
        4);
    REQUIRE(eventually([&] { return inside.load(); }));
    loader.reset();
    CHECK(calls.load() <= 2);
  }
  const int at_destruction = calls.load();
  std::this_thread::sleep_for(50ms);
  CHECK(calls.load() == at_destruction);  // the thread is gone
}

TEST_CASE("prefetcher: batches are recycled, not made anew each step", "[data][prefetcher][concurrency]") {
  int k = 0, fresh = 0;
  data::Prefetcher<std::vector<float>> loader(
      [&](std::vector<float>& b) {
        if (k == 200) return false;
        if (b.capacity() == 0) ++fresh;  // a buffer never filled before
        b.assign(4096, float(k++));
        return true;
      },
      2);
  std::vector<float> b;
  std::set<const float*> buffers;
  int n = 0;
  while (loader.next(b)) {
    REQUIRE(b.size() == 4096);
    CHECK(b[100] == float(n++));
    buffers.insert(b.data());
  }
  CHECK(n == 200);
  // capacity queued + one being filled + one held by the consumer.
  CHECK(loader.batches_allocated() <= 3);
  CHECK(fresh <= 4);
  CHECK(buffers.size() <= 4);
}

TEST_CASE("prefetcher: augmentation on the loader thread matches augmentation in place", "[data][prefetcher][concurrency]") {
  const auto aug = data::AugmentOptions().crop_padding(2).horizontal_flip(true).parallel(false);
  auto make = [](std::uint64_t k) {
    xt::xarray<float> x = xt::xarray<float>::from_shape({4, 6, 6, 3});
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = float((i * 7 + k * 13) % 101);
    return x;
  };
  std::uint64_t k = 0;
  data::Prefetcher<xt::xarray<float>> loader([&](xt::xarray<float>& b) {
    if (k == 20) return false;
    b = make(k);
    data::random_crop_flip(b, aug, 3, k++);
    return true;
  });
  xt::xarray<float> b;
  for (std::uint64_t step = 0; loader.next(b); ++step) {
    xt::xarray<float> expected = make(step);
    data::random_crop_flip(expected, aug, 3, step);
    REQUIRE(bool(b == expected));
  }
}

TEST_CASE("prefetcher: bad arguments", "[data][prefetcher][concurrency]") {
  auto producer = [](int&) { return false; };
  CHECK_THROWS_WITH(data::Prefetcher<int>(producer, 0), Contains("capacity must be at least 1"));
  CHECK_THROWS_WITH(data::Prefetcher<int>(data::Prefetcher<int>::Producer()), Contains("empty producer"));
}

#ifdef __linux__
#include <pthread.h>
#include <sched.h>

#include "support/skip.hpp"

TEST_CASE("prefetcher: the loader thread runs under SCHED_BATCH on Linux", "[data][prefetcher][concurrency]") {
  // So that waking it does not preempt the training thread on a shared core (see
  // prefer_throughput_scheduling). The caller's own policy is left alone.
  const int before = sched_getscheduler(0);
  std::atomic<int> policy{-1};
  data::Prefetcher<int> loader([&](int& b) {
    policy = sched_getscheduler(0);
    b = 1;
    return false;
  });
  int b = 0;
  CHECK_FALSE(loader.next(b));
  CHECK(policy.load() == SCHED_BATCH);
  CHECK(sched_getscheduler(0) == before);
}

TEST_CASE("prefetcher: the loader is kept off the consumer's CPU when there is another", "[data][prefetcher][concurrency]") {
  cpu_set_t mine;
  CPU_ZERO(&mine);
  REQUIRE(pthread_getaffinity_np(pthread_self(), sizeof mine, &mine) == 0);
  if (CPU_COUNT(&mine) < 2) {
    test::mark_skipped("this thread may use only one CPU");
    return;
  }
  std::vector<cpu_set_t> masks;
  {
    data::Prefetcher<int> loader([&](int& b) {
      cpu_set_t m;
      CPU_ZERO(&m);
      sched_getaffinity(0, sizeof m, &m);
      masks.push_back(m);
      b = int(masks.size());
      return masks.size() < 5;
    }, 1);
    // Then hold the consumer on one CPU, so that "its CPU" is well defined.
    const int cpu = sched_getcpu();
    REQUIRE(cpu >= 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    REQUIRE(pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0);
    int b = 0;
    while (loader.next(b)) {
    }
    REQUIRE(pthread_setaffinity_np(pthread_self(), sizeof mine, &mine) == 0);
    REQUIRE(masks.size() == 5);
    // Batches begun after the first next() (which moved the loader off `cpu` if the
    // constructor had not already) are made on the other CPUs this thread may use.
    for (std::size_t i = 3; i < masks.size(); ++i) {
      INFO("batch " << i);
      CHECK_FALSE(CPU_ISSET(cpu, &masks[i]));
      cpu_set_t common;
      CPU_AND(&common, &masks[i], &mine);
      CHECK(CPU_COUNT(&common) == CPU_COUNT(&masks[i]));
      CHECK(CPU_COUNT(&masks[i]) == CPU_COUNT(&mine) - 1);
    }
  }
}
#endif
