// Picks the optimizers' update loops for the instruction set in use, once per process.
#include <array>

#include "kernels/optimizer_table.hpp"

namespace xgrad::kernels {

const OptimizerTable& optimizer_kernels() {
#if defined(XGRAD_X86_ISAS)
  static const std::array<const OptimizerTable*, kIsaCount> tables{
      &baseline::optimizer_table(), &avx2::optimizer_table(), &avx512::optimizer_table()};
#else
  static const std::array<const OptimizerTable*, kIsaCount> tables{
      &baseline::optimizer_table(), &baseline::optimizer_table(), &baseline::optimizer_table()};
#endif
  static const OptimizerTable& table = *tables[std::size_t(active_isa())];
  return table;
}

}  // namespace xgrad::kernels
