// sparse_matmul's loop compiled for the x86-64 baseline (flags: src/CMakeLists.txt).
#define XGRAD_SIMD_NS baseline
#include "kernels/sparse_impl.hpp"
