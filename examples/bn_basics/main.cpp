// The batch-norm basics of the Stack Overflow thread "How could I use batch normalization in
// TensorFlow?" (https://stackoverflow.com/questions/33949786), printed: the training flag, the
// trainable flag and the feature axis. Each line shows what xgrad does; the numbers match Keras' BatchNormalization.
#include <cstdio>
#include <sstream>
#include <string>

#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xio.hpp>

#include "cli.hpp"

using namespace xgrad;

namespace {

std::string show(const xt::xarray<float>& a) {
  std::ostringstream s;
  s.precision(6);
  s << a;
  std::string out = s.str();
  for (auto& c : out) c = c == '\n' ? ' ' : c;
  return out;
}

/// A rows x cols float tensor from values in row-major order.
Tensor matrix(std::size_t rows, std::size_t cols, std::initializer_list<float> values) {
  xt::xarray<float> a = xt::xarray<float>::from_shape({rows, cols});
  std::copy(values.begin(), values.end(), a.begin());
  return Tensor(a);
}

nn::BatchNorm plain_bn(std::size_t features, int axis = -1) {
  return nn::BatchNorm(nn::BatchNormOptions(features).axis(axis).center(false).scale(false));
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("bn_basics", "BatchNorm's training flag, trainable flag and axis, as in the Stack Overflow thread "
                           "\"How could I use batch normalization in TensorFlow?\"");
  options.add_options()("h,help", "show this help");
  examples::parse_or_exit(options, argc, argv);

  std::printf("1. Batch norm normalises each feature over the batch axis (training mode):\n");
  {
    auto bn = plain_bn(1);
    Tensor x = matrix(2, 1, {3.f, 4.f});
    std::printf("   x = [[3], [4]] (two examples, one feature)  -> %s   (Keras: [[-0.998], [0.998]])\n",
                show(bn(x).value()).c_str());
  }
  {
    auto bn = plain_bn(2);
    Tensor x = matrix(1, 2, {3.f, 4.f});
    std::printf("   x = [[3, 4]] (one example, two features)    -> %s   (Keras: [[0, 0]]: each feature\n"
                "       has one value, so it normalises to 0; biased variance + eps, no NaN)\n",
                show(bn(x).value()).c_str());
  }
  {
    auto bn = plain_bn(1, 0);
    Tensor x = matrix(1, 2, {3.f, 4.f});
    std::printf("   x = [[3, 4]] with axis = 0 (axis 0 is the feature axis) -> %s   (Keras: [[-0.998, 0.998]])\n",
                show(bn(x).value()).c_str());
  }

  std::printf("\n2. The training flag picks the statistics; only training moves the moving averages:\n");
  {
    nn::BatchNorm bn(nn::BatchNormOptions(1).decay(0.99f));
    Tensor x = matrix(4, 1, {1.f, 2.f, 3.f, 10.f});
    std::printf("   start:           moving_mean %s, moving_variance %s\n",
                show(bn.moving_mean().value()).c_str(), show(bn.moving_variance().value()).c_str());
    bn.eval();
    auto y_eval = bn(x).value();
    std::printf("   eval forward:    output %s (moving stats 0 / 1), moving_mean still %s\n",
                show(y_eval).c_str(), show(bn.moving_mean().value()).c_str());
    bn.train();
    auto y_train = bn(x).value();
    std::printf("   training forward: output %s (batch stats)\n", show(y_train).c_str());
    std::printf("                    moving_mean %s = 0.99 * 0 + 0.01 * 4, moving_variance %s = "
                "0.99 * 1 + 0.01 * 12.5\n",
                show(bn.moving_mean().value()).c_str(), show(bn.moving_variance().value()).c_str());
  }

  std::printf("\n3. trainable is not training: frozen gamma/beta, moving averages still follow the data\n");
  {
    nn::BatchNorm bn(nn::BatchNormOptions(1).decay(0.5f));
    bn.set_trainable(false);
    Tensor x = matrix(2, 1, {2.f, 4.f});
    std::printf("   parameters() after set_trainable(false): %zu tensors (optimizers skip gamma and beta)\n",
                bn.parameters().size());
    bn(x);
    std::printf("   one training forward: moving_mean %s (= 0.5 * 0 + 0.5 * 3)\n",
                show(bn.moving_mean().value()).c_str());
    bn.eval();
    bn(x);
    std::printf("   one eval forward:     moving_mean %s (unchanged: only eval() freezes the statistics)\n",
                show(bn.moving_mean().value()).c_str());
    std::printf("   NOTE: Keras 2.x puts a layer with trainable=False in inference mode; xgrad keeps the\n"
                "   two flags independent, as PyTorch does.\n");
  }
  return 0;
}
