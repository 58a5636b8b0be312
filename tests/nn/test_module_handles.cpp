// nn::Module: handles that stay valid, no silent copies, typed register_module.
#include <type_traits>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

// A copy would share the parameters with the original and keep its registered name.
static_assert(!std::is_copy_constructible<nn::Module>::value, "modules must not be copyable");
static_assert(!std::is_copy_assignable<nn::Module>::value, "modules must not be copyable");
static_assert(!std::is_copy_constructible<nn::Dense>::value, "layers must not be copyable");
static_assert(!std::is_copy_constructible<nn::Sequential>::value, "containers neither");
static_assert(std::is_move_constructible<nn::Dense>::value, "Sequential::add(nn::Dense(...))");
// Handles, not references into storage a later registration may reallocate.
static_assert(!std::is_reference<decltype(std::declval<nn::Module&>().register_parameter(
                  "", Tensor()))>::value,
              "register_parameter returns a handle");
static_assert(!std::is_reference<decltype(std::declval<nn::Module&>().register_buffer(
                  "", Tensor()))>::value,
              "register_buffer returns a handle");

namespace {

/// A custom module holding its children with their own types.
// [readme-custom-module-begin]
class ConvBlock : public nn::Module {
public:
  ConvBlock(std::size_t in, std::size_t out) : nn::Module("ConvBlock") {
    conv_ = register_module("conv", std::make_shared<nn::Conv2D>(in, out, 3, 1, Padding::Same,
                                                                 /*use_bias=*/false));
    bn_ = register_module("bn", std::make_shared<nn::BatchNorm>(out));
    pool_ = register_module("pool", std::make_shared<nn::MaxPool2D>(2));
  }
  Tensor forward(const Tensor& x) override { return (*pool_)(relu((*bn_)((*conv_)(x)))); }
  std::shared_ptr<nn::Conv2D> conv() const { return conv_; }

private:
  std::shared_ptr<nn::Conv2D> conv_;
  std::shared_ptr<nn::BatchNorm> bn_;
  std::shared_ptr<nn::MaxPool2D> pool_;
};
// [readme-custom-module-end]

}  // namespace

TEST_CASE("Module: register_module<M> returns the child with its own type", "[nn][module]") {
  nn::Module m("Holder");
  std::shared_ptr<nn::Dense> d = m.register_module("d", std::make_shared<nn::Dense>(3, 2));
  REQUIRE(d);
  CHECK(d->out_features() == 2);
  CHECK(d->registered_name() == "d");
  CHECK(m.named_children().at(0).second.get() == d.get());
  CHECK(d->kernel().is_same(m.parameter("d.kernel")));
  std::shared_ptr<nn::Module> base = std::make_shared<nn::ReLU>();
  CHECK(m.register_module("r", base).get() == base.get());
  CHECK_THROWS_AS(m.register_module("d", std::make_shared<nn::Dense>(3, 2)), std::invalid_argument);
  CHECK_THROWS_AS(m.register_module("n", std::shared_ptr<nn::Dense>()), std::invalid_argument);

  ConvBlock block(1, 4);
  block.register_module("extra", std::make_shared<nn::Flatten>());
  Tensor y = block.forward(Tensor::ones({2, 8, 8, 1}));
  CHECK(y.shape() == Shape{2, 4, 4, 4});
  CHECK(block.conv()->kernel().shape() == Shape{3, 3, 1, 4});
}

TEST_CASE("Module: a handle from register_parameter/register_buffer survives later registrations",
          "[nn][module]") {
  nn::Module m("Many");
  // Bound to const references on purpose: with a reference return, these would dangle once the
  // storage grows (AddressSanitizer reports it); a returned handle is lifetime-extended.
  const auto& first_param = m.register_parameter("p0", Tensor::ones({2}));
  const auto& first_buffer = m.register_buffer("b0", Tensor::zeros({3}));
  for (int i = 1; i < 100; ++i) {
    m.register_parameter("p" + std::to_string(i), Tensor::ones({1}));
    m.register_buffer("b" + std::to_string(i), Tensor::zeros({1}));
  }
  CHECK(first_param.is_same(m.parameter("p0")));
  CHECK(first_buffer.is_same(m.buffer("b0")));
  CHECK(first_param.shape() == Shape{2});
  CHECK(first_buffer.shape() == Shape{3});
  CHECK(first_param.requires_grad());
  CHECK_FALSE(first_buffer.requires_grad());
}

TEST_CASE("Module: a moved module is unregistered, its children renamed", "[nn][module]") {
  auto parent = std::make_shared<nn::Sequential>();
  auto outer = std::make_shared<nn::Sequential>();
  outer->add(std::make_shared<nn::Dense>(2, 2));
  parent->add(outer);
  REQUIRE(outer->at(0)->registered_name() == "0.0");
  nn::Sequential moved(std::move(*outer));
  CHECK(moved.registered_name().empty());
  CHECK(moved.at(0)->registered_name() == "0");
  CHECK(moved.named_parameters().size() == 2);
  CHECK(moved.named_parameters()[0].first == "0.kernel");
}
