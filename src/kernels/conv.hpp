#pragma once
// Private: 2-D convolution kernels on raw NHWC / HWIO buffers (im2col + GEMM, col2im).
// No autograd, no shape checks: the op layer (src/ops/conv.cpp) validates everything.
#include <cstddef>

namespace xgrad::kernels {

/// Output size and leading padding of one spatial axis, TensorFlow's rules.
/// SAME: out = ceil(in / s), pad_total = max((out - 1) * s + k - in, 0), pad_before =
/// pad_total / 2 (the odd extra goes after). VALID: out = (in - k) / s + 1, no padding
/// (the caller checks k <= in).
struct Axis {
  std::size_t out = 0;
  std::size_t pad_before = 0;
};
Axis same_or_valid_axis(std::size_t in, std::size_t k, std::size_t stride, bool same);

/// Everything a conv kernel needs: input [n, h, w, c], filter [kh, kw, c, o],
/// output [n, oh, ow, o].
struct ConvGeometry {
  std::size_t n = 0, h = 0, w = 0, c = 0;
  std::size_t kh = 0, kw = 0, o = 0;
  std::size_t sh = 1, sw = 1;
  std::size_t oh = 0, ow = 0;
  std::size_t pad_top = 0, pad_left = 0;

  /// GEMM sizes: rows = output pixels, cols = one receptive field (kh, kw, c).
  std::size_t rows() const { return n * oh * ow; }
  std::size_t cols() const { return kh * kw * c; }
  /// 1x1, stride 1, unpadded: the input already is the im2col matrix.
  bool pointwise() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pad_top == 0 && pad_left == 0 &&
           oh == h && ow == w;
  }
};

/// The geometry of an NHWC input [n, h, w, c] under a kh x kw window with `o` output channels,
/// strides (sh, sw) and TensorFlow's SAME or VALID rule (shared by conv2d and pooling).
ConvGeometry make_geometry(std::size_t n, std::size_t h, std::size_t w, std::size_t c,
                           std::size_t kh, std::size_t kw, std::size_t o, std::size_t sh,
                           std::size_t sw, bool same);

/// out[rows, o] = im2col(in)[rows, cols] * filter[cols, o].
template <class T>
void conv2d_forward(const ConvGeometry& g, const T* in, const T* filter, T* out);

/// grad_in (if not null) = col2im(grad_out * filter^T); grad_filter (if not null) =
/// im2col(in)^T * grad_out. Both are overwritten, not accumulated.
template <class T>
void conv2d_backward(const ConvGeometry& g, const T* in, const T* filter, const T* grad_out,
                     T* grad_in, T* grad_filter);

/// Elements im2col may write past the end of its block (vector overhang): allocate
/// rows * cols + kColSlack.
constexpr std::size_t kColSlack = 16;

/// Rows of im2col(in) in [row_begin, row_end), written contiguously to `col`
/// ((row_end - row_begin) x cols(), plus kColSlack elements of scratch room).
template <class T>
void im2col(const ConvGeometry& g, const T* in, T* col, std::size_t row_begin,
            std::size_t row_end);
/// Adds the rows [row_begin, row_end) of `col` back into grad_in (the adjoint of im2col).
template <class T>
void col2im_add(const ConvGeometry& g, const T* col, T* grad_in, std::size_t row_begin,
                std::size_t row_end);

/// Whether conv2d uses the direct kernels of conv_direct.hpp (few channels) or im2col + GEMM.
enum class ConvDirect { Auto, Always, Never };

/// Whether float32 convolutions run on oneDNN's primitives (builds with oneDNN only;
/// kernels/dnnl_conv.hpp) or on xgrad's own kernels.
enum class ConvDnnl { Auto, Always, Never };

/// Knobs of the conv kernels (process-wide, not thread-safe to change while convolutions run;
/// meant for benchmarks and tests). Initialised from the environment variables named below.
struct ConvTuning {
  /// XGRAD_CONV_BLOCK_BYTES: size of the im2col block processed per GEMM, so that it stays in
  /// cache (the whole matrix is never materialised when larger). 0 = one block.
  std::size_t block_bytes = std::size_t(1) << 20;
  /// XGRAD_CONV_DW_T: compute dW^T = g^T col and transpose the small result, rather than
  /// dW = col^T g (different operand roles inside OpenBLAS; measured with examples/bench_conv).
  bool dw_transposed = true;
  /// XGRAD_CONV_DIRECT=auto|always|never: direct kernels where they measured faster (chosen
  /// separately for the forward pass, the input gradient and the filter gradient), for every
  /// convolution, or never.
  ConvDirect direct = ConvDirect::Auto;
  /// XGRAD_CONV_DNNL=auto|always|never: float32 passes on oneDNN where they measured faster
  /// (chosen per pass, see use_dnnl in conv.cpp), for every convolution, or never. Without
  /// oneDNN in the build, always xgrad's own kernels. Above `direct`: a pass oneDNN takes
  /// ignores it.
  ConvDnnl dnnl = ConvDnnl::Auto;
};

/// Whether this build has oneDNN (XGRAD_WITH_DNNL).
bool conv_has_dnnl();
ConvTuning& conv_tuning();

}  // namespace xgrad::kernels
