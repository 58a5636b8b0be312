#include "kernels/conv.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "kernels/gemm.hpp"

namespace xgrad::kernels {

Axis same_or_valid_axis(std::size_t in, std::size_t k, std::size_t stride, bool same) {
  Axis a;
  if (same) {
    a.out = (in + stride - 1) / stride;
    const std::size_t span = a.out == 0 ? 0 : (a.out - 1) * stride + k;
    const std::size_t total = span > in ? span - in : 0;
    a.pad_before = total / 2;
  } else {
    a.out = in >= k ? (in - k) / stride + 1 : 0;
    a.pad_before = 0;
  }
  return a;
}

namespace {

std::size_t block_bytes_from_env() {
  if (const char* s = std::getenv("XGRAD_CONV_BLOCK_BYTES")) {
    return std::size_t(std::strtoull(s, nullptr, 10));
  }
  return std::size_t(1) << 20;  // 1 MiB: half of this machine's per-core L2
}

std::size_t g_block_bytes = block_bytes_from_env();

/// Per-thread scratch that only grows: no allocation (and no page faults) per call.
template <class T>
T* scratch(std::size_t n) {
  thread_local std::unique_ptr<T[]> buf;
  thread_local std::size_t cap = 0;
  if (n > cap) {
    buf.reset(new T[n]);
    cap = n;
  }
  return buf.get();
}

// Short runs (the common case: kw * c is 3..~200 values) are copied inline; libc's memcpy
// call overhead dominates for a few floats.
template <class T>
inline void copy_run(T* __restrict dst, const T* __restrict src, std::size_t n) {
  if (n * sizeof(T) >= 256) {
    std::memcpy(dst, src, n * sizeof(T));
    return;
  }
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

template <class T>
inline void zero_run(T* dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = T(0);
}

template <class T>
inline void add_run(T* __restrict dst, const T* __restrict src, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
}

/// Visits the rows [row_begin, row_end) of im2col: for each (row, kh) calls
/// seg(col_segment, input_offset_or_npos, kw_lo, kw_hi) describing one kh slice.
/// Within a slice, [kw_lo, kw_hi) is the part of the kernel row that lies inside the input:
/// it maps to a contiguous run of (kw_hi - kw_lo) * c input values in NHWC.
template <class Seg>
inline void for_each_segment(const ConvGeometry& g, std::size_t row_begin, std::size_t row_end,
                             Seg&& seg) {
  const std::ptrdiff_t H = std::ptrdiff_t(g.h), W = std::ptrdiff_t(g.w);
  const std::ptrdiff_t KW = std::ptrdiff_t(g.kw);
  const std::size_t K = g.cols();
  const std::size_t run = g.kw * g.c;
  std::size_t r = row_begin;
  std::size_t n = r / (g.oh * g.ow);
  std::size_t rem = r % (g.oh * g.ow);
  std::size_t oy = rem / g.ow, ox = rem % g.ow;
  for (std::size_t local = 0; r < row_end; ++r, ++local) {
    const std::ptrdiff_t iy0 = std::ptrdiff_t(oy * g.sh) - std::ptrdiff_t(g.pad_top);
    const std::ptrdiff_t ix0 = std::ptrdiff_t(ox * g.sw) - std::ptrdiff_t(g.pad_left);
    const std::ptrdiff_t kw_lo = ix0 < 0 ? std::min(-ix0, KW) : 0;
    const std::ptrdiff_t kw_hi = std::max(kw_lo, std::min(KW, W - ix0));
    const std::size_t col_row = local * K;
    for (std::size_t ky = 0; ky < g.kh; ++ky) {
      const std::ptrdiff_t iy = iy0 + std::ptrdiff_t(ky);
      const std::size_t col_off = col_row + ky * run;
      if (iy < 0 || iy >= H || kw_hi == kw_lo) {
        seg(col_off, std::size_t(-1), std::size_t(0), std::size_t(0));
      } else {
        const std::size_t in_off =
            ((n * g.h + std::size_t(iy)) * g.w + std::size_t(ix0 + kw_lo)) * g.c;
        seg(col_off, in_off, std::size_t(kw_lo), std::size_t(kw_hi));
      }
    }
    if (++ox == g.ow) {
      ox = 0;
      if (++oy == g.oh) {
        oy = 0;
        ++n;
      }
    }
  }
}

template <class T>
std::size_t block_rows(const ConvGeometry& g) {
  const std::size_t M = g.rows();
  const std::size_t row_bytes = std::max<std::size_t>(1, g.cols() * sizeof(T));
  if (g_block_bytes == 0) return M;
  const std::size_t rows = std::max<std::size_t>(g_block_bytes / row_bytes, 1);
  return std::min(M, rows);
}

}  // namespace

void set_conv_block_bytes(std::size_t bytes) { g_block_bytes = bytes; }
std::size_t conv_block_bytes() { return g_block_bytes; }

template <class T>
void im2col(const ConvGeometry& g, const T* in, T* col, std::size_t row_begin,
            std::size_t row_end) {
  const std::size_t run = g.kw * g.c;
  const std::size_t c = g.c;
  for_each_segment(g, row_begin, row_end,
                   [&](std::size_t col_off, std::size_t in_off, std::size_t lo, std::size_t hi) {
                     T* dst = col + col_off;
                     if (in_off == std::size_t(-1)) {
                       zero_run(dst, run);
                       return;
                     }
                     zero_run(dst, lo * c);
                     copy_run(dst + lo * c, in + in_off, (hi - lo) * c);
                     zero_run(dst + hi * c, run - hi * c);
                   });
}

template <class T>
void col2im_add(const ConvGeometry& g, const T* col, T* grad_in, std::size_t row_begin,
                std::size_t row_end) {
  const std::size_t c = g.c;
  for_each_segment(g, row_begin, row_end,
                   [&](std::size_t col_off, std::size_t in_off, std::size_t lo, std::size_t hi) {
                     if (in_off == std::size_t(-1)) return;
                     add_run(grad_in + in_off, col + col_off + lo * c, (hi - lo) * c);
                   });
}

template <class T>
void conv2d_forward(const ConvGeometry& g, const T* in, const T* filter, T* out) {
  const std::size_t M = g.rows(), K = g.cols(), O = g.o;
  if (M == 0 || O == 0) return;
  if (K == 0) {
    std::fill(out, out + M * O, T(0));
    return;
  }
  if (g.pointwise()) {
    gemm<T>(false, false, M, O, K, T(1), in, K, filter, O, T(0), out, O);
    return;
  }
  const std::size_t B = block_rows<T>(g);
  T* col = scratch<T>(B * K);
  for (std::size_t r0 = 0; r0 < M; r0 += B) {
    const std::size_t r1 = std::min(M, r0 + B);
    im2col(g, in, col, r0, r1);
    gemm<T>(false, false, r1 - r0, O, K, T(1), col, K, filter, O, T(0), out + r0 * O, O);
  }
}

template <class T>
void conv2d_backward(const ConvGeometry& g, const T* in, const T* filter, const T* grad_out,
                     T* grad_in, T* grad_filter) {
  const std::size_t M = g.rows(), K = g.cols(), O = g.o;
  if (grad_in) std::fill(grad_in, grad_in + g.n * g.h * g.w * g.c, T(0));
  if (M == 0 || O == 0 || K == 0) {
    if (grad_filter) std::fill(grad_filter, grad_filter + K * O, T(0));
    return;
  }
  if (g.pointwise()) {
    // dW[c, o] = x^T g ; dX[m, c] = g W^T.
    if (grad_filter) gemm<T>(true, false, K, O, M, T(1), in, K, grad_out, O, T(0), grad_filter, O);
    if (grad_in) gemm<T>(false, true, M, K, O, T(1), grad_out, O, filter, O, T(0), grad_in, K);
    return;
  }
  const std::size_t B = block_rows<T>(g);
  T* col = scratch<T>(B * K);
  for (std::size_t r0 = 0; r0 < M; r0 += B) {
    const std::size_t r1 = std::min(M, r0 + B);
    const std::size_t rows = r1 - r0;
    const T* g_blk = grad_out + r0 * O;
    if (grad_filter) {
      // dW[K, O] (+)= col^T[K, rows] * g[rows, O]
      im2col(g, in, col, r0, r1);
      gemm<T>(true, false, K, O, rows, T(1), col, K, g_blk, O, r0 == 0 ? T(0) : T(1), grad_filter,
              O);
    }
    if (grad_in) {
      // dcol[rows, K] = g[rows, O] * W^T[O, K], then scattered back (reusing col's buffer).
      gemm<T>(false, true, rows, K, O, T(1), g_blk, O, filter, O, T(0), col, K);
      col2im_add(g, col, grad_in, r0, r1);
    }
  }
}

template void im2col<float>(const ConvGeometry&, const float*, float*, std::size_t, std::size_t);
template void im2col<double>(const ConvGeometry&, const double*, double*, std::size_t,
                             std::size_t);
template void col2im_add<float>(const ConvGeometry&, const float*, float*, std::size_t,
                                std::size_t);
template void col2im_add<double>(const ConvGeometry&, const double*, double*, std::size_t,
                                 std::size_t);
template void conv2d_forward<float>(const ConvGeometry&, const float*, const float*, float*);
template void conv2d_forward<double>(const ConvGeometry&, const double*, const double*, double*);
template void conv2d_backward<float>(const ConvGeometry&, const float*, const float*,
                                     const float*, float*, float*);
template void conv2d_backward<double>(const ConvGeometry&, const double*, const double*,
                                      const double*, double*, double*);

}  // namespace xgrad::kernels
