#include "xgrad/threads.hpp"

#include <stdexcept>
#include <string>

#include "kernels/parallel.hpp"

namespace xgrad {

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads: need n >= 1, got " + std::to_string(n));
  kernels::set_thread_count(n);
}

int num_threads() { return kernels::thread_count(); }

}  // namespace xgrad
