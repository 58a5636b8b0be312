#pragma once
/// \file
/// 2-D convolution with TensorFlow's layout and padding rules (tf.nn.conv2d).
///
/// Layouts: input NHWC `[N, H, W, C]`, filter HWIO `[KH, KW, C, O]`, output `[N, OH, OW, O]`.
///
/// Padding (TensorFlow's rules, per spatial axis with input size `in`, kernel `k`, stride `s`):
/// - `Padding::Same`:  `out = ceil(in / s)`, `pad_total = max((out - 1) * s + k - in, 0)`,
///   `pad_top = pad_total / 2`; when `pad_total` is odd the extra row/column goes at the
///   bottom/right (unlike PyTorch's symmetric `padding=`).
/// - `Padding::Valid`: no padding, `out = (in - k) / s + 1`; a kernel larger than the input is
///   an error.
///
/// Implemented as im2col + GEMM (OpenBLAS sgemm/dgemm, single-threaded inside xgrad's threads,
/// which split the batch by images); the backward pass computes dFilter = im2col(x)^T g and
/// dInput = col2im(g W^T), again as GEMMs with transpose flags. A 1x1 stride-1 convolution is a
/// plain GEMM on the input, with no im2col. Layers with few channels (c * o up to 32..320,
/// per pass) run direct kernels instead, vectorised over output positions, where a GEMM with
/// 4..12 output columns would waste most SIMD lanes; XGRAD_CONV_DIRECT=never|always overrides
/// that choice (for benchmarks and tests; the results agree to rounding).
#include <array>
#include <cstddef>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Padding mode of conv2d and the pooling ops (TensorFlow's "SAME" and "VALID").
enum class Padding { Same, Valid };

/// tf.nn.conv2d(input, filter, strides, padding), without dilation.
/// Throws std::invalid_argument (naming the op and both shapes) on: an input that is not 4-D,
/// a filter that is not 4-D, input channels != filter input channels, a zero stride, or a
/// kernel larger than the input with `Padding::Valid`.
/// VJP: dInput (col2im of g W^T) and dFilter (im2col(x)^T g).
template <class T>
BasicTensor<T> conv2d(const BasicTensor<T>& input, const BasicTensor<T>& filter,
                      std::array<std::size_t, 2> strides, Padding padding);

}  // namespace xgrad
