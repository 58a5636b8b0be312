// Every optimizer in float64: the float32 update, in double (twins agree to float32 rounding),
// and SGD64 against the formula.
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

template <class T>
std::shared_ptr<nn::BasicSequential<T>> small_net(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto net = std::make_shared<nn::BasicSequential<T>>();
  net->add(nn::BasicDense<T>(3, 4, true, rng));
  net->add(nn::BasicTanh<T>());
  net->add(nn::BasicDense<T>(4, 2, true, rng));
  return net;
}

/// Trains twins (the float64 one a copy of the float32 one) for 5 steps with the optimizers
/// `make` builds, and returns the largest relative difference of their parameters.
template <class Make>
double twin_drift(Make&& make) {
  auto net32 = small_net<float>(1);
  auto net64 = small_net<double>(2);
  nn::copy_state(*net32, *net64);
  auto opt32 = make(net32->parameters(), float{});
  auto opt64 = make(net64->parameters(), double{});
  double worst = 0;
  for (int step = 0; step < 5; ++step) {
    const xt::xarray<float> x = test::random_array<float>({6, 3}, 10 + step);
    opt32->zero_grad();
    opt64->zero_grad();
    reduce_sum(square((*net32)(Tensor(x)))).backward();
    reduce_sum(square((*net64)(Tensor64(xt::xarray<double>(x))))).backward();
    opt32->step();
    opt64->step();
  }
  const auto a = net32->named_parameters();
  const auto b = net64->named_parameters();
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto ib = b[i].second.value().begin();
    for (float v : a[i].second.value()) {
      worst = std::max(worst, std::abs(double(v) - *ib) / std::max(1e-2, std::abs(*ib)));
      ++ib;
    }
  }
  return worst;
}

}  // namespace

TEST_CASE("optimizers in float64 follow their float32 twins to float32 rounding",
          "[optim][precision]") {
  auto sgd = [](auto params, auto t) {
    using T = decltype(t);
    return std::make_unique<optim::BasicSGD<T>>(params, 0.05f, 0.9f, 0.01f);
  };
  auto adam = [](auto params, auto t) {
    using T = decltype(t);
    return std::make_unique<optim::BasicAdam<T>>(params, 0.01f);
  };
  auto adamw = [](auto params, auto t) {
    using T = decltype(t);
    return std::make_unique<optim::BasicAdamW<T>>(params, 0.01f, 0.1f);
  };
  auto rmsprop = [](auto params, auto t) {
    using T = decltype(t);
    return std::make_unique<optim::BasicRMSprop<T>>(
        params, optim::RMSpropOptions().lr(0.01f).momentum(0.5f).centered(true));
  };
  CHECK(twin_drift(sgd) < 1e-5);
  CHECK(twin_drift(adam) < 1e-4);
  CHECK(twin_drift(adamw) < 1e-4);
  CHECK(twin_drift(rmsprop) < 1e-4);
}

TEST_CASE("SGD64: p -= lr g in double, and a schedule drives it as it drives SGD",
          "[optim][precision]") {
  Tensor64 p(xt::xarray<double>{1.0, -2.0}, true);
  optim::SGD64 sgd({p}, 0.1f);
  sgd.set_schedule(std::make_shared<optim::ConstantSchedule>(0.25));
  reduce_sum(square(p)).backward();  // g = 2p
  sgd.step();
  CHECK(p.value()(0) == 1.0 - 0.25 * 2.0);
  CHECK(p.value()(1) == -2.0 + 0.25 * 4.0);
  CHECK(sgd.iterations() == 1);
  std::vector<Tensor64> params{p};
  p.zero_grad();
  reduce_sum(square(p) * 100.0).backward();
  CHECK(optim::clip_by_global_norm(params, 1.0) > 1.0);
}
