#pragma once
/// \file
/// nn::Flatten: [N, d1, d2, ...] -> [N, d1*d2*...] (tf.keras.layers.Flatten).
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

class Flatten : public Module {
public:
  Flatten() : Module("Flatten") {}
  Tensor forward(const Tensor& x) override;
};

}  // namespace xgrad::nn
