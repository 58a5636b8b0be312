// Process-wide settings xgrad applies when the library loads.
#include "kernels/runtime.hpp"

#include <malloc.h>

#include <cstdlib>

extern "C" void openblas_set_num_threads(int);
// OpenBLAS's pthread build starts its worker threads when it loads; this (exported, used by its
// own fork handler) stops them. Weak: other OpenBLAS builds (serial, OpenMP) lack it.
extern "C" void blas_thread_shutdown_() __attribute__((weak));

namespace xgrad::kernels {

namespace {

bool configure() {
  // xgrad owns the cores (xgrad/threads.hpp): OpenBLAS runs single-threaded inside xgrad's
  // threads. Its own pool on top would oversubscribe the cores, and its idle threads spin
  // (sched_yield) after every call.
  openblas_set_num_threads(1);
  // Its already started workers would otherwise spin (sched_yield) for about 0.1 s, on the
  // core xgrad's second thread needs, before they sleep.
  if (blas_thread_shutdown_) blas_thread_shutdown_();
  // A training step frees and reallocates the same arrays every time. glibc would return the
  // freed top of the heap (and every array above 128 KiB, which it mmaps) to the kernel and
  // fault the pages in again next step, zeroed: measured 10-15% of an MLP step. Keep freed
  // memory for reuse instead; this does not raise the peak, which the step reaches anyway.
  // XGRAD_KEEP_FREED_MEMORY=0 leaves glibc's defaults.
  const char* keep = std::getenv("XGRAD_KEEP_FREED_MEMORY");
  if (!keep || std::atoi(keep) != 0) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
  }
  return true;
}

}  // namespace

void ensure_runtime_configured() {
  static const bool configured = configure();
  (void)configured;
}

namespace {
// At load time too, before the first array is allocated.
const bool configured_at_load = (ensure_runtime_configured(), true);
}  // namespace

}  // namespace xgrad::kernels
