#include "kernels/parallel.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "config.hpp"

namespace xgrad::kernels {

namespace {

// The CPUs this process may run on (its affinity mask: taskset, cgroups' cpusets), which is
// what PyTorch, OpenBLAS and NumPy use by default too.
int cpus_allowed() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return int(std::max(1u, std::thread::hardware_concurrency()));
}

// XGRAD_NUM_THREADS, else OMP_NUM_THREADS, else the CPUs the process may run on.
int threads_from_env() {
  const int n = config::env_num_threads();
  return std::min(n >= 1 ? n : cpus_allowed(), kMaxParts);
}

std::atomic<int>& threads() {
  static std::atomic<int> n{threads_from_env()};
  return n;
}

}  // namespace

int thread_count() { return threads().load(std::memory_order_relaxed); }

double& min_work_scale() {
  static double scale = 1.0;
  return scale;
}

void set_thread_count(int n) { threads().store(n, std::memory_order_relaxed); }

}  // namespace xgrad::kernels
