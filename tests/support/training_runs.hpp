#pragma once
// Reference training runs for determinism and concurrency tests: the W1b MLP (BN, sigmoid,
// SGD) and a small BN conv net (Adam) on a learnable synthetic MNIST, traced loss by loss and
// ending with every parameter and buffer as bytes. They use the calling thread's generator
// and xgrad's current thread count.
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

namespace xgrad::test {

struct Trace {
  std::vector<float> losses;
  std::vector<std::uint64_t> grads;    // each step's parameter gradients, hashed
  std::vector<unsigned char> weights;  // every parameter and buffer at the end, as bytes
};

// FNV-1a over the gradients' bytes: equal hashes for bit-identical gradients.
inline std::uint64_t grad_hash(const std::vector<Tensor>& params) {
  std::uint64_t h = 14695981039346656037ull;
  for (const auto& p : params) {
    const auto* b = reinterpret_cast<const unsigned char*>(p.grad().data());
    for (std::size_t i = 0; i < p.grad().size() * sizeof(float); ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  return h;
}

inline std::vector<unsigned char> state_bytes(const nn::Module& m) {
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
inline data::Dataset synthetic(std::size_t n, std::uint64_t seed) {
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
inline std::shared_ptr<nn::Sequential> w1b_mlp(std::uint64_t seed) {
  nn::manual_seed(seed);
  auto model = std::make_shared<nn::Sequential>();
  model->add(nn::Dense(784, 100, false));
  model->add(nn::BatchNorm(nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f)));
  model->add(nn::Sigmoid());
  model->add(nn::Dense(100, 100, false));
  model->add(nn::BatchNorm(nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f)));
  model->add(nn::Sigmoid());
  model->add(nn::Dense(100, 10));
  return model;
}

inline Trace train_mlp(std::uint64_t seed, int steps) {
  auto owned = w1b_mlp(seed);
  nn::Sequential& model = *owned;
  optim::SGD sgd(model.parameters(), 0.01f);
  data::Batches batches(synthetic(600, seed), 60, seed, data::BatchOptions().endless(true));
  data::Batch b;
  Trace t;
  for (int step = 0; step < steps && batches.next(b); ++step) {
    sgd.zero_grad();
    Tensor loss = reduce_sum(softmax_cross_entropy_with_logits(b.labels, model(b.images)));
    loss.backward();
    t.grads.push_back(grad_hash(model.parameters()));
    sgd.step();
    t.losses.push_back(loss.item());
  }
  t.weights = state_bytes(model);
  return t;
}

// A small conv net in Experiment 2's style: Conv2D + BN + ReLU, strided conv, dense head,
// mean sigmoid cross-entropy, Adam.
inline Trace train_conv(std::uint64_t seed, int steps) {
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
    t.grads.push_back(grad_hash(model.parameters()));
    adam.step();
    t.losses.push_back(loss.item());
  }
  t.weights = state_bytes(model);
  return t;
}

inline void require_identical(const Trace& a, const Trace& b) {
  REQUIRE(a.losses.size() == b.losses.size());
  for (std::size_t i = 0; i < a.losses.size(); ++i) {
    INFO("step " << i);
    // Bitwise, not approximately: memcmp also tells -0 from 0 and would compare NaNs.
    REQUIRE(std::memcmp(&a.losses[i], &b.losses[i], sizeof(float)) == 0);
  }
  REQUIRE(a.grads == b.grads);
  REQUIRE(a.weights == b.weights);
}

}  // namespace xgrad::test
