#include "xgrad/runtime.hpp"

#include "kernels/runtime.hpp"
#include "kernels/workspace.hpp"

namespace xgrad {

void tune_allocator_for_training() { kernels::keep_freed_memory(); }

void release_workspace() { kernels::release_workspace(); }

void set_manage_openblas_threads(bool manage) { kernels::manage_openblas_threads() = manage; }

bool manages_openblas_threads() { return kernels::manage_openblas_threads(); }

}  // namespace xgrad
