// The direct convolution kernels of conv_direct.hpp, compiled once per instruction set
// (per_isa.hpp). Vectors are xsimd batches of the translation unit's
// widest instruction set; AVX-512 alone adds gathers and masked tails (xsimd 8 has neither).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "kernels/conv_direct_table.hpp"
#include "kernels/per_isa.hpp"

namespace xgrad::kernels {
namespace XGRAD_SIMD_NS {

namespace {

// ---- vectors -------------------------------------------------------------------------------
/// The register file the blockings below are sized for: 32 zmm with AVX-512, else 16 (ymm for
/// AVX2, xmm for SSE2).
constexpr int kRegisters = XSIMD_WITH_AVX512F ? 32 : 16;

template <class T>
struct Vec {
  using V = xsimd::batch<T>;
  static constexpr std::size_t N = V::size;
  static V zero() { return V(T(0)); }
  static V load(const T* p) { return V::load_unaligned(p); }
  static void store(T* p, const V& v) { v.store_unaligned(p); }
  static V set1(T s) { return V(s); }
  // Explicit FMAs: the library builds in ISO C++ mode, where GCC does not contract a * b + c.
  // (SSE2 has none: xsimd multiplies and adds.)
  static V fma(const V& a, const V& b, const V& c) { return xsimd::fma(a, b, c); }
  static V add(const V& a, const V& b) { return a + b; }
  static T sum(const V& v) { return xsimd::hadd(v); }
};

/// The widest run of output positions one correlate block computes (4 vectors; 64 floats with
/// AVX-512): tiles and planes are sized in whole steps of this, so no kernel needs a tail case.
constexpr std::size_t kMaxStep = 4 * Vec<float>::N;

constexpr std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

/// Per-thread buffers that only grow (no allocation per call); Slot tells them apart. 64-byte
/// aligned: plane rows and tiles then start on cache lines (an unaligned 64-byte load always
/// spans two lines).
template <class T, int Slot>
T* scratch(std::size_t n) {
  constexpr std::size_t kAlign = 64 / sizeof(T);
  thread_local std::unique_ptr<T[], DeleteArray> buf;
  thread_local std::size_t cap = 0;
  if (n > cap) {
    buf.reset(new T[n + kAlign]);
    cap = n;
  }
  const auto addr = reinterpret_cast<std::uintptr_t>(buf.get());
  return buf.get() + (round_up(addr, 64) - addr) / sizeof(T);
}

/// Calls f(std::integral_constant<std::size_t, n>) for n in 1..16, else f(n): a per-pixel
/// channel loop becomes straight-line code for the small counts this file is for (with a
/// runtime count, GCC's loop overhead and alias checks cost more than the copies).
template <class F>
void with_count(std::size_t n, F&& f) {
  switch (n) {
#define XGRAD_COUNT_CASE(k) \
  case k: return f(std::integral_constant<std::size_t, k>());
    XGRAD_COUNT_CASE(1) XGRAD_COUNT_CASE(2) XGRAD_COUNT_CASE(3) XGRAD_COUNT_CASE(4)
    XGRAD_COUNT_CASE(5) XGRAD_COUNT_CASE(6) XGRAD_COUNT_CASE(7) XGRAD_COUNT_CASE(8)
    XGRAD_COUNT_CASE(9) XGRAD_COUNT_CASE(10) XGRAD_COUNT_CASE(11) XGRAD_COUNT_CASE(12)
    XGRAD_COUNT_CASE(13) XGRAD_COUNT_CASE(14) XGRAD_COUNT_CASE(15) XGRAD_COUNT_CASE(16)
#undef XGRAD_COUNT_CASE
    default: return f(n);
  }
}

// ---- planar layout -------------------------------------------------------------------------

/// Zero-padded planar copy of an NHWC image [h, w, c]: value (iy, ix, ch) goes to phase plane
/// (py % sy, px % sx), row py / sy, column px / sx of channel ch, where py = iy + top and
/// px = ix + left. With strides split into phases, every filter tap reads a contiguous run of
/// each plane. Channel ch starts at ch * cstride; values that land outside rows x cols are
/// never read and dropped.
struct Planes {
  std::size_t sy = 1, sx = 1, top = 0, left = 0, rows = 0, cols = 0, cstride = 0;
  Planes(std::size_t sy_, std::size_t sx_, std::size_t top_, std::size_t left_, std::size_t rows_,
         std::size_t cols_)
      : sy(sy_), sx(sx_), top(top_), left(left_), rows(rows_), cols(cols_),
        cstride(round_up(sy_ * sx_ * rows_ * cols_, 16)) {}
  std::size_t plane() const { return rows * cols; }
  /// Offset of phase plane (a, b) and of position (r, col) in it.
  std::ptrdiff_t at(std::size_t a, std::size_t b, std::size_t r, std::size_t col) const {
    return std::ptrdiff_t((a * sx + b) * plane() + r * cols + col);
  }
};

// NHWC <-> planes is a transposition of short runs (1..~24 channels). Done one scalar at a time
// it cost more than the convolution itself at 1..8 channels (measured, 28x28 layers), so
// AVX-512 float builds move 16 values per gather.

/// dst[i] = src[i * stride] for i < n.
template <class T>
void gather_run(const T* __restrict src, std::size_t stride, T* __restrict dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i * stride];
}
/// dst[i] = src[idx[i]] for i < n.
template <class T>
void gather_indexed(const T* __restrict src, const int* idx, T* __restrict dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[idx[i]];
}
#if XSIMD_WITH_AVX512F
inline __mmask16 first_lanes(std::size_t n) { return __mmask16((1u << n) - 1u); }
template <>
void gather_run(const float* __restrict src, std::size_t stride, float* __restrict dst,
                std::size_t n) {
  if (stride == 1) {  // one channel, no stride: a plain copy
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(dst + i, _mm512_loadu_ps(src + i));
    if (i < n) _mm512_mask_storeu_ps(dst + i, first_lanes(n - i), _mm512_maskz_loadu_ps(first_lanes(n - i), src + i));
    return;
  }
  const __m512i idx = _mm512_mullo_epi32(
      _mm512_set1_epi32(int(stride)),
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16, src += 16 * stride) {
    _mm512_storeu_ps(dst + i, _mm512_i32gather_ps(idx, src, 4));
  }
  if (i < n) {
    const __mmask16 m = first_lanes(n - i);
    _mm512_mask_storeu_ps(dst + i, m, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, src, 4));
  }
}
template <>
void gather_indexed(const float* __restrict src, const int* idx, float* __restrict dst,
                    std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(dst + i, _mm512_i32gather_ps(_mm512_loadu_si512(idx + i), src, 4));
  }
  if (i < n) {
    const __mmask16 m = first_lanes(n - i);
    const __m512i v = _mm512_maskz_loadu_epi32(m, idx + i);
    _mm512_mask_storeu_ps(dst + i, m, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, v, src, 4));
  }
}
#endif

