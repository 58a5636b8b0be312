#pragma once
/// \file
/// nn::Flatten: [N, d1, d2, ...] -> [N, d1*d2*...] (tf.keras.layers.Flatten).
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Keeps the first axis and flattens the rest, in row-major order.
class Flatten : public Module {
public:
  Flatten() : Module("Flatten") {}
  /// x reshaped to [N, the product of the other axes].
  Tensor forward(const Tensor& x) override;
};

}  // namespace xgrad::nn
