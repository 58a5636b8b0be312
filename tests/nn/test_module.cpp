// nn::Module: registration, names, order, trainable vs training.
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {
struct Leaf : nn::Module {
  Leaf() : nn::Module("Leaf") {
    register_parameter("w", Tensor::ones({2, 3}));
    register_buffer("stat", Tensor::zeros({3}));
    register_parameter("b", Tensor::zeros({3}), /*trainable=*/false);
  }
};
struct Tree : nn::Module {
  Tree() : nn::Module("Tree") {
    register_parameter("scale", Tensor::ones({1}));
    register_module("left", std::make_shared<Leaf>());
    register_module("right", std::make_shared<Leaf>());
  }
};
std::vector<std::string> names(const nn::NamedList<Tensor>& l) {
  std::vector<std::string> out;
  for (auto& kv : l) out.push_back(kv.first);
  return out;
}
}  // namespace

TEST_CASE("Module: dotted names in registration order", "[nn][module]") {
  Tree t;
  CHECK(names(t.named_parameters()) ==
        std::vector<std::string>{"scale", "left.w", "left.b", "right.w", "right.b"});
  CHECK(names(t.named_buffers()) == std::vector<std::string>{"left.stat", "right.stat"});
  // parameters(): trainable only.
  auto ps = t.parameters();
  REQUIRE(ps.size() == 3);
  CHECK(ps[1].is_same(t.parameter("left.w")));
  CHECK(t.buffers().size() == 2);
  CHECK_FALSE(t.buffer("left.stat").requires_grad());
  CHECK_THROWS_AS(t.parameter("left.nope"), std::out_of_range);
}

TEST_CASE("Module: names are checked", "[nn][module]") {
  nn::Module m("Custom");
  CHECK_THROWS_AS(m.register_parameter("", Tensor::ones({1})), std::invalid_argument);
  CHECK_THROWS_AS(m.register_parameter("a.b", Tensor::ones({1})), std::invalid_argument);
  m.register_parameter("a", Tensor::ones({1}));
  CHECK_THROWS_AS(m.register_buffer("a", Tensor::ones({1})), std::invalid_argument);
  CHECK_THROWS_AS(m.register_module("a", std::make_shared<Leaf>()), std::invalid_argument);
  CHECK_THROWS_AS(m.register_module("c", nullptr), std::invalid_argument);
  CHECK_THROWS_AS(m.register_parameter("u", Tensor()), std::invalid_argument);
  Tensor x(xt::xarray<float>{1.f}, true);
  CHECK_THROWS_AS(m.register_parameter("nonleaf", x * 2.0), std::invalid_argument);
  CHECK_THROWS_WITH(m.register_parameter("a.b", Tensor::ones({1})), Catch::Matchers::Contains("Custom"));
  CHECK_THROWS_AS(m.forward(Tensor::ones({1})), std::logic_error);
}

TEST_CASE("Module: train/eval recurse, modules start in training", "[nn][module]") {
  Tree t;
  CHECK(t.is_training());
  t.eval();
  CHECK_FALSE(t.is_training());
  for (auto& c : t.named_children()) CHECK_FALSE(c.second->is_training());
  t.train();
  for (auto& c : t.named_children()) CHECK(c.second->is_training());
}

TEST_CASE("Module: trainable is independent of training", "[nn][module]") {
  Tree t;
  t.set_trainable("left.w", false);
  CHECK_FALSE(t.is_trainable("left.w"));
  CHECK(t.parameters().size() == 2);
  CHECK(t.named_parameters().size() == 5);  // frozen ones still listed
  t.eval();
  t.train();  // train() never unfreezes
  CHECK_FALSE(t.is_trainable("left.w"));
  CHECK(t.is_training());
  t.set_trainable(false);
  CHECK(t.parameters().empty());
  CHECK(t.is_training());  // freezing never changes the mode
  t.set_trainable(true);
  CHECK(t.parameters().size() == 5);
}