/// Packs NHWC images [h, w, c] into planes `p` (buffer of `len` >= c * cstride elements, all
/// written: zeros wherever no input value lands). Per input row, phase column b and channel,
/// the values form one strided run of the image row and one contiguous run of a plane row.
template <class T>
class Packer {
public:
  Packer(const Planes& p, std::size_t h, std::size_t w, std::size_t c)
      : p_(p), h_(h), w_(w), c_(c) {
    for (std::size_t b = 0; b < p.sx; ++b) {
      // First column ix of phase b: (ix + left) % sx == b.
      const std::size_t ix = (b + p.sx - p.left % p.sx) % p.sx;
      if (ix >= w) continue;
      const std::size_t col = (ix + p.left) / p.sx;
      if (col >= p.cols) continue;
      const std::size_t n = std::min((w - ix + p.sx - 1) / p.sx, p.cols - col);
      runs_.push_back({ix, p.at(0, b, 0, col), n});
    }
  }

  void pack(const T* img, T* dst, std::size_t len) const {
    std::fill(dst, dst + len, T(0));
    for (std::size_t iy = 0; iy < h_; ++iy) {
      const std::size_t py = iy + p_.top, r = py / p_.sy;
      if (r >= p_.rows) continue;
      T* d_row = dst + p_.at(py % p_.sy, 0, r, 0);
      const T* s_row = img + iy * w_ * c_;
      for (const Run& run : runs_)
        for (std::size_t ch = 0; ch < c_; ++ch) {
          gather_run(s_row + run.ix * c_ + ch, p_.sx * c_, d_row + run.dst + ch * p_.cstride,
                     run.n);
        }
    }
  }

private:
  struct Run {
    std::size_t ix;       // first image column
    std::ptrdiff_t dst;   // offset of its plane position
    std::size_t n;        // values
  };
  Planes p_;
  std::size_t h_, w_, c_;
  vector<Run> runs_;
};

