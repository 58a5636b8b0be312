#pragma once
// Private: process-wide settings applied when the library loads (runtime.cpp).

namespace xgrad::kernels {

/// Applies them once (OpenBLAS single-threaded, freed memory kept for reuse). gemm() calls it,
/// so that they hold even when called from another library's static initialiser, and so that a
/// static link, which drops object files nothing refers to, keeps runtime.cpp.
void ensure_runtime_configured();

}  // namespace xgrad::kernels
