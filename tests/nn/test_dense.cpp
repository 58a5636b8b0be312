// nn::Dense, activations, Flatten, Sequential.
#include <xgrad/nn/nn.hpp>
#include <xtensor/xmath.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("Dense: Keras parameter names, shapes, forward", "[nn][dense]") {
  nn::Dense d(2, 3);
  auto np = d.named_parameters();
  REQUIRE(np.size() == 2);
  CHECK(np[0].first == "kernel");
  CHECK(np[0].second.shape() == Shape{2, 3});
  CHECK(np[1].first == "bias");
  CHECK(np[1].second.shape() == Shape{3});
  CHECK((d.bias().value() == xt::xarray<float>{0, 0, 0}));
  nn::set_weights(d.kernel(), {{1, 2, 3}, {4, 5, 6}});
  nn::set_weights(d.bias(), {0.5f, -1, 2});
  Tensor x(xt::xarray<float>{{1, 1}, {2, -1}});
  Tensor y = d(x);
  CHECK((y.value() == xt::xarray<float>{{5.5f, 6, 11}, {-1.5f, -2, 2}}));
  CHECK_THROWS_AS(d(Tensor::ones({2, 3})), std::invalid_argument);
  CHECK_THROWS_AS(d(Tensor::ones({2})), std::invalid_argument);
}

TEST_CASE("Dense: use_bias=false and gradients", "[nn][dense]") {
  std::mt19937_64 rng(5);
  nn::Dense d(3, 2, /*use_bias=*/false, rng);
  CHECK(d.named_parameters().size() == 1);
  CHECK_FALSE(d.bias().defined());
  Tensor x(test::random_array<float>({4, 3}, 1));
  Tensor y = d(x);
  xt::xarray<float> up = test::random_array<float>({4, 2}, 2);
  y.backward(up);
  // dK = x^T up
  xt::xarray<float> want = xt::zeros<float>({3, 2});
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 2; ++j)
      for (std::size_t n = 0; n < 4; ++n) want(i, j) += x.value()(n, i) * up(n, j);
  CHECK(test::all_close(d.kernel().grad(), want, 1e-5));
}

TEST_CASE("Activations and Flatten", "[nn][activations]") {
  Tensor x(xt::xarray<float>{{-1, 0, 2}});
  CHECK((nn::ReLU()(x).value() == xt::xarray<float>{{0, 0, 2}}));
  CHECK(test::all_close(nn::Sigmoid()(x).value(), 1.0f / (1.0f + xt::exp(-x.value())), 1e-6));
  CHECK(test::all_close(nn::Tanh()(x).value(), xt::tanh(x.value()), 1e-6));
  auto s = nn::Softmax()(x).value();
  CHECK(xt::sum(s)() == Approx(1.0f));
  CHECK(nn::Flatten()(Tensor::ones({2, 3, 4, 1})).shape() == Shape{2, 12});
  CHECK(nn::ReLU().name() == "ReLU");
  CHECK(nn::ReLU().named_parameters().empty());
}

TEST_CASE("Sequential: names 0,1,..., chaining, layer access, intermediates", "[nn][sequential]") {
  nn::Sequential model;
  auto d0 = model.add(nn::Dense(4, 3));
  model.add(nn::BatchNorm(nn::BatchNormOptions(3)));
  model.add(nn::Sigmoid());
  model.add(std::make_shared<nn::Dense>(3, 2, false));
  CHECK(model.size() == 4);
  std::vector<std::string> pn, bn;
  for (auto& kv : model.named_parameters()) pn.push_back(kv.first);
  for (auto& kv : model.named_buffers()) bn.push_back(kv.first);
  CHECK(pn == std::vector<std::string>{"0.kernel", "0.bias", "1.gamma", "1.beta", "3.kernel"});
  CHECK(bn == std::vector<std::string>{"1.moving_mean", "1.moving_variance"});
  CHECK(model.at<nn::Dense>(0) == d0);
  CHECK(model[2]->name() == "Sigmoid");
  CHECK_THROWS_AS(model.at(4), std::out_of_range);
  CHECK_THROWS_AS(model.at<nn::Dense>(1), std::invalid_argument);

  Tensor x(test::random_array<float>({5, 4}, 3));
  model.eval();
  CHECK_FALSE(model.at(1)->is_training());
  auto outs = model.forward_all(x);
  REQUIRE(outs.size() == 4);
  Tensor manual = (*model[3])((*model[2])((*model[1])((*model[0])(x))));
  CHECK((outs.back().value() == manual.value()));
  CHECK((model(x).value() == manual.value()));
  CHECK(outs[0].shape() == Shape{5, 3});

  nn::Sequential empty;
  CHECK((empty(x).value() == x.value()));
}
