#pragma once
/// \file
/// Who owns the cores: OpenBLAS's thread pool. xgrad starts no threads of its own, so there is
/// one knob: the environment variable XGRAD_NUM_THREADS (read at start-up) or set_num_threads().
/// Without either, OpenBLAS's default applies (OPENBLAS_NUM_THREADS, else every core).
/// Small products (the MLP's) run faster on 1 thread; the conv net's GEMMs gain from 2.

namespace xgrad {

/// Threads used by the BLAS kernels from now on (n >= 1).
void set_num_threads(int n);
/// Threads the BLAS kernels currently use.
int num_threads();

}  // namespace xgrad
