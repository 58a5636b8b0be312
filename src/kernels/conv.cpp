#include "kernels/conv.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "kernels/conv_direct.hpp"
#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"

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

ConvGeometry make_geometry(std::size_t n, std::size_t h, std::size_t w, std::size_t c,
                           std::size_t kh, std::size_t kw, std::size_t o, std::size_t sh,
                           std::size_t sw, bool same) {
  ConvGeometry g;
  g.n = n;
  g.h = h;
  g.w = w;
  g.c = c;
  g.kh = kh;
  g.kw = kw;
  g.o = o;
  g.sh = sh;
  g.sw = sw;
  const Axis ay = same_or_valid_axis(h, kh, sh, same);
  const Axis ax = same_or_valid_axis(w, kw, sw, same);
  g.oh = ay.out;
  g.ow = ax.out;
  g.pad_top = ay.pad_before;
  g.pad_left = ax.pad_before;
  return g;
}

namespace {

constexpr std::size_t kNoRow = std::size_t(-1);

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* s = std::getenv(name);
  return s ? std::size_t(std::strtoull(s, nullptr, 10)) : fallback;
}

ConvDirect env_direct(const char* name, ConvDirect fallback) {
  const char* s = std::getenv(name);
  if (!s) return fallback;
  if (!std::strcmp(s, "always") || !std::strcmp(s, "1")) return ConvDirect::Always;
  if (!std::strcmp(s, "never") || !std::strcmp(s, "0")) return ConvDirect::Never;
  return ConvDirect::Auto;
}

ConvTuning tuning_from_env() {
  ConvTuning t;
  t.block_bytes = env_size("XGRAD_CONV_BLOCK_BYTES", t.block_bytes);
  t.dw_transposed = env_size("XGRAD_CONV_DW_T", t.dw_transposed ? 1 : 0) != 0;
  t.direct = env_direct("XGRAD_CONV_DIRECT", t.direct);
  return t;
}

ConvTuning g_tuning = tuning_from_env();

/// Per-thread scratch that only grows: no allocation (and no page faults) per call.
template <class T, int Slot = 0>
T* scratch(std::size_t n) {
  thread_local std::unique_ptr<T[]> buf;
  thread_local std::size_t cap = 0;
  if (n > cap) {
    buf.reset(new T[n]);
    cap = n;
  }
  return buf.get();
}

// Runs of kw * c values (3..~700 here) are copied, zeroed or added with AVX-512 when
// available: GCC otherwise turns the short loops into memcpy/memset calls (or one variable-size
// call per run), whose call overhead dominates at a few floats per run (measured: im2col of the
// first layer, runs of 3 floats, 2-3x slower). Runs of up to 16 values take one masked load and
// one masked store. Longer runs store full vectors; their tail is loaded under a mask but
// stored full width: the stores of im2col go strictly upwards, so each overhang is overwritten
// by the next run, and the last one lands in the kColSlack elements allocated past the end of
// the buffer. add_run (col2im) cannot overwrite: its tail reads the destination full width and
// adds zeros past the run when that stays inside the destination (`end`), else it masks.
#if defined(__AVX512F__) && defined(__AVX512VL__)
inline __mmask16 tail_mask16(std::size_t n) { return __mmask16((1u << n) - 1u); }
inline __mmask8 tail_mask8(std::size_t n) { return __mmask8((1u << n) - 1u); }

