// Experiment 1's BN MLP trained twice from the same state on the same batches, in float32 and
// in float64, to see how far the float32 run's loss curve is from the float64 one, and when
// the two drift apart. usage: precision_mlp [DATA_DIR [STEPS [PRINT_EVERY]]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

namespace {

/// examples/mnist_bn_mlp's BN net: 784 -> 100 -> BN -> sigmoid -> 100 -> BN -> sigmoid -> 10,
/// BN with decay 0.999 and eps 1e-3, the first two products without bias.
template <class T>
nn::BasicSequential<T> bn_mlp() {
  const auto bn = nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f);
  nn::BasicSequential<T> m;
  m.add(nn::BasicDense<T>(784, 100, /*use_bias=*/false));
  m.add(nn::BasicBatchNorm<T>(bn));
  m.add(nn::BasicSigmoid<T>());
  m.add(nn::BasicDense<T>(100, 100, /*use_bias=*/false));
  m.add(nn::BasicBatchNorm<T>(bn));
  m.add(nn::BasicSigmoid<T>());
  m.add(nn::BasicDense<T>(100, 10));
  return m;
}

/// The example's initial weights: every kernel N(0, 1), drawn in float32.
void normal_kernels(nn::Sequential& m, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (auto& kv : m.named_parameters()) {
    if (kv.first.find("kernel") == std::string::npos) continue;
    for (auto& v : kv.second.value()) v = normal(rng);
  }
}

template <class T>
double train_step(nn::BasicSequential<T>& model, optim::BasicSGD<T>& sgd,
                  const data::Batch& batch) {
  const BasicTensor<T> images(xt::xarray<T>(batch.images.value()));
  const BasicTensor<T> labels(xt::xarray<T>(batch.labels.value()));
  sgd.zero_grad();
  BasicTensor<T> loss = reduce_sum(softmax_cross_entropy_with_logits(labels, model(images)));
  loss.backward();
  sgd.step();
  return double(loss.item());
}

/// |a - b| / |b| over all parameters together (Euclidean norms): how far the float32 model has
/// moved from the float64 one. (Element by element, parameters near zero would dominate.)
double parameter_drift(const nn::Module& a, const nn::Module64& b) {
  double diff = 0, norm = 0;
  const auto pa = a.named_parameters();
  const auto pb = b.named_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    auto ib = pb[i].second.value().begin();
    for (float v : pa[i].second.value()) {
      diff += (double(v) - *ib) * (double(v) - *ib);
      norm += *ib * *ib;
      ++ib;
    }
  }
  return std::sqrt(diff / norm);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : data::find_dataset_dir().dir;
  const long steps = argc > 2 ? std::stol(argv[2]) : 1000;
  const long every = argc > 3 ? std::stol(argv[3]) : 50;
  xgrad::tune_allocator_for_training();

  auto model32 = bn_mlp<float>();
  normal_kernels(model32, 1);
  auto model64 = bn_mlp<double>();
  nn::copy_state(model32, model64);  // the same starting point, exactly
  optim::SGD sgd32(model32.parameters(), 0.01f);
  optim::SGD64 sgd64(model64.parameters(), 0.01f);

  const data::Dataset train = data::load_mnist(dir, data::Split::Train);
  data::Batches batches(train, 60, /*seed=*/1, data::BatchOptions().endless(true));
  data::Batch batch;
  const double thresholds[] = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2};
  long first_above[5] = {-1, -1, -1, -1, -1};
  double worst_first_100 = 0;
  std::printf("%6s  %14s  %14s  %10s  %12s\n", "step", "loss float32", "loss float64",
              "rel. diff", "param drift");
  for (long step = 0; step < steps && batches.next(batch); ++step) {
    const double l32 = train_step(model32, sgd32, batch);
    const double l64 = train_step(model64, sgd64, batch);
    const double rel = std::abs(l32 - l64) / std::abs(l64);
    if (step < 100) worst_first_100 = std::max(worst_first_100, rel);
    for (int k = 0; k < 5; ++k) {
      if (first_above[k] < 0 && rel > thresholds[k]) first_above[k] = step;
    }
    if (step % every == 0 || step == steps - 1) {
      std::printf("%6ld  %14.7f  %14.7f  %10.2e  %12.2e\n", step, l32, l64, rel,
                  parameter_drift(model32, model64));
    }
  }
  std::printf("largest relative loss difference in the first 100 steps: %.2e\n", worst_first_100);
  for (int k = 0; k < 5; ++k) {
    if (first_above[k] < 0) {
      std::printf("relative loss difference above %.0e: never in %ld steps\n", thresholds[k], steps);
    } else {
      std::printf("relative loss difference above %.0e: first at step %ld\n", thresholds[k],
                  first_above[k]);
    }
  }
  return 0;
}
