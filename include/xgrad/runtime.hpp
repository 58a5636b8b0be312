#pragma once
/// \file
/// What xgrad changes in the process it runs in, and when.
///
/// Loading the library changes nothing: not the allocator, not OpenBLAS's threads.
///
/// At the first kernel that calls OpenBLAS (the first matrix product or convolution), xgrad
/// sets OpenBLAS to one thread (openblas_set_num_threads(1)) and stops the worker threads
/// OpenBLAS had started: xgrad's kernels run OpenBLAS inside xgrad's own threads
/// (xgrad/threads.hpp), and OpenBLAS's pool on top of them would oversubscribe the cores, its
/// idle threads spinning after every call. To keep OpenBLAS's settings (a program that uses
/// OpenBLAS's threads itself), call set_manage_openblas_threads(false) before the first op, or
/// set XGRAD_MANAGE_OPENBLAS_THREADS=0 in the environment.
///
/// The allocator is changed only when asked, with tune_allocator_for_training().
///
/// xgrad's kernels keep their large scratch buffers (convolution columns, partial sums,
/// oneDNN scratchpads) per thread between calls, outside malloc, so that a training step
/// reuses them instead of taking memory from the system every step: at most 256 MiB per
/// thread (XGRAD_WORKSPACE_MB sets it), freed when the thread exits or by release_workspace().

namespace xgrad {

/// Keeps freed memory in the process for reuse (glibc mallopt: no mmap below 64 MiB, trim
/// above 256 MiB), which a training step, freeing and reallocating the same arrays every step,
/// needs: glibc by default returns large freed arrays (mmapped above 128 KiB, and the freed top
/// of the heap) to the kernel and faults the pages in again, zeroed, the next step. It does not
/// raise the peak, which a step reaches anyway, but memory freed after training stays in the
/// process. Process-wide (it changes the allocator for all of the program): call it at the
/// start of a training program, not from a library.
void tune_allocator_for_training();

/// Frees the scratch buffers xgrad's kernels keep (above) on every thread, except those a
/// kernel running on another thread is using; the next kernel takes what it needs again.
/// Thread-safe.
void release_workspace();

/// Whether xgrad sets OpenBLAS to one thread at its first kernel (see above). Default: true,
/// unless XGRAD_MANAGE_OPENBLAS_THREADS=0. Takes effect only before the first kernel;
/// afterwards, false does not restore OpenBLAS's previous settings.
void set_manage_openblas_threads(bool manage);
/// The setting above.
bool manages_openblas_threads();

}  // namespace xgrad
