// Physics-informed networks: a tanh MLP u(x) trained so that its derivatives, taken with
// autograd::grad(create_graph), satisfy a differential equation.
//   poisson: -u'' = pi^2 sin(pi x) on [-1, 1], u(-1) = u(1) = 0   (exact: sin(pi x))
//   decay:    u' = -u on [0, 2], u(0) = 1                          (exact: exp(-x))
// Reports the L2 relative error against the exact solution on 201 points, per seed and as
// median and range. Run: pinn [--problem poisson|decay|both] [--steps 4000] [--seeds 1,2,3]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "seeds.hpp"
#include "summary.hpp"

using namespace xgrad;

namespace {

const double pi = 3.14159265358979323846;

struct Problem {
  std::string name;
  double lo, hi;
  double (*exact)(double);
};

const Problem poisson{"poisson", -1.0, 1.0, [](double x) { return std::sin(pi * x); }};
const Problem decay{"decay", 0.0, 2.0, [](double x) { return std::exp(-x); }};

Tensor column(const std::vector<double>& v, bool requires_grad = false) {
  xt::xarray<float> a = xt::xarray<float>::from_shape({v.size(), 1});
  for (std::size_t i = 0; i < v.size(); ++i) a(i, 0) = float(v[i]);
  return Tensor(std::move(a), requires_grad);
}

std::vector<double> grid(double lo, double hi, std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * double(i) / double(n - 1);
  return v;
}

// du/dx of a column of independent points: the gradient of sum(u) with respect to x.
Tensor derivative(const Tensor& u, const Tensor& x) {
  return autograd::grad({u}, {x}, {Tensor::ones(u.shape())}, autograd::GradOptions().create_graph(true))[0];
}

// The loss: the equation's residual at the collocation points, plus the boundary condition.
Tensor physics_loss(const Problem& p, nn::Sequential& net, const Tensor& x, const Tensor& forcing) {
  Tensor u = net(x);
  Tensor u_x = derivative(u, x);
  if (p.name == "poisson") {
    Tensor u_xx = derivative(u_x, x);
    Tensor residual = -u_xx - forcing;
    Tensor boundary = net(column({p.lo, p.hi}));
    return reduce_mean(square(residual)) + reduce_mean(square(boundary));
  }
  Tensor residual = u_x + u;
  Tensor start = net(column({p.lo})) - 1.0;
  return reduce_mean(square(residual)) + reduce_mean(square(start));
}

struct Result {
  double l2_relative_error;
  double final_loss;
  double seconds;
};

Result solve(const Problem& p, long steps, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  nn::Sequential net;
  net.add(nn::Dense(nn::DenseOptions(1, 32), rng));
  net.add(nn::Tanh());
  net.add(nn::Dense(nn::DenseOptions(32, 32), rng));
  net.add(nn::Tanh());
  net.add(nn::Dense(nn::DenseOptions(32, 1), rng));
  optim::Adam adam(net.parameters(), optim::AdamOptions().lr(2e-3f));

  const std::vector<double> points = grid(p.lo, p.hi, 64);
  std::vector<double> f(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) f[i] = pi * pi * std::sin(pi * points[i]);
  const Tensor x = column(points, true), forcing = column(f);

  const auto start = std::chrono::steady_clock::now();
  double last = 0;
  for (long step = 0; step < steps; ++step) {
    adam.zero_grad();
    Tensor loss = physics_loss(p, net, x, forcing);
    loss.backward();
    adam.step();
    last = loss.item();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  NoGradGuard no_grad;
  const std::vector<double> check = grid(p.lo, p.hi, 201);
  Tensor u = net(column(check));
  double err = 0, norm = 0;
  for (std::size_t i = 0; i < check.size(); ++i) {
    const double want = p.exact(check[i]);
    err += (u.value()(i, 0) - want) * (u.value()(i, 0) - want);
    norm += want * want;
  }
  return {std::sqrt(err / norm), last, seconds};
}

}  // namespace

int main(int argc, char** argv) try {
  cxxopts::Options options("pinn", "Physics-informed networks: Poisson's equation and u' = -u");
  options.add_options()
      ("problem", "poisson, decay or both", cxxopts::value<std::string>()->default_value("both"))
      ("steps", "Adam steps per run", cxxopts::value<long>()->default_value("4000"))
      ("seeds", "comma-separated seeds, one run each", cxxopts::value<std::string>()->default_value("1,2,3"))
      ("h,help", "show this help");
  const auto parsed = examples::parse_or_exit(options, argc, argv);
  const std::string which = parsed["problem"].as<std::string>();
  const long steps = parsed["steps"].as<long>();
  const std::vector<std::uint64_t> seeds = examples::parse_seed_list(parsed["seeds"].as<std::string>());
  std::vector<Problem> problems;
  if (which == "poisson" || which == "both") problems.push_back(poisson);
  if (which == "decay" || which == "both") problems.push_back(decay);
  if (problems.empty() || seeds.empty() || steps <= 0) {
    std::fprintf(stderr, "pinn: unknown problem '%s', or no seeds, or no steps\n", which.c_str());
    return 2;
  }
  for (const auto& p : problems) {
    std::vector<double> errors;
    double total_seconds = 0;
    for (auto seed : seeds) {
      Result r = solve(p, steps, seed);
      std::printf("%s seed %llu: %ld Adam steps, loss %.3e, L2 relative error %.3e, %.1f s\n",
                  p.name.c_str(), static_cast<unsigned long long>(seed), steps, r.final_loss,
                  r.l2_relative_error, r.seconds);
      errors.push_back(r.l2_relative_error);
      total_seconds += r.seconds;
    }
    const examples::Spread e = examples::spread(errors);
    std::printf("%s: L2 relative error median %.3e, range %.3e-%.3e over %zu seeds, %.1f s per run\n",
                p.name.c_str(), e.median, e.min, e.max, errors.size(),
                total_seconds / double(seeds.size()));
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "pinn: %s\n", e.what());
  return 1;
}
