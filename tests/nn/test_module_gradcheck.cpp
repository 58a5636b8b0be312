// nn::gradcheck_module over every layer alone, in both modes, and over three models, in
// float64; a wrong VJP term of relative size 1e-4 is caught and its layer named.
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

/// Uniform in [-1, 1), moved at least 0.05 away from 0, so that no finite-difference step
/// crosses the kink of relu, leaky_relu or elu.
Tensor64 away_from_zero(const Shape& shape, std::uint64_t seed) {
  xt::xarray<double> a = test::random_array<double>(shape, seed);
  for (auto& v : a) {
    if (std::abs(v) < 0.05) v = v < 0 ? v - 0.05 : v + 0.05;
  }
  return Tensor64(a);
}

/// Gradchecks `m` at `x` in training mode, then in eval mode; the mode is restored.
void check_both_modes(nn::Module64& m, const Tensor64& x,
                      const nn::ModuleGradcheckOptions& options = {}) {
  for (bool training : {true, false}) {
    m.train(training);
    nn::ModuleGradcheckResult r = nn::gradcheck_module(m, x, options);
    INFO(r.message);
    CHECK(r.ok);
    CHECK(r.max_error <= options.tolerance);
  }
  m.train(true);
}

/// The BN layers' moving statistics, to compare before and after a check.
std::vector<xt::xarray<double>> buffer_values(const nn::Module64& m) {
  std::vector<xt::xarray<double>> out;
  for (const auto& kv : m.named_buffers()) out.push_back(kv.second.value());
  return out;
}

}  // namespace

TEST_CASE("gradcheck_module: Dense, Conv2D (SAME, VALID, stride 2), LayerNormalization",
          "[nn][gradcheck_module]") {
  std::mt19937_64 rng(1);
  SECTION("Dense") {
    nn::Dense64 dense(3, 4, true, rng);
    check_both_modes(dense, away_from_zero({5, 3}, 2));
  }
  SECTION("Conv2D SAME") {
    nn::Conv2D64 conv(2, 3, 3, 1, Padding::Same, true, rng);
    check_both_modes(conv, away_from_zero({2, 4, 4, 2}, 3));
  }
  SECTION("Conv2D VALID") {
    nn::Conv2D64 conv(2, 3, 3, 1, Padding::Valid, true, rng);
    check_both_modes(conv, away_from_zero({2, 5, 5, 2}, 4));
  }
  SECTION("Conv2D stride 2, SAME and VALID") {
    nn::Conv2D64 same(2, 2, 3, 2, Padding::Same, true, rng);
    check_both_modes(same, away_from_zero({1, 5, 5, 2}, 5));
    nn::Conv2D64 valid(2, 2, 2, 2, Padding::Valid, false, rng);
    check_both_modes(valid, away_from_zero({1, 5, 5, 2}, 6));
  }
  SECTION("LayerNormalization") {
    nn::LayerNormalization64 ln(4);
    // Not the initial ones and zeros, so every term of the VJP counts.
    nn::set_weights(ln.gamma(), test::random_array<double>({4}, 7, 0.5, 1.5));
    nn::set_weights(ln.beta(), test::random_array<double>({4}, 8));
    check_both_modes(ln, away_from_zero({3, 4}, 9));
  }
}

TEST_CASE("gradcheck_module: BatchNorm on [N, F] and NHWC checks through the batch statistics "
          "and leaves the moving statistics bit for bit",
          "[nn][gradcheck_module][bn]") {
  for (bool images : {false, true}) {
    nn::BatchNorm64 bn(nn::BatchNormOptions(3).decay(0.9f));
    nn::set_weights(bn.gamma(), test::random_array<double>({3}, 10, 0.5, 1.5));
    nn::set_weights(bn.beta(), test::random_array<double>({3}, 11));
    const Shape shape = images ? Shape{2, 3, 2, 3} : Shape{6, 3};
    // Moving statistics away from their initial zeros and ones, so eval mode uses them.
    bn(Tensor64(test::random_array<double>(shape, 12, -2.0, 3.0)));
    const auto before = buffer_values(bn);
    CHECK(before[0](0) != 0.0);
    check_both_modes(bn, away_from_zero(shape, 13));
    const auto after = buffer_values(bn);
    REQUIRE(after.size() == before.size());
    for (std::size_t i = 0; i < after.size(); ++i) CHECK((after[i] == before[i]));
  }
}

