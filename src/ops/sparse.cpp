#include "xgrad/ops/sparse.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include <xtensor/xmanipulation.hpp>

#include "check.hpp"
#include "kernels/parallel.hpp"
#include "kernels/sparse_table.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

template <class T>
SparseRows<T>::SparseRows(const xt::xarray<T>& dense) {
  check::check_rank("SparseRows", {"dense", to_shape(dense.shape())}, 2);
  rows_ = dense.shape()[0];
  cols_ = dense.shape()[1];
  if (cols_ > std::numeric_limits<std::uint32_t>::max()) {
    check::fail("SparseRows", std::to_string(cols_) +
                                  " columns, more than a 32-bit column index holds");
  }
  auto data = std::make_shared<Data>();
  data->row_offsets.reserve(rows_ + 1);
  data->row_offsets.push_back(0);
  const T* x = dense.data();  // xt::xarray is row-major and contiguous
  for (std::size_t i = 0; i < rows_; ++i) {
    for (std::size_t j = 0; j < cols_; ++j) {
      const T v = x[i * cols_ + j];
      if (v != T(0)) {
        data->columns.push_back(std::uint32_t(j));
        data->values.push_back(v);
      }
    }
    data->row_offsets.push_back(data->values.size());
  }
  data_ = std::move(data);
}

template <class T>
xt::xarray<T> SparseRows<T>::to_dense() const {
  xt::xarray<T> out = xt::zeros<T>({rows_, cols_});
  for (std::size_t i = 0; i < rows_; ++i) {
    for (std::size_t p = data_->row_offsets[i]; p < data_->row_offsets[i + 1]; ++p) {
      out(i, data_->columns[p]) = data_->values[p];
    }
  }
  return out;
}

template <class T>
BasicTensor<T> sparse_matmul(const SparseRows<T>& a, const BasicTensor<T>& b) {
  const auto& bv = b.value();
  check::check_shape(bv.dimension() == 2 && bv.shape()[0] == a.cols(), "sparse_matmul",
                     "expected a [M, K] and b [K, N]",
                     {{"a (sparse)", a.shape()}, {"b", b.shape()}});
  const std::size_t m = a.rows(), k = a.cols(), n = bv.shape()[1];
  xt::xarray<T> out = xt::xarray<T>::from_shape({m, n});
  if (m > 0 && n > 0) {
    const auto& kernel = kernels::active<kernels::SparseTable<T>>().csr_times_dense;
    // Rows split over the threads by count; each needs ~64k multiply-adds to pay for a wake-up.
    const double per_row = std::max(1.0, double(a.nonzeros()) / double(m) * double(n));
    kernels::parallel_for(m, std::size_t(65536.0 / per_row) + 1, [&](std::size_t r0, std::size_t r1) {
      kernel(a.row_offsets().data(), a.columns().data(), a.values().data(), r0, r1, bv.data(), n,
             out.data() + r0 * n);
    });
  }
  return make_op("sparse_matmul", std::move(out), {b},
                 [a, k, n](const auto& g, const auto&, auto& grads) {
                   if (!grads.needs(0)) return;
                   // db = a^T g: row i of g, scaled by each stored a[i, j], added to row j of db.
                   // Serial: rows of db are shared between rows of a.
                   xt::xarray<T> db = xt::zeros<T>({k, n});
                   const auto& offsets = a.row_offsets();
                   for (std::size_t i = 0; i < a.rows(); ++i) {
                     const T* g_row = g.data() + i * n;
                     for (std::size_t p = offsets[i]; p < offsets[i + 1]; ++p) {
                       T* d = db.data() + std::size_t(a.columns()[p]) * n;
                       const T v = a.values()[p];
                       for (std::size_t c = 0; c < n; ++c) d[c] += v * g_row[c];
                     }
                   }
                   grads.set(0, std::move(db));
                 },
                 [a](const auto& g, const auto&, auto& grads) {
                   // db = a^T g as a product with the constant a^T, itself differentiable.
                   if (!grads.needs(0)) return;
                   const xt::xarray<T> a_t = xt::transpose(a.to_dense());
                   grads.set(0, sparse_matmul(SparseRows<T>(a_t), g));
                 });
}

template class SparseRows<float>;
template class SparseRows<double>;
template BasicTensor<float> sparse_matmul(const SparseRows<float>&, const BasicTensor<float>&);
template BasicTensor<double> sparse_matmul(const SparseRows<double>&, const BasicTensor<double>&);

}  // namespace xgrad
