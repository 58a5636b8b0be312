#pragma once
// Private: sparse_matmul's forward loop (rows of a CSR matrix times a dense matrix) for one
// instruction set, as a table (one family of isa_dispatch.hpp; the loop: simd/sparse.cpp).
#include <cstddef>
#include <cstdint>

#include "kernels/isa_dispatch.hpp"

namespace xgrad::kernels {

/// Rows [row_begin, row_end) of a CSR matrix (row_offsets, columns, values) times b [k, n]
/// (row-major, leading dimension n) into out [rows, n] (row-major, leading dimension n). Each
/// output row is overwritten; its sums run over the row's stored entries in order.
template <class T>
struct SparseTable {
  void (*csr_times_dense)(const std::size_t* row_offsets, const std::uint32_t* columns,
                          const T* values, std::size_t row_begin, std::size_t row_end,
                          const T* b, std::size_t n, T* out);
};

}  // namespace xgrad::kernels
