#include "kernels/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "config.hpp"
#define XGRAD_CPU_RELAX() _mm_pause()
#else
#define XGRAD_CPU_RELAX() std::this_thread::yield()
#endif

namespace xgrad::kernels {

namespace {

using Clock = std::chrono::steady_clock;

thread_local bool t_inside_job = false;

// A worker that spins on a core it shares with another process burns the time slices it
// needs for its parts: the scheduler then preempts it in the middle of a part, and the step
// waits for it (an Adam step of a 19-layer BN conv net, batch 64, next to a busy core took
// 1.5x its 1-thread time). So a worker that got less than kFairShare of the time it was
// runnable (spinning or working, not sleeping) over the last kWindow takes its core to be
// shared, for kSharedFor: it spins briefly and sleeps, and is woken only for jobs with parts to
// spare; woken from a sleep, it runs at once. (Preemptions
// alone say little: a VM's worker is preempted now and then on an idle machine too.)
class SharedCoreDetector {
public:
  SharedCoreDetector() { running(); }

  /// The worker starts running (it was created or woken).
  void running() {
    wall_mark_ = Clock::now();
    cpu_mark_ = thread_cpu_time();
  }
  /// The worker is about to sleep: the time since running() counts as runnable.
  void stopped() {
    ran_wall_ += Clock::now() - wall_mark_;
    ran_cpu_ += thread_cpu_time() - cpu_mark_;
  }

  bool core_is_shared() {
    stopped();
    running();
    const auto now = wall_mark_;
    if (shared_) {
      if (now < shared_until_) return true;
      shared_ = false;  // look again
      start_window(now);
    } else if (now - window_start_ >= kWindow) {
      if (ran_wall_ >= kWindow / 4 && double(ran_cpu_.count()) < kFairShare * double(ran_wall_.count())) {
        shared_ = true;
        shared_until_ = now + kSharedFor;
      }
      start_window(now);
    }
    return shared_;
  }

private:
  void start_window(Clock::time_point now) {
    window_start_ = now;
    ran_wall_ = ran_cpu_ = Clock::duration::zero();
  }
  static Clock::duration thread_cpu_time() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
  }
  static constexpr auto kWindow = config::kSharedCoreWindow;
  static constexpr auto kSharedFor = config::kSharedCoreFor;
  static constexpr double kFairShare = config::kSharedCoreFairShare;
  Clock::time_point wall_mark_, window_start_ = Clock::now(), shared_until_;
  Clock::duration cpu_mark_{}, ran_wall_{}, ran_cpu_{};
  bool shared_ = false;
};

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

  void run(int parts, int threads, PartFunction fn, void* context) {
    std::lock_guard<std::mutex> one_job_at_a_time(run_mutex_);
    // Workers beyond the first `helpers` (started for a larger thread count) sit this job out.
    const int helpers = std::min(threads, parts) - 1;
    grow(helpers);
    // The previous job is finished (every part ran and was counted), so no worker reads these
    // any more; the ticket's store publishes them to the workers that claim a part.
    helpers_.store(helpers, std::memory_order_relaxed);
    fn_.store(fn, std::memory_order_relaxed);
    context_.store(context, std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    const std::uint32_t job = ++job_;
    ticket_.store(pack({job, parts, 1}));  // part 0 is the caller's
    if (idle_sleepers_.load() > 0) wake_all();
    t_inside_job = true;
    int ran_here = 0;
    try {
      fn(context, 0, parts);
      ++ran_here;
      // A worker asleep on a shared core costs a wake-up (microseconds of the caller's time)
      // and starts late: worth it only when the caller has more than one part left to run.
      if (polite_sleepers_.load() > 0 && unclaimed(job) >= 2) wake_all();
      for (int part; claim(job, part);) {
        fn(context, part, parts);
        ++ran_here;
      }
    } catch (...) {  // nobody may start a part now; the caller's own error wins
      t_inside_job = false;
      wait_for_workers(ran_here + 1 + claim_all(job), parts);
      take_worker_error();
      throw;
    }
    t_inside_job = false;
    wait_for_workers(ran_here, parts);
    if (std::exception_ptr error = take_worker_error()) std::rethrow_exception(error);
  }

private:
  void grow(int workers) {
    while (int(workers_.size()) < workers) {
      // A new worker must not take the current job for a new one.
      const std::uint32_t seen = unpack(ticket_.load()).job;
      const int index = int(workers_.size());
      workers_.emplace_back([this, index, seen] { work(index, seen); });
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

  // A part that threw on a worker: the first error is kept for the caller, and the parts
  // nobody has started are claimed and skipped (counted as finished).
  void worker_failed(std::uint32_t job) {
    {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!worker_error_) worker_error_ = std::current_exception();
    }
    finished_.fetch_add(1 + claim_all(job), std::memory_order_release);
  }

  std::exception_ptr take_worker_error() {
    std::lock_guard<std::mutex> lock(error_mutex_);
    return std::exchange(worker_error_, nullptr);
  }

  void wake_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }

  int unclaimed(std::uint32_t job) const {
    const Ticket t = unpack(ticket_.load());
    return t.job == job ? t.parts - t.next : 0;
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

  void work(int index, std::uint32_t seen) {
    t_inside_job = true;
    SharedCoreDetector shared_core;
    for (;;) {
      seen = wait_for_job(seen, shared_core);
      if (stop_.load()) return;
      if (paused_.load(std::memory_order_relaxed)) continue;
      if (index >= helpers_.load(std::memory_order_relaxed)) continue;
      for (int part, parts; claim(seen, part, parts);) {
        try {
          fn_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), part, parts);
        } catch (...) {
          worker_failed(seen);
          break;
        }
        finished_.fetch_add(1, std::memory_order_release);
      }
    }
  }