TEST_CASE("gradcheck_module: pooling layers", "[nn][gradcheck_module]") {
  const Tensor64 x = away_from_zero({2, 4, 4, 2}, 14);
  nn::MaxPool2D64 max_pool(2);
  check_both_modes(max_pool, x);
  nn::MaxPool2D64 max_same(3, 2, Padding::Same);
  check_both_modes(max_same, x);
  nn::AvgPool2D64 avg_pool(3, 2, Padding::Same);
  check_both_modes(avg_pool, x);
  nn::GlobalAveragePooling2D64 global;
  check_both_modes(global, x);
}

TEST_CASE("gradcheck_module: Dropout with its mask held fixed, the mask counter is left as it was",
          "[nn][gradcheck_module]") {
  nn::Dropout64 dropout(0.5f, 21);
  dropout.set_calls(3);
  check_both_modes(dropout, away_from_zero({4, 5}, 15));
  CHECK(dropout.calls() == 3);
  // The check holds a real mask: some elements dropped, the others scaled by 2.
  dropout.train();
  const Tensor64 y = dropout(Tensor64(xt::ones<double>({4, 5})));
  CHECK(std::count(y.value().begin(), y.value().end(), 0.0) > 0);
  CHECK(std::count(y.value().begin(), y.value().end(), 2.0) > 0);
}

TEST_CASE("gradcheck_module: every activation layer", "[nn][gradcheck_module]") {
  const Tensor64 x = away_from_zero({3, 4}, 16);
  std::vector<std::shared_ptr<nn::Module64>> layers{
      std::make_shared<nn::Sigmoid64>(),  std::make_shared<nn::ReLU64>(),
      std::make_shared<nn::Tanh64>(),     std::make_shared<nn::Softmax64>(),
      std::make_shared<nn::LeakyReLU64>(), std::make_shared<nn::ELU64>(),
      std::make_shared<nn::Softplus64>(), std::make_shared<nn::GELU64>(false),
      std::make_shared<nn::GELU64>(true), std::make_shared<nn::Flatten64>()};
  for (auto& layer : layers) {
    INFO(layer->name());
    check_both_modes(*layer, x);
  }
}

namespace {

/// Experiment 1's BN MLP (examples/mnist_bn_mlp): Dense without bias, BN (decay 0.999, eps
/// 1e-3), sigmoid, twice, then Dense with bias; `in` and `hidden` scaled down for the check.
template <class T>
std::shared_ptr<nn::BasicSequential<T>> bn_mlp(std::size_t in, std::size_t hidden,
                                                std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto bn = nn::BatchNormOptions(hidden).decay(0.999f).eps(1e-3f);
  auto m = std::make_shared<nn::BasicSequential<T>>();
  m->add(nn::BasicDense<T>(in, hidden, false, rng));
  m->add(nn::BasicBatchNorm<T>(bn));
  m->add(nn::BasicSigmoid<T>());
  m->add(nn::BasicDense<T>(hidden, hidden, false, rng));
  m->add(nn::BasicBatchNorm<T>(bn));
  m->add(nn::BasicSigmoid<T>());
  m->add(nn::BasicDense<T>(hidden, 10, true, rng));
  return m;
}

}  // namespace

TEST_CASE("gradcheck_module: Experiment 1's BN MLP", "[nn][gradcheck_module][models]") {
  SECTION("scaled down (12-8-8-10), every parameter and the input") {
    auto mlp = bn_mlp<double>(12, 8, 31);
    check_both_modes(*mlp, away_from_zero({6, 12}, 32));
  }
  SECTION("full size (784-100-100-10): the BN parameters and the output layer's bias") {
    auto mlp = bn_mlp<double>(784, 100, 33);
    nn::ModuleGradcheckOptions options;
    options.check_input = false;
    options.num_upstream = 1;
    options.parameters = {"1.gamma", "1.beta", "4.gamma", "6.bias"};
    check_both_modes(*mlp, away_from_zero({4, 784}, 34), options);
  }
}

TEST_CASE("gradcheck_module: a conv net (Conv2D + BatchNorm + ReLU + MaxPool + Dense)",
          "[nn][gradcheck_module][models]") {
  std::mt19937_64 rng(41);
  nn::Sequential64 net;
  net.add(nn::Conv2D64(1, 3, 3, 1, Padding::Same, true, rng));
  net.add(nn::BatchNorm64(3));
  net.add(nn::ReLU64());
  net.add(nn::MaxPool2D64(2));
  net.add(nn::Flatten64());
  net.add(nn::Dense64(12, 4, true, rng));
  net.add(nn::Dropout64(0.25f, 42));
  check_both_modes(net, away_from_zero({3, 4, 4, 1}, 43));
}