// Short runs (up to 16 values): one masked load and one masked store of the narrowest vector
// that holds them (AVX-512VL).
inline void copy_short(float* __restrict d, const float* __restrict s, std::size_t n) {
  if (n <= 4) {
    const __mmask8 m = __mmask8((1u << n) - 1u);
    _mm_mask_storeu_ps(d, m, _mm_maskz_loadu_ps(m, s));
  } else if (n <= 8) {
    const __mmask8 m = __mmask8((1u << n) - 1u);
    _mm256_mask_storeu_ps(d, m, _mm256_maskz_loadu_ps(m, s));
  } else {
    const __mmask16 m = tail_mask16(n);
    _mm512_mask_storeu_ps(d, m, _mm512_maskz_loadu_ps(m, s));
  }
}
inline void zero_short(float* d, std::size_t n) {
  if (n <= 4) {
    _mm_mask_storeu_ps(d, __mmask8((1u << n) - 1u), _mm_setzero_ps());
  } else if (n <= 8) {
    _mm256_mask_storeu_ps(d, __mmask8((1u << n) - 1u), _mm256_setzero_ps());
  } else {
    _mm512_mask_storeu_ps(d, tail_mask16(n), _mm512_setzero_ps());
  }
}
inline void copy_short(double* __restrict d, const double* __restrict s, std::size_t n) {
  if (n <= 8) {
    const __mmask8 m = tail_mask8(n);
    _mm512_mask_storeu_pd(d, m, _mm512_maskz_loadu_pd(m, s));
  } else {
    _mm512_storeu_pd(d, _mm512_loadu_pd(s));
    const __mmask8 m = tail_mask8(n - 8);
    _mm512_mask_storeu_pd(d + 8, m, _mm512_maskz_loadu_pd(m, s + 8));
  }
}
inline void zero_short(double* d, std::size_t n) {
  if (n <= 8) {
    _mm512_mask_storeu_pd(d, tail_mask8(n), _mm512_setzero_pd());
  } else {
    _mm512_storeu_pd(d, _mm512_setzero_pd());
    _mm512_mask_storeu_pd(d + 8, tail_mask8(n - 8), _mm512_setzero_pd());
  }
}

inline void copy_run(float* __restrict d, const float* __restrict s, std::size_t n) {
  if (n <= 16) return copy_short(d, s, n);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, _mm512_loadu_ps(s + i));
  if (i < n) _mm512_storeu_ps(d + i, _mm512_maskz_loadu_ps(tail_mask16(n - i), s + i));
}
inline void zero_run(float* d, std::size_t n) {
  if (n <= 16) return zero_short(d, n);
  std::size_t i = 0;
  for (; i < n; i += 16) _mm512_storeu_ps(d + i, _mm512_setzero_ps());
}
inline void add_run(float* __restrict d, const float* __restrict s, std::size_t n,
                    const float* end) {
  if (n < 16) {
    for (std::size_t i = 0; i < n; ++i) d[i] += s[i];
    return;
  }
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(d + i, _mm512_add_ps(_mm512_loadu_ps(d + i), _mm512_loadu_ps(s + i)));
  }
  if (i < n) {
    const __mmask16 m = tail_mask16(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(m, s + i);
    if (d + i + 16 <= end) {
      _mm512_storeu_ps(d + i, _mm512_add_ps(_mm512_loadu_ps(d + i), v));
    } else {
      _mm512_mask_storeu_ps(d + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, d + i), v));
    }
  }
}
inline void copy_run(double* __restrict d, const double* __restrict s, std::size_t n) {
  if (n <= 16) return copy_short(d, s, n);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(d + i, _mm512_loadu_pd(s + i));
  if (i < n) _mm512_storeu_pd(d + i, _mm512_maskz_loadu_pd(tail_mask8(n - i), s + i));
}
inline void zero_run(double* d, std::size_t n) {
  if (n <= 16) return zero_short(d, n);
  const __m512d z = _mm512_setzero_pd();
  for (std::size_t i = 0; i < n; i += 8) _mm512_storeu_pd(d + i, z);
}
inline void add_run(double* __restrict d, const double* __restrict s, std::size_t n,
                    const double* end) {
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) d[i] += s[i];
    return;
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm512_storeu_pd(d + i, _mm512_add_pd(_mm512_loadu_pd(d + i), _mm512_loadu_pd(s + i)));
  }
  if (i < n) {
    const __mmask8 m = tail_mask8(n - i);
    const __m512d v = _mm512_maskz_loadu_pd(m, s + i);
    if (d + i + 8 <= end) {
      _mm512_storeu_pd(d + i, _mm512_add_pd(_mm512_loadu_pd(d + i), v));
    } else {
      _mm512_mask_storeu_pd(d + i, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, d + i), v));
    }
  }
}
#else
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
inline void add_run(T* __restrict dst, const T* __restrict src, std::size_t n, const T*) {
  for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
}
#endif

