// Regression on a generated data set with a known noise floor: y = f(x) + noise, noise
// normal with standard deviation --noise, so no model can reach a test MSE below the noise
// variance. Float targets go through TensorDataset::regression and TensorBatches; the test
// part is scored with the streamed MSE, MAE and R^2 metrics (data::evaluate), next to the
// noise variance and to a linear model trained the same way.
//
// usage: regression [--seeds 1,2,3] [--epochs 60] [--train 4000] [--test 2000]
//                   [--noise 0.1] [--data-seed 0]
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "seeds.hpp"
#include "summary.hpp"

using namespace xgrad;

namespace {

constexpr std::size_t kInputs = 4;

struct Options {
  std::vector<std::uint64_t> seeds{1, 2, 3};
  int epochs = 60;
  std::size_t train = 4000, test = 2000;
  double noise = 0.1;
  std::uint64_t data_seed = 0;
};

Options parse(int argc, char** argv) {
  cxxopts::Options options("regression", "An MLP and a linear model on generated data with a known noise floor");
  options.add_options()
      ("seeds", "comma-separated training seeds, one run each", cxxopts::value<std::string>()->default_value("1,2,3"))
      ("epochs", "epochs per run", cxxopts::value<int>()->default_value("60"))
      ("train", "training examples", cxxopts::value<std::size_t>()->default_value("4000"))
      ("test", "test examples", cxxopts::value<std::size_t>()->default_value("2000"))
      ("noise", "standard deviation of the targets' noise", cxxopts::value<double>()->default_value("0.1"))
      ("data-seed", "seed of the generated data", cxxopts::value<std::uint64_t>()->default_value("0"))
      ("h,help", "show this help");
  const auto r = examples::parse_or_exit(options, argc, argv);
  Options o;
  o.epochs = r["epochs"].as<int>();
  o.train = r["train"].as<std::size_t>();
  o.test = r["test"].as<std::size_t>();
  o.noise = r["noise"].as<double>();
  o.data_seed = r["data-seed"].as<std::uint64_t>();
  o.seeds = examples::parse_seed_list(r["seeds"].as<std::string>());
  if (o.epochs < 1 || o.train == 0 || o.test == 0 || !(o.noise > 0)) {
    throw std::invalid_argument("--epochs, --train, --test and --noise must be positive");
  }
  return o;
}

/// The noiseless target.
double f(const float* x) {
  return std::sin(2.0 * x[0]) + x[1] * x[2] + 0.5 * x[3] * x[3];
}

/// Uniform in [0, 1) from 53 bits: the same on every platform (std::uniform_real_distribution
/// and std::normal_distribution are not).
double uniform01(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

/// Standard normal by Box-Muller, from two uniform draws.
double normal(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng), u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

/// `n` examples: x uniform in [-1, 1]^4, y = f(x) + noise * N(0, 1), targets [n, 1]. Also
/// returns the squared noise actually drawn, summed (the MSE of f itself on this sample).
data::TensorDataset generate(std::size_t n, double noise, std::mt19937_64& rng,
                             double& noise_sq_sum, const std::string& name) {
  xt::xarray<float> x = xt::zeros<float>({n, kInputs});
  xt::xarray<float> y = xt::zeros<float>({n, std::size_t(1)});
  noise_sq_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    float* row = x.data() + i * kInputs;
    for (std::size_t j = 0; j < kInputs; ++j) row[j] = float(2.0 * uniform01(rng) - 1.0);
    const double e = noise * normal(rng);
    y(i, 0) = float(f(row) + e);
    noise_sq_sum += double(y(i, 0) - float(f(row))) * double(y(i, 0) - float(f(row)));
  }
  return data::TensorDataset::regression(std::move(x), std::move(y), name);
}

struct Scores {
  double mse, mae, r2;
};

/// Trains `model` with Adam (lr 3e-3, halved for the last third), batches of 64, on the
/// mean squared error; returns its test scores.
Scores fit(nn::Module& model, const data::TensorDataset& train, const data::TensorDataset& test,
           std::uint64_t seed, int epochs) {
  optim::Adam opt(model.parameters(), /*lr=*/3e-3f);
  data::TensorBatches batches(train, /*batch_size=*/64, seed);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    if (epoch == 2 * epochs / 3) opt.set_lr(1e-3f);
    for (auto& b : batches) {
      opt.zero_grad();
      Tensor loss = reduce_mean(square(model(b.features) - b.targets));
      loss.backward();
      opt.step();
    }
  }
  data::TensorBatches test_batches(test, 500, 0, data::BatchOptions().shuffle(false));
  data::MeanSquaredError mse;
  data::MeanAbsoluteError mae;
  data::R2Score r2;
  data::evaluate(model, test_batches, {&mse, &mae, &r2});
  return {mse.value(), mae.value(), r2.value()};
}

