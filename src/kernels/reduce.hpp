#pragma once
// Private: reductions over a set of axes, and the inverse broadcast, as tight loops over
// contiguous memory. No autograd here.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/vmath.hpp"
#include "xgrad/shape.hpp"

namespace xgrad::kernels {

/// Validates `axes` against a tensor of `shape` (negative count from the end, empty = all) and
/// returns one flag per dimension. Throws std::invalid_argument naming `op` and the shape.
inline std::vector<bool> reduced_axes(const char* op, const std::vector<int>& axes,
                                      const Shape& shape) {
  const int nd = static_cast<int>(shape.size());
  std::vector<bool> red(shape.size(), axes.empty());
  for (int a : axes) {
    int b = a < 0 ? a + nd : a;
    if (b < 0 || b >= nd) {
      throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(a) +
                                  " is out of range for x shape " + to_string(shape));
    }
    if (red[b]) {
      throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(a) +
                                  " is repeated for x shape " + to_string(shape));
    }
    red[b] = true;
  }
  return red;
}

/// Output shape of a reduction.
inline Shape reduced_shape(const Shape& shape, const std::vector<bool>& red, bool keepdims) {
  Shape out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (!red[i]) {
      out.push_back(shape[i]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

/// Number of elements folded into each output element.
inline std::size_t reduced_count(const Shape& shape, const std::vector<bool>& red) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (red[i]) n *= shape[i];
  }
  return n;
}

/// Walks a tensor of `shape` in memory order, in contiguous runs. For each run calls
/// f(x_offset, out_offset, len, inner_reduced): the run covers x[x_offset .. x_offset + len);
/// if inner_reduced it maps entirely to out[out_offset], else element j maps to
/// out[out_offset + j]. `out` is the reduced tensor (kept dims only, row-major).
template <class F>
void for_each_run(const Shape& shape, const std::vector<bool>& red, F&& f) {
  // Merge adjacent dims with the same flag; drop size-1 dims.
  std::vector<std::size_t> size;
  std::vector<bool> flag;
  std::size_t total = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    total *= shape[i];
    if (shape[i] == 1) continue;
    if (!size.empty() && flag.back() == red[i]) {
      size.back() *= shape[i];
    } else {
      size.push_back(shape[i]);
      flag.push_back(red[i]);
    }
  }
  if (total == 0) return;
  if (size.empty()) {
    f(std::size_t(0), std::size_t(0), std::size_t(1), true);
    return;
  }
  const std::size_t nd = size.size();
  // Output strides (0 for reduced dims).
  std::vector<std::size_t> ostride(nd, 0);
  std::size_t s = 1;
  for (std::size_t i = nd; i-- > 0;) {
    if (!flag[i]) {
      ostride[i] = s;
      s *= size[i];
    }
  }
  const std::size_t len = size[nd - 1];
  const bool inner_red = flag[nd - 1];
  std::vector<std::size_t> idx(nd, 0);
  std::size_t xo = 0, oo = 0;
  const std::size_t runs = total / len;
  for (std::size_t r = 0; r < runs; ++r) {
    f(xo, oo, len, inner_red);
    xo += len;
    // Advance the odometer over dims [0, nd-1).
    for (std::size_t d = nd - 1; d-- > 0;) {
      if (++idx[d] < size[d]) {
        oo += ostride[d];
        break;
      }
      oo -= ostride[d] * (size[d] - 1);
      idx[d] = 0;
    }
  }
}

/// out[kept] = scale * sum over reduced axes of x. `out` has reduced_count-many fewer elements.
template <class T>
void reduce_sum(const T* x, const Shape& shape, const std::vector<bool>& red, T* out,
                std::size_t out_size, T scale) {
  std::fill(out, out + out_size, T(0));
  for_each_run(shape, red, [&](std::size_t xo, std::size_t oo, std::size_t len, bool inner_red) {
    const T* px = x + xo;
    if (inner_red) {
      out[oo] += vmath<T>().sum(px, len);
    } else {
      T* po = out + oo;
      for (std::size_t j = 0; j < len; ++j) po[j] += px[j];
    }
  });
  if (scale != T(1)) {
    for (std::size_t i = 0; i < out_size; ++i) out[i] *= scale;
  }
}

/// x[i] = scale * g[reduced index of i]: the VJP of a sum over the reduced axes.
template <class T>
void broadcast_back(const T* g, const Shape& shape, const std::vector<bool>& red, T* x, T scale) {
  for_each_run(shape, red, [&](std::size_t xo, std::size_t oo, std::size_t len, bool inner_red) {
    T* px = x + xo;
    if (inner_red) {
      const T v = g[oo] * scale;
      for (std::size_t j = 0; j < len; ++j) px[j] = v;
    } else {
      const T* pg = g + oo;
      for (std::size_t j = 0; j < len; ++j) px[j] = pg[j] * scale;
    }
  });
}

}  // namespace xgrad::kernels
