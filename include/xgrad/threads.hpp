#pragma once
/// \file
/// Who owns the cores: OpenBLAS's thread pool. xgrad starts no threads of its own, so there is
/// one knob: the environment variable XGRAD_NUM_THREADS (read when the library loads) or
/// set_num_threads(). Default: 1 thread, unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is
/// set, in which case OpenBLAS's own reading of them stands. One thread is the right default
/// for small networks: their GEMMs are too small to split well, and a second BLAS thread
/// stalls whenever anything else runs on the other core.

namespace xgrad {

/// Threads used by the BLAS kernels from now on (n >= 1).
void set_num_threads(int n);
/// Threads the BLAS kernels currently use.
int num_threads();

}  // namespace xgrad
