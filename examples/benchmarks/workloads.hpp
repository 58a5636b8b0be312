#pragma once
// The comparison workloads (examples/benchmarks/README.md), as step functions:
//   W1a/W1b  one SGD step of the 784-100-100-10 sigmoid MLP without/with BN, batch 60,
//            summed softmax cross-entropy (Experiment 1's training step);
//   W2a/W2b  one Adam step of the 19-layer conv net without/with BN, batch 64, mean sigmoid
//            cross-entropy (Experiment 2's training step);
//   E1       inference of the BN MLP on 10,000 images with population statistics;
//   R20      one SGD-momentum step of a ResNet-20-style CIFAR net, batch 128 of 32x32x3;
//   VGG      one SGD-momentum step of a VGG-style CIFAR net (conv-conv-pool, 32/64/128), batch 128;
//   WMLP     one Adam step of a wide MLP, 784-1024-1024-10 with ReLU, batch 256.
// Random data throughout: the steps' cost does not depend on it.
// bench_torch.py builds the same networks in PyTorch.
#include <functional>
#include <string>
#include <vector>

namespace bench {

struct Workload {
  std::string name;
  std::function<void()> step;  ///< one training step (or one inference pass for E1)
  double flops;                ///< nominal floating-point operations of the matrix products
                               ///< and convolutions (padded taps included)
};

/// The names in their usual order.
const std::vector<std::string>& workload_names();
/// Builds workload `name` with deterministic random data; throws std::invalid_argument.
Workload make_workload(const std::string& name);

}  // namespace bench
