#include "models.hpp"

namespace distributed {

using namespace xgrad;

std::shared_ptr<nn::Module> batch_norm(std::size_t features, float decay, const dist::Communicator* comm) {
  const auto options = nn::BatchNormOptions(features).decay(decay).eps(1e-3f);
  if (comm) return std::make_shared<dist::SyncBatchNorm>(options, *comm);
  return std::make_shared<nn::BatchNorm>(options);
}

std::shared_ptr<nn::Sequential> bn_mlp(std::mt19937_64& rng, const dist::Communicator* comm) {
  auto net = std::make_shared<nn::Sequential>();
  for (auto [in, out] : {std::pair<std::size_t, std::size_t>{784, 100}, {100, 100}}) {
    net->add(std::make_shared<nn::Dense>(in, out, false, rng));
    net->add(batch_norm(out, 0.999f, comm));
    net->add(nn::Sigmoid());
  }
  net->add(std::make_shared<nn::Dense>(100, 10, true, rng));
  return net;
}

std::shared_ptr<nn::Sequential> bn_conv(std::mt19937_64& rng, const dist::Communicator* comm) {
  auto net = std::make_shared<nn::Sequential>();
  std::size_t channels = 1, size = 28;
  for (std::size_t i = 1; i <= 19; ++i) {
    const std::size_t stride = i % 3 == 0 ? 2 : 1, out = 4 * i;
    net->add(std::make_shared<nn::Conv2D>(channels, out, 3, stride, Padding::Same, false, rng));
    net->add(batch_norm(out, 0.99f, comm));
    net->add(nn::ReLU());
    channels = out;
    size = (size + stride - 1) / stride;
  }
  net->add(nn::Flatten());
  net->add(std::make_shared<nn::Dense>(channels * size * size, 100, false, rng));
  net->add(batch_norm(100, 0.99f, comm));
  net->add(nn::ReLU());
  net->add(std::make_shared<nn::Dense>(100, 10, true, rng));
  return net;
}

}  // namespace distributed
