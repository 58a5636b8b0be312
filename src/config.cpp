// The only place the library reads its environment (config.hpp lists the variables).
#include "config.hpp"

#include <cstdlib>
#include <initializer_list>

namespace xgrad::config {

namespace {

// The value, or null when unset or empty.
const char* non_empty(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

}  // namespace

int env_num_threads() {
  for (const char* name : {"XGRAD_NUM_THREADS", "OMP_NUM_THREADS"}) {
    if (const char* v = std::getenv(name)) {
      const int n = std::atoi(v);
      if (n >= 1) return n;
    }
  }
  return 0;
}

bool env_manage_openblas_threads() {
  const char* v = std::getenv("XGRAD_MANAGE_OPENBLAS_THREADS");
  return !v || std::atoi(v) != 0;
}

const char* env_isa_cap() { return non_empty("XGRAD_ISA"); }
const char* env_conv_block_bytes() { return std::getenv("XGRAD_CONV_BLOCK_BYTES"); }
const char* env_conv_dw_transposed() { return std::getenv("XGRAD_CONV_DW_T"); }
const char* env_conv_direct() { return std::getenv("XGRAD_CONV_DIRECT"); }
const char* env_conv_dnnl() { return std::getenv("XGRAD_CONV_DNNL"); }
const char* env_gemm_dnnl() { return std::getenv("XGRAD_GEMM_DNNL"); }
const char* env_dnnl_weights() { return std::getenv("XGRAD_DNNL_WEIGHTS"); }
const char* env_workspace_mb() { return non_empty("XGRAD_WORKSPACE_MB"); }
const char* env_mnist_dir() { return non_empty("XGRAD_MNIST_DIR"); }
const char* env_fashion_mnist_dir() { return non_empty("XGRAD_FASHION_MNIST_DIR"); }

}  // namespace xgrad::config
