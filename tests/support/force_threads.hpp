#pragma once
// ForceThreads: runs a test body with a given thread count and every kernel split however
// small (kernels::min_work_scale 0), so that tiny test inputs exercise the parallel paths.
// Restores both on scope exit, also when a REQUIRE throws. ScopedThreads sets only the count.
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

/// Sets xgrad's thread count for a scope (kernels keep their usual minimum work per thread).
class ScopedThreads {
public:
  explicit ScopedThreads(int threads) : saved_(num_threads()) { set_num_threads(threads); }
  ~ScopedThreads() { set_num_threads(saved_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

private:
  int saved_;
};

}  // namespace xgrad::test
