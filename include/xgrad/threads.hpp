#pragma once
/// \file
/// Who owns the cores: xgrad. Its kernels split their work over one pool of threads (GEMMs by
/// blocks of rows or columns, convolutions by images, elementwise work by ranges) and call
/// OpenBLAS single-threaded inside it. OpenBLAS's own pool is not used: two pools on the same
/// cores oversubscribe them, and OpenBLAS's idle threads spin after every call (xgrad sets
/// OpenBLAS to one thread at its first kernel; xgrad/runtime.hpp tells how to opt out).
///
/// One knob: set_num_threads(n), or the environment variable XGRAD_NUM_THREADS (else
/// OMP_NUM_THREADS) read at the first kernel. Default: the number of CPUs the process may run
/// on (its affinity mask, as `taskset` or a container's cpuset sets it). A thread whose core
/// is busy with another process does not hold up the others: the work it has not started is
/// taken by the thread that started the job. Results repeat bit for bit for a given thread
/// count (work is split by sizes and thread count only, never by which thread runs a piece);
/// they may differ in the last bits between counts.

namespace xgrad {

/// Threads xgrad's kernels use from now on (1 <= n <= max_num_threads()). Not to be called
/// while another thread is running xgrad ops.
void set_num_threads(int n);
/// Threads xgrad's kernels currently use.
int num_threads();
/// The most threads set_num_threads accepts (larger environment values are capped to it).
int max_num_threads();

}  // namespace xgrad
