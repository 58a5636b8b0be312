// One options style (XGRAD_OPTION) for every layer, optimizer and schedule: the fluent options
// build the same object as the positional shorthands, and every option set is the one used.
#include <xgrad/nn/nn.hpp>
#include <xgrad/optim/optim.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

/// The shorthand and the options must give bit-identical parameters from the same seed.
void same_parameters(const nn::Module& a, const nn::Module& b) {
  auto pa = a.named_parameters(), pb = b.named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    CHECK(pa[i].first == pb[i].first);
    CHECK((pa[i].second.value() == pb[i].second.value()));
  }
}

/// One SGD/Adam step on p = {1, -2} with gradient {1, -0.5}; returns the new value.
template <class Make>
xt::xarray<float> one_step(Make make) {
  Tensor p(xt::xarray<float>{1.0f, -2.0f}, true);
  auto opt = make(std::vector<Tensor>{p});
  for (int i = 0; i < 2; ++i) {
    opt.zero_grad();
    reduce_sum(mul(p, Tensor(xt::xarray<float>{1.0f, -0.5f}))).backward();
    opt.step();
  }
  return p.value();
}

}  // namespace

TEST_CASE("options: setters chain, getters read, defaults as documented", "[nn][options]") {
  auto bn = nn::BatchNormOptions(8).axis(1).decay(0.9f).eps(1e-5f).center(false);
  CHECK(bn.features() == 8);
  CHECK(bn.axis() == 1);
  CHECK(bn.decay() == 0.9f);
  CHECK(bn.eps() == 1e-5f);
  CHECK_FALSE(bn.center());
  CHECK(bn.scale());
  nn::Conv2DOptions conv(3, 16, 5);
  CHECK(conv.stride() == 1);
  CHECK(conv.padding() == Padding::Valid);
  CHECK(conv.use_bias());
  CHECK(nn::DenseOptions(4, 2).use_bias());
  CHECK_FALSE(nn::DropoutOptions(0.5f).seed().has_value());
  CHECK(nn::LayerNormalizationOptions(4).eps() == 1e-3f);
  nn::Pool2DOptions pool;
  CHECK((pool.pool_size() == nn::Pool2DOptions::Size2{2, 2}));
  CHECK((pool.strides() == nn::Pool2DOptions::Size2{0, 0}));
  CHECK(optim::SGDOptions(0.1f).momentum() == 0.0f);
  CHECK(optim::AdamOptions().lr() == 0.001f);
  CHECK(optim::AdamOptions().eps() == 1e-7f);
  CHECK(optim::AdamWOptions().weight_decay() == 0.004f);
  CHECK(optim::RMSpropOptions().rho() == 0.9f);
  CHECK(optim::CosineDecayOptions(0.1, 10).warmup_target() < 0.0);
}

TEST_CASE("options: Dense, Conv2D and Dropout from options equal their shorthands",
          "[nn][options]") {
  std::mt19937_64 r1(3), r2(3);
  nn::Dense d1(nn::DenseOptions(5, 4).use_bias(false), r1);
  nn::Dense d2(5, 4, false, r2);
  same_parameters(d1, d2);
  CHECK(d1.named_parameters().size() == 1);
  CHECK(d1.options().in_features() == 5);

  nn::Conv2D c1(nn::Conv2DOptions(3, 8, 3).stride(2).padding(Padding::Same).use_bias(false), r1);
  nn::Conv2D c2(3, 8, 3, 2, Padding::Same, false, r2);
  same_parameters(c1, c2);
  CHECK(c1.stride() == 2);
  CHECK(c1.padding() == Padding::Same);
  CHECK(c1.named_parameters().size() == 1);
  // Stride 2 and Same padding are the ones used: 7x7 -> 4x4.
  CHECK(c1(Tensor::zeros({1, 7, 7, 3})).shape() == Shape{1, 4, 4, 8});

  nn::Dropout o1(nn::DropoutOptions(0.5f).seed(7)), o2(0.5f, 7);
  CHECK(o1.seed() == 7);
  Tensor x = Tensor::ones({64});
  CHECK((o1(x).value() == o2(x).value()));
  REQUIRE_THROWS_WITH(nn::Dropout(nn::DropoutOptions(1.0f)),
                      Contains("Dropout: rate must be in [0, 1), got 1"));
}

