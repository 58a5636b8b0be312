// Second derivatives of the fused losses: the Hessian with respect to the logits (and the mixed
// one with respect to the labels), from autograd::grad twice, equals the composite loss's and
// the closed form. TensorFlow once returned zero here for the fused softmax cross-entropy.
#include <cmath>

#include <xtensor/xio.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

using Arr = xt::xarray<double>;

/// d^2 loss / (dx dy) as [x.size(), y.size()]: row k is the gradient, with respect to y, of
/// the k-th element of dloss/dx (itself from autograd::grad with create_graph).
template <class F>
Arr second_derivative(F loss, const Tensor64& x, const Tensor64& y) {
  Tensor64 g = autograd::grad<double>({loss()}, {x}, {}, autograd::GradOptions().create_graph(true))[0];
  const std::size_t n = x.size(), m = y.size();
  Arr h = xt::zeros<double>({n, m});
  for (std::size_t k = 0; k < n; ++k) {
    Arr pick = xt::zeros<double>(x.shape());
    pick.data()[k] = 1;
    Tensor64 row = autograd::grad<double>({g}, {y}, {Tensor64(pick)},
                                          autograd::GradOptions().retain_graph(true))[0];
    std::copy(row.value().begin(), row.value().end(), h.data() + k * m);
  }
  return h;
}

double max_abs(const Arr& a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

TEST_CASE("softmax_cross_entropy_with_logits: Hessian equals the composite's and the closed form",
          "[ops][gradgrad]") {
  const std::size_t rows = 3, c = 4;
  // Labels that do not sum to 1 per row: the Hessian scales with their sum.
  Tensor64 z = test::random_tensor<double>({rows, c}, 11, 0.0, 1.0, true);
  Tensor64 x = test::random_tensor<double>({rows, c}, 12, -3.0, 3.0, true);
  // The fused op's per-row losses averaged, and the same from log_softmax.
  auto fused = [&] { return reduce_mean(softmax_cross_entropy_with_logits(z, x)); };
  auto composite = [&] { return reduce_mean(-reduce_sum(z * log_softmax(x), {-1})); };

  const Arr h_fused = second_derivative(fused, x, x);
  const Arr h_comp = second_derivative(composite, x, x);
  // Closed form: block r is sum(z_r) / rows * (diag(p_r) - p_r p_r^T), p = softmax(x).
  Arr want = xt::zeros<double>({rows * c, rows * c});
  for (std::size_t r = 0; r < rows; ++r) {
    double sum_e = 0, sum_z = 0;
    for (std::size_t j = 0; j < c; ++j) {
      sum_e += std::exp(x.value()(r, j));
      sum_z += z.value()(r, j);
    }
    for (std::size_t i = 0; i < c; ++i) {
      const double pi = std::exp(x.value()(r, i)) / sum_e;
      for (std::size_t j = 0; j < c; ++j) {
        const double pj = std::exp(x.value()(r, j)) / sum_e;
        want(r * c + i, r * c + j) = sum_z / double(rows) * ((i == j ? pi : 0.0) - pi * pj);
      }
    }
  }
  INFO("fused\n" << h_fused << "\ncomposite\n" << h_comp << "\nclosed form\n" << want);
  CHECK(max_abs(want) > 0.01);  // not the zero Hessian of a gradient held constant
  CHECK(test::all_close(h_fused, h_comp, 1e-12));
  CHECK(test::all_close(h_fused, want, 1e-12));

  // Mixed: d(dloss/dx_i)/dz_j = (p_i - [i == j]) / rows within a row.
  const Arr m_fused = second_derivative(fused, x, z);
  const Arr m_comp = second_derivative(composite, x, z);
  CHECK(test::all_close(m_fused, m_comp, 1e-12));
  CHECK(max_abs(m_fused) > 0.01);
}

TEST_CASE("sigmoid_cross_entropy_with_logits: Hessian equals the composite's and the closed form",
          "[ops][gradgrad]") {
  Tensor64 z = test::random_tensor<double>({3, 4}, 21, 0.0, 1.0, true);
  Tensor64 x = test::random_tensor<double>({3, 4}, 22, -3.0, 3.0, true);
  auto fused = [&] { return reduce_mean(sigmoid_cross_entropy_with_logits(z, x)); };
  auto composite = [&] {
    const Tensor64 s = sigmoid(x);
    return reduce_mean(-(z * log(s) + (1.0 - z) * log(1.0 - s)));
  };
  const Arr h_fused = second_derivative(fused, x, x);
  const Arr h_comp = second_derivative(composite, x, x);
  // Closed form: diagonal, s (1 - s) / n.
  const std::size_t n = x.size();
  Arr want = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i) {
    const double s = 1 / (1 + std::exp(-x.value().data()[i]));
    want(i, i) = s * (1 - s) / double(n);
  }
  INFO("fused\n" << h_fused << "\ncomposite\n" << h_comp << "\nclosed form\n" << want);
  CHECK(max_abs(want) > 0.005);
  CHECK(test::all_close(h_fused, h_comp, 1e-12));
  CHECK(test::all_close(h_fused, want, 1e-12));
  // Mixed: d(dloss/dx_i)/dz_j = -[i == j] / n.
  CHECK(test::all_close(second_derivative(fused, x, z), second_derivative(composite, x, z), 1e-12));
}

TEST_CASE("sparse_softmax_cross_entropy_with_logits: Hessian equals the dense op's",
          "[ops][gradgrad]") {
  const xt::xarray<std::int64_t> ids{2, 0, 3};
  Arr one_hot = xt::zeros<double>({3, 4});
  for (std::size_t r = 0; r < 3; ++r) one_hot(r, std::size_t(ids(r))) = 1;
  const Tensor64 z(one_hot);
  Tensor64 x = test::random_tensor<double>({3, 4}, 31, -3.0, 3.0, true);
  auto sparse = [&] { return reduce_mean(sparse_softmax_cross_entropy_with_logits(ids, x)); };
  auto dense = [&] { return reduce_mean(softmax_cross_entropy_with_logits(z, x)); };
  const Arr h_sparse = second_derivative(sparse, x, x);
  CHECK(max_abs(h_sparse) > 0.01);
  CHECK(test::all_close(h_sparse, second_derivative(dense, x, x), 1e-12));
}
