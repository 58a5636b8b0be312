#include "kernels/parallel.hpp"

#include <atomic>
#include <cstdlib>

namespace xgrad::kernels {

namespace {

// XGRAD_NUM_THREADS, else OMP_NUM_THREADS, else 1 (see xgrad/threads.hpp for why 1).
int threads_from_env() {
  for (const char* name : {"XGRAD_NUM_THREADS", "OMP_NUM_THREADS"}) {
    if (const char* v = std::getenv(name)) {
      const int n = std::atoi(v);
      if (n >= 1) return n;
    }
  }
  return 1;
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