void summary(const char* what, const std::vector<double>& v) {
  const examples::Spread s = examples::spread(v);
  std::printf("  %-22s median %.5f, range %.5f-%.5f\n", what, s.median, s.min, s.max);
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  // Two streams, so the test set stays the same whatever --train is.
  std::mt19937_64 train_rng(2 * o.data_seed), test_rng(2 * o.data_seed + 1);
  double train_noise_sq = 0, test_noise_sq = 0;
  const auto train = generate(o.train, o.noise, train_rng, train_noise_sq, "generated training set");
  const auto test = generate(o.test, o.noise, test_rng, test_noise_sq, "generated test set");
  const double variance = o.noise * o.noise;
  std::printf("data: y = sin(2 x0) + x1 x2 + 0.5 x3^2 + noise, x uniform in [-1, 1]^4, "
              "%zu train, %zu test (data seed %llu)\n",
              train.size(), test.size(), static_cast<unsigned long long>(o.data_seed));
  // The best possible model is f itself: its expected MSE is the noise variance and its
  // expected MAE sd * sqrt(2 / pi) (the mean absolute value of a normal).
  std::printf("noise floor: mse %.5f (variance; the noise drawn for the test set has mean square "
              "%.5f), mae %.5f (sd %g * sqrt(2/pi))\n", variance, test_noise_sq / double(test.size()),
              o.noise * std::sqrt(2.0 / M_PI), o.noise);

  std::vector<double> mlp_mse, mlp_mae, mlp_r2, lin_mse;
  for (auto seed : o.seeds) {
    nn::manual_seed(seed);
    nn::Sequential mlp;
    mlp.add(nn::Dense(kInputs, 64));
    mlp.add(nn::Tanh());
    mlp.add(nn::Dense(64, 64));
    mlp.add(nn::Tanh());
    mlp.add(nn::Dense(64, 1));
    const Scores s = fit(mlp, train, test, seed, o.epochs);
    nn::manual_seed(seed);
    nn::Sequential linear;
    linear.add(nn::Dense(kInputs, 1));
    const Scores l = fit(linear, train, test, seed, o.epochs);
    std::printf("seed %llu: MLP test mse %.5f (%.2f x the noise variance), mae %.5f, r2 %.4f; "
                "linear test mse %.5f\n", static_cast<unsigned long long>(seed), s.mse,
                s.mse / variance, s.mae, s.r2, l.mse);
    mlp_mse.push_back(s.mse);
    mlp_mae.push_back(s.mae);
    mlp_r2.push_back(s.r2);
    lin_mse.push_back(l.mse);
  }
  std::printf("over %zu seeds (%d epochs):\n", o.seeds.size(), o.epochs);
  summary("MLP test mse", mlp_mse);
  summary("MLP test mae", mlp_mae);
  summary("MLP test r2", mlp_r2);
  summary("linear test mse", lin_mse);
  std::printf("MLP test mse / noise variance: median %.3f\n", examples::spread(mlp_mse).median / variance);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "regression: %s\n", e.what());
  return 1;
}
