#include "xgrad/ops/linalg.hpp"

#include <algorithm>
#include <string>

#include "check.hpp"
#include "kernels/broadcast.hpp"
#include "kernels/gemm.hpp"
#include "autograd/tensor_impl.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/shape_ops.hpp"

namespace xgrad {

namespace {

/// Gradients of op(A) op(B) for inputs 0 (A) and 1 (B), given the output gradient g [m, n].
template <class T>
void matmul_grads(const BasicTensor<T>& a, const BasicTensor<T>& b, bool ta, bool tb,
                  std::size_t m, std::size_t n, std::size_t k, const xt::xarray<T>& g,
                  autograd::Gradients<T>& grads) {
  const auto& av = a.value();
  const auto& bv = b.value();
  const std::size_t lda = av.shape()[1], ldb = bv.shape()[1];
  xt::xarray<T> da = detail::no_array<T>(), db = detail::no_array<T>();
  kernels::GemmCall<T> products[2];
  int count = 0;
  if (grads.needs(0)) {
    // A = [m,k] (or its transpose): dA = g B^T, or (g B^T)^T = B g^T.
    da = xt::xarray<T>::from_shape(av.shape());
    products[count++] = ta ? kernels::GemmCall<T>{tb, true, k, m, n, T(1), bv.data(), ldb,
                                                  g.data(), n, T(0), da.data(), m}
                           : kernels::GemmCall<T>{false, !tb, m, k, n, T(1), g.data(), n,
                                                  bv.data(), ldb, T(0), da.data(), k};
  }
  if (grads.needs(1)) {
    // B = [k,n] (or its transpose): dB = A^T g, or g^T A.
    db = xt::xarray<T>::from_shape(bv.shape());
    products[count++] = tb ? kernels::GemmCall<T>{true, ta, n, k, m, T(1), g.data(), n,
                                                  av.data(), lda, T(0), db.data(), k}
                           : kernels::GemmCall<T>{!ta, false, k, n, m, T(1), av.data(), lda,
                                                  g.data(), n, T(0), db.data(), n};
  }
  if (count == 2) {
    kernels::gemm_pair(products[0], products[1]);
  } else if (count == 1) {
    kernels::gemm(products[0]);
  }
  if (grads.needs(0)) grads.set(0, std::move(da));
  if (grads.needs(1)) grads.set(1, std::move(db));
}

/// The same gradients as matmul_grads, as matmuls of the recorded tensors (differentiable):
/// dA = g op(B)^T (transposed back when A is), dB = op(A)^T g (likewise).
template <class T>
void matmul_tensor_grads(bool ta, bool tb, const BasicTensor<T>& g,
                         autograd::TensorGradients<T>& grads) {
  const auto a = grads.input(0), b = grads.input(1);
  if (grads.needs(0)) grads.set(0, ta ? matmul(b, g, tb, true) : matmul(g, b, false, !tb));
  if (grads.needs(1)) grads.set(1, tb ? matmul(g, a, true, ta) : matmul(a, g, !ta, false));
}

}  // namespace

template <class T>
BasicTensor<T> matmul(const BasicTensor<T>& a, const BasicTensor<T>& b, bool ta, bool tb) {
  const auto& av = a.value();
  const auto& bv = b.value();
  check::check_shape(av.dimension() == 2 && bv.dimension() == 2, "matmul", "expected 2-D a and b",
                     {{"a", a.shape()}, {"b", b.shape()}});
  const std::size_t m = ta ? av.shape()[1] : av.shape()[0];
  const std::size_t k = ta ? av.shape()[0] : av.shape()[1];
  const std::size_t kb = tb ? bv.shape()[1] : bv.shape()[0];
  const std::size_t n = tb ? bv.shape()[0] : bv.shape()[1];
  check::check_shape(k == kb, "matmul", "inner dimensions differ",
                     {{ta ? "a (transposed)" : "a", a.shape()}, {tb ? "b (transposed)" : "b", b.shape()}});
  xt::xarray<T> out = xt::xarray<T>::from_shape({m, n});
  if (k == 0) {
    out.fill(T(0));
  } else {
    kernels::gemm<T>(ta, tb, m, n, k, T(1), av.data(), av.shape()[1], bv.data(), bv.shape()[1],
                     T(0), out.data(), n);
  }
  return make_op("matmul", std::move(out), {a, b},
                 [a, b, ta, tb, m, n, k](const auto& g, const auto&, auto& grads) {
                   matmul_grads(a, b, ta, tb, m, n, k, g, grads);
                 },
                 [ta, tb](const auto& g, const auto&, auto& grads) {
                   matmul_tensor_grads(ta, tb, g, grads);
                 });
}

template <class T>
BasicTensor<T> xw_plus_b(const BasicTensor<T>& x, const BasicTensor<T>& w,
                         const BasicTensor<T>& b) {
  const auto& xv = x.value();
  const auto& wv = w.value();
  const auto& bv = b.value();
  if (xv.dimension() != 2 || wv.dimension() != 2 || bv.dimension() != 1 ||
      xv.shape()[1] != wv.shape()[0] || bv.shape()[0] != wv.shape()[1]) {
    check::check_shape(false, "xw_plus_b", "expected x [M, K], w [K, N] and b [N]",
                       {{"x", x.shape()}, {"w", w.shape()}, {"b", b.shape()}});
  }
  const std::size_t m = xv.shape()[0], k = xv.shape()[1], n = wv.shape()[1];
  // The product accumulates onto rows of b: one output array and one pass, where matmul then
  // add would write and read a second [M, N] array.
  xt::xarray<T> out = xt::xarray<T>::from_shape({m, n});
  for (std::size_t i = 0; i < m; ++i) std::copy(bv.begin(), bv.end(), out.data() + i * n);
  if (k > 0) {
    kernels::gemm<T>(false, false, m, n, k, T(1), xv.data(), k, wv.data(), n, T(1), out.data(), n);
  }
  return make_op("xw_plus_b", std::move(out), {x, w, b},
                 [x, w, m, n, k](const auto& g, const auto&, auto& grads) {
                   if (grads.needs(2)) grads.set(2, kernels::sum_to_shape(g, grads.input_shape(2)));
                   matmul_grads(x, w, false, false, m, n, k, g, grads);
                 },
                 [](const auto& g, const auto&, auto& grads) {
                   if (grads.needs(2)) grads.set(2, sum_to(g, grads.input_shape(2)));
                   matmul_tensor_grads(false, false, g, grads);
                 });
}

template BasicTensor<float> matmul(const BasicTensor<float>&, const BasicTensor<float>&, bool, bool);
template BasicTensor<double> matmul(const BasicTensor<double>&, const BasicTensor<double>&, bool,
                                    bool);
template BasicTensor<float> xw_plus_b(const BasicTensor<float>&, const BasicTensor<float>&,
                                      const BasicTensor<float>&);
template BasicTensor<double> xw_plus_b(const BasicTensor<double>&, const BasicTensor<double>&,
                                       const BasicTensor<double>&);

}  // namespace xgrad
