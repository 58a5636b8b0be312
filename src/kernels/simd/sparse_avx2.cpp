// sparse_matmul's loop compiled for avx2 (flags: src/CMakeLists.txt).
#if defined(XGRAD_X86_ISAS)
#define XGRAD_SIMD_NS avx2
#include "kernels/sparse_impl.hpp"
#endif
