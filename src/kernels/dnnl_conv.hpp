#pragma once
// Private: float32 convolutions on oneDNN's primitives (built with XGRAD_WITH_DNNL only; the
// entry points in conv.cpp decide which convolutions come here). NHWC activations and HWIO
// filters as everywhere in xgrad; TensorFlow's SAME padding is oneDNN's padding_l/padding_r,
// so the asymmetric case maps exactly. Primitives (and weight reorders) are cached per shape,
// direction and thread count.
#include <cstddef>

#include "kernels/conv.hpp"

namespace xgrad::kernels {

/// Each returns false, having written nothing, if oneDNN has no primitive for the geometry
/// (the caller then runs xgrad's own kernels); else true.
/// out = conv(in, filter), overwritten.
bool dnnl_conv_forward(const ConvGeometry& g, const float* in, const float* filter, float* out);
/// grad_in = the input gradient, overwritten.
bool dnnl_conv_backward_data(const ConvGeometry& g, const float* filter, const float* grad_out,
                             float* grad_in);
/// grad_filter = the filter gradient (HWIO), overwritten.
bool dnnl_conv_backward_weights(const ConvGeometry& g, const float* in, const float* grad_out,
                                float* grad_filter);

/// oneDNN primitives (convolutions and reorders) created in this process so far: the cache test
/// checks that a second identical step adds none.
std::size_t dnnl_primitives_created();

/// Plans (shape, direction and thread count) in the cache now: at most
/// config::kMaxDnnlConvPlans, the least recently used evicted first.
std::size_t dnnl_conv_plans_cached();

/// Convolution passes oneDNN has run in this process (each call that returned true): the tests
/// check that the oneDNN path is taken, rather than the fallback.
std::size_t dnnl_conv_passes_run();

/// "oneDNN 2.6.3": the library's version at run time.
const char* dnnl_version_string();

}  // namespace xgrad::kernels
