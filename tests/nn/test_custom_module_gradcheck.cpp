// The README's example of a custom module written once for both precisions and its gradient
// checked in float64 (quoted verbatim by README.md, checked by readme.quotes.*).
#include <catch2/catch.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xrandom.hpp>

using namespace xgrad;

namespace {

// [readme-module-gradcheck-begin]
// The ConvBlock of examples/README.md, for both element types.
template <class T>
class ConvBlock : public nn::BasicModule<T> {
public:
  ConvBlock(std::size_t in, std::size_t out) : nn::BasicModule<T>("ConvBlock") {
    conv_ = this->register_module("conv", std::make_shared<nn::BasicConv2D<T>>(
                                              in, out, 3, 1, Padding::Same, /*use_bias=*/false));
    bn_ = this->register_module("bn", std::make_shared<nn::BasicBatchNorm<T>>(out));
    pool_ = this->register_module("pool", std::make_shared<nn::BasicMaxPool2D<T>>(2));
  }
  BasicTensor<T> forward(const BasicTensor<T>& x) override {
    return (*pool_)(relu((*bn_)((*conv_)(x))));
  }

private:
  std::shared_ptr<nn::BasicConv2D<T>> conv_;
  std::shared_ptr<nn::BasicBatchNorm<T>> bn_;
  std::shared_ptr<nn::BasicMaxPool2D<T>> pool_;
};

TEST_CASE("ConvBlock: input and parameter gradients in float64", "[custom-module]") {
  ConvBlock<double> block(2, 3);  // ConvBlock<float> is the one to train
  std::mt19937 rng(1);
  Tensor64 x(xt::random::randn<double>({4, 6, 6, 2}, 0.0, 1.0, rng));
  for (bool training : {true, false}) {  // batch statistics, then moving ones
    block.train(training);
    nn::ModuleGradcheckResult r = nn::gradcheck_module(block, x);
    INFO(r.message);  // worst error: which parameter, which element, which layer
    REQUIRE(r.ok);
  }
}
// [readme-module-gradcheck-end]

}  // namespace

TEST_CASE("ConvBlock: the float32 block trains, and a float64 twin of it checks the same state",
          "[custom-module]") {
  ConvBlock<float> block(1, 2);
  std::mt19937 rng(2);
  const xt::xarray<float> x = xt::random::randn<float>({2, 4, 4, 1}, 0.0f, 1.0f, rng);
  CHECK(block(Tensor(x)).shape() == Shape{2, 2, 2, 2});
  ConvBlock<double> twin(1, 2);
  nn::copy_state(block, twin);
  nn::ModuleGradcheckOptions options;
  options.check_input = false;
  nn::ModuleGradcheckResult r = nn::gradcheck_module(twin, Tensor64(xt::xarray<double>(x)), options);
  INFO(r.message);
  CHECK(r.ok);
}
