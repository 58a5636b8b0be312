// im2col and its adjoint col2im_add (conv.hpp), compiled once per instruction set
// (per_isa.hpp); conv.cpp calls the active set's through im2col_table.hpp. Full vectors
// are xsimd batches; tails use the set's masked loads and stores (xsimd 8 has none).
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <xsimd/xsimd.hpp>

#include "kernels/im2col_table.hpp"
#include "kernels/per_isa.hpp"

namespace xgrad::kernels {
namespace XGRAD_SIMD_NS {

namespace {

constexpr std::size_t kNoRow = std::size_t(-1);

// Runs of kw * c values (3..~700 here) are copied, zeroed or added with explicit vector code: GCC otherwise turns the short loops into memcpy/memset calls (or one variable-size
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
#elif defined(__AVX2__)
// AVX2: 8 floats or 4 doubles per register, 16 registers. No mask registers: tails are loaded
// and stored through an integer lane mask (vmaskmov), taken from a sliding window over a
// table. copy_run and zero_run store every vector full width (their overhang, at most 7
// values, is overwritten by the next run or lands in kColSlack, as above); add_run masks its
// last store only where a full one would leave the destination.
alignas(32) constexpr int kLanes32[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
alignas(32) constexpr long long kLanes64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
/// The first n lanes (n < lanes).
inline __m256i first_lanes(const float*, std::size_t n) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes32 + 8 - n));
}
inline __m256i first_lanes(const double*, std::size_t n) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes64 + 4 - n));
}
inline xsimd::batch<float> load_first(const float* p, std::size_t n) {
  return _mm256_maskload_ps(p, first_lanes(p, n));
}
inline xsimd::batch<double> load_first(const double* p, std::size_t n) {
  return _mm256_maskload_pd(p, first_lanes(p, n));
}
inline void store_first(float* p, std::size_t n, const xsimd::batch<float>& v) {
  _mm256_maskstore_ps(p, first_lanes(p, n), v);
}
inline void store_first(double* p, std::size_t n, const xsimd::batch<double>& v) {
  _mm256_maskstore_pd(p, first_lanes(p, n), v);
}

template <class T>
inline void copy_run(T* __restrict d, const T* __restrict s, std::size_t n) {
  using B = xsimd::batch<T>;
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) B::load_unaligned(s + i).store_unaligned(d + i);
  if (i < n) load_first(s + i, n - i).store_unaligned(d + i);
}
template <class T>
inline void zero_run(T* d, std::size_t n) {
  using B = xsimd::batch<T>;
  const B z(T(0));
  for (std::size_t i = 0; i < n; i += B::size) z.store_unaligned(d + i);
}
template <class T>
inline void add_run(T* __restrict d, const T* __restrict s, std::size_t n, const T* end) {
  using B = xsimd::batch<T>;
  std::size_t i = 0;
  for (; i + B::size <= n; i += B::size) {
    (B::load_unaligned(d + i) + B::load_unaligned(s + i)).store_unaligned(d + i);
  }
  if (i < n) {
    const B v = load_first(s + i, n - i);
    if (d + i + B::size <= end) {
      (B::load_unaligned(d + i) + v).store_unaligned(d + i);
    } else {
      store_first(d + i, n - i, load_first(d + i, n - i) + v);
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
                           vector<std::size_t>& line, Visit&& visit) {
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
void im2col(const ConvGeometry& g, const T* in, T* col, std::size_t row_begin,
            std::size_t row_end) {
  const std::size_t run = g.kw * g.c, c = g.c, K = g.cols(), KH = g.kh, KW = g.kw;
  thread_local vector<std::size_t> line;
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
  // A run's tail may be added full width (plus zeros) while it stays before `end`: the end of
  // the last image these rows touch. Threads take whole images, so a wider end would let this
  // read-modify-write race with the thread adding into the next image.
  if (row_end <= row_begin) return;
  const std::size_t last_image = (row_end - 1) / (g.oh * g.ow);
  const T* end = grad_in + (last_image + 1) * g.h * g.w * g.c;
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

/// Constant-initialised: building it at start-up would run this file's instructions on any CPU.
template <class T>
constexpr Im2colTable<T> kTable{&im2col<T>, &col2im_add<T>};

}  // namespace
}  // namespace XGRAD_SIMD_NS

XGRAD_ISA_TABLES(Im2colTable, XGRAD_SIMD_NS::kTable)

}  // namespace xgrad::kernels
