// Picks sparse_matmul's loop for an instruction set.
#include <array>

#include "kernels/sparse_table.hpp"

namespace xgrad::kernels {

template <class T>
const SparseTable<T>& sparse_kernels(Isa isa) {
#if defined(XGRAD_X86_ISAS)
  static const std::array<const SparseTable<T>*, kIsaCount> tables{
      &baseline::sparse_table<T>(), &avx2::sparse_table<T>(), &avx512::sparse_table<T>()};
#else
  static const std::array<const SparseTable<T>*, kIsaCount> tables{
      &baseline::sparse_table<T>(), &baseline::sparse_table<T>(), &baseline::sparse_table<T>()};
#endif
  return *tables[std::size_t(isa)];
}

template const SparseTable<float>& sparse_kernels<float>(Isa);
template const SparseTable<double>& sparse_kernels<double>(Isa);

}  // namespace xgrad::kernels