/// Writes rows x cols positions of a tile [nout][ts] (position (i, j) at i * pitch + j) to
/// an NHWC-like destination: (i, j, o) at dst + i * drow + j * dcol + o.
template <class T>
class Unpacker {
public:
  Unpacker(std::size_t ts, std::size_t nout, std::size_t cols, std::size_t pitch,
           std::size_t dcol)
      : ts_(ts), nout_(nout), cols_(cols), pitch_(pitch), dcol_(dcol) {
    if (dcol != nout) return;
    // Contiguous destination rows: element k of a row comes from tile[k % nout][k / nout].
    idx_.resize(cols * nout);
    for (std::size_t k = 0; k < idx_.size(); ++k) idx_[k] = int(k % nout * ts + k / nout);
  }

  void unpack(const T* tile, std::size_t rows, T* dst, std::size_t drow) const {
    if (!idx_.empty()) {
      for (std::size_t i = 0; i < rows; ++i)
        gather_indexed(tile + i * pitch_, idx_.data(), dst + i * drow, idx_.size());
      return;
    }
    with_count(nout_, [&](auto count) {
      for (std::size_t i = 0; i < rows; ++i) {
        const T* __restrict t = tile + i * pitch_;
        T* __restrict d = dst + i * drow;
        for (std::size_t j = 0; j < cols_; ++j, d += dcol_) {
          for (std::size_t o = 0; o < count; ++o) d[o] = t[o * ts_ + j];
        }
      }
    });
  }

private:
  std::size_t ts_, nout_, cols_, pitch_, dcol_;
  vector<int> idx_;
};

// ---- correlation over planes ---------------------------------------------------------------

/// A filter as a list of taps: tap t reads every input plane at offset off[t] from the output
/// position, with weights w[(t * cin + ci) * cout + co].
template <class T>
struct Taps {
  vector<std::ptrdiff_t> off;
  vector<T> w;
  std::size_t cin = 0, cout = 0;
  void add(std::ptrdiff_t offset) { off.push_back(offset); }
  std::ptrdiff_t max_off() const {
    return off.empty() ? 0 : *std::max_element(off.begin(), off.end());
  }
};

/// tile[co][q] for co in [o0, o0 + OB), q in [q0, q0 + XC * N): one accumulator per output
/// channel and vector; per tap and input plane, XC vector loads and OB x XC FMAs with the
/// broadcast weights.
template <class T, int OB, int XC>
void correlate_block(const T* src, std::size_t cstride, const Taps<T>& k, T* tile, std::size_t ts,
                     std::size_t o0, std::size_t q0) {
  using S = Vec<T>;
  constexpr std::size_t N = S::N;
  typename S::V acc[OB][XC];
  for (int b = 0; b < OB; ++b)
    for (int x = 0; x < XC; ++x) acc[b][x] = S::zero();
  const std::size_t cin = k.cin, cout = k.cout;
  for (std::size_t t = 0; t < k.off.size(); ++t) {
    const T* s = src + k.off[t] + std::ptrdiff_t(q0);
    const T* w = k.w.data() + t * cin * cout + o0;
    for (std::size_t ci = 0; ci < cin; ++ci, s += cstride, w += cout) {
      typename S::V v[XC];
      for (int x = 0; x < XC; ++x) v[x] = S::load(s + x * N);
      for (int b = 0; b < OB; ++b) {
        const typename S::V wb = S::set1(w[b]);
        for (int x = 0; x < XC; ++x) acc[b][x] = S::fma(v[x], wb, acc[b][x]);
      }
    }
  }
  for (int b = 0; b < OB; ++b)
    for (int x = 0; x < XC; ++x) S::store(tile + (o0 + b) * ts + q0 + x * N, acc[b][x]);
}

