#pragma once
// Naive nested-loop references for the windowed NHWC ops (conv2d, max and average pooling),
// with TensorFlow's SAME/VALID rules derived here independently from the library. Shared by
// tests/ops/test_conv2d.cpp, tests/ops/test_pooling.cpp and the op table.
#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>

#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>

#include "xgrad/ops/conv.hpp"

namespace xgrad::test {

/// Output size and leading pad of one axis (input `in`, kernel `k`, stride `s`).
inline void axis_ref(std::size_t in, std::size_t k, std::size_t s, Padding p, std::size_t& out,
                     long& pad_before) {
  if (p == Padding::Same) {
    out = (in + s - 1) / s;
    const long total = long((out - 1) * s + k) - long(in);
    pad_before = std::max(total, 0L) / 2;
  } else {
    out = (in - k) / s + 1;
    pad_before = 0;
  }
}

/// Direct nested-loop convolution (input NHWC, filter HWIO), accumulated in double.
template <class T>
xt::xarray<T> conv_ref(const xt::xarray<T>& x, const xt::xarray<T>& w, std::size_t sh,
                       std::size_t sw, Padding p) {
  const std::size_t N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], C = x.shape()[3];
  const std::size_t KH = w.shape()[0], KW = w.shape()[1], O = w.shape()[3];
  std::size_t OH, OW;
  long pt, pl;
  axis_ref(H, KH, sh, p, OH, pt);
  axis_ref(W, KW, sw, p, OW, pl);
  xt::xarray<T> y = xt::zeros<T>({N, OH, OW, O});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t oy = 0; oy < OH; ++oy)
      for (std::size_t ox = 0; ox < OW; ++ox)
        for (std::size_t o = 0; o < O; ++o) {
          double acc = 0;
          for (std::size_t ky = 0; ky < KH; ++ky)
            for (std::size_t kx = 0; kx < KW; ++kx) {
              long iy = long(oy * sh + ky) - pt, ix = long(ox * sw + kx) - pl;
              if (iy < 0 || ix < 0 || iy >= long(H) || ix >= long(W)) continue;
              for (std::size_t c = 0; c < C; ++c)
                acc += double(x(n, std::size_t(iy), std::size_t(ix), c)) * double(w(ky, kx, c, o));
            }
          y(n, oy, ox, o) = T(acc);
        }
  return y;
}

/// Direct pooling reference: max or mean over the real (unpadded) elements of each window.
inline xt::xarray<double> pool_ref(const xt::xarray<double>& x, std::array<std::size_t, 2> k,
                                   std::array<std::size_t, 2> s, Padding p, bool is_max) {
  const std::size_t N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], C = x.shape()[3];
  std::size_t OH, OW;
  long pt, pl;
  axis_ref(H, k[0], s[0], p, OH, pt);
  axis_ref(W, k[1], s[1], p, OW, pl);
  xt::xarray<double> y = xt::zeros<double>({N, OH, OW, C});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t oy = 0; oy < OH; ++oy)
      for (std::size_t ox = 0; ox < OW; ++ox)
        for (std::size_t c = 0; c < C; ++c) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int count = 0;
          for (std::size_t ky = 0; ky < k[0]; ++ky)
            for (std::size_t kx = 0; kx < k[1]; ++kx) {
              long iy = long(oy * s[0] + ky) - pt, ix = long(ox * s[1] + kx) - pl;
              if (iy < 0 || ix < 0 || iy >= long(H) || ix >= long(W)) continue;
              double v = x(n, std::size_t(iy), std::size_t(ix), c);
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          y(n, oy, ox, c) = is_max ? best : sum / count;
        }
  return y;
}

}  // namespace xgrad::test
