// sparse_matmul's loop compiled for avx512 (flags: src/CMakeLists.txt).
#if defined(XGRAD_X86_ISAS)
#define XGRAD_SIMD_NS avx512
#include "kernels/sparse_impl.hpp"
#endif
