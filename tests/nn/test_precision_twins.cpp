// float32 and float64 twins of one model: nn::copy_state between them, and the same outputs,
// gradients and moving statistics to float32 rounding.
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

template <class T>
std::shared_ptr<nn::BasicSequential<T>> conv_net(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto net = std::make_shared<nn::BasicSequential<T>>();
  net->add(nn::BasicConv2D<T>(2, 4, 3, 1, Padding::Same, true, rng));
  net->add(nn::BasicBatchNorm<T>(nn::BatchNormOptions(4).decay(0.9f)));
  net->add(nn::BasicReLU<T>());
  net->add(nn::BasicMaxPool2D<T>(2));
  net->add(nn::BasicFlatten<T>());
  net->add(nn::BasicDense<T>(16, 8, true, rng));
  net->add(nn::BasicLayerNormalization<T>(8));
  net->add(nn::BasicTanh<T>());
  net->add(nn::BasicDense<T>(8, 3, true, rng));
  return net;
}

/// Largest |a - b| / max(1e-3, |b|) over two arrays of the same shape.
template <class A, class B>
double max_relative(const A& a, const B& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  auto ib = b.begin();
  for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
    const double x = double(*ia), y = double(*ib);
    worst = std::max(worst, std::abs(x - y) / std::max(1e-3, std::abs(y)));
  }
  return worst;
}

}  // namespace

TEST_CASE("copy_state: float32 -> float64 -> float32 gives back the same bits",
          "[nn][precision]") {
  auto net32 = conv_net<float>(1);
  net32->train();
  net32->forward(test::random_tensor<float>({2, 4, 4, 2}, 2, -1, 1, false));  // moving stats
  auto net64 = conv_net<double>(99);
  nn::copy_state(*net32, *net64);
  auto back = conv_net<float>(98);
  nn::copy_state(*net64, *back);
  const auto a = net32->named_parameters(), b = back->named_parameters();
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].first);
    CHECK((a[i].second.value() == b[i].second.value()));
  }
  const auto ab = net32->named_buffers(), bb = back->named_buffers();
  REQUIRE(ab.size() == 2);  // one BatchNorm: moving mean and variance
  for (std::size_t i = 0; i < ab.size(); ++i) CHECK((ab[i].second.value() == bb[i].second.value()));
  // float -> double is exact.
  CHECK((xt::xarray<double>(net32->parameter("0.kernel").value()) ==
         net64->parameter("0.kernel").value()));
}

TEST_CASE("copy_state: a mismatch is refused with the names, and nothing is copied",
          "[nn][precision]") {
  nn::Sequential a;
  a.add(nn::Dense(3, 2));
  a.add(nn::BatchNorm(2));
  nn::Sequential64 b;
  b.add(nn::Dense64(3, 4));
  b.add(nn::ReLU64());
  b.add(nn::Dense64(4, 2));
  const xt::xarray<double> kernel_before = b.parameter("0.kernel").value();
  try {
    nn::copy_state(a, b);
    FAIL("copy_state accepted different models");
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("'0.kernel' has shape [3, 2] in the source, [3, 4]") != std::string::npos);
    CHECK(msg.find("'2.kernel' is in the destination only") != std::string::npos);
    CHECK(msg.find("'1.moving_mean' is in the source only") != std::string::npos);
    CHECK(msg.find("Nothing was copied") != std::string::npos);
  }
  CHECK((b.parameter("0.kernel").value() == kernel_before));
}

TEST_CASE("twins: float32 and float64 from the same state agree on outputs, gradients and "
          "moving statistics to float32 rounding",
          "[nn][precision]") {
  auto net32 = conv_net<float>(3);
  auto net64 = conv_net<double>(4);
  nn::copy_state(*net32, *net64);
  const xt::xarray<float> x = test::random_array<float>({5, 4, 4, 2}, 5);
  const xt::xarray<double> x64 = x;  // the same values
  const xt::xarray<float> u = test::random_array<float>({5, 3}, 6);
  for (bool training : {true, false}) {
    INFO((training ? "training" : "eval"));
    net32->train(training);
    net64->train(training);
    for (auto& p : net32->parameters()) p.zero_grad();
    for (auto& p : net64->parameters()) p.zero_grad();
    Tensor y32 = (*net32)(Tensor(x));
    Tensor64 y64 = (*net64)(Tensor64(x64));
    CHECK(max_relative(y32.value(), y64.value()) < 1e-5);
    reduce_sum(y32 * Tensor(u)).backward();
    reduce_sum(y64 * Tensor64(xt::xarray<double>(u))).backward();
    const auto p32 = net32->named_parameters();
    const auto p64 = net64->named_parameters();
    for (std::size_t i = 0; i < p32.size(); ++i) {
      INFO(p32[i].first);
      REQUIRE(p32[i].second.has_grad());
      // Gradients sum many products: float32's rounding grows with the sums' length.
      CHECK(max_relative(p32[i].second.grad(), p64[i].second.grad()) < 1e-4);
    }
    const auto b32 = net32->named_buffers();
    const auto b64 = net64->named_buffers();
    for (std::size_t i = 0; i < b32.size(); ++i) {
      CHECK(max_relative(b32[i].second.value(), b64[i].second.value()) < 1e-5);
    }
  }
}
