// Determinism: the same seed and the same thread count give bit-identical training, loss by
// loss and weight by weight (exact float comparison), for the W1b MLP with batch norm and
// for a small conv net; another seed gives other losses (so the comparison can fail).
#include <cstring>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/threads.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

struct Trace {
  std::vector<float> losses;
  std::vector<unsigned char> weights;  // every parameter and buffer at the end, as bytes
};

std::vector<unsigned char> state_bytes(const nn::Module& m) {
  std::vector<unsigned char> out;
  auto add = [&](const nn::NamedList<Tensor>& list) {
    for (const auto& kv : list) {
      const auto* b = reinterpret_cast<const unsigned char*>(kv.second.value().data());
      out.insert(out.end(), b, b + kv.second.size() * sizeof(float));
    }
  };
  add(m.named_parameters());
  add(m.named_buffers());
  return out;
}

// A learnable stand-in for MNIST drawn from `seed`: labels pick which block of pixels is lit.
data::Dataset synthetic(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  data::Dataset d;
  d.images = xt::xarray<float>::from_shape({n, data::kMnistPixels});
  d.labels = xt::xarray<std::uint8_t>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = std::uint8_t(rng() % 10);
    d.labels(i) = label;
    for (std::size_t p = 0; p < data::kMnistPixels; ++p) {
      const bool lit = (p / 78) == label;
      d.images(i, p) = lit ? 0.8f : float(rng() % 256) / 1024.0f;
    }
  }
  return d;
}

// The W1b step: 784-100-100-10 sigmoid MLP, BN after each hidden Dense (no bias), SGD 0.01,
// batch 60, summed softmax cross-entropy.
Trace train_mlp(std::uint64_t seed, int threads, int steps) {
  set_num_threads(threads);
  nn::manual_seed(seed);
  nn::Sequential model;
  model.add(nn::Dense(784, 100, false));
  model.add(nn::BatchNorm(nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f)));
  model.add(nn::Sigmoid());
  model.add(nn::Dense(100, 100, false));
  model.add(nn::BatchNorm(nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f)));
  model.add(nn::Sigmoid());
  model.add(nn::Dense(100, 10));
  optim::SGD sgd(model.parameters(), 0.01f);
  data::Batches batches(synthetic(600, seed), 60, seed, data::BatchOptions().endless(true));
  data::Batch b;
  Trace t;
  for (int step = 0; step < steps && batches.next(b); ++step) {
    sgd.zero_grad();
    Tensor loss = reduce_sum(softmax_cross_entropy_with_logits(b.labels, model(b.images)));
    loss.backward();
    sgd.step();
    t.losses.push_back(loss.item());
  }
  t.weights = state_bytes(model);
  return t;
}

// A small conv net in Experiment 2's style: Conv2D + BN + ReLU, strided conv, dense head,
// mean sigmoid cross-entropy, Adam.
Trace train_conv(std::uint64_t seed, int threads, int steps) {
  set_num_threads(threads);
  nn::manual_seed(seed);
  nn::Sequential model;
  model.add(nn::Conv2D(1, 4, 3, 1, Padding::Same, false));
  model.add(nn::BatchNorm(4));
  model.add(nn::ReLU());
  model.add(nn::Conv2D(4, 8, 3, 2, Padding::Same));
  model.add(nn::ReLU());
  model.add(nn::Flatten());
  model.add(nn::Dense(14 * 14 * 8, 10));
  optim::Adam adam(model.parameters(), 0.002f);
  data::Batches batches(synthetic(128, seed), 16, seed,
                        data::BatchOptions().endless(true).layout(data::Layout::NHWC));
  data::Batch b;
  Trace t;
  for (int step = 0; step < steps && batches.next(b); ++step) {
    adam.zero_grad();
    Tensor loss = reduce_mean(sigmoid_cross_entropy_with_logits(b.labels, model(b.images)));
    loss.backward();
    adam.step();
    t.losses.push_back(loss.item());
  }
  t.weights = state_bytes(model);
  return t;
}

void require_identical(const Trace& a, const Trace& b) {
  REQUIRE(a.losses.size() == b.losses.size());
  for (std::size_t i = 0; i < a.losses.size(); ++i) {
    INFO("step " << i);
    // Bitwise, not approximately: memcmp also tells -0 from 0 and would compare NaNs.
    REQUIRE(std::memcmp(&a.losses[i], &b.losses[i], sizeof(float)) == 0);
  }
  REQUIRE(a.weights == b.weights);
}

}  // namespace

TEST_CASE("determinism: W1b MLP, same seed and threads, bit-identical losses", "[determinism]") {
  for (int threads : {1, 2}) {
    INFO(threads << " thread(s)");
    const Trace a = train_mlp(7, threads, 40);
    const Trace b = train_mlp(7, threads, 40);
    require_identical(a, b);
    CHECK(a.losses.back() < a.losses.front());  // it did train
    CHECK(train_mlp(8, threads, 40).losses != a.losses);
  }
  set_num_threads(1);
}

TEST_CASE("determinism: conv net, same seed and threads, bit-identical losses", "[determinism]") {
  for (int threads : {1, 2}) {
    INFO(threads << " thread(s)");
    const Trace a = train_conv(3, threads, 6);
    const Trace b = train_conv(3, threads, 6);
    require_identical(a, b);
    CHECK(train_conv(4, threads, 6).losses != a.losses);
  }
  set_num_threads(1);
}
