#pragma once
/// \file
/// nn::Flatten: [N, d1, d2, ...] -> [N, d1*d2*...] (tf.keras.layers.Flatten).
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Keeps the first axis and flattens the rest, in row-major order.
template <class T>
class BasicFlatten : public BasicModule<T> {
public:
  BasicFlatten() : BasicModule<T>("Flatten") {}
  /// x reshaped to [N, the product of the other axes].
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
};

using Flatten = BasicFlatten<float>;     ///< float32 Flatten
using Flatten64 = BasicFlatten<double>;  ///< float64 Flatten
extern template class BasicFlatten<float>;
extern template class BasicFlatten<double>;

}  // namespace xgrad::nn
