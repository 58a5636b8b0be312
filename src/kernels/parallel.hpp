#pragma once
// Private: xgrad's threads. xgrad owns the cores (see xgrad/threads.hpp): kernels split their
// work over thread_count() threads of one pool (thread_pool.hpp) and call OpenBLAS
// single-threaded inside it, so there is one pool, never two competing for the same cores.
#include <algorithm>
#include <cstddef>

#include "config.hpp"
#include "kernels/thread_pool.hpp"

namespace xgrad::kernels {

/// Threads kernels may use (set_num_threads / XGRAD_NUM_THREADS).
int thread_count();
void set_thread_count(int n);

/// Scales every kernel's minimum work per thread: 1 by default; 0 splits even tiny jobs over
/// all threads (tests use it to exercise the parallel paths on small inputs).
double& min_work_scale();

/// True inside a parallel job: nested kernels then run serially on the calling thread.
inline bool in_parallel() { return inside_pool_job(); }

/// How many threads a job of `work` units should use when each thread needs at least
/// `min_work_per_thread` units to pay for waking it (about a microsecond).
inline int threads_for(double work, double min_work_per_thread) {
  if (in_parallel()) return 1;
  const int n = thread_count();
  if (n <= 1) return 1;
  const double min_work = min_work_per_thread * min_work_scale();
  return min_work <= 0 ? n : int(std::clamp(work / min_work, 1.0, double(n)));
}

/// Parts to cut a job into when `threads` threads share it (at most `max_parts`). With one part
/// per thread, a step would wait for a worker whose core another process has taken; with
/// several, the threads that run take the parts it has not started (thread_pool.hpp). The count
/// depends only on the thread count, so results repeat for a given count.
using config::kPartsPerThread;
inline int parts_for(int threads, std::size_t max_parts) {
  if (threads <= 1 || max_parts <= 1) return 1;
  return int(std::min<std::size_t>(std::size_t(threads) * kPartsPerThread, max_parts));
}

/// Calls body(part, parts) for part = 0 .. parts-1 on up to thread_count() threads, and waits.
/// An exception from a part is rethrown here once the started parts have finished (the parts
/// not started are skipped).
template <class Body>
void run_parts(int parts, Body&& body) {
  if (parts <= 1) return body(0, 1);
  run_on_pool(
      parts, std::min(parts, thread_count()),
      [](void* b, int part, int count) { (*static_cast<Body*>(b))(part, count); }, &body);
}

/// Splits [0, n) into `parts` contiguous ranges whose boundaries are multiples of `align`
/// (except n): range `part` is [begin, end).
struct Range {
  std::size_t begin, end;
};
inline Range split_range(std::size_t n, int part, int parts, std::size_t align = 1) {
  const std::size_t units = (n + align - 1) / align;
  const std::size_t b = units * std::size_t(part) / std::size_t(parts) * align;
  const std::size_t e = units * std::size_t(part + 1) / std::size_t(parts) * align;
  return {std::min(b, n), std::min(e, n)};
}

/// body(begin, end) over [0, n) split in contiguous ranges, in parallel when each thread gets at
/// least `grain` items. The split depends only on n and the thread count: results are
/// reproducible for a given thread count.
template <class Body>
void parallel_for(std::size_t n, std::size_t grain, Body&& body) {
  const int parts = threads_for(double(n), double(std::max<std::size_t>(grain, 1)));
  run_parts(parts, [&](int part, int count) {
    const Range r = split_range(n, part, count);
    if (r.begin < r.end) body(r.begin, r.end);
  });
}

}  // namespace xgrad::kernels
