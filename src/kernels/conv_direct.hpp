#pragma once
// Private: direct 2-D convolution for few channels, on the raw NHWC / HWIO buffers and
// geometry of conv.hpp. No im2col, no GEMM: with 1..~16 channels a GEMM's N = o wastes most
// SIMD lanes and im2col copies runs of a few floats. Instead each image is transposed into
// zero-padded planes [c][rows][cols] and the kernels vectorise over output positions.
// Any geometry works; conv.cpp decides when this is faster (ConvTuning::direct).
// Functions take a range of whole images [n_begin, n_end), so callers split by images.
#include <cstddef>

#include "kernels/conv.hpp"

namespace xgrad::kernels {

/// out = conv(in, filter) for images [n_begin, n_end) (overwritten).
template <class T>
void direct_forward(const ConvGeometry& g, const T* in, const T* filter, T* out,
                    std::size_t n_begin, std::size_t n_end);

/// grad_in of images [n_begin, n_end) (overwritten), given grad_out.
template <class T>
void direct_backward_input(const ConvGeometry& g, const T* filter, const T* grad_out, T* grad_in,
                           std::size_t n_begin, std::size_t n_end);

/// dw [kh, kw, c, o] = the filter gradient summed over images [n_begin, n_end) (overwritten).
template <class T>
void direct_backward_filter(const ConvGeometry& g, const T* in, const T* grad_out, T* dw,
                            std::size_t n_begin, std::size_t n_end);

}  // namespace xgrad::kernels
