// The process-wide settings xgrad makes, none of them at load time.
#include "config.hpp"
#include "kernels/runtime.hpp"

#include <malloc.h>

#include <cstdlib>
#include <mutex>

extern "C" void openblas_set_num_threads(int);
// OpenBLAS's pthread build starts its worker threads when it loads; this (exported, used by its
// own fork handler) stops them. Weak: other OpenBLAS builds (serial, OpenMP) lack it.
extern "C" void blas_thread_shutdown_() __attribute__((weak));

namespace xgrad::kernels {

namespace {

void configure_openblas() {
  if (!manage_openblas_threads()) return;
  // xgrad owns the cores (xgrad/threads.hpp): OpenBLAS runs single-threaded inside xgrad's
  // threads. Its own pool on top would oversubscribe the cores, and its idle threads spin
  // (sched_yield) after every call.
  openblas_set_num_threads(1);
  // Its already started workers would otherwise spin (sched_yield) for about 0.1 s, on the
  // core xgrad's second thread needs, before they sleep. OpenBLAS restarts them if a program
  // asks it for more threads again.
  if (blas_thread_shutdown_) blas_thread_shutdown_();
}

}  // namespace

bool& manage_openblas_threads() {
  static bool manage = config::env_manage_openblas_threads();
  return manage;
}

void ensure_runtime_configured() {
  static std::once_flag once;
  std::call_once(once, configure_openblas);
}

void keep_freed_memory() {
  // Arrays up to 64 MiB come from the heap, not from mmap (glibc: 128 KiB, raised dynamically
  // up to 32 MiB), and the heap's freed top is kept up to 256 MiB (glibc: 128 KiB).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace xgrad::kernels
