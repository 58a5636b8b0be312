#pragma once
// A WGAN-GP critic (an MLP with tanh and leaky ReLU) and its loss with the gradient penalty,
// written on float64 tensors so that the step can be compared with PyTorch's to 1e-10.
#include <cstddef>
#include <random>
#include <vector>

#include <xgrad/xgrad.hpp>

namespace wgan {

/// Layers in -> hidden -> hidden -> 1; weights [in, out] (TensorFlow's layout).
struct Critic {
  std::vector<xgrad::Tensor64> params;  // w1, b1, w2, b2, w3, b3
  xgrad::Tensor64 operator()(const xgrad::Tensor64& x) const;
};

/// Glorot-uniform weights and small random biases, from `rng`.
Critic make_critic(std::size_t in, std::size_t hidden, std::mt19937_64& rng);

/// The critic loss and its parts.
struct CriticLoss {
  xgrad::Tensor64 total;     ///< mean D(fake) - mean D(real) + lambda * penalty
  xgrad::Tensor64 penalty;   ///< mean over the batch of (||dD/dx at x_hat||_2 - 1)^2
};

/// x_hat = eps * real + (1 - eps) * fake (eps [N, 1]); the penalty's gradient is taken with
/// autograd::grad(create_graph) so that the loss's gradient includes it. With lambda 0 the
/// penalty is not computed (a plain WGAN critic step).
CriticLoss critic_loss(const Critic& critic, const xgrad::Tensor64& real,
                       const xgrad::Tensor64& fake, const xgrad::Tensor64& eps, double lambda);

}  // namespace wgan
