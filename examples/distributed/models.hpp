#pragma once
// The two comparison nets with synchronized (or per-rank) batch norm, for data-parallel runs.
#include <memory>
#include <random>

#include <xgrad/dist/dist.hpp>
#include <xgrad/nn/nn.hpp>

namespace distributed {

/// nullptr: per-rank nn::BatchNorm; else SyncBatchNorm over `comm`.
std::shared_ptr<xgrad::nn::Module> batch_norm(std::size_t features, float decay,
                                              const xgrad::dist::Communicator* comm);

/// Experiment 1's BN MLP: Dense 784-100 (no bias) + BN + sigmoid, 100-100 likewise, Dense 10.
std::shared_ptr<xgrad::nn::Sequential> bn_mlp(std::mt19937_64& rng, const xgrad::dist::Communicator* comm);

/// Experiment 2's BN conv net: 19 3x3 SAME convs with 4 i channels (stride 2 when i % 3 == 0)
/// + BN + ReLU, flatten, Dense 100 + BN + ReLU, Dense 10; NHWC 28x28x1 input.
std::shared_ptr<xgrad::nn::Sequential> bn_conv(std::mt19937_64& rng, const xgrad::dist::Communicator* comm);

}  // namespace distributed
