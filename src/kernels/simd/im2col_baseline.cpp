// im2col and col2im_add compiled for the x86-64 baseline (flags: src/CMakeLists.txt).
#define XGRAD_SIMD_NS baseline
#include "kernels/im2col_impl.hpp"