/// Walks the rows [row_begin, row_end) of im2col output line by output line (fixed n, oy):
/// for each output pixel, calls visit(local_row, ix0, lo, hi, line_offsets) where
/// line_offsets[ky] is the NHWC offset of input row iy = oy*sh - pad_top + ky (or npos when
/// that row is padding), ix0 = ox*sw - pad_left, and [lo, hi) is the part of the kernel row
/// inside the input: it maps to a contiguous run of (hi - lo) * c input values.
template <class Visit>
inline void for_each_pixel(const ConvGeometry& g, std::size_t row_begin, std::size_t row_end,
                           std::vector<std::size_t>& line, Visit&& visit) {
  const std::ptrdiff_t KW = std::ptrdiff_t(g.kw), W = std::ptrdiff_t(g.w);
  const std::size_t plane = g.oh * g.ow;
  line.resize(g.kh);
  std::size_t r = row_begin;
  while (r < row_end) {
    const std::size_t n = r / plane, rem = r % plane;
    const std::size_t oy = rem / g.ow, ox0 = rem % g.ow;
    const std::size_t ox1 = std::min(g.ow, ox0 + (row_end - r));
    const std::ptrdiff_t iy0 = std::ptrdiff_t(oy * g.sh) - std::ptrdiff_t(g.pad_top);
    for (std::size_t ky = 0; ky < g.kh; ++ky) {
      const std::ptrdiff_t iy = iy0 + std::ptrdiff_t(ky);
      line[ky] = (iy < 0 || iy >= std::ptrdiff_t(g.h))
                     ? kNoRow
                     : (n * g.h + std::size_t(iy)) * g.w * g.c;
    }
    std::size_t local = r - row_begin;
    for (std::size_t ox = ox0; ox < ox1; ++ox, ++local) {
      const std::ptrdiff_t ix0 = std::ptrdiff_t(ox * g.sw) - std::ptrdiff_t(g.pad_left);
      const std::ptrdiff_t lo = ix0 < 0 ? std::min(-ix0, KW) : 0;
      const std::ptrdiff_t hi = std::max(lo, std::min(KW, W - ix0));
      visit(local, ix0, std::size_t(lo), std::size_t(hi), line.data());
    }
    r += ox1 - ox0;
  }
}

template <class T>
std::size_t block_rows(const ConvGeometry& g) {
  const std::size_t M = g.rows();
  const std::size_t row_bytes = std::max<std::size_t>(1, g.cols() * sizeof(T));
  if (g_tuning.block_bytes == 0) return M;
  const std::size_t rows = std::max<std::size_t>(g_tuning.block_bytes / row_bytes, 1);
  return std::min(M, rows);
}

}  // namespace

ConvTuning& conv_tuning() { return g_tuning; }

template <class T>
void im2col(const ConvGeometry& g, const T* in, T* col, std::size_t row_begin,
            std::size_t row_end) {
  const std::size_t run = g.kw * g.c, c = g.c, K = g.cols(), KH = g.kh, KW = g.kw;
  thread_local std::vector<std::size_t> line;
  // Writes go strictly upwards (pixel by pixel, ky by ky): see copy_run.
  for_each_pixel(g, row_begin, row_end, line,
                 [&](std::size_t local, std::ptrdiff_t ix0, std::size_t lo, std::size_t hi,
                     const std::size_t* rows) {
                   T* dst = col + local * K;
                   if (lo == 0 && hi == KW) {  // interior column: one run per kernel row
                     const T* src = in + ix0 * std::ptrdiff_t(c);
                     for (std::size_t ky = 0; ky < KH; ++ky, dst += run) {
                       if (rows[ky] == kNoRow) {
                         zero_run(dst, run);
                       } else {
                         copy_run(dst, src + rows[ky], run);
                       }
                     }
                     return;
                   }
                   const T* src = in + (ix0 + std::ptrdiff_t(lo)) * std::ptrdiff_t(c);
                   for (std::size_t ky = 0; ky < KH; ++ky, dst += run) {
                     if (rows[ky] == kNoRow || hi == lo) {
                       zero_run(dst, run);
                       continue;
                     }
                     zero_run(dst, lo * c);
                     copy_run(dst + lo * c, src + rows[ky], (hi - lo) * c);
                     zero_run(dst + hi * c, run - hi * c);
                   }
                 });
}

#if defined(__AVX2__)
/// dst += src for exactly 16 / 32 bytes of floats or doubles.
inline void add16(float* d, const float* s) {
  _mm_storeu_ps(d, _mm_add_ps(_mm_loadu_ps(d), _mm_loadu_ps(s)));
}
inline void add16(double* d, const double* s) {
  _mm_storeu_pd(d, _mm_add_pd(_mm_loadu_pd(d), _mm_loadu_pd(s)));
}
inline void add32(float* d, const float* s) {
  _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), _mm256_loadu_ps(s)));
}
inline void add32(double* d, const double* s) {
  _mm256_storeu_pd(d, _mm256_add_pd(_mm256_loadu_pd(d), _mm256_loadu_pd(s)));
}
#else
template <class T>
inline void add16(T* d, const T* s) {
  for (std::size_t i = 0; i < 16 / sizeof(T); ++i) d[i] += s[i];
}
template <class T>
inline void add32(T* d, const T* s) {
  for (std::size_t i = 0; i < 32 / sizeof(T); ++i) d[i] += s[i];
}
#endif

