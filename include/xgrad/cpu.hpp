#pragma once
/// \file
/// Which SIMD instruction set xgrad's own kernels use. One build runs on any x86-64: the
/// convolution, batch-norm, elementwise-math and optimizer kernels are compiled for AVX-512,
/// AVX2 + FMA and the x86-64 baseline (SSE2), and the widest the CPU supports is chosen when
/// first needed. The environment variable XGRAD_ISA=baseline|avx2|avx512 caps the choice (for
/// tests and benchmarks; a cap above what the CPU has changes nothing).

namespace xgrad {

/// "avx512", "avx2" or "baseline": the kernels' instruction set in this process. Throws
/// std::invalid_argument if XGRAD_ISA holds another value.
const char* simd_isa();

/// What runs the heavy products: "oneDNN 2.6.3 + OpenBLAS" when the build has oneDNN (float32
/// convolutions and small float32 matrix products on oneDNN, which picks its own instruction
/// set, capped by ONEDNN_MAX_CPU_ISA; larger products on OpenBLAS), else "OpenBLAS" (with
/// xgrad's own convolution kernels).
const char* compute_backend();

}  // namespace xgrad
