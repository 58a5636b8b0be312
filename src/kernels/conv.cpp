#include "kernels/conv.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include <array>
#include <type_traits>

#include "config.hpp"
#include "kernels/conv_direct.hpp"
#if defined(XGRAD_WITH_DNNL)
#include "kernels/dnnl_conv.hpp"
#endif
#include "kernels/gemm.hpp"
#include "kernels/im2col_table.hpp"
#include "kernels/parallel.hpp"
#include "kernels/workspace.hpp"

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

std::size_t env_size(const char* s, std::size_t fallback) {
  return s ? std::size_t(std::strtoull(s, nullptr, 10)) : fallback;
}

ConvDirect env_direct(const char* s, ConvDirect fallback) {
  if (!s) return fallback;
  if (!std::strcmp(s, "always") || !std::strcmp(s, "1")) return ConvDirect::Always;
  if (!std::strcmp(s, "never") || !std::strcmp(s, "0")) return ConvDirect::Never;
  return ConvDirect::Auto;
}

ConvDnnl env_dnnl(const char* s, ConvDnnl fallback) {
  if (!s) return fallback;
  if (!std::strcmp(s, "always") || !std::strcmp(s, "1")) return ConvDnnl::Always;
  if (!std::strcmp(s, "never") || !std::strcmp(s, "0")) return ConvDnnl::Never;
  return ConvDnnl::Auto;
}

ConvTuning tuning_from_env() {
  ConvTuning t;
  t.block_bytes = env_size(config::env_conv_block_bytes(), t.block_bytes);
  t.dw_transposed = env_size(config::env_conv_dw_transposed(), t.dw_transposed ? 1 : 0) != 0;
  t.direct = env_direct(config::env_conv_direct(), t.direct);
  t.dnnl = env_dnnl(config::env_conv_dnnl(), t.dnnl);
  return t;
}

ConvTuning g_tuning = tuning_from_env();

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

bool conv_has_dnnl() {
#if defined(XGRAD_WITH_DNNL)
  return true;
#else
  return false;
#endif
}

template <class T>
void im2col(const ConvGeometry& g, const T* in, T* col, std::size_t row_begin,
            std::size_t row_end) {
  active<Im2colTable<T>>().im2col(g, in, col, row_begin, row_end);
}

