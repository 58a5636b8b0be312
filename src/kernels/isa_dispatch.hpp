#pragma once
// Private: the one chooser for every family of hand-vectorised kernels. A family is a table of
// function pointers (vmath_table.hpp, batch_norm_table.hpp, ...) whose loops live in one
// source, src/kernels/simd/<family>.cpp, that CMake compiles once per instruction set of the
// target (src/CMakeLists.txt, xgrad_compile_per_isa). Each of those compilations defines the
// family's compiled_for<Table, isa>() (per_isa.hpp); callers take a table from for_isa (the
// tests that compare the sets) or active (everything else). Adding a family or a set:
// src/kernels/README.md.
#include <array>
#include <cstddef>
#include <utility>

#include "kernels/simd_isa.hpp"

namespace xgrad::kernels {

/// The kernels of family `Table` compiled for `isa`: defined by src/kernels/simd/<family>.cpp
/// as compiled for that set (XGRAD_ISA_TABLE in per_isa.hpp), only for the sets isa_built.
template <class Table, Isa isa>
const Table& compiled_for();

namespace detail {
template <class Table, std::size_t... I>
std::array<const Table*, kIsaCount> isa_tables(std::index_sequence<I...>) {
  return {&compiled_for<Table, isa_built(Isa(I)) ? Isa(I) : Isa::Baseline>()...};
}
}  // namespace detail

/// The kernels of family `Table` for `isa`; a set this build has no code for gets the
/// baseline ones.
template <class Table>
const Table& for_isa(Isa isa) {
  static const std::array<const Table*, kIsaCount> tables =
      detail::isa_tables<Table>(std::make_index_sequence<kIsaCount>());
  return *tables[std::size_t(isa)];
}

/// The kernels of family `Table` for the set in use (active_isa()), chosen on first use.
template <class Table>
const Table& active() {
  static const Table& table = for_isa<Table>(active_isa());
  return table;
}

}  // namespace xgrad::kernels