  // Returns the id of a job newer than `seen` (or anything once stopping). Spins, then
  // sleeps. On a shared core the spin is short and the sleep polite: it ends at the next job
  // with parts to spare, or after kPoliteSleep, when the worker looks at its core again.
  std::uint32_t wait_for_job(std::uint32_t seen, SharedCoreDetector& detector) {
    const bool shared_core = detector.core_is_shared();
    const auto current = [&] { return unpack(ticket_.load()).job; };
    const auto deadline = Clock::now() + (shared_core ? kSharedCoreSpin : kSpin);
    for (int i = 0;; ++i) {
      const std::uint32_t job = current();
      if (job != seen || stop_.load()) return job;
      if ((i & 255) == 255 && Clock::now() > deadline) break;
      XGRAD_CPU_RELAX();
    }
    detector.stopped();
    std::unique_lock<std::mutex> lock(mutex_);
    const auto woken = [&] { return current() != seen || stop_.load(); };
    if (shared_core) {
      polite_sleepers_.fetch_add(1);
      wake_.wait_for(lock, kPoliteSleep, woken);  // then look at the core again
      polite_sleepers_.fetch_sub(1);
    } else {
      idle_sleepers_.fetch_add(1);
      wake_.wait(lock, woken);
      idle_sleepers_.fetch_sub(1);
    }
    detector.running();
    return current();
  }

  static constexpr std::chrono::microseconds kSpin{kSpinMicroseconds};
  static constexpr auto kSharedCoreSpin = config::kSharedCoreSpin;
  static constexpr auto kPoliteSleep = config::kPoliteSleep;

  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // jobs from several user threads take turns
  std::mutex mutex_;      // guards sleeping
  std::condition_variable wake_;
  std::uint32_t job_ = 0;  // the last job's id (under run_mutex_)
  std::atomic<std::uint64_t> ticket_{0};
  std::atomic<int> finished_{0};  // parts the workers have finished
  std::atomic<int> helpers_{0};   // workers 0 .. helpers_-1 may claim the current job's parts
  std::atomic<int> idle_sleepers_{0};    // woken for every job
  std::atomic<int> polite_sleepers_{0};  // on a shared core: woken for jobs with parts to spare
  std::atomic<PartFunction> fn_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  std::exception_ptr worker_error_;  // the current job's first error on a worker

public:
  std::atomic<bool> paused_{false};
};

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

}  // namespace

void run_on_pool(int parts, int threads, PartFunction fn, void* context) {
  pool().run(parts, threads, fn, context);
}

bool inside_pool_job() { return t_inside_job; }

void set_workers_paused(bool paused) { pool().paused_.store(paused); }

}  // namespace xgrad::kernels
