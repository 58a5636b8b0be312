#include "xgrad/runtime.hpp"

#include "kernels/runtime.hpp"

namespace xgrad {

void tune_allocator_for_training() { kernels::keep_freed_memory(); }

void set_manage_openblas_threads(bool manage) { kernels::manage_openblas_threads() = manage; }

bool manages_openblas_threads() { return kernels::manage_openblas_threads(); }

}  // namespace xgrad