/// Output channels per block. 32 registers: up to 12 channels x 2 vectors of accumulators (+ 2
/// loads and a broadcast); blocks of up to 4 channels take 4 vectors so that at least 8
/// independent FMA chains hide the FMA latency. 16 registers: up to 6 channels x 2 vectors
/// (12 accumulators + 3), and 4 vectors only for 1-2 channels (8 accumulators + 5): wider
/// blocks would spill accumulators to the stack on every tap.
constexpr int kMaxOutBlock = kRegisters == 32 ? 12 : 6;
constexpr int vectors_for(int ob) { return ob <= (kRegisters == 32 ? 4 : 2) ? 4 : 2; }

template <class T>
using CorrelateFn = void (*)(const T*, std::size_t, const Taps<T>&, T*, std::size_t, std::size_t,
                             std::size_t);

template <class T, std::size_t... I>
constexpr std::array<CorrelateFn<T>, sizeof...(I)> correlate_table(std::index_sequence<I...>) {
  return {&correlate_block<T, int(I) + 1, vectors_for(int(I) + 1)>...};
}

/// tile[co][q] = sum over taps t and input planes ci of src[ci * cstride + off[t] + q] *
/// w[t][ci][co], for q in [0, round_up(Q, kMaxStep)). The tile stride ts must be at least that,
/// and src readable up to (cin - 1) * cstride + max_off + ts.
template <class T>
void correlate(const T* src, std::size_t cstride, const Taps<T>& k, T* tile, std::size_t ts,
               std::size_t Q) {
  static constexpr auto table =
      correlate_table<T>(std::make_index_sequence<std::size_t(kMaxOutBlock)>());
  const std::size_t O = k.cout;
  const std::size_t blocks = (O + kMaxOutBlock - 1) / kMaxOutBlock;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t o0 = O * b / blocks, o1 = O * (b + 1) / blocks;
    const int ob = int(o1 - o0);
    const std::size_t step = std::size_t(vectors_for(ob)) * Vec<T>::N;
    for (std::size_t q0 = 0; q0 < Q; q0 += step) table[std::size_t(ob - 1)](src, cstride, k, tile, ts, o0, q0);
  }
}

/// Length of a plane buffer that `correlate` may read over Q positions, and its tile stride.
std::size_t tile_stride(std::size_t Q) { return round_up(Q, kMaxStep); }
template <class T>
std::size_t readable_len(const Planes& p, std::size_t channels, const Taps<T>& k, std::size_t Q) {
  const std::size_t used = channels * p.cstride;
  if (channels == 0) return 0;
  return std::max(used, (channels - 1) * p.cstride + std::size_t(k.max_off()) + tile_stride(Q));
}

// ---- forward -------------------------------------------------------------------------------

/// Planes of the forward input: phases of the strides, rows/cols enough for every tap of every
/// output (oh + (kh-1)/sh rows). Output (oy, ox) is position q = oy * cols + ox.
Planes forward_planes(const ConvGeometry& g) {
  return Planes(g.sh, g.sw, g.pad_top, g.pad_left, g.oh + (g.kh - 1) / g.sh,
                g.ow + (g.kw - 1) / g.sw);
}

/// Tap (ky, kx) of the forward filter reads phase (ky % sh, kx % sw) at (ky / sh, kx / sw).
template <class T>
void add_forward_taps(const ConvGeometry& g, const Planes& p, Taps<T>& k) {
  k.cin = g.c;
  k.cout = g.o;
  for (std::size_t ky = 0; ky < g.kh; ++ky)
    for (std::size_t kx = 0; kx < g.kw; ++kx) k.add(p.at(ky % g.sh, kx % g.sw, ky / g.sh, kx / g.sw));
}


