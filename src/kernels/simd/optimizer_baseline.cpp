// The optimizers' update loops compiled for the x86-64 baseline (flags: src/CMakeLists.txt).
#define XGRAD_SIMD_NS baseline
#include "kernels/optimizer_impl.hpp"
