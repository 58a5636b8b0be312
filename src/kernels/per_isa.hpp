#pragma once
// Private, for the kernel sources compiled once per instruction set (src/kernels/simd/*.cpp;
// src/CMakeLists.txt compiles each with the set's flags and XGRAD_SIMD_NS naming it). Their
// code lives in namespace xgrad::kernels::XGRAD_SIMD_NS or an unnamed one, so the copies never
// meet at link time; XGRAD_ISA_TABLE hands the set's table to the chooser (isa_dispatch.hpp).
#include <memory>
#include <vector>

#include "kernels/isa_dispatch.hpp"

#ifndef XGRAD_SIMD_NS
#error "compile this file through xgrad_compile_per_isa (src/CMakeLists.txt): XGRAD_SIMD_NS names the instruction set"
#endif

/// At namespace xgrad::kernels scope: `table` (a constant of type `Table`) is the family's
/// kernels compiled for this file's set. Constant-initialised tables only: building one at
/// start-up would run this file's instructions on any CPU.
#define XGRAD_ISA_TABLE(Table, table)                        \
  template <>                                               \
  const Table& compiled_for<Table, XGRAD_SIMD_NS::kIsa>() { \
    return table;                                           \
  }
/// The same for a family over float and double: Table<T> is table<T>.
#define XGRAD_ISA_TABLES(Table, table)           \
  XGRAD_ISA_TABLE(Table<float>, table<float>)    \
  XGRAD_ISA_TABLE(Table<double>, table<double>)

namespace xgrad::kernels::XGRAD_SIMD_NS {
namespace {

// std containers whose member functions stay local to the translation unit. A
// std::vector<int> compiled with -march=x86-64-v4 is an ordinary inline function the linker
// may pick for the whole library (one copy of each), and run as AVX-512 code on an AVX2 CPU;
// with an allocator type of the unnamed namespace it is a distinct function in each
// translation unit.
template <class T>
struct LocalAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = LocalAllocator<U>;
  };
  LocalAllocator() = default;
  template <class U>
  LocalAllocator(const LocalAllocator<U>&) {}
};
template <class T>
using vector = std::vector<T, LocalAllocator<T>>;

/// unique_ptr<T[], DeleteArray>: likewise for unique_ptr's destructor.
struct DeleteArray {
  template <class T>
  void operator()(T* p) const { delete[] p; }
};

}  // namespace
}  // namespace xgrad::kernels::XGRAD_SIMD_NS
