#pragma once
/// \file
/// Pooling layers over NHWC input (tf.keras.layers.MaxPooling2D, AveragePooling2D,
/// GlobalAveragePooling2D). No parameters.
#include <array>
#include <cstddef>

#include "xgrad/nn/module.hpp"
#include "xgrad/ops/conv.hpp"
#include "xgrad/options.hpp"

namespace xgrad::nn {

/// Window and stride of a 2-D pooling layer, set fluently:
/// `Pool2DOptions().pool_size(3).strides(1).padding(Padding::Same)`. As in Keras, the stride
/// defaults to the window (non-overlapping windows) and the padding to Valid.
struct Pool2DOptions {
  /// {height, width}.
  using Size2 = std::array<std::size_t, 2>;
  /// {height, width} of the window. Default {2, 2}.
  XGRAD_OPTION(Size2, pool_size) = Size2{2, 2};
  /// {height, width} of the step; {0, 0} (the default): the pool size.
  XGRAD_OPTION(Size2, strides) = Size2{0, 0};
  /// Default Padding::Valid.
  XGRAD_OPTION(Padding, padding) = Padding::Valid;

public:
  /// A square window.
  Pool2DOptions& pool_size(std::size_t size) { return pool_size(Size2{size, size}); }
  /// The same step along both axes.
  Pool2DOptions& strides(std::size_t stride) { return strides(Size2{stride, stride}); }
};

/// Shared by the two windowed pooling layers: option checks and the NHWC input check.
template <class T>
class BasicPool2D : public BasicModule<T> {
public:
  ///@{
  /// The window, the step (the window when the options left it 0) and the padding in use.
  const std::array<std::size_t, 2>& pool_size() const { return pool_size_; }
  const std::array<std::size_t, 2>& strides() const { return strides_; }
  Padding padding() const { return padding_; }
  ///@}

protected:
  /// Throws std::invalid_argument on a zero window or stride.
  BasicPool2D(std::string type_name, const Pool2DOptions& options);
  /// Throws std::invalid_argument naming the layer unless x is [N, H, W, C].
  void check_input(const BasicTensor<T>& x) const;

private:
  std::array<std::size_t, 2> pool_size_, strides_;
  Padding padding_;
};

/// xgrad::max_pool2d as a layer.
template <class T>
class BasicMaxPool2D : public BasicPool2D<T> {
public:
  /// Throws std::invalid_argument on a zero window or stride.
  explicit BasicMaxPool2D(const Pool2DOptions& options) : BasicPool2D<T>("MaxPool2D", options) {}
  /// Square window `pool_size`, stride `pool_size` unless given, Valid padding unless given.
  explicit BasicMaxPool2D(std::size_t pool_size = 2, std::size_t stride = 0,
                          Padding padding = Padding::Valid)
      : BasicMaxPool2D(Pool2DOptions().pool_size(pool_size).strides(stride).padding(padding)) {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// xgrad::avg_pool2d as a layer (padded positions are not counted, as in TensorFlow).
template <class T>
class BasicAvgPool2D : public BasicPool2D<T> {
public:
  /// Throws std::invalid_argument on a zero window or stride.
  explicit BasicAvgPool2D(const Pool2DOptions& options) : BasicPool2D<T>("AvgPool2D", options) {}
  /// Square window `pool_size`, stride `pool_size` unless given, Valid padding unless given.
  explicit BasicAvgPool2D(std::size_t pool_size = 2, std::size_t stride = 0,
                          Padding padding = Padding::Valid)
      : BasicAvgPool2D(Pool2DOptions().pool_size(pool_size).strides(stride).padding(padding)) {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

/// [N, H, W, C] -> [N, C]: the mean over H and W (reduce_mean over axes 1 and 2).
template <class T>
class BasicGlobalAveragePooling2D : public BasicModule<T> {
public:
  BasicGlobalAveragePooling2D() : BasicModule<T>("GlobalAveragePooling2D") {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

using Pool2D = BasicPool2D<float>;        ///< float32 pooling base
using MaxPool2D = BasicMaxPool2D<float>;  ///< float32 MaxPool2D
using MaxPool2D64 = BasicMaxPool2D<double>;  ///< float64 MaxPool2D
using AvgPool2D = BasicAvgPool2D<float>;     ///< float32 AvgPool2D
using AvgPool2D64 = BasicAvgPool2D<double>;  ///< float64 AvgPool2D
using GlobalAveragePooling2D = BasicGlobalAveragePooling2D<float>;  ///< float32
using GlobalAveragePooling2D64 = BasicGlobalAveragePooling2D<double>;  ///< float64
extern template class BasicPool2D<float>;
extern template class BasicPool2D<double>;
extern template class BasicMaxPool2D<float>;
extern template class BasicMaxPool2D<double>;
extern template class BasicAvgPool2D<float>;
extern template class BasicAvgPool2D<double>;
extern template class BasicGlobalAveragePooling2D<float>;
extern template class BasicGlobalAveragePooling2D<double>;

}  // namespace xgrad::nn
