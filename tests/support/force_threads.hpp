#pragma once
// ForceThreads: runs a test body with a given thread count and every kernel split however
// small (kernels::min_work_scale 0), so that tiny test inputs exercise the parallel paths.
// Restores both on scope exit, also when a REQUIRE throws.
#include "kernels/parallel.hpp"
#include "xgrad/threads.hpp"

namespace xgrad::test {

class ForceThreads {
public:
  explicit ForceThreads(int threads) : saved_(num_threads()) {
    set_num_threads(threads);
    kernels::min_work_scale() = 0;
  }
  ~ForceThreads() {
    set_num_threads(saved_);
    kernels::min_work_scale() = 1;
  }
  ForceThreads(const ForceThreads&) = delete;
  ForceThreads& operator=(const ForceThreads&) = delete;

private:
  int saved_;
};

}  // namespace xgrad::test
