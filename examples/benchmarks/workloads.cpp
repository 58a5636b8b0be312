#include "workloads.hpp"

#include <memory>
#include <random>
#include <stdexcept>

#include <xgrad/nn/nn.hpp>
#include <xgrad/optim/optim.hpp>
#include <xgrad/xgrad.hpp>

namespace bench {
namespace {

using namespace xgrad;

constexpr std::size_t kMlpBatch = 60, kConvBatch = 64, kInferenceImages = 10000;
constexpr std::size_t kCifarBatch = 128, kWideMlpBatch = 256;

xt::xarray<float> uniform(const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(0.f, 1.f);
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  for (auto& v : a) v = dist(rng);
  return a;
}

xt::xarray<float> one_hot_rows(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> digit(0, 9);
  xt::xarray<float> y = xt::zeros<float>({n, std::size_t(10)});
  for (std::size_t i = 0; i < n; ++i) y(i, digit(rng)) = 1.f;
  return y;
}

/// Experiment 1's MLP: Dense (no bias before BN) [+ BN] + sigmoid, twice, then Dense 10.
std::shared_ptr<nn::Sequential> mlp(bool batch_norm, std::mt19937_64& rng) {
  auto net = std::make_shared<nn::Sequential>();
  for (auto [in, out] : {std::pair<std::size_t, std::size_t>{784, 100}, {100, 100}}) {
    net->add(std::make_shared<nn::Dense>(in, out, !batch_norm, rng));
    if (batch_norm) net->add(nn::BatchNorm(nn::BatchNormOptions(out).decay(0.999f).eps(1e-3f)));
    net->add(nn::Sigmoid());
  }
  net->add(std::make_shared<nn::Dense>(100, 10, true, rng));
  return net;
}

/// Experiment 2's conv net: 19 3x3 SAME conv layers with 4*i channels (stride 2 when
/// i % 3 == 0) [+ BN] + ReLU, flatten, Dense 100 [+ BN] + ReLU, Dense 10.
std::shared_ptr<nn::Sequential> conv_net(bool batch_norm, std::mt19937_64& rng, double* flops) {
  auto net = std::make_shared<nn::Sequential>();
  std::size_t channels = 1, size = 28;
  *flops = 0;
  for (std::size_t i = 1; i <= 19; ++i) {
    const std::size_t stride = i % 3 == 0 ? 2 : 1, out = 4 * i;
    const std::size_t out_size = (size + stride - 1) / stride;
    net->add(std::make_shared<nn::Conv2D>(channels, out, 3, stride, Padding::Same, !batch_norm, rng));
    if (batch_norm) net->add(nn::BatchNorm(nn::BatchNormOptions(out).decay(0.99f).eps(1e-3f)));
    net->add(nn::ReLU());
    // forward, filter gradient, and (except for the first layer) input gradient
    const double forward = 2.0 * kConvBatch * out_size * out_size * 9.0 * channels * out;
    *flops += forward * (i == 1 ? 2 : 3);
    channels = out;
    size = out_size;
  }
  const std::size_t flat = channels * size * size;
  net->add(nn::Flatten());
  net->add(std::make_shared<nn::Dense>(flat, 100, !batch_norm, rng));
  if (batch_norm) net->add(nn::BatchNorm(nn::BatchNormOptions(100).decay(0.99f).eps(1e-3f)));
  net->add(nn::ReLU());
  net->add(std::make_shared<nn::Dense>(100, 10, true, rng));
  *flops += 3 * 2.0 * kConvBatch * (flat * 100 + 100 * 10);
  return net;
}

/// Forward-pass matrix-product FLOPs of the MLP on `batch` rows.
double mlp_forward_flops(std::size_t batch) { return 2.0 * batch * (784 * 100 + 100 * 100 + 100 * 10); }

Workload mlp_training(const std::string& name, bool batch_norm) {
  std::mt19937_64 rng(0);
  auto net = mlp(batch_norm, rng);
  auto sgd = std::make_shared<optim::SGD>(net->parameters(), 0.01f);
  Tensor x(uniform({kMlpBatch, 784}, 1)), y(one_hot_rows(kMlpBatch, 2));
  // forward + weight gradients + input gradients of layers 2 and 3
  const double flops = 2 * mlp_forward_flops(kMlpBatch) + 2.0 * kMlpBatch * (100 * 100 + 100 * 10);
  return {name, [net, sgd, x, y] {
            sgd->zero_grad();
            Tensor loss = reduce_sum(softmax_cross_entropy_with_logits(y, net->forward(x)));
            loss.backward();
            sgd->step();
          },
          flops};
}

Workload conv_training(const std::string& name, bool batch_norm) {
  std::mt19937_64 rng(0);
  double flops = 0;
  auto net = conv_net(batch_norm, rng, &flops);
  auto adam = std::make_shared<optim::Adam>(net->parameters(), 0.002f, 0.9f, 0.999f, 1e-8f);
  Tensor x(uniform({kConvBatch, 28, 28, 1}, 1)), y(one_hot_rows(kConvBatch, 2));
  return {name, [net, adam, x, y] {
            adam->zero_grad();
            Tensor loss = reduce_mean(sigmoid_cross_entropy_with_logits(y, net->forward(x)));
            loss.backward();
            adam->step();
          },
          flops};
}

Workload inference() {
  std::mt19937_64 rng(0);
  auto net = mlp(true, rng);
  net->eval();
  Tensor x(uniform({kInferenceImages, 784}, 1));
  return {"E1", [net, x] {
            NoGradGuard no_grad;
            argmax(net->forward(x), -1);
          },
          mlp_forward_flops(kInferenceImages)};
}

/// Matrix-product FLOPs of one training step of a conv layer: forward, filter gradient and,
/// except for a first layer (its input needs no gradient), input gradient.
double conv_step_flops(std::size_t batch, std::size_t out_size, std::size_t kernel, std::size_t in,
                       std::size_t out, bool first_layer) {
  const double forward = 2.0 * batch * out_size * out_size * kernel * kernel * in * out;
  return forward * (first_layer ? 2 : 3);
}

/// The same for a dense layer on `batch` rows.
double dense_step_flops(std::size_t batch, std::size_t in, std::size_t out, bool first_layer) {
  return 2.0 * batch * in * out * (first_layer ? 2 : 3);
}

xt::xarray<std::int64_t> class_ids(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> digit(0, 9);
  xt::xarray<std::int64_t> y = xt::xarray<std::int64_t>::from_shape({n});
  for (auto& v : y) v = digit(rng);
  return y;
}

/// 3x3 SAME conv without bias + BN (PyTorch's defaults: momentum 0.1, eps 1e-5), as the
/// CIFAR nets use it.
std::shared_ptr<nn::Sequential> conv_bn(std::size_t in, std::size_t out, std::size_t kernel,
                                        std::size_t stride, std::mt19937_64& rng) {
  auto block = std::make_shared<nn::Sequential>();
  block->add(std::make_shared<nn::Conv2D>(in, out, kernel, stride, Padding::Same, false, rng));
  block->add(nn::BatchNorm(nn::BatchNormOptions(out).decay(0.9f).eps(1e-5f)));
  return block;
}

/// ResNet basic block: relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x)); the shortcut
/// is x itself, or a 1x1 conv + BN where the block changes the size or the channels.
class BasicBlock : public nn::Module {
public:
  BasicBlock(std::size_t in, std::size_t out, std::size_t stride, std::mt19937_64& rng)
      : Module("BasicBlock") {
    first_ = register_module("conv_bn1", conv_bn(in, out, 3, stride, rng));
    second_ = register_module("conv_bn2", conv_bn(out, out, 3, 1, rng));
    if (stride != 1 || in != out) shortcut_ = register_module("shortcut", conv_bn(in, out, 1, stride, rng));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = (*second_)(relu((*first_)(x)));
    return relu(h + (shortcut_ ? (*shortcut_)(x) : x));
  }

private:
  std::shared_ptr<nn::Sequential> first_, second_, shortcut_;
};

/// ResNet-20 for CIFAR-10 (He et al. 2016, with 1x1 projection shortcuts): a 3x3 conv of 16
/// channels, three stages of three basic blocks with 16/32/64 channels (the second and third
/// start with stride 2: 32x32, 16x16, 8x8), global average pooling, dense 10.
std::shared_ptr<nn::Sequential> resnet20(std::mt19937_64& rng, double* flops) {
  const std::size_t n = kCifarBatch;
  auto net = std::make_shared<nn::Sequential>();
  net->add(conv_bn(3, 16, 3, 1, rng));
  net->add(nn::ReLU());
  *flops = conv_step_flops(n, 32, 3, 3, 16, true);
  std::size_t channels = 16, size = 32;
  for (std::size_t out : {16, 32, 64}) {
    for (std::size_t block = 0; block < 3; ++block) {
      const std::size_t stride = block == 0 && out != 16 ? 2 : 1, out_size = size / stride;
      net->add(std::make_shared<BasicBlock>(channels, out, stride, rng));
      *flops += conv_step_flops(n, out_size, 3, channels, out, false) +
                conv_step_flops(n, out_size, 3, out, out, false);
      if (stride != 1 || channels != out) *flops += conv_step_flops(n, out_size, 1, channels, out, false);
      channels = out;
      size = out_size;
    }
  }
  net->add(nn::GlobalAveragePooling2D());
  net->add(std::make_shared<nn::Dense>(64, 10, true, rng));
  *flops += dense_step_flops(n, 64, 10, false);
  return net;
}

/// A VGG-style CIFAR-10 net: three blocks of conv3x3-BN-ReLU, conv3x3-BN-ReLU, 2x2 max pool
/// with 32/64/128 channels (32x32 -> 4x4), flatten, dense 128 + ReLU, dense 10.
std::shared_ptr<nn::Sequential> vgg(std::mt19937_64& rng, double* flops) {
  const std::size_t n = kCifarBatch;
  auto net = std::make_shared<nn::Sequential>();
  std::size_t channels = 3, size = 32;
  *flops = 0;
  for (std::size_t out : {32, 64, 128}) {
    for (int layer = 0; layer < 2; ++layer) {
      net->add(conv_bn(channels, out, 3, 1, rng));
      net->add(nn::ReLU());
      *flops += conv_step_flops(n, size, 3, channels, out, channels == 3);
      channels = out;
    }
    net->add(nn::MaxPool2D(2));
    size /= 2;
  }
  net->add(nn::Flatten());
  net->add(std::make_shared<nn::Dense>(channels * size * size, 128, true, rng));
  net->add(nn::ReLU());
  net->add(std::make_shared<nn::Dense>(128, 10, true, rng));
  *flops += dense_step_flops(n, channels * size * size, 128, false) + dense_step_flops(n, 128, 10, false);
  return net;
}

/// One SGD-with-momentum step (lr 0.05, momentum 0.9) of a CIFAR net on a random batch of
/// 128 32x32x3 images, mean sparse softmax cross-entropy.
Workload cifar_training(const std::string& name) {
  std::mt19937_64 rng(0);
  double flops = 0;
  auto net = name == "R20" ? resnet20(rng, &flops) : vgg(rng, &flops);
  auto sgd = std::make_shared<optim::SGD>(net->parameters(), 0.05f, 0.9f);
  Tensor x(uniform({kCifarBatch, 32, 32, 3}, 1));
  auto y = std::make_shared<xt::xarray<std::int64_t>>(class_ids(kCifarBatch, 2));
  return {name, [net, sgd, x, y] {
            sgd->zero_grad();
            Tensor loss = reduce_mean(sparse_softmax_cross_entropy_with_logits(*y, net->forward(x)));
            loss.backward();
            sgd->step();
          },
          flops};
}

/// One Adam step of a wide MLP, 784-1024-1024-10 with ReLU, batch 256, mean sparse softmax
/// cross-entropy.
Workload wide_mlp_training() {
  std::mt19937_64 rng(0);
  auto net = std::make_shared<nn::Sequential>();
  net->add(std::make_shared<nn::Dense>(784, 1024, true, rng));
  net->add(nn::ReLU());
  net->add(std::make_shared<nn::Dense>(1024, 1024, true, rng));
  net->add(nn::ReLU());
  net->add(std::make_shared<nn::Dense>(1024, 10, true, rng));
  auto adam = std::make_shared<optim::Adam>(net->parameters(), 0.001f);
  const std::size_t n = kWideMlpBatch;
  Tensor x(uniform({n, 784}, 1));
  auto y = std::make_shared<xt::xarray<std::int64_t>>(class_ids(n, 2));
  const double flops = dense_step_flops(n, 784, 1024, true) + dense_step_flops(n, 1024, 1024, false) +
                       dense_step_flops(n, 1024, 10, false);
  return {"WMLP", [net, adam, x, y] {
            adam->zero_grad();
            Tensor loss = reduce_mean(sparse_softmax_cross_entropy_with_logits(*y, net->forward(x)));
            loss.backward();
            adam->step();
          },
          flops};
}

}  // namespace

const std::vector<std::string>& workload_names() {
  static const std::vector<std::string> names{"W1a", "W1b", "W2a", "W2b", "E1",
                                                    "R20", "VGG", "WMLP"};
  return names;
}

Workload make_workload(const std::string& name) {
  if (name == "W1a" || name == "W1b") return mlp_training(name, name == "W1b");
  if (name == "W2a" || name == "W2b") return conv_training(name, name == "W2b");
  if (name == "E1") return inference();
  if (name == "R20" || name == "VGG") return cifar_training(name);
  if (name == "WMLP") return wide_mlp_training();
  throw std::invalid_argument("unknown workload '" + name +
                              "' (expected W1a, W1b, W2a, W2b, E1, R20, VGG or WMLP)");
}

}  // namespace bench
