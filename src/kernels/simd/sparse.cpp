// The loop of sparse_table.hpp, compiled once per instruction set (per_isa.hpp).
#include <cstddef>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "kernels/sparse_table.hpp"
#include "kernels/per_isa.hpp"

namespace xgrad::kernels {
namespace XGRAD_SIMD_NS {
namespace {

/// Columns [c, c + B * lanes) of one output row, in B vector accumulators that stay in registers
/// over the row's stored entries (with a plain loop GCC keeps the sums in memory, and a row of
/// the product then costs a load and a store per entry and column).
template <class T, int B>
void row_block(const std::uint32_t* columns, const T* values, std::size_t p0, std::size_t p1,
               const T* b, std::size_t n, std::size_t c, T* out_row) {
  using V = xsimd::batch<T>;
  V acc[B];
  for (int v = 0; v < B; ++v) acc[v] = V(T(0));
  for (std::size_t p = p0; p < p1; ++p) {
    const V a(values[p]);
    const T* b_row = b + std::size_t(columns[p]) * n + c;
    for (int v = 0; v < B; ++v) acc[v] = xsimd::fma(a, V::load_unaligned(b_row + v * V::size), acc[v]);
  }
  for (int v = 0; v < B; ++v) acc[v].store_unaligned(out_row + c + v * V::size);
}

template <class T>
void csr_times_dense(const std::size_t* row_offsets, const std::uint32_t* columns,
                     const T* values, std::size_t row_begin, std::size_t row_end, const T* b,
                     std::size_t n, T* out) {
  constexpr std::size_t L = xsimd::batch<T>::size;
  for (std::size_t i = row_begin; i < row_end; ++i) {
    const std::size_t p0 = row_offsets[i], p1 = row_offsets[i + 1];
    T* out_row = out + (i - row_begin) * n;
    if (n < L) {  // narrower than one vector: scalar sums
      for (std::size_t c = 0; c < n; ++c) {
        T s = T(0);
        for (std::size_t p = p0; p < p1; ++p) s += values[p] * b[std::size_t(columns[p]) * n + c];
        out_row[c] = s;
      }
      continue;
    }
    std::size_t c = 0;
    for (; c + 4 * L <= n; c += 4 * L) row_block<T, 4>(columns, values, p0, p1, b, n, c, out_row);
    switch ((n - c) / L) {
      case 3: row_block<T, 3>(columns, values, p0, p1, b, n, c, out_row); c += 3 * L; break;
      case 2: row_block<T, 2>(columns, values, p0, p1, b, n, c, out_row); c += 2 * L; break;
      case 1: row_block<T, 1>(columns, values, p0, p1, b, n, c, out_row); c += L; break;
      default: break;
    }
    // The last n % L columns: one more vector ending at column n. It recomputes a few columns
    // already written, with the same operations in the same order, so they do not change.
    if (c < n) row_block<T, 1>(columns, values, p0, p1, b, n, n - L, out_row);
  }
}

/// Constant-initialised: building it at start-up would run this file's instructions on any CPU.
template <class T>
constexpr SparseTable<T> kTable{&csr_times_dense<T>};

}  // namespace
}  // namespace XGRAD_SIMD_NS

XGRAD_ISA_TABLES(SparseTable, XGRAD_SIMD_NS::kTable)

}  // namespace xgrad::kernels