namespace {

/// BatchNorm in training mode on [N, F], written out by hand with its VJP
///   dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sigma,   dxhat = dy * gamma,
/// whose last term is scaled by `scale`: 1 is the right gradient, 1.0001 a wrong one by 1e-4.
Tensor64 hand_batch_norm(const Tensor64& x, const Tensor64& gamma, const Tensor64& beta,
                         double scale) {
  const double eps = 1e-3;
  const auto& xv = x.value();
  const xt::xarray<double> mean = xt::mean(xv, {0});
  const xt::xarray<double> sigma = xt::sqrt(xt::mean(xt::square(xv - mean), {0}) + eps);
  const xt::xarray<double> xhat = (xv - mean) / sigma;
  xt::xarray<double> y = xhat * gamma.value() + beta.value();
  return make_op("hand_batch_norm", std::move(y), {x, gamma, beta},
                 [gamma, xhat, sigma, scale](const xt::xarray<double>& dy,
                                             const xt::xarray<double>&,
                                             autograd::Gradients<double>& grads) {
                   const xt::xarray<double> dxhat = dy * gamma.value();
                   grads.set(0, (dxhat - xt::mean(dxhat, {0}) -
                                 scale * xhat * xt::mean(dxhat * xhat, {0})) /
                                    sigma);
                   grads.set(1, xt::sum(dy * xhat, {0}));
                   grads.set(2, xt::sum(dy, {0}));
                 });
}

/// A test-only layer over hand_batch_norm, so its VJP can be made wrong on purpose.
class HandBatchNorm : public nn::Module64 {
public:
  HandBatchNorm(std::size_t features, double scale) : Module("HandBatchNorm"), scale_(scale) {
    gamma_ = register_parameter("gamma", Tensor64(test::random_array<double>({features}, 51, 0.5, 1.5)));
    beta_ = register_parameter("beta", Tensor64(test::random_array<double>({features}, 52)));
  }
  Tensor64 forward(const Tensor64& x) override { return hand_batch_norm(x, gamma_, beta_, scale_); }

private:
  double scale_;
  Tensor64 gamma_, beta_;
};

std::shared_ptr<nn::Sequential64> with_hand_bn(double scale) {
  std::mt19937_64 rng(53);
  auto net = std::make_shared<nn::Sequential64>();
  net->add(nn::Dense64(4, 3, false, rng));
  net->add(std::make_shared<HandBatchNorm>(3, scale));
  net->add(nn::Tanh64());
  net->add(nn::Dense64(3, 2, true, rng));
  return net;
}

}  // namespace

TEST_CASE("gradcheck_module: a BatchNorm VJP term off by 1e-4 fails the check, which names the "
          "layer",
          "[nn][gradcheck_module][mutation]") {
  const Tensor64 x = away_from_zero({5, 4}, 54);
  // The hand-written VJP is right as written: the check passes.
  auto right = with_hand_bn(1.0);
  nn::ModuleGradcheckResult ok = nn::gradcheck_module(*right, x);
  INFO(ok.message);
  CHECK(ok.ok);

  auto wrong = with_hand_bn(1.0001);
  nn::ModuleGradcheckResult r = nn::gradcheck_module(*wrong, x);
  INFO(r.message);
  CHECK_FALSE(r.ok);
  CHECK(r.max_error > 1e-6);
  // The wrong term reaches the input and the Dense layer before the BN, not the BN's own
  // parameters nor anything after it; the layer that fails alone is the BN.
  CHECK((r.worst == "input" || r.worst == "0.kernel"));
  CHECK(r.layer == "HandBatchNorm '1'");
  CHECK(r.message.find("HandBatchNorm '1'") != std::string::npos);
}

TEST_CASE("gradcheck_module: a subset of parameters by dotted name, bad names refused",
          "[nn][gradcheck_module]") {
  auto mlp = bn_mlp<double>(5, 4, 61);
  nn::ModuleGradcheckOptions options;
  options.check_input = false;
  options.parameters = {"4.gamma", "6.bias"};
  nn::ModuleGradcheckResult r = nn::gradcheck_module(*mlp, away_from_zero({4, 5}, 62), options);
  INFO(r.message);
  CHECK(r.ok);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].first == "4.gamma");
  CHECK(r.errors[1].first == "6.bias");
  // The parameters' values are back bit for bit and their gradients cleared.
  CHECK_FALSE(mlp->parameter("0.kernel").has_grad());

  options.parameters = {"9.kernel"};
  CHECK_THROWS_WITH(nn::gradcheck_module(*mlp, away_from_zero({4, 5}, 62), options),
                    Catch::Contains("9.kernel"));
  mlp->set_trainable("6.bias", false);
  options.parameters = {"6.bias"};
  CHECK_THROWS_WITH(nn::gradcheck_module(*mlp, away_from_zero({4, 5}, 62), options),
                    Catch::Contains("frozen"));
}
