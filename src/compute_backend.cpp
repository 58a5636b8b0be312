// xgrad::compute_backend() (xgrad/cpu.hpp): which libraries run the heavy products.
#include <string>

#include "xgrad/cpu.hpp"
#if defined(XGRAD_WITH_DNNL)
#include "kernels/dnnl_conv.hpp"
#endif

namespace xgrad {

const char* compute_backend() {
#if defined(XGRAD_WITH_DNNL)
  static const std::string name = std::string(kernels::dnnl_version_string()) + " + OpenBLAS";
  return name.c_str();
#else
  return "OpenBLAS";
#endif
}

}  // namespace xgrad