template <class T>
void col2im_add(const ConvGeometry& g, const T* col, T* grad_in, std::size_t row_begin,
                std::size_t row_end) {
  // Scatter-add, ordered (line, ky, kx, ox): successive adds hit distinct input pixels, so
  // there is no store-to-load dependency chain (pixel-major order would add each input value
  // kw times in a row through memory).
  const std::size_t c = g.c, K = g.cols();
  const T* end = grad_in + g.n * g.h * g.w * g.c;
  const std::ptrdiff_t pl = std::ptrdiff_t(g.pad_left), sw = std::ptrdiff_t(g.sw);
  const std::ptrdiff_t W = std::ptrdiff_t(g.w);
  const std::size_t plane = g.oh * g.ow;
  std::size_t r = row_begin;
  while (r < row_end) {
    const std::size_t n = r / plane, rem = r % plane;
    const std::size_t oy = rem / g.ow, ox0 = rem % g.ow;
    const std::size_t ox1 = std::min(g.ow, ox0 + (row_end - r));
    const std::ptrdiff_t iy0 = std::ptrdiff_t(oy * g.sh) - std::ptrdiff_t(g.pad_top);
    const T* line_col = col + (r - row_begin) * K;  // row of pixel ox0
    for (std::size_t ky = 0; ky < g.kh; ++ky) {
      const std::ptrdiff_t iy = iy0 + std::ptrdiff_t(ky);
      if (iy < 0 || iy >= std::ptrdiff_t(g.h)) continue;
      T* dline = grad_in + (n * g.h + std::size_t(iy)) * g.w * c;
      for (std::size_t kx = 0; kx < g.kw; ++kx) {
        // ix = ox * sw - pl + kx must lie in [0, W).
        const std::ptrdiff_t k = std::ptrdiff_t(kx);
        std::ptrdiff_t lo = pl - k > 0 ? (pl - k + sw - 1) / sw : 0;
        std::ptrdiff_t hi = W - 1 + pl - k >= 0 ? (W - 1 + pl - k) / sw + 1 : 0;
        lo = std::max(lo, std::ptrdiff_t(ox0));
        hi = std::min(hi, std::ptrdiff_t(ox1));
        if (lo >= hi) continue;
        const T* src = line_col + (std::size_t(lo) - ox0) * K + (ky * g.kw + kx) * c;
        T* dst = dline + (lo * sw - pl + k) * std::ptrdiff_t(c);
        const std::size_t dstep = std::size_t(sw) * c;
        const std::size_t count = std::size_t(hi - lo);
        if (c == 1) {
          for (std::size_t i = 0; i < count; ++i) dst[i * dstep] += src[i * K];
        } else if (c * sizeof(T) == 16) {
          for (std::size_t i = 0; i < count; ++i, src += K, dst += dstep) add16(dst, src);
        } else if (c * sizeof(T) == 32) {
          for (std::size_t i = 0; i < count; ++i, src += K, dst += dstep) add32(dst, src);
        } else {
          for (std::size_t i = 0; i < count; ++i, src += K, dst += dstep) add_run(dst, src, c, end);
        }
      }
    }
    r += ox1 - ox0;
  }
}

namespace {

/// dst[c, r] = src[r, c] for a rows x cols row-major src.
template <class T>
void transpose_into(const T* src, std::size_t rows, std::size_t cols, T* dst, std::size_t ld_dst) {
  for (std::size_t r = 0; r < rows; ++r) {
    const T* s = src + r * cols;
    for (std::size_t c = 0; c < cols; ++c) dst[c * ld_dst + r] = s[c];
  }
}

}  // namespace

