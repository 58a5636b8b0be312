// The direct convolution kernels compiled for avx512 (flags: src/CMakeLists.txt).
#if defined(XGRAD_X86_ISAS)
#define XGRAD_SIMD_NS avx512
#include "kernels/conv_direct_impl.hpp"
#endif
