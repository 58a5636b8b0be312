// im2col and col2im_add compiled for avx2 (flags: src/CMakeLists.txt).
#if defined(XGRAD_X86_ISAS)
#define XGRAD_SIMD_NS avx2
#include "kernels/im2col_impl.hpp"
#endif