template <class T>
void direct_forward(const ConvGeometry& g, const T* in, const T* filter, T* out,
                    std::size_t n_begin, std::size_t n_end) {
  const Planes p = forward_planes(g);
  Taps<T> k;
  add_forward_taps(g, p, k);
  k.w.assign(filter, filter + g.kh * g.kw * g.c * g.o);  // HWIO already is [t][ci][co]
  const std::size_t Q = g.oh * p.cols, ts = tile_stride(Q);
  const std::size_t len = readable_len(p, g.c, k, Q);
  T* planes = scratch<T, 0>(len);
  T* tile = scratch<T, 1>(g.o * ts);
  const Packer<T> packer(p, g.h, g.w, g.c);
  const Unpacker<T> unpacker(ts, g.o, g.ow, p.cols, g.o);
  for (std::size_t n = n_begin; n < n_end; ++n) {
    packer.pack(in + n * g.h * g.w * g.c, planes, len);
    correlate(planes, p.cstride, k, tile, ts, Q);
    unpacker.unpack(tile, g.oh, out + n * g.oh * g.ow * g.o, g.ow * g.o);
  }
}

// ---- input gradient ------------------------------------------------------------------------
//
// dx(iy, ix, ci) = sum of g(oy, ox, co) w(ky, kx, ci, co) over oy * sh + ky - pad_top = iy (and
// likewise along x). Split dx into its stride phases: rows iy = i * sh + a take the taps ky with
// (a + pad_top - ky) % sh == 0, at oy = i + dy, dy = (a + pad_top - ky) / sh. Each phase is then
// a stride-1 correlation of the (padded) output gradient with a subset of the taps, channels
// swapped: the forward kernel again, with no multiply by a zero.


