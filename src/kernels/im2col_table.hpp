#pragma once
// Private: im2col and col2im_add (conv.hpp) of one instruction set, as a table; conv.cpp calls
// the active set's (one family of isa_dispatch.hpp; the loops: simd/im2col.cpp).
#include <cstddef>

#include "kernels/conv.hpp"
#include "kernels/isa_dispatch.hpp"

namespace xgrad::kernels {

template <class T>
struct Im2colTable {
  void (*im2col)(const ConvGeometry&, const T*, T*, std::size_t, std::size_t);
  void (*col2im_add)(const ConvGeometry&, const T*, T*, std::size_t, std::size_t);
};

}  // namespace xgrad::kernels
