#include "kernels/dnnl_engine.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernels/dnnl_conv.hpp"

// GNU OpenMP, which Debian's oneDNN runs on (linked explicitly: cmake/Dependencies.cmake).
// Declared here rather than through <omp.h>, which only some compilers ship without -fopenmp.
extern "C" void omp_set_num_threads(int);

namespace xgrad::kernels {

namespace {

std::atomic<std::size_t>& created() {
  static std::atomic<std::size_t> count{0};
  return count;
}

}  // namespace

const dnnl::engine& dnnl_cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& dnnl_thread_stream() {
  thread_local dnnl::stream stream(dnnl_cpu_engine());
  return stream;
}

void dnnl_set_team() {
  thread_local bool set = false;
  if (!set) {
    omp_set_num_threads(1);
    set = true;
  }
}

void dnnl_note_primitive_created() { created().fetch_add(1, std::memory_order_relaxed); }

std::size_t dnnl_primitives_created() { return created().load(std::memory_order_relaxed); }

const char* dnnl_version_string() {
  static const std::string name = [] {
    const dnnl_version_t* v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
           std::to_string(v->patch);
  }();
  return name.c_str();
}

}  // namespace xgrad::kernels