TEST_CASE("options: Pool2D takes a rectangular window and stride", "[nn][options][pooling]") {
  nn::MaxPool2D pool(nn::Pool2DOptions().pool_size({2, 3}).strides({1, 2}));
  CHECK((pool.pool_size() == std::array<std::size_t, 2>{2, 3}));
  CHECK((pool.strides() == std::array<std::size_t, 2>{1, 2}));
  // 4x7 input, VALID: (4 - 2) / 1 + 1 = 3 rows, (7 - 3) / 2 + 1 = 3 columns.
  CHECK(pool(Tensor::zeros({1, 4, 7, 1})).shape() == Shape{1, 3, 3, 1});
  nn::AvgPool2D same(nn::Pool2DOptions().pool_size(3).strides(1).padding(Padding::Same));
  CHECK(same(Tensor::zeros({1, 4, 4, 1})).shape() == Shape{1, 4, 4, 1});
}

TEST_CASE("options: optimizers from options step as their shorthands do", "[optim][options]") {
  auto sgd_options = one_step([](std::vector<Tensor> p) {
    return optim::SGD(std::move(p), optim::SGDOptions(0.1f).momentum(0.9f).weight_decay(0.01f));
  });
  auto sgd_short = one_step([](std::vector<Tensor> p) {
    return optim::SGD(std::move(p), 0.1f, 0.9f, 0.01f);
  });
  CHECK((sgd_options == sgd_short));
  // By hand, g' = g + 0.01 p, v = 0.9 v + g', p -= 0.1 v: {0.899, -1.948}, then
  // {0.707201, -1.849252}. The momentum and the decay are both used.
  CHECK(sgd_options(0) == Approx(0.707201).epsilon(1e-6));
  CHECK(sgd_options(1) == Approx(-1.849252).epsilon(1e-6));

  auto adam_options = one_step([](std::vector<Tensor> p) {
    return optim::Adam(std::move(p), optim::AdamOptions().lr(0.01f).beta1(0.5f).beta2(0.9f).eps(1e-3f));
  });
  auto adam_short = one_step([](std::vector<Tensor> p) {
    return optim::Adam(std::move(p), 0.01f, 0.5f, 0.9f, 1e-3f);
  });
  CHECK((adam_options == adam_short));
  CHECK((adam_options != one_step([](std::vector<Tensor> p) { return optim::Adam(std::move(p), 0.01f); })));

  auto adamw_options = one_step([](std::vector<Tensor> p) {
    return optim::AdamW(std::move(p), optim::AdamWOptions().lr(0.01f).weight_decay(0.1f).beta1(0.5f));
  });
  auto adamw_short = one_step([](std::vector<Tensor> p) {
    return optim::AdamW(std::move(p), 0.01f, 0.1f, 0.5f);
  });
  CHECK((adamw_options == adamw_short));

  Tensor q(xt::xarray<float>{1.0f}, true);
  optim::AdamW adamw({q}, optim::AdamWOptions().weight_decay(0.1f).eps(1e-6f));
  CHECK(adamw.weight_decay() == 0.1f);
  CHECK(adamw.eps() == 1e-6f);
  // AdamW's own name in Adam's checks.
  REQUIRE_THROWS_WITH(optim::AdamW({q}, optim::AdamWOptions().beta1(1.0f)),
                      Contains("AdamW: beta1 must be in [0, 1), got 1"));
}

TEST_CASE("options: CosineDecay from options equals the shorthand", "[optim][options][schedule]") {
  optim::CosineDecay a(optim::CosineDecayOptions(0.1, 100).alpha(0.2));
  optim::CosineDecay b(0.1, 100, 0.2);
  for (std::int64_t step : {0, 1, 37, 50, 99, 100, 1000}) CHECK(a(step) == b(step));
  CHECK(a(1000) == Approx(0.02));
}
