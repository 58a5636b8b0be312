#include "xgrad/threads.hpp"

#include <stdexcept>
#include <string>

#include "kernels/parallel.hpp"

namespace xgrad {

void set_num_threads(int n) {
  if (n < 1 || n > kernels::kMaxParts) {
    throw std::invalid_argument("set_num_threads: need 1 <= n <= " +
                                std::to_string(kernels::kMaxParts) + ", got " + std::to_string(n));
  }
  kernels::set_thread_count(n);
}

int num_threads() { return kernels::thread_count(); }

int max_num_threads() { return kernels::kMaxParts; }

}  // namespace xgrad
