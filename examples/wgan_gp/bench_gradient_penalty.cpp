// The cost of a gradient penalty: a WGAN-GP critic step (loss, gradient penalty through
// autograd::grad with create_graph, backward) against a plain WGAN critic step of the same
// critic and batch. Runs the two alternately and prints the medians and their ratio.
// Run: bench_gradient_penalty [--in 64] [--hidden 256] [--batch 64] [--reps 200]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "critic.hpp"

using namespace xgrad;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) try {
  std::size_t in = 64, hidden = 256, batch = 64;
  int reps = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const unsigned long v = std::stoul(argv[i + 1]);
    if (flag == "--in") in = v;
    else if (flag == "--hidden") hidden = v;
    else if (flag == "--batch") batch = v;
    else if (flag == "--reps") reps = int(v);
    else {
      std::fprintf(stderr, "usage: bench_gradient_penalty [--in N] [--hidden N] [--batch N] [--reps N]\n");
      return 2;
    }
  }
  std::mt19937_64 rng(1);
  wgan::Critic critic = wgan::make_critic(in, hidden, rng);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  xt::xarray<double> real = xt::xarray<double>::from_shape({batch, in}), fake = real;
  xt::xarray<double> eps = xt::xarray<double>::from_shape({batch, 1});
  for (auto& v : real) v = normal(rng);
  for (auto& v : fake) v = normal(rng);
  for (auto& v : eps) v = uniform(rng);
  const Tensor64 r(real), f(fake), e(eps);

  auto step = [&](double lambda) {
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& p : critic.params) p.zero_grad();
    wgan::critic_loss(critic, r, f, e, lambda).total.backward();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  for (int i = 0; i < 10; ++i) {  // warm-up
    step(0);
    step(10);
  }
  std::vector<double> plain, penalty;
  for (int i = 0; i < reps; ++i) {
    plain.push_back(step(0));
    penalty.push_back(step(10));
  }
  const double p = median(plain), g = median(penalty);
  std::printf("critic %zu-%zu-%zu-1, batch %zu, float64, %d alternating reps\n", in, hidden, hidden,
              batch, reps);
  std::printf("plain critic step:            %.3f ms (median)\n", p);
  std::printf("gradient-penalty critic step: %.3f ms (median)\n", g);
  std::printf("ratio: %.2fx\n", g / p);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_gradient_penalty: %s\n", e.what());
  return 1;
}
