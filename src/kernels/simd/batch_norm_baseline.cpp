// fused_batch_norm's loops compiled for the x86-64 baseline (flags: src/CMakeLists.txt).
#define XGRAD_SIMD_NS baseline
#include "kernels/batch_norm_impl.hpp"
