// Small float32 matrix products on oneDNN's sgemm (kernels/gemm.cpp) against OpenBLAS: every
// transpose, beta 0 and 1, leading dimensions wider than the matrices, 1 and 2 threads, and
// bit-identical reruns. Only in a build with oneDNN.
#include <vector>

#include "kernels/gemm.hpp"
#include "support/force_threads.hpp"
#include "support/test_utils.hpp"

#if defined(XGRAD_WITH_DNNL)

using namespace xgrad;

namespace {

/// Restores kernels::gemm_uses_dnnl() on scope exit.
class RestoreGemmDnnl {
public:
  RestoreGemmDnnl() : saved_(kernels::gemm_uses_dnnl()) {}
  ~RestoreGemmDnnl() { kernels::gemm_uses_dnnl() = saved_; }

private:
  bool saved_;
};

std::vector<float> product(bool use_dnnl, bool ta, bool tb, std::size_t m, std::size_t n,
                           std::size_t k, float beta, std::uint64_t seed) {
  RestoreGemmDnnl restore;
  kernels::gemm_uses_dnnl() = use_dnnl;
  // Row strides 3 wider than needed: the padding must stay untouched.
  const std::size_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 3, ldc = n + 3;
  const auto a = test::random_array<float>({(ta ? k : m) * lda}, seed);
  const auto b = test::random_array<float>({(tb ? n : k) * ldb}, seed + 1);
  const auto c0 = test::random_array<float>({m * ldc}, seed + 2);
  std::vector<float> c(c0.begin(), c0.end());
  kernels::gemm<float>(ta, tb, m, n, k, 0.5f, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
  return c;
}

}  // namespace

TEST_CASE("gemm: small float products on oneDNN agree with OpenBLAS and repeat bit for bit",
          "[gemm][gemm_dnnl]") {
  struct Size {
    std::size_t m, n, k;
  };
  // The MLP's products (60x100x784, 784x100x60, 60x100x100) and odd, tiny and empty ones.
  const Size sizes[] = {{60, 100, 784}, {784, 100, 60}, {60, 100, 100}, {7, 5, 3},
                        {1, 1, 1},      {33, 17, 0},    {9, 130, 41}};
  std::uint64_t seed = 300;
  for (int threads : {1, 2}) {
    test::ForceThreads force(threads);
    for (const Size& s : sizes)
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          for (float beta : {0.f, 1.f}) {
            INFO(s.m << "x" << s.n << "x" << s.k << " ta " << ta << " tb " << tb << " beta "
                     << beta << " threads " << threads);
            const auto blas = product(false, ta, tb, s.m, s.n, s.k, beta, seed);
            const auto dnnl = product(true, ta, tb, s.m, s.n, s.k, beta, seed);
            const auto again = product(true, ta, tb, s.m, s.n, s.k, beta, seed);
            seed += 3;
            REQUIRE(dnnl.size() == blas.size());
            bool close = true;
            for (std::size_t i = 0; i < dnnl.size(); ++i) {
              close = close && std::abs(dnnl[i] - blas[i]) <= 1e-4f * (1 + std::abs(blas[i]));
            }
            CHECK(close);
            CHECK(dnnl == again);
            // Different code summing 784 terms in another order: some bits differ (else the
            // oneDNN path did not run).
            if (s.k == 784) CHECK(dnnl != blas);
          }
  }
}

#endif
