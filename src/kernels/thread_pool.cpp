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

// The job's state in one 64-bit word: job id (32 bits), parts (16), next unclaimed part (16).
// One compare-and-swap claims a part of one particular job: a worker that woke late for a
// finished job fails it instead of taking a part of the next one.
struct Ticket {
  std::uint32_t job;
  int parts, next;
};
std::uint64_t pack(const Ticket& t) {
  return std::uint64_t(t.job) << 32 | std::uint64_t(t.parts) << 16 | std::uint64_t(t.next);
}
Ticket unpack(std::uint64_t v) {
  return {std::uint32_t(v >> 32), int((v >> 16) & 0xffff), int(v & 0xffff)};
}
static_assert(kMaxParts < (1 << 16), "parts and the next part must fit in 16 bits");

class ThreadPool {
public:
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  void run(int parts, PartFunction fn, void* context) {
    std::lock_guard<std::mutex> one_job_at_a_time(run_mutex_);
    grow(parts - 1);
    // The previous job is finished (every part ran and was counted), so no worker reads these
    // any more; the ticket's store publishes them to the workers that claim a part.
    fn_.store(fn, std::memory_order_relaxed);
    context_.store(context, std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    const std::uint32_t job = ++job_;
    ticket_.store(pack({job, parts, 1}));  // part 0 is the caller's
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    t_inside_job = true;
    int ran_here = 0;
    try {
      fn(context, 0, parts);
      ++ran_here;
      for (int part; claim(job, part);) {
        fn(context, part, parts);
        ++ran_here;
      }
    } catch (...) {  // only std::bad_alloc can get here: nobody may start a part now
      t_inside_job = false;
      wait_for_workers(ran_here + 1 + claim_all(job), parts);
      throw;
    }
    t_inside_job = false;
    wait_for_workers(ran_here, parts);
  }

private:
  void grow(int workers) {
    while (int(workers_.size()) < workers) {
      // A new worker must not take the current job for a new one.
      const std::uint32_t seen = unpack(ticket_.load()).job;
      workers_.emplace_back([this, seen] { work(seen); });
    }
  }

  // Claims the next unclaimed part of `job`; false when none is left (or `job` is over).
  bool claim(std::uint32_t job, int& part) {
    int parts;
    return claim(job, part, parts);
  }
  bool claim(std::uint32_t job, int& part, int& parts) {
    std::uint64_t v = ticket_.load(std::memory_order_acquire);
    for (;;) {
      const Ticket t = unpack(v);
      if (t.job != job || t.next >= t.parts) return false;
      if (ticket_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                        std::memory_order_acquire)) {
        part = t.next;
        parts = t.parts;
        return true;
      }
    }
  }

  // Claims every part left (without running them); returns how many.
  int claim_all(std::uint32_t job) {
    int count = 0;
    for (int part; claim(job, part);) ++count;
    return count;
  }

  // The parts the workers claimed may still be running: wait for them. Bounded spin, then
  // yield the core (a worker that was descheduled mid-part may need it).
  void wait_for_workers(int ran_here, int parts) {
    for (int i = 0; finished_.load(std::memory_order_acquire) + ran_here < parts; ++i) {
      if (i < 4096) {
        XGRAD_CPU_RELAX();
      } else {
        std::this_thread::yield();
      }
    }
  }

  void work(std::uint32_t seen) {
    t_inside_job = true;
    for (;;) {
      seen = wait_for_job(seen);
      if (stop_.load()) return;
      if (paused_.load(std::memory_order_relaxed)) continue;
      for (int part, parts; claim(seen, part, parts);) {
        fn_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), part, parts);
        finished_.fetch_add(1, std::memory_order_release);
      }
    }
  }

  // Returns the id of a job newer than `seen` (or anything once stopping).
  std::uint32_t wait_for_job(std::uint32_t seen) {
    using Clock = std::chrono::steady_clock;
    const auto current = [&] { return unpack(ticket_.load()).job; };
    const auto deadline = Clock::now() + std::chrono::microseconds(kSpinMicroseconds);
    for (int i = 0;; ++i) {
      const std::uint32_t job = current();
      if (job != seen || stop_.load()) return job;
      if ((i & 255) == 255 && Clock::now() > deadline) break;
      XGRAD_CPU_RELAX();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    sleepers_.fetch_add(1);
    wake_.wait(lock, [&] { return current() != seen || stop_.load(); });
    sleepers_.fetch_sub(1);
    return current();
  }

  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // jobs from several user threads take turns
  std::mutex mutex_;      // guards sleeping
  std::condition_variable wake_;
  std::uint32_t job_ = 0;  // the last job's id (under run_mutex_)
  std::atomic<std::uint64_t> ticket_{0};
  std::atomic<int> finished_{0};  // parts the workers have finished
  std::atomic<int> sleepers_{0};
  std::atomic<PartFunction> fn_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<bool> stop_{false};

public:
  std::atomic<bool> paused_{false};
};

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

}  // namespace

void run_on_pool(int parts, PartFunction fn, void* context) { pool().run(parts, fn, context); }

bool inside_pool_job() { return t_inside_job; }

void set_workers_paused(bool paused) { pool().paused_.store(paused); }

}  // namespace xgrad::kernels