namespace {

enum class Pass { Forward, InputGrad, FilterGrad };

/// Whether `pass` of this convolution runs the direct kernels (conv_direct.hpp).
bool use_direct(const ConvGeometry& g, Pass pass) {
  switch (g_tuning.direct) {
    case ConvDirect::Always: return true;
    case ConvDirect::Never: return false;
    case ConvDirect::Auto: break;
  }
  if (g.pointwise()) return false;  // no im2col to save: one plain GEMM
  // Measured on the 3x3 SAME layers of bench_conv (batch 64, 1 thread, ms im2col -> direct):
  // forward c1o4 0.46 -> 0.18, c4o8 0.99 -> 0.58, c12o16 0.66 -> 0.61, c16o20 1.09 -> 0.96, but
  // stride 2 c8o12 0.54 -> 0.58, c20o24 0.39 -> 0.62; input gradient c1o4 0.48 -> 0.20, c4o8
  // 0.84 -> 0.79, c12o16 0.79 -> 0.63, c16o20 1.04 -> 0.97, stride 2 c8o12 0.43 -> 0.47 (its
  // phases write strided rows); filter gradient c1o4 0.46 -> 0.18, c4o8 1.0 -> 0.76, c8o12
  // 0.42 -> 0.77 (GEMM reuses each loaded value more than the per-tap dot products).
  const std::size_t co = g.c * g.o;
  const bool unstrided = g.sh == 1 && g.sw == 1;
  switch (pass) {
    case Pass::Forward: return co <= 320 && (unstrided || co <= 32);
    case Pass::InputGrad: return co <= 320 && unstrided;
    case Pass::FilterGrad: return co <= 32;
  }
  return false;
}

// A thread must get at least this many flops of convolution (~5 us) to be worth waking.
constexpr double kMinConvFlopsPerThread = 5e5;

/// Forward rows [r_begin, r_end): im2col a cache-sized block, one GEMM, next block.
template <class T>
void forward_rows(const ConvGeometry& g, const T* in, const T* filter, T* out,
                  std::size_t r_begin, std::size_t r_end) {
  const std::size_t K = g.cols(), O = g.o;
  const std::size_t B = block_rows<T>(g);
  T* col = scratch<T>(B * K + kColSlack);
  for (std::size_t r0 = r_begin; r0 < r_end; r0 += B) {
    const std::size_t r1 = std::min(r_end, r0 + B), rows = r1 - r0;
    im2col(g, in, col, r0, r1);
    gemm<T>(false, false, rows, O, K, T(1), col, K, filter, O, T(0), out + r0 * O, O);
  }
}

/// Backward over rows [r_begin, r_end), whole images only (col2im of neighbouring output rows
/// overlaps in the input): grad_in of those images, and this range's share of the filter
/// gradient into dw ([O, K] when transposed, else [K, O]), overwritten.
template <class T>
void backward_rows(const ConvGeometry& g, const T* in, const T* filter, const T* grad_out,
                   T* grad_in, T* dw, bool dw_t, std::size_t r_begin, std::size_t r_end) {
  const std::size_t K = g.cols(), O = g.o;
  const std::size_t B = g.pointwise() ? r_end - r_begin : block_rows<T>(g);
  T* col = g.pointwise() ? nullptr : scratch<T>(B * K + kColSlack);
  if (grad_in && col) {
    // col2im accumulates: clear this range's images first.
    const std::size_t image = g.h * g.w * g.c, plane = g.oh * g.ow;
    std::fill(grad_in + r_begin / plane * image, grad_in + r_end / plane * image, T(0));
  }
  for (std::size_t r0 = r_begin; r0 < r_end; r0 += B) {
    const std::size_t r1 = std::min(r_end, r0 + B), rows = r1 - r0;
    const T* g_blk = grad_out + r0 * O;
    const T beta = r0 == r_begin ? T(0) : T(1);
    if (dw) {
      const T* a = in + r0 * K;  // pointwise: the input is the im2col matrix
      if (col) {
        im2col(g, in, col, r0, r1);
        a = col;
      }
      if (dw_t) {
        // dW^T[O, K] (+)= g^T[O, rows] col[rows, K]
        gemm<T>(true, false, O, K, rows, T(1), g_blk, O, a, K, beta, dw, K);
      } else {
        // dW[K, O] (+)= col^T[K, rows] g[rows, O]
        gemm<T>(true, false, K, O, rows, T(1), a, K, g_blk, O, beta, dw, O);
      }
    }
    if (grad_in) {
      if (!col) {  // pointwise: dX = g W^T directly
        gemm<T>(false, true, rows, K, O, T(1), g_blk, O, filter, O, T(0), grad_in + r0 * K, K);
        continue;
      }
      // dcol[rows, K] = g[rows, O] W^T[O, K], then scattered back (reusing col's buffer).
      gemm<T>(false, true, rows, K, O, T(1), g_blk, O, filter, O, T(0), col, K);
      col2im_add(g, col, grad_in, r0, r1);
    }
  }
}

}  // namespace

