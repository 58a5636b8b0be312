#pragma once
// The small conv net the image-folder example trains and its prefetching benchmark times.
#include <memory>
#include <random>

#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>

namespace examples {

/// conv 3x3 SAME -> BN -> ReLU -> 2x2 max pooling.
class ConvBlock : public xgrad::nn::Module {
public:
  ConvBlock(std::size_t in, std::size_t out, std::mt19937_64& rng) : xgrad::nn::Module("ConvBlock") {
    conv_ = register_module("conv", std::make_shared<xgrad::nn::Conv2D>(in, out, 3, 1, xgrad::Padding::Same,
                                                                 /*use_bias=*/false, rng));
    // decay 0.9 (PyTorch momentum 0.1): the moving statistics settle within a short run.
    bn_ = register_module(
        "bn", std::make_shared<xgrad::nn::BatchNorm>(xgrad::nn::BatchNormOptions(out).decay(0.9f)));
    pool_ = register_module("pool", std::make_shared<xgrad::nn::MaxPool2D>(2));
  }
  xgrad::Tensor forward(const xgrad::Tensor& x) override { return (*pool_)(xgrad::relu((*bn_)((*conv_)(x)))); }

private:
  std::shared_ptr<xgrad::nn::Conv2D> conv_;
  std::shared_ptr<xgrad::nn::BatchNorm> bn_;
  std::shared_ptr<xgrad::nn::MaxPool2D> pool_;
};

/// [N, 32, 32, 3] -> 16 ch at 16x16 -> 32 at 8x8 -> 32 at 4x4 -> flatten 512 -> dense classes.
class ShapesNet : public xgrad::nn::Module {
public:
  ShapesNet(std::size_t classes, std::mt19937_64& rng) : xgrad::nn::Module("ShapesNet") {
    b1_ = register_module("block1", std::make_shared<ConvBlock>(3, 16, rng));
    b2_ = register_module("block2", std::make_shared<ConvBlock>(16, 32, rng));
    b3_ = register_module("block3", std::make_shared<ConvBlock>(32, 32, rng));
    flatten_ = register_module("flatten", std::make_shared<xgrad::nn::Flatten>());
    logits_ = register_module("logits", std::make_shared<xgrad::nn::Dense>(4 * 4 * 32, classes, true, rng));
  }
  xgrad::Tensor forward(const xgrad::Tensor& x) override {
    return (*logits_)((*flatten_)((*b3_)((*b2_)((*b1_)(x)))));
  }

private:
  std::shared_ptr<ConvBlock> b1_, b2_, b3_;
  std::shared_ptr<xgrad::nn::Flatten> flatten_;
  std::shared_ptr<xgrad::nn::Dense> logits_;
};

}  // namespace examples
