#pragma once
/// \file
/// Who owns the cores: xgrad. Its kernels split their work over one pool of threads (GEMMs by
/// blocks of rows or columns, convolutions by images, elementwise work by ranges) and call
/// OpenBLAS single-threaded inside it. OpenBLAS's own pool is never used: two pools on the same
/// cores oversubscribe them, and OpenBLAS's idle threads spin after every call.
///
/// One knob: set_num_threads(n), or the environment variable XGRAD_NUM_THREADS (else
/// OMP_NUM_THREADS) read when the library loads. Default: 1 thread. Small networks' kernels
/// only gain from a second thread when a core is free; on a machine with other work a second
/// thread waits for it every step. Results repeat bit for bit for a given thread count (work is
/// split by sizes and thread count only); they may differ in the last bits between counts.

namespace xgrad {

/// Threads xgrad's kernels use from now on (n >= 1). Not to be called while another thread
/// is running xgrad ops.
void set_num_threads(int n);
/// Threads xgrad's kernels currently use.
int num_threads();

}  // namespace xgrad