template <class T>
void conv2d_forward(const ConvGeometry& g, const T* in, const T* filter, T* out) {
  const std::size_t M = g.rows(), K = g.cols(), O = g.o;
  if (M == 0 || O == 0) return;
  if (K == 0) {
    std::fill(out, out + M * O, T(0));
    return;
  }
  if (use_direct(g, Pass::Forward)) {
    // Threads take whole images.
    const int parts =
        std::min<int>(threads_for(2.0 * double(M) * double(K) * double(O), kMinConvFlopsPerThread),
                      int(g.n));
    run_parts(parts, [&](int part, int count) {
      const Range r = split_range(g.n, part, count);
      if (r.begin < r.end) direct_forward(g, in, filter, out, r.begin, r.end);
    });
    return;
  }
  if (g.pointwise()) {
    gemm<T>(false, false, M, O, K, T(1), in, K, filter, O, T(0), out, O);
    return;
  }
  // Threads take contiguous ranges of output pixels, each with its own im2col scratch.
  const int parts = threads_for(2.0 * double(M) * double(K) * double(O), kMinConvFlopsPerThread);
  run_parts(parts, [&](int part, int count) {
    const Range r = split_range(M, part, count);
    if (r.begin < r.end) forward_rows(g, in, filter, out, r.begin, r.end);
  });
}

template <class T>
void conv2d_backward(const ConvGeometry& g, const T* in, const T* filter, const T* grad_out,
                     T* grad_in, T* grad_filter) {
  const std::size_t M = g.rows(), K = g.cols(), O = g.o;
  const std::size_t in_size = g.n * g.h * g.w * g.c;
  if (M == 0 || O == 0 || K == 0) {
    if (grad_in) std::fill(grad_in, grad_in + in_size, T(0));
    if (grad_filter) std::fill(grad_filter, grad_filter + K * O, T(0));
    return;
  }
  const bool dx_direct = grad_in && use_direct(g, Pass::InputGrad);
  const bool dw_direct = grad_filter && use_direct(g, Pass::FilterGrad);
  T* const gemm_grad_in = dx_direct ? nullptr : grad_in;
  const bool gemm_dw = grad_filter && !dw_direct;
  // The direct filter gradient is [K, O] like the untransposed GEMM one.
  const bool dw_t = g_tuning.dw_transposed && !dw_direct;
  // Threads take whole images; each writes its images' grad_in and its own partial filter
  // gradient, summed in thread order afterwards (reproducible for a given thread count).
  const double flops = 2.0 * double(M) * double(K) * double(O) * ((grad_in ? 1 : 0) + (grad_filter ? 1 : 0));
  const int parts = std::min<int>(threads_for(flops, kMinConvFlopsPerThread), int(g.n));
  const std::size_t dw_size = O * K;
  // Filter-gradient partials, one per thread: [O, K] (transposed) or [K, O]. The calling
  // thread's scratch, since it reads them after the job (a worker's own scratch may by then
  // be in use by another user thread's job).
  T* partials = grad_filter ? scratch<T, 1>(std::size_t(parts) * dw_size) : nullptr;
  const std::size_t plane = g.oh * g.ow;
  run_parts(parts, [&](int part, int count) {
    const Range images = split_range(g.n, part, count);
    T* dw = partials ? partials + std::size_t(part) * dw_size : nullptr;
    if (images.begin == images.end) {
      if (dw) std::fill(dw, dw + dw_size, T(0));
      return;
    }
    if (dx_direct) direct_backward_input(g, filter, grad_out, grad_in, images.begin, images.end);
    if (dw_direct) direct_backward_filter(g, in, grad_out, dw, images.begin, images.end);
    if (gemm_grad_in || gemm_dw) {
      backward_rows(g, in, filter, grad_out, gemm_grad_in, gemm_dw ? dw : nullptr, dw_t,
                    images.begin * plane, images.end * plane);
    }
  });
  if (!grad_filter) return;
  for (int p = 1; p < parts; ++p) {
    const T* src = partials + std::size_t(p) * dw_size;
    for (std::size_t i = 0; i < dw_size; ++i) partials[i] += src[i];
  }
  if (dw_t) {
    transpose_into(partials, O, K, grad_filter, O);
  } else {
    std::copy(partials, partials + dw_size, grad_filter);
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
