// Picks fused_batch_norm's loops for the instruction set in use, once per process.
#include <array>

#include "kernels/batch_norm_table.hpp"

namespace xgrad::kernels {

template <class T>
const BatchNormTable<T>& batch_norm_kernels() {
#if defined(XGRAD_X86_ISAS)
  static const std::array<const BatchNormTable<T>*, kIsaCount> tables{
      &baseline::batch_norm_table<T>(), &avx2::batch_norm_table<T>(),
      &avx512::batch_norm_table<T>()};
#else
  static const std::array<const BatchNormTable<T>*, kIsaCount> tables{
      &baseline::batch_norm_table<T>(), &baseline::batch_norm_table<T>(),
      &baseline::batch_norm_table<T>()};
#endif
  static const BatchNormTable<T>& table = *tables[std::size_t(active_isa())];
  return table;
}

template const BatchNormTable<float>& batch_norm_kernels<float>();
template const BatchNormTable<double>& batch_norm_kernels<double>();

}  // namespace xgrad::kernels