/// Floor division of a possibly negative numerator by a positive divisor.
std::ptrdiff_t floor_div(std::ptrdiff_t a, std::ptrdiff_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// Along one axis, over all phases: the range of the shifts d and the largest phase extent.
struct AxisPhases {
  std::ptrdiff_t min_d = 0, max_d = 0;  // over every phase's taps
  std::size_t max_extent = 0;
};

AxisPhases axis_phases(std::size_t in, std::size_t k, std::size_t s, std::size_t pad) {
  AxisPhases r;
  bool any = false;
  for (std::size_t a = 0; a < s && a < in; ++a)
    for (std::size_t t = 0; t < k; ++t) {
      const std::ptrdiff_t num = std::ptrdiff_t(a + pad) - std::ptrdiff_t(t);
      if (num - floor_div(num, std::ptrdiff_t(s)) * std::ptrdiff_t(s) != 0) continue;
      const std::ptrdiff_t d = floor_div(num, std::ptrdiff_t(s));
      r.min_d = any ? std::min(r.min_d, d) : d;
      r.max_d = any ? std::max(r.max_d, d) : d;
      any = true;
    }
  r.max_extent = (in + s - 1) / s;
  return r;
}

/// Planes of the output gradient for the input gradient: unstrided, padded so that every
/// shift of every phase stays inside. dx phase position (i, j) is q = i * cols + j.
Planes grad_planes(const AxisPhases& y, const AxisPhases& x) {
  const std::size_t top = std::size_t(std::max<std::ptrdiff_t>(0, -y.min_d));
  const std::size_t left = std::size_t(std::max<std::ptrdiff_t>(0, -x.min_d));
  const std::size_t rows = std::size_t(std::max<std::ptrdiff_t>(
      1, std::ptrdiff_t(top + y.max_extent) + std::max<std::ptrdiff_t>(y.max_d, 0)));
  const std::size_t cols = std::size_t(std::max<std::ptrdiff_t>(
      1, std::ptrdiff_t(left + x.max_extent) + std::max<std::ptrdiff_t>(x.max_d, 0)));
  return Planes(1, 1, top, left, rows, cols);
}

/// The taps of dx phase (a, b), weights [t][co][ci].
template <class T>
Taps<T> input_grad_taps(const ConvGeometry& g, const Planes& p, const T* filter, std::size_t a,
                        std::size_t b) {
  Taps<T> k;
  k.cin = g.o;
  k.cout = g.c;
  const auto shift = [](std::size_t phase, std::size_t pad, std::size_t t, std::size_t s,
                        std::ptrdiff_t& d) {
    const std::ptrdiff_t num = std::ptrdiff_t(phase + pad) - std::ptrdiff_t(t);
    d = floor_div(num, std::ptrdiff_t(s));
    return d * std::ptrdiff_t(s) == num;
  };
  for (std::size_t ky = 0; ky < g.kh; ++ky) {
    std::ptrdiff_t dy;
    if (!shift(a, g.pad_top, ky, g.sh, dy)) continue;
    for (std::size_t kx = 0; kx < g.kw; ++kx) {
      std::ptrdiff_t dx;
      if (!shift(b, g.pad_left, kx, g.sw, dx)) continue;
      k.add((dy + std::ptrdiff_t(p.top)) * std::ptrdiff_t(p.cols) + dx + std::ptrdiff_t(p.left));
      const T* w = filter + (ky * g.kw + kx) * g.c * g.o;  // [ci][co]
      for (std::size_t co = 0; co < g.o; ++co)
        for (std::size_t ci = 0; ci < g.c; ++ci) k.w.push_back(w[ci * g.o + co]);
    }
  }
  return k;
}


template <class T>
void direct_backward_input(const ConvGeometry& g, const T* filter, const T* grad_out, T* grad_in,
                           std::size_t n_begin, std::size_t n_end) {
  const AxisPhases ay = axis_phases(g.h, g.kh, g.sh, g.pad_top);
  const AxisPhases ax = axis_phases(g.w, g.kw, g.sw, g.pad_left);
  const Planes p = grad_planes(ay, ax);
  struct Phase {
    std::size_t a, b, rows, cols;
    Taps<T> k;
    Unpacker<T> unpacker;
  };
  vector<Phase> phases;
  std::size_t len = 0, ts = 0;
  for (std::size_t a = 0; a < g.sh && a < g.h; ++a)
    for (std::size_t b = 0; b < g.sw && b < g.w; ++b) {
      Phase ph{a, b, (g.h - a + g.sh - 1) / g.sh, (g.w - b + g.sw - 1) / g.sw,
               input_grad_taps(g, p, filter, a, b), Unpacker<T>(0, 0, 0, 0, 0)};
      const std::size_t Q = ph.rows * p.cols;
      ts = std::max(ts, tile_stride(Q));
      len = std::max(len, readable_len(p, g.o, ph.k, Q));
      phases.push_back(std::move(ph));
    }
  for (Phase& ph : phases) ph.unpacker = Unpacker<T>(ts, g.c, ph.cols, p.cols, g.sw * g.c);
  T* planes = scratch<T, 0>(len);
  T* tile = scratch<T, 1>(g.c * ts);
  const Packer<T> packer(p, g.oh, g.ow, g.o);
  for (std::size_t n = n_begin; n < n_end; ++n) {
    packer.pack(grad_out + n * g.oh * g.ow * g.o, planes, len);
    T* dx = grad_in + n * g.h * g.w * g.c;
    for (const Phase& ph : phases) {
      correlate(planes, p.cstride, ph.k, tile, ts, ph.rows * p.cols);
      ph.unpacker.unpack(tile, ph.rows, dx + (ph.a * g.w + ph.b) * g.c, g.sh * g.w * g.c);
    }
  }
}

// ---- filter gradient -----------------------------------------------------------------------
//
// dw(ky, kx, ci, co) = sum over outputs q of x_planes(ci)[tap(ky, kx) + q] * g_plane(co)[q], on the
// forward planes of the input and an unpadded plane of the output gradient with the same row
// pitch, whose columns past ow are zero (so the positions between rows add nothing).


/// TB taps x OB output channels of one input plane: TB + OB vector loads feed TB * OB FMAs per
/// step (3 x 4 with 32 registers; 3 x 3 with 16: 9 accumulators + 3 + 1 loaded). The accumulators are added to vectors in dwv (entry (t, co) at (t * tap_stride + co) *
/// N), summed across lanes only once all images are done (measured: lane sums per image cost
/// more than the FMAs at 14x14 outputs).
template <class T, int TB, int OB>
void dot_block(const T* x, const std::ptrdiff_t* off, const T* gp, std::size_t gstride,
               std::size_t steps, T* dwv, std::size_t tap_stride) {
  using S = Vec<T>;
  constexpr std::size_t N = S::N;
  typename S::V acc[TB][OB];
  for (int t = 0; t < TB; ++t)
    for (int b = 0; b < OB; ++b) acc[t][b] = S::zero();
  for (std::size_t i = 0; i < steps; ++i) {
    const std::size_t q = i * N;
    typename S::V gv[OB];
    for (int b = 0; b < OB; ++b) gv[b] = S::load(gp + b * gstride + q);
    for (int t = 0; t < TB; ++t) {
      const typename S::V xv = S::load(x + off[t] + std::ptrdiff_t(q));
      for (int b = 0; b < OB; ++b) acc[t][b] = S::fma(xv, gv[b], acc[t][b]);
    }
  }
  for (int t = 0; t < TB; ++t)
    for (int b = 0; b < OB; ++b) {
      T* d = dwv + (t * tap_stride + std::size_t(b)) * N;
      S::store(d, S::add(S::load(d), acc[t][b]));
    }
}

constexpr int kMaxTapBlock = 3, kMaxOutDot = kRegisters == 32 ? 4 : 3;

template <class T>
using DotFn = void (*)(const T*, const std::ptrdiff_t*, const T*, std::size_t, std::size_t, T*,
                       std::size_t);

template <class T, std::size_t... I>
constexpr std::array<DotFn<T>, sizeof...(I)> dot_table(std::index_sequence<I...>) {
  return {&dot_block<T, int(I) / kMaxOutDot + 1, int(I) % kMaxOutDot + 1>...};
}


template <class T>
void direct_backward_filter(const ConvGeometry& g, const T* in, const T* grad_out, T* dw,
                            std::size_t n_begin, std::size_t n_end) {
  static constexpr auto table =
      dot_table<T>(std::make_index_sequence<std::size_t(kMaxTapBlock * kMaxOutDot)>());
  const std::size_t taps = g.kh * g.kw, O = g.o, C = g.c, N = Vec<T>::N;
  T* dwv = scratch<T, 2>(taps * C * O * N);  // [t][ci][co][lane]
  std::fill(dwv, dwv + taps * C * O * N, T(0));
  const Planes p = forward_planes(g);
  Taps<T> k;
  add_forward_taps(g, p, k);
  const std::size_t Q = g.oh * p.cols;
  const Planes gplanes(1, 1, 0, 0, g.oh, p.cols);  // same pitch; cstride >= Q rounded to N
  const std::size_t steps = (Q + Vec<T>::N - 1) / Vec<T>::N;
  const std::size_t xlen = readable_len(p, C, k, Q), glen = O * gplanes.cstride;
  T* xs = scratch<T, 0>(xlen);
  T* gs = scratch<T, 1>(glen);
  const Packer<T> xpack(p, g.h, g.w, C), gpack(gplanes, g.oh, g.ow, O);
  for (std::size_t n = n_begin; n < n_end; ++n) {
    xpack.pack(in + n * g.h * g.w * C, xs, xlen);
    gpack.pack(grad_out + n * g.oh * g.ow * O, gs, glen);
    for (std::size_t ci = 0; ci < C; ++ci)
      for (std::size_t t0 = 0; t0 < taps; t0 += kMaxTapBlock) {
        const std::size_t tb = std::min<std::size_t>(kMaxTapBlock, taps - t0);
        for (std::size_t o0 = 0; o0 < O; o0 += kMaxOutDot) {
          const std::size_t ob = std::min<std::size_t>(kMaxOutDot, O - o0);
          table[(tb - 1) * kMaxOutDot + ob - 1](xs + ci * p.cstride, k.off.data() + t0,
                                                gs + o0 * gplanes.cstride, gplanes.cstride, steps,
                                                dwv + ((t0 * C + ci) * O + o0) * N, C * O);
        }
      }
  }
  for (std::size_t i = 0; i < taps * C * O; ++i) dw[i] = Vec<T>::sum(Vec<T>::load(dwv + i * N));
}

/// Constant-initialised: building it at start-up would run this file's instructions on any CPU.
template <class T>
constexpr ConvDirectTable<T> kTable{&direct_forward<T>, &direct_backward_input<T>,
                                    &direct_backward_filter<T>};

}  // namespace
}  // namespace XGRAD_SIMD_NS

XGRAD_ISA_TABLES(ConvDirectTable, XGRAD_SIMD_NS::kTable)

}  // namespace xgrad::kernels
