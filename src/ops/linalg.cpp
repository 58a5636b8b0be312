#include "xgrad/ops/linalg.hpp"

#include <stdexcept>
#include <string>

#include "kernels/gemm.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

template <class T>
BasicTensor<T> matmul(const BasicTensor<T>& a, const BasicTensor<T>& b, bool ta, bool tb) {
  const auto& av = a.value();
  const auto& bv = b.value();
  if (av.dimension() != 2 || bv.dimension() != 2) {
    throw std::invalid_argument("matmul: expected two 2-D tensors, got shapes " +
                                to_string(a.shape()) + " and " + to_string(b.shape()));
  }
  const std::size_t m = ta ? av.shape()[1] : av.shape()[0];
  const std::size_t k = ta ? av.shape()[0] : av.shape()[1];
  const std::size_t kb = tb ? bv.shape()[1] : bv.shape()[0];
  const std::size_t n = tb ? bv.shape()[0] : bv.shape()[1];
  if (k != kb) {
    throw std::invalid_argument("matmul: inner dimensions differ: shapes " + to_string(a.shape()) +
                                (ta ? " (transposed)" : "") + " and " + to_string(b.shape()) +
                                (tb ? " (transposed)" : ""));
  }
  xt::xarray<T> out = xt::xarray<T>::from_shape({m, n});
  if (k == 0) {
    out.fill(T(0));
  } else {
    kernels::gemm<T>(ta, tb, m, n, k, T(1), av.data(), av.shape()[1], bv.data(), bv.shape()[1],
                     T(0), out.data(), n);
  }
  return make_op("matmul", std::move(out), {a, b},
                 [a, b, ta, tb, m, n, k](const auto& g, const auto&, auto& grads) {
                   const auto& av = a.value();
                   const auto& bv = b.value();
                   if (grads.needs(0)) {
                     // A = [m,k] (or its transpose): dA = g B^T, or (g B^T)^T = B g^T.
                     xt::xarray<T> da = xt::xarray<T>::from_shape(av.shape());
                     if (!ta) {
                       kernels::gemm<T>(false, !tb, m, k, n, T(1), g.data(), n, bv.data(),
                                        bv.shape()[1], T(0), da.data(), k);
                     } else {
                       kernels::gemm<T>(tb, true, k, m, n, T(1), bv.data(), bv.shape()[1],
                                        g.data(), n, T(0), da.data(), m);
                     }
                     grads.set(0, std::move(da));
                   }
                   if (grads.needs(1)) {
                     // B = [k,n] (or its transpose): dB = A^T g, or g^T A.
                     xt::xarray<T> db = xt::xarray<T>::from_shape(bv.shape());
                     if (!tb) {
                       kernels::gemm<T>(!ta, false, k, n, m, T(1), av.data(), av.shape()[1],
                                        g.data(), n, T(0), db.data(), n);
                     } else {
                       kernels::gemm<T>(true, ta, n, k, m, T(1), g.data(), n, av.data(),
                                        av.shape()[1], T(0), db.data(), k);
                     }
                     grads.set(1, std::move(db));
                   }
                 });
}

template BasicTensor<float> matmul(const BasicTensor<float>&, const BasicTensor<float>&, bool, bool);
template BasicTensor<double> matmul(const BasicTensor<double>&, const BasicTensor<double>&, bool,
                                    bool);

}  // namespace xgrad
