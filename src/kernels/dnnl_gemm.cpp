#include "kernels/dnnl_gemm.hpp"

#include <oneapi/dnnl/dnnl.h>

#include <stdexcept>
#include <string>

#include "kernels/dnnl_engine.hpp"

namespace xgrad::kernels {

void dnnl_gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
               float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
               float beta, float* c, std::size_t ldc) {
  dnnl_set_team();
  // dnnl_sgemm is row-major, like xgrad's buffers.
  const dnnl_status_t status =
      dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', dnnl_dim_t(m), dnnl_dim_t(n),
                 dnnl_dim_t(k), alpha, a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c,
                 dnnl_dim_t(ldc));
  if (status != dnnl_success) {
    throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(int(status)));
  }
}

}  // namespace xgrad::kernels
