// One WGAN-GP critic step (Gulrajani et al. 2017): the gradient penalty needs the gradient of
// the critic's output with respect to its input, recorded (autograd::grad with create_graph),
// so that the loss's gradient with respect to the weights differentiates through it.
//   wgan_gp                      one step on random data, printing the loss and the penalty
//   wgan_gp --fixture file.json  the same step on weights and data written by make_fixture.py
//                                (PyTorch, float64), compared with PyTorch's penalty, loss and
//                                weight gradients; exit status 1 if any differs by > 1e-10
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "critic.hpp"

using namespace xgrad;
using nlohmann::json;

namespace {

const char* const param_names[] = {"w1", "b1", "w2", "b2", "w3", "b3"};

// A JSON array of numbers, nested to any depth, as an array of that shape.
xt::xarray<double> to_array(const json& j, const std::string& what) {
  Shape shape;
  const json* level = &j;
  while (level->is_array()) {
    if (level->empty()) throw std::runtime_error(what + ": empty array");
    shape.push_back(level->size());
    level = &level->front();
  }
  if (!level->is_number()) throw std::runtime_error(what + ": not an array of numbers");
  xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
  std::size_t k = 0;
  // Depth-first, in order: the elements come out row-major.
  std::vector<std::pair<const json*, std::size_t>> walk{{&j, 0}};
  while (!walk.empty()) {
    auto& [node, next] = walk.back();
    if (!node->is_array()) {
      a.data()[k++] = node->get<double>();
      walk.pop_back();
    } else if (next < node->size()) {
      walk.emplace_back(&(*node)[next++], 0);
    } else {
      walk.pop_back();
    }
  }
  if (k != a.size()) throw std::runtime_error(what + ": ragged array");
  return a;
}

double max_difference(const xt::xarray<double>& a, const xt::xarray<double>& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
  return m;
}

int against_fixture(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "wgan_gp: cannot open %s\n", path.c_str());
    return 2;
  }
  json fx;
  try {
    fx = json::parse(in);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wgan_gp: %s is not valid JSON: %s\n", path.c_str(), e.what());
    return 2;
  }
  wgan::Critic critic;
  for (const char* name : param_names) {
    critic.params.emplace_back(to_array(fx.at("params").at(name), name), true);
  }
  const Tensor64 real(to_array(fx.at("real"), "real")), fake(to_array(fx.at("fake"), "fake"));
  const Tensor64 eps(to_array(fx.at("eps"), "eps"));
  const double lambda = fx.at("lambda").get<double>();

  wgan::CriticLoss loss = wgan::critic_loss(critic, real, fake, eps, lambda);
  loss.total.backward();

  const json& want = fx.at("expected");
  double worst = 0;
  auto report = [&](const std::string& what, double diff) {
    std::printf("  %-8s max |xgrad - PyTorch| = %.2e\n", what.c_str(), diff);
    worst = std::max(worst, diff);
  };
  std::printf("WGAN-GP critic step vs PyTorch %s (float64, lambda %g, batch %zu):\n",
              fx.value("torch_version", std::string("?")).c_str(), lambda, real.shape()[0]);
  report("penalty", std::abs(loss.penalty.item() - want.at("penalty").get<double>()));
  report("loss", std::abs(loss.total.item() - want.at("loss").get<double>()));
  for (std::size_t i = 0; i < critic.params.size(); ++i) {
    const std::string name = param_names[i];
    report("d/d" + name, max_difference(critic.params[i].grad(),
                                         to_array(want.at("grads").at(name), "grads." + name)));
  }
  const bool ok = worst <= 1e-10;
  std::printf("verdict: %s (largest difference %.2e, tolerance 1e-10)\n",
              ok ? "equal to PyTorch" : "DIFFERS from PyTorch", worst);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc == 3 && std::string(argv[1]) == "--fixture") return against_fixture(argv[2]);
  if (argc != 1) {
    std::fprintf(stderr, "usage: wgan_gp [--fixture file.json]\n");
    return 2;
  }
  std::mt19937_64 rng(1);
  wgan::Critic critic = wgan::make_critic(3, 16, rng);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  xt::xarray<double> real = xt::xarray<double>::from_shape({8, 3}), fake = real;
  xt::xarray<double> eps = xt::xarray<double>::from_shape({8, 1});
  for (auto& v : real) v = 1.0 + 0.5 * normal(rng);
  for (auto& v : fake) v = normal(rng);
  for (auto& v : eps) v = uniform(rng);
  wgan::CriticLoss loss = wgan::critic_loss(critic, Tensor64(real), Tensor64(fake), Tensor64(eps), 10.0);
  loss.total.backward();
  for (auto& p : critic.params) p.value() -= 1e-3 * p.grad();  // one plain SGD step
  std::printf("critic loss %.6f, gradient penalty %.6f\n", loss.total.item(), loss.penalty.item());
  std::printf("after one SGD step (lr 1e-3): critic loss %.6f\n",
              wgan::critic_loss(critic, Tensor64(real), Tensor64(fake), Tensor64(eps), 10.0).total.item());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "wgan_gp: %s\n", e.what());
  return 1;
}
