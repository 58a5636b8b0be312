// Layers given the wrong input name themselves (type and the dotted name they have in the
// model, as in their parameters' names), what they expected and the shape they got.
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

#define REQUIRE_INVALID(expr, ...)                  \
  do {                                              \
    REQUIRE_THROWS_AS(expr, std::invalid_argument); \
    REQUIRE_THROWS_WITH(expr, __VA_ARGS__);         \
  } while (0)

TEST_CASE("layers know the dotted name they are registered under", "[nn][errors]") {
  nn::Sequential inner;
  inner.add(nn::Dense(4, 3));
  auto outer = std::make_shared<nn::Sequential>();
  outer->add(nn::ReLU());
  auto block = outer->add(std::move(inner));  // registered after its own children
  CHECK(outer->registered_name().empty());
  CHECK(outer->label() == "Sequential");
  CHECK(block->label() == "Sequential '1'");
  CHECK(block->at(0)->registered_name() == "1.0");
  CHECK(block->at(0)->label() == "Dense '1.0'");
  CHECK(outer->named_parameters()[0].first == "1.0.kernel");  // the same dotted name
  CHECK(nn::Dense(2, 2).label() == "Dense");
}

TEST_CASE("Dense: wrong rank or feature count names the layer and both shapes", "[nn][errors]") {
  nn::Sequential model;
  model.add(nn::Dense(784, 100));
  model.add(nn::Sigmoid());
  model.add(nn::Dense(100, 10));
  REQUIRE_INVALID(model(Tensor::zeros({60, 785})),
                  Contains("Dense '0'") && Contains("[N, 784]") && Contains("[60, 785]"));
  REQUIRE_INVALID(model(Tensor::zeros({60, 28, 28, 1})),
                  Contains("Dense '0'") && Contains("[60, 28, 28, 1]") && Contains("flatten"));
  REQUIRE_INVALID(model(Tensor::zeros({784})), Contains("Dense '0'") && Contains("[784]"));
  REQUIRE_INVALID(model.at(2)->forward(Tensor::zeros({60, 99})),
                  Contains("Dense '2'") && Contains("[N, 100]") && Contains("[60, 99]"));
}

TEST_CASE("Conv2D: wrong rank, channels or a too-small input name the layer", "[nn][errors]") {
  nn::Sequential model;
  model.add(nn::Conv2D(3, 8, 3, 1, Padding::Valid));
  REQUIRE_INVALID(model(Tensor::zeros({2, 5, 5, 4})),
                  Contains("Conv2D '0'") && Contains("[N, H, W, 3]") && Contains("[2, 5, 5, 4]"));
  REQUIRE_INVALID(model(Tensor::zeros({5, 5, 3})), Contains("Conv2D '0'") && Contains("[5, 5, 3]"));
  REQUIRE_INVALID(model(Tensor::zeros({1, 2, 5, 3})), Contains("Conv2D '0'") &&
                                                         Contains("[1, 2, 5, 3]") &&
                                                         Contains("3x3 kernel"));
  REQUIRE_INVALID(nn::Conv2D(3, 8, 3, 0), Contains("Conv2D: stride must be > 0, got 0"));
  REQUIRE_INVALID(nn::Conv2D(0, 8, 3), Contains("Conv2D: in_channels must be > 0, got 0"));
}

TEST_CASE("BatchNorm: wrong feature count, axis or an empty training batch", "[nn][errors]") {
  nn::Sequential model;
  model.add(nn::Dense(4, 3));
  model.add(nn::BatchNorm(3));
  auto bn = model.at(1);
  REQUIRE_INVALID(bn->forward(Tensor::zeros({8, 5})),
                  Contains("BatchNorm '1'") && Contains("[8, 5]") && Contains("expected 3"));
  REQUIRE_INVALID(bn->forward(Tensor::scalar(1.0f)),
                  Contains("BatchNorm '1'") && Contains("axis -1") && Contains("[]"));
  nn::BatchNorm axis5(nn::BatchNormOptions(3).axis(5));
  REQUIRE_INVALID(axis5(Tensor::zeros({2, 3})), Contains("BatchNorm") && Contains("axis 5") &&
                                                    Contains("[2, 3]"));
  // An empty batch in training mode would write NaN into the moving statistics.
  auto before = model.buffer("1.moving_mean").value();
  REQUIRE_INVALID(model(Tensor::zeros({0, 4})), Contains("BatchNorm '1'") &&
                                                    Contains("at least one value") &&
                                                    Contains("[0, 3]"));
  CHECK((model.buffer("1.moving_mean").value() == before));
  model.eval();  // no statistics are taken in eval mode: an empty batch is fine
  CHECK(model(Tensor::zeros({0, 4})).shape() == Shape{0, 3});
  REQUIRE_INVALID(nn::BatchNorm(nn::BatchNormOptions(3).eps(-1.0f)), Contains("eps"));
  REQUIRE_INVALID(nn::BatchNorm(nn::BatchNormOptions(3).decay(1.5f)), Contains("decay"));
  REQUIRE_INVALID(nn::BatchNorm(0), Contains("features"));
}

TEST_CASE("Flatten and Softmax refuse a scalar, naming the layer", "[nn][errors]") {
  nn::Sequential model;
  model.add(nn::Flatten());
  model.add(nn::Softmax());
  REQUIRE_INVALID(model(Tensor::scalar(1.0f)), Contains("Flatten '0'") && Contains("[]"));
  REQUIRE_INVALID(model.at(1)->forward(Tensor::scalar(1.0f)),
                  Contains("Softmax '1'") && Contains("[]"));
}

TEST_CASE("Module registration errors name the module", "[nn][errors]") {
  nn::Sequential outer;
  auto inner = outer.add(nn::Sequential());
  REQUIRE_INVALID(inner->register_parameter("a.b", Tensor::ones({1})),
                  Contains("Sequential '0'") && Contains("'a.b'"));
  auto custom = outer.register_module("custom", std::make_shared<nn::Module>("MyBlock"));
  REQUIRE_THROWS_AS(custom->forward(Tensor::ones({1})), std::logic_error);
  REQUIRE_THROWS_WITH(custom->forward(Tensor::ones({1})),
                      Contains("MyBlock 'custom'") && Contains("forward"));
}
