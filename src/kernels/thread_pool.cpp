#include "kernels/thread_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define XGRAD_CPU_RELAX() _mm_pause()
#else
#define XGRAD_CPU_RELAX() std::this_thread::yield()
#endif

namespace xgrad::kernels {

namespace {

thread_local bool t_inside_job = false;

class ThreadPool {
public:
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  void run(int parts, PartFunction fn, void* context) {
    std::lock_guard<std::mutex> one_job_at_a_time(run_mutex_);
    grow(parts - 1);
    fn_ = fn;
    context_ = context;
    parts_ = parts;
    // Every worker acknowledges every job (idle ones too), so none can mistake the next job's
    // data for this one's.
    remaining_.store(int(workers_.size()));
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    t_inside_job = true;
    try {
      fn(context, 0, parts);
    } catch (...) {  // only std::bad_alloc can get here: let the workers finish first
      t_inside_job = false;
      while (remaining_.load() != 0) XGRAD_CPU_RELAX();
      throw;
    }
    t_inside_job = false;
    while (remaining_.load() != 0) XGRAD_CPU_RELAX();
  }

private:
  void grow(int workers) {
    while (int(workers_.size()) < workers) {
      const int index = int(workers_.size());
      // A new worker must not take the current generation for a job of its own.
      const std::uint64_t seen = generation_.load();
      workers_.emplace_back([this, index, seen] { work(index, seen); });
    }
  }

  void work(int index, std::uint64_t seen) {
    t_inside_job = true;
    for (;;) {
      seen = wait_for_job(seen);
      if (stop_) return;
      const int part = index + 1;
      if (part < parts_) fn_(context_, part, parts_);
      remaining_.fetch_sub(1);
    }
  }

  std::uint64_t wait_for_job(std::uint64_t seen) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::microseconds(kSpinMicroseconds);
    for (int i = 0;; ++i) {
      const std::uint64_t g = generation_.load();
      if (g != seen) return g;
      if ((i & 255) == 255 && Clock::now() > deadline) break;
      XGRAD_CPU_RELAX();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    sleepers_.fetch_add(1);
    wake_.wait(lock, [&] { return generation_.load() != seen; });
    sleepers_.fetch_sub(1);
    return generation_.load();
  }

  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // jobs from several user threads take turns
  std::mutex mutex_;      // guards sleeping
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<int> sleepers_{0};
  PartFunction fn_ = nullptr;
  void* context_ = nullptr;
  int parts_ = 0;
  std::atomic<bool> stop_{false};
};

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

}  // namespace

void run_on_pool(int parts, PartFunction fn, void* context) { pool().run(parts, fn, context); }

bool inside_pool_job() { return t_inside_job; }

}  // namespace xgrad::kernels
