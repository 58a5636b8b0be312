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

}  // namespace

const std::vector<std::string>& workload_names() {
  static const std::vector<std::string> names{"W1a", "W1b", "W2a", "W2b", "E1"};
  return names;
}

Workload make_workload(const std::string& name) {
  if (name == "W1a" || name == "W1b") return mlp_training(name, name == "W1b");
  if (name == "W2a" || name == "W2b") return conv_training(name, name == "W2b");
  if (name == "E1") return inference();
  throw std::invalid_argument("unknown workload '" + name + "' (expected W1a, W1b, W2a, W2b or E1)");
}

}  // namespace bench
