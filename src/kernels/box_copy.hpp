#pragma once
// Private: copying a rectangular box between row-major arrays of different shapes (the body
// of slice, pad and concat, and of their gradients). No autograd here.
#include <algorithm>
#include <vector>

#include "xgrad/shape.hpp"

namespace xgrad::kernels {

/// dst[dst_begin + i] = src[src_begin + i] (or +=, with `accumulate`) for every index i of a
/// box of extent `box`. All shapes have the same rank; the box fits in both arrays.
template <class T>
void copy_box(const T* src, const Shape& src_shape, const Shape& src_begin, T* dst,
              const Shape& dst_shape, const Shape& dst_begin, const Shape& box,
              bool accumulate = false) {
  const std::size_t nd = box.size();
  if (num_elements(box) == 0) return;
  if (nd == 0) {
    *dst = accumulate ? *dst + *src : *src;
    return;
  }
  std::vector<std::size_t> ss(nd, 1), ds(nd, 1);
  for (std::size_t d = nd - 1; d-- > 0;) {
    ss[d] = ss[d + 1] * src_shape[d + 1];
    ds[d] = ds[d + 1] * dst_shape[d + 1];
  }
  std::size_t so = 0, dso = 0;
  for (std::size_t d = 0; d < nd; ++d) {
    so += src_begin[d] * ss[d];
    dso += dst_begin[d] * ds[d];
  }
  const std::size_t run = box[nd - 1];
  std::vector<std::size_t> idx(nd, 0);
  const std::size_t runs = num_elements(box) / run;
  for (std::size_t r = 0; r < runs; ++r) {
    const T* s = src + so;
    T* o = dst + dso;
    if (accumulate) {
      for (std::size_t j = 0; j < run; ++j) o[j] += s[j];
    } else {
      std::copy(s, s + run, o);
    }
    // Advance the odometer over dims [0, nd-1).
    for (std::size_t d = nd - 1; d-- > 0;) {
      if (++idx[d] < box[d]) {
        so += ss[d];
        dso += ds[d];
        break;
      }
      so -= ss[d] * (box[d] - 1);
      dso -= ds[d] * (box[d] - 1);
      idx[d] = 0;
    }
  }
}

}  // namespace xgrad::kernels
