#pragma once
/// \file
/// Products with a constant matrix that is mostly zeros (tf.sparse.sparse_dense_matmul): the
/// matrix keeps only its non-zero entries, row by row (CSR). MNIST's images are 81% zeros, so a
/// first layer's product over the whole test set does a fifth of a dense product's work.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// A constant 2-D matrix stored as its non-zero entries, row by row (compressed sparse rows).
/// Copies share the entries (they are never changed).
template <class T>
class SparseRows {
public:
  /// Keeps the entries of `dense` (2-D) that are not zero. Throws std::invalid_argument for
  /// another rank, or more than 2^32 - 1 columns.
  explicit SparseRows(const xt::xarray<T>& dense);

  std::size_t rows() const { return rows_; }                     ///< rows of the dense matrix
  std::size_t cols() const { return cols_; }                     ///< columns of the dense matrix
  std::size_t nonzeros() const { return data_->values.size(); }  ///< entries stored
  Shape shape() const { return {rows_, cols_}; }                 ///< {rows(), cols()}
  /// The dense matrix back.
  xt::xarray<T> to_dense() const;

  /// Row i's entries are columns()[p] and values()[p] for p in [row_offsets()[i], row_offsets()[i + 1]).
  ///@{
  const std::vector<std::size_t>& row_offsets() const { return data_->row_offsets; }
  const std::vector<std::uint32_t>& columns() const { return data_->columns; }
  const std::vector<T>& values() const { return data_->values; }
  ///@}

private:
  struct Data {
    std::vector<std::size_t> row_offsets;
    std::vector<std::uint32_t> columns;
    std::vector<T> values;
  };
  std::size_t rows_ = 0, cols_ = 0;
  std::shared_ptr<const Data> data_;
};

/// a [M, K] (constant) times b [K, N] -> [M, N]: matmul(a.to_dense(), b) up to rounding, in
/// time proportional to a's non-zero entries. Throws std::invalid_argument naming both shapes
/// when they do not fit. VJP: db = a^T g (a is data: it gets no gradient).
template <class T>
BasicTensor<T> sparse_matmul(const SparseRows<T>& a, const BasicTensor<T>& b);

}  // namespace xgrad
