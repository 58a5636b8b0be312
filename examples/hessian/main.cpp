// The Hessian of a small tanh MLP's loss with respect to all its weights, from gradients of
// gradients: a Hessian-vector product (one autograd::grad over the recorded gradient) and the
// full Hessian (one product per unit vector), checked against finite differences of the
// gradient. Run: hessian [--hidden 4] [--seed 1]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <xgrad/xgrad.hpp>

using namespace xgrad;

namespace {

struct Mlp {
  std::vector<Tensor64> params;  // w1 [2, h], b1 [h], w2 [h, 1], b2 [1]

  Tensor64 loss(const Tensor64& x, const Tensor64& y) const {
    Tensor64 h = tanh(xw_plus_b(x, params[0], params[1]));
    Tensor64 out = xw_plus_b(h, params[2], params[3]);
    return reduce_mean(mean_squared_error(y, out));
  }
};

Mlp make_mlp(std::size_t hidden, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 0.8);
  auto draw = [&](Shape shape) {
    xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
    for (auto& v : a) v = normal(rng);
    return Tensor64(std::move(a), true);
  };
  return {{draw({2, hidden}), draw({hidden}), draw({hidden, 1}), draw({1})}};
}

std::size_t count(const std::vector<Tensor64>& ts) {
  std::size_t n = 0;
  for (const auto& t : ts) n += t.size();
  return n;
}

// The tensors' values (or gradients) one after another, as one flat vector.
Tensor64 flatten_all(const std::vector<Tensor64>& ts) {
  std::vector<Tensor64> flat;
  for (const auto& t : ts) flat.push_back(reshape(t, {-1}));
  return concat(flat, 0);
}

std::vector<double> values(const std::vector<Tensor64>& ts) {
  std::vector<double> v;
  for (const auto& t : ts) v.insert(v.end(), t.value().begin(), t.value().end());
  return v;
}

double& element(std::vector<Tensor64>& ts, std::size_t flat) {
  for (auto& t : ts) {
    if (flat < t.size()) return t.value().data()[flat];
    flat -= t.size();
  }
  std::abort();
}

}  // namespace

int main(int argc, char** argv) try {
  std::size_t hidden = 4;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--hidden") {
      hidden = std::stoul(argv[i + 1]);
    } else if (flag == "--seed") {
      seed = std::stoull(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: hessian [--hidden N] [--seed S]\n");
      return 2;
    }
  }
  std::mt19937_64 rng(seed);
  Mlp mlp = make_mlp(hidden, rng);
  // Eight points of a smooth target.
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  xt::xarray<double> xs = xt::xarray<double>::from_shape({8, 2}), ys = xt::xarray<double>::from_shape({8, 1});
  for (std::size_t i = 0; i < 8; ++i) {
    xs(i, 0) = uniform(rng);
    xs(i, 1) = uniform(rng);
    ys(i, 0) = std::sin(2 * xs(i, 0)) * xs(i, 1);
  }
  const Tensor64 x(xs), y(ys);
  const std::size_t n = count(mlp.params);

  // The gradient, recorded (create_graph), flattened: its gradients are the Hessian's rows.
  Tensor64 loss = mlp.loss(x, y);
  auto g = autograd::grad({loss}, mlp.params, {}, autograd::GradOptions().create_graph(true));
  Tensor64 gradient = flatten_all(g);

  // A Hessian-vector product: H v = d<g, v>/dtheta, without forming H.
  std::normal_distribution<double> normal;
  xt::xarray<double> v = xt::xarray<double>::from_shape({n});
  for (auto& e : v) e = normal(rng);
  auto retain = autograd::GradOptions().retain_graph(true);
  std::vector<double> hv = values(autograd::grad({gradient}, mlp.params, {Tensor64(v)}, retain));

  // The full Hessian, row by row.
  std::vector<std::vector<double>> hessian(n);
  for (std::size_t i = 0; i < n; ++i) {
    xt::xarray<double> unit = xt::zeros<double>({n});
    unit(i) = 1;
    hessian[i] = values(autograd::grad({gradient}, mlp.params, {Tensor64(unit)}, retain));
  }

  // Checks: symmetry, H v against the formed H, H against central differences of the gradient.
  double scale = 0, asymmetry = 0, hv_error = 0, fd_error = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double row_dot = 0;
    for (std::size_t j = 0; j < n; ++j) {
      scale = std::max(scale, std::abs(hessian[i][j]));
      asymmetry = std::max(asymmetry, std::abs(hessian[i][j] - hessian[j][i]));
      row_dot += hessian[i][j] * v(j);
    }
    hv_error = std::max(hv_error, std::abs(row_dot - hv[i]));
  }
  const double h = 1e-5;
  for (std::size_t j = 0; j < n; ++j) {
    double& p = element(mlp.params, j);
    const double saved = p;
    p = saved + h;
    std::vector<double> plus = values(autograd::grad({mlp.loss(x, y)}, mlp.params));
    p = saved - h;
    std::vector<double> minus = values(autograd::grad({mlp.loss(x, y)}, mlp.params));
    p = saved;
    for (std::size_t i = 0; i < n; ++i) {
      fd_error = std::max(fd_error, std::abs((plus[i] - minus[i]) / (2 * h) - hessian[i][j]));
    }
  }
  std::printf("tanh MLP 2-%zu-1, %zu weights, loss %.6f\n", hidden, n, loss.item());
  std::printf("Hessian %zux%zu, largest entry %.4f\n", n, n, scale);
  std::printf("symmetry: max |H - H^T| = %.2e (relative %.2e)\n", asymmetry, asymmetry / scale);
  std::printf("Hessian-vector product vs the formed H: max error %.2e (relative %.2e)\n", hv_error,
              hv_error / scale);
  std::printf("finite differences of the gradient (h = %g): max error %.2e (relative %.2e)\n", h,
              fd_error, fd_error / scale);
  const bool ok = asymmetry / scale < 1e-12 && hv_error / scale < 1e-12 && fd_error / scale < 1e-7;
  std::printf("verdict: %s\n", ok ? "Hessian checks passed" : "Hessian checks FAILED");
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "hessian: %s\n", e.what());
  return 1;
}
