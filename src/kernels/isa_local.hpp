#pragma once
// Private, for the kernels compiled once per instruction set (src/kernels/simd/): std
// containers whose member functions stay local to the translation unit. A std::vector<int>
// compiled with -march=x86-64-v4 is an ordinary inline function the linker may pick for the
// whole library (one copy of each), and run as AVX-512 code on an AVX2 CPU; with an allocator
// type of the unnamed namespace it is a distinct function in each translation unit.
#include <memory>
#include <vector>

#ifndef XGRAD_SIMD_NS
#error "define XGRAD_SIMD_NS (the instruction set's namespace) before including this file"
#endif

namespace xgrad::kernels::XGRAD_SIMD_NS {
namespace {

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