template <class T>
void col2im_add(const ConvGeometry& g, const T* col, T* grad_in, std::size_t row_begin,
                std::size_t row_end) {
  active<Im2colTable<T>>().col2im_add(g, col, grad_in, row_begin, row_end);
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
  // Measured on the 3x3 SAME layers of a 19-layer conv net on 28x28x1 images, 4i channels in
// layer i (examples/bench_conv; batch 64, 1 thread, ms im2col -> direct):
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

using config::kMinConvFlopsPerThread;

/// Whether `pass` of this float32 convolution runs on oneDNN (a build with it only).
bool use_dnnl(const ConvGeometry& g, Pass pass) {
  if (!conv_has_dnnl()) return false;
  switch (g_tuning.dnnl) {
    case ConvDnnl::Always: return true;
    case ConvDnnl::Never: return false;
    case ConvDnnl::Auto: break;
  }
  // Measured per pass (one thread, CPU time, ms xgrad's kernels -> oneDNN 2.6.3 jit:avx2, on
  // AMD EPYC Zen 3, 3x3 SAME unless said): forward wins from 2 channels on (c4o8 batch 64
  // 0.99 -> 0.70, c3o32 batch 128 7.0 -> 4.1, c32o32 48 -> 31, c128o128 37 -> 35, 5x5
  // c16o32 14.6 -> 11.5, 1x1 c64o64 5.6 -> 3.3) but not on one (c1o4 0.25 -> 0.30); the input
  // gradient from 8 (c8o12 stride 2 0.27 -> 0.12, c32o32 65 -> 32, c128o128 38 -> 28) but not
  // below (c3o32 8.1 -> 17.4, c4o8 0.73 -> 0.84); the filter gradient only with few
  // channels (c4o8 1.2 -> 0.37, c3o32 9.7 -> 5.2, 5x5 c16o32 16.9 -> 10.4), not from 32x32 on
  // (c32o32 50 -> 70, c64o64 34 -> 43, c128o128 32 -> 42).
  switch (pass) {
    case Pass::Forward: return g.c >= 2;
    case Pass::InputGrad: return g.c >= 8;
    case Pass::FilterGrad: return g.c * g.o < 1024;
  }
  return false;
}


/// Forward rows [r_begin, r_end): im2col a cache-sized block, one GEMM, next block.
template <class T>
void forward_rows(const ConvGeometry& g, const T* in, const T* filter, T* out,
                  std::size_t r_begin, std::size_t r_end) {
  const std::size_t K = g.cols(), O = g.o;
  const std::size_t B = block_rows<T>(g);
  const WorkspaceLease col_buffer(WorkspaceSlot::ConvColumns, (B * K + kColSlack) * sizeof(T));
  T* const col = col_buffer.as<T>();
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
  std::optional<WorkspaceLease> col_buffer;
  if (!g.pointwise()) col_buffer.emplace(WorkspaceSlot::ConvColumns, (B * K + kColSlack) * sizeof(T));
  T* const col = col_buffer ? col_buffer->as<T>() : nullptr;
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
#if defined(XGRAD_WITH_DNNL)
  if constexpr (std::is_same_v<T, float>) {
    if (use_dnnl(g, Pass::Forward) && dnnl_conv_forward(g, in, filter, out)) return;
  }
#endif
  if (use_direct(g, Pass::Forward)) {
    // Parts are whole images.
    const int parts =
        parts_for(threads_for(2.0 * double(M) * double(K) * double(O), kMinConvFlopsPerThread), g.n);
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
  // Parts are contiguous ranges of output pixels; each thread has its own im2col scratch.
  const int parts =
      parts_for(threads_for(2.0 * double(M) * double(K) * double(O), kMinConvFlopsPerThread), M);
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
#if defined(XGRAD_WITH_DNNL)
  if constexpr (std::is_same_v<T, float>) {
    // The passes oneDNN takes are done; the others go on below.
    const bool wanted = grad_in || grad_filter;
    if (grad_in && use_dnnl(g, Pass::InputGrad) &&
        dnnl_conv_backward_data(g, filter, grad_out, grad_in)) {
      grad_in = nullptr;
    }
    if (grad_filter && use_dnnl(g, Pass::FilterGrad) &&
        dnnl_conv_backward_weights(g, in, grad_out, grad_filter)) {
      grad_filter = nullptr;
    }
    if (wanted && !grad_in && !grad_filter) return;
  }
#endif
  const bool dx_direct = grad_in && use_direct(g, Pass::InputGrad);
  const bool dw_direct = grad_filter && use_direct(g, Pass::FilterGrad);
  T* const gemm_grad_in = dx_direct ? nullptr : grad_in;
  const bool gemm_dw = grad_filter && !dw_direct;
  // The direct filter gradient is [K, O] like the untransposed GEMM one.
  const bool dw_t = g_tuning.dw_transposed && !dw_direct;
  // Parts are whole images; each writes its images' grad_in and its own partial filter
  // gradient, summed in part order afterwards (reproducible for a given thread count).
  const double flops = 2.0 * double(M) * double(K) * double(O) * ((grad_in ? 1 : 0) + (grad_filter ? 1 : 0));
  const int parts = parts_for(threads_for(flops, kMinConvFlopsPerThread), g.n);
  const std::size_t dw_size = O * K;
  // Filter-gradient partials, one per part: [O, K] (transposed) or [K, O]. The calling
  // thread's workspace, since it reads them after the job (a worker's own may by then be in
  // use by another user thread's job).
  std::optional<WorkspaceLease> partial_buffer;
  if (grad_filter) partial_buffer.emplace(WorkspaceSlot::ConvPartials, std::size_t(parts) * dw_size * sizeof(T));
  T* const partials = partial_buffer ? partial_buffer->as<T>() : nullptr;
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
