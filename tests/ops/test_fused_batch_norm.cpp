// fused_batch_norm: hand values, equality with moments + batch_normalization (value and
// gradients), float64 gradchecks, split over threads, errors.
#include <cmath>

#include <xtensor/xio.hpp>

#include "support/force_threads.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("fused_batch_norm hand values: [[1, 10], [3, 30]]", "[fused_batch_norm]") {
  // feature 0: mean 2, var 1; feature 1: mean 20, var 100; eps 0 would give -1, +1.
  Tensor64 x(xt::xarray<double>{{1, 10}, {3, 30}});
  Tensor64 scale(xt::xarray<double>{2, 3}), offset(xt::xarray<double>{0.5, -1});
  auto r = fused_batch_norm(x, scale, offset, 1e-3);
  CHECK(test::all_close(r.mean.value(), xt::xarray<double>{2, 20}, 1e-15));
  CHECK(test::all_close(r.variance.value(), xt::xarray<double>{1, 100}, 1e-15));
  const double a0 = 2 / std::sqrt(1 + 1e-3), a1 = 3 / std::sqrt(100 + 1e-3);
  xt::xarray<double> want{{-a0 + 0.5, -10 * a1 - 1}, {a0 + 0.5, 10 * a1 - 1}};
  CHECK(test::all_close(r.y.value(), want, 1e-14));
  // One row: every value is its own mean, so y is exactly the offset.
  auto one = fused_batch_norm(Tensor64(xt::xarray<double>{{7, -3}}), scale, offset, 1e-3);
  CHECK(bool(one.y.value() == xt::xarray<double>{{0.5, -1}}));
}

TEST_CASE("fused_batch_norm equals moments + batch_normalization, values and gradients",
          "[fused_batch_norm]") {
  for (int threads : {1, 2, 3}) {
    for (bool affine : {false, true}) {
      INFO("threads " << threads << " affine " << affine);
      test::ForceThreads force(threads);
      auto xv = test::random_array<double>({5, 3, 4, 6}, 7, -2, 5);
      auto up = test::random_array<double>({5, 3, 4, 6}, 8);
      Tensor64 x1(xv, true), x2(xv, true);
      Tensor64 s1, s2, o1, o2;
      if (affine) {
        auto sv = test::random_array<double>({6}, 9, 0.5, 2), ov = test::random_array<double>({6}, 10);
        s1 = Tensor64(sv, true), s2 = Tensor64(sv, true), o1 = Tensor64(ov, true), o2 = Tensor64(ov, true);
      }
      auto fused = fused_batch_norm(x1, s1, o1, 1e-3);
      auto m = moments(x2, {0, 1, 2});
      auto composite = batch_normalization(x2, m.mean, m.variance, o2, s2, 1e-3);
      CHECK(test::all_close(fused.y.value(), composite.value(), 1e-12));
      CHECK(test::all_close(fused.mean.value(), m.mean.value(), 1e-12));
      CHECK(test::all_close(fused.variance.value(), m.variance.value(), 1e-12));
      fused.y.backward(up);
      composite.backward(up);
      CHECK(test::all_close(x1.grad(), x2.grad(), 1e-10));
      if (affine) {
        CHECK(test::all_close(s1.grad(), s2.grad(), 1e-10));
        CHECK(test::all_close(o1.grad(), o2.grad(), 1e-10));
      }
    }
  }
}

TEST_CASE("fused_batch_norm equals the composite for 1..100 features and any row count",
          "[fused_batch_norm]") {
  // The kernel walks rows in flat blocks of a multiple of both f and 16 values: feature counts
  // that divide 16, share a factor with it or not, and row counts that end in a partial block.
  std::uint64_t seed = 30;
  for (std::size_t f : {1u, 4u, 12u, 17u, 100u})
    for (std::size_t rows : {1u, 37u, 203u})
      for (int threads : {1, 2}) {
        INFO("f " << f << " rows " << rows << " threads " << threads);
        test::ForceThreads force(threads);
        auto xv = test::random_array<double>({rows, f}, seed++, -2, 5);
        auto up = test::random_array<double>({rows, f}, seed++);
        auto sv = test::random_array<double>({f}, seed++, 0.5, 2);
        auto ov = test::random_array<double>({f}, seed++);
        Tensor64 x1(xv, true), x2(xv, true), s1(sv, true), s2(sv, true), o1(ov, true), o2(ov, true);
        auto fused = fused_batch_norm(x1, s1, o1, 1e-3);
        auto m = moments(x2, {0});
        auto composite = batch_normalization(x2, m.mean, m.variance, o2, s2, 1e-3);
        CHECK(test::all_close(fused.y.value(), composite.value(), 1e-12));
        CHECK(test::all_close(fused.variance.value(), m.variance.value(), 1e-12));
        fused.y.backward(up);
        composite.backward(up);
        CHECK(test::all_close(x1.grad(), x2.grad(), 1e-9));
        CHECK(test::all_close(s1.grad(), s2.grad(), 1e-9));
        CHECK(test::all_close(o1.grad(), o2.grad(), 1e-9));
      }
}

TEST_CASE("fused_batch_norm passes gradcheck (x, scale, offset), 1 and 2 threads",
          "[fused_batch_norm]") {
  for (int threads : {1, 2}) {
    test::ForceThreads force(threads);
    auto x = test::random_tensor<double>({4, 3, 5}, 11, -1, 3);
    auto scale = test::random_tensor<double>({5}, 12, 0.5, 2);
    auto offset = test::random_tensor<double>({5}, 13);
    REQUIRE_GRADCHECK(([](const std::vector<Tensor64>& in) {
                        return fused_batch_norm(in[0], in[1], in[2], 1e-3).y;
                      }),
                      (std::vector<Tensor64>{x, scale, offset}));
  }
}

TEST_CASE("fused_batch_norm float32 agrees with float64", "[fused_batch_norm]") {
  auto xv = test::random_array<double>({64, 7, 7, 8}, 14, -3, 3);
  xt::xarray<float> xf = xv;
  auto y64 = fused_batch_norm(Tensor64(xv), Tensor64(), Tensor64(), 1e-3).y.value();
  auto y32 = fused_batch_norm(Tensor(xf), Tensor(), Tensor(), 1e-3).y.value();
  CHECK(test::all_close(y32, y64, 1e-5));
}

TEST_CASE("fused_batch_norm rejects bad arguments, naming the op and the shapes",
          "[fused_batch_norm]") {
  Tensor x(xt::xarray<float>::from_shape({4, 3}));
  x.value().fill(1);
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message([&] { fused_batch_norm(x, Tensor(xt::xarray<float>{1, 1}), Tensor(), 1e-3); }) ==
        "fused_batch_norm: scale shape [2] must be [3] for x shape [4, 3]");
  CHECK(message([&] { fused_batch_norm(x, Tensor(), Tensor(xt::xarray<float>{{1, 1, 1}}), 1e-3); }) ==
        "fused_batch_norm: offset shape [1, 3] must be [3] for x shape [4, 3]");
  CHECK(message([&] { fused_batch_norm(Tensor(xt::xarray<float>::from_shape({0, 3})), Tensor(), Tensor(), 1e-3); }) ==
        "fused_batch_norm: x shape [0, 3] has no values to take statistics over");
  CHECK(message([&] { fused_batch_norm(x, Tensor(), Tensor(), 0.0); }) ==
        "fused_batch_norm: eps must be finite and > 0, got 0 (x shape [4, 3])");
  for (double eps : {-1e-3, std::nan(""), HUGE_VAL}) {
    INFO("eps " << eps);
    CHECK_THAT(message([&] { fused_batch_norm(x, Tensor(), Tensor(), eps); }),
               Catch::Matchers::StartsWith("fused_batch_norm: eps must be finite and > 0"));
  }
}

namespace {

// A statistics source standing for a larger batch: fixed statistics, and a record of what
// fused_batch_norm handed it.
struct FixedStatistics : BatchNormStatistics<double> {
  std::size_t batch_rows = 10;
  mutable std::size_t rows_seen = 0, batch_rows_seen = 0;
  mutable std::vector<double> sums_seen;
  std::size_t moments(std::size_t rows, std::size_t f, const double*, const double*,
                      const double*, double* mean, double* variance) const override {
    rows_seen = rows;
    for (std::size_t c = 0; c < f; ++c) {
      mean[c] = 1.0 + double(c);
      variance[c] = 3.0;
    }
    return batch_rows;
  }
  void gradient_means(std::size_t rows, std::size_t f, const double* sums, const double*,
                      double* mean_g, double* k) const override {
    batch_rows_seen = rows;
    sums_seen.assign(sums, sums + 2 * f);
    for (std::size_t c = 0; c < f; ++c) {
      mean_g[c] = 0.25;
      k[c] = 0.0;
    }
  }
};

}  // namespace

TEST_CASE("fused_batch_norm takes its statistics from a BatchNormStatistics source",
          "[fused_batch_norm]") {
  const xt::xarray<double> xv{{0.5, 4.0}, {2.0, -1.0}, {3.0, 2.5}, {-1.0, 0.0}};
  const xt::xarray<double> uv{{1.0, -2.0}, {0.5, 1.0}, {-1.5, 0.25}, {2.0, 3.0}};
  Tensor64 x(xv, true), scale(xt::xarray<double>{2.0, -1.0}, true),
      offset(xt::xarray<double>{0.5, 0.0}, true);
  auto stats = std::make_shared<FixedStatistics>();
  auto r = fused_batch_norm(x, scale, offset, 1e-3, stats);
  CHECK(stats->rows_seen == 4);
  CHECK(bool(r.mean.value() == xt::xarray<double>{1.0, 2.0}));
  CHECK(bool(r.variance.value() == xt::xarray<double>{3.0, 3.0}));
  const double inv = 1 / std::sqrt(3.0 + 1e-3);
  const xt::xarray<double> mean{1.0, 2.0}, s{2.0, -1.0}, o{0.5, 0.0};
  const xt::xarray<double> want_y = (xv - mean) * inv * s + o;
  CHECK(test::all_close(r.y.value(), want_y, 1e-14));

  reduce_sum(mul(r.y, Tensor64(uv))).backward();
  CHECK(stats->batch_rows_seen == 10);
  // This process's sums of g and g (x - mean), handed to the source; its own share of the
  // offset and scale gradients.
  const xt::xarray<double> sum_g = xt::sum(uv, {0}), sum_gx = xt::sum(uv * (xv - mean), {0});
  REQUIRE(stats->sums_seen.size() == 4);
  CHECK(stats->sums_seen[0] == Approx(sum_g(0)));
  CHECK(stats->sums_seen[3] == Approx(sum_gx(1)));
  CHECK(test::all_close(offset.grad(), sum_g, 1e-14));
  CHECK(test::all_close(scale.grad(), xt::xarray<double>(sum_gx * inv), 1e-14));
  // dx = scale inv (g - mean_g - (x - mean) k), with the source's mean_g 0.25 and k 0.
  CHECK(test::all_close(x.grad(), xt::xarray<double>(s * inv * (uv - 0.25)), 1e-14));

  // This process may hold no rows of a larger batch; a batch without rows is an error.
  auto empty = fused_batch_norm(Tensor64(xt::xarray<double>::from_shape({0, 2})), Tensor64(),
                                Tensor64(), 1e-3, stats);
  CHECK(empty.y.shape() == Shape{0, 2});
  CHECK(bool(empty.mean.value() == xt::xarray<double>{1.0, 2.0}));
  stats->batch_rows = 0;
  CHECK_THROWS_WITH(fused_batch_norm(x, scale, offset, 1e-3, stats),
                    "fused_batch_norm: the batch has no values to take statistics over (x shape "
                    "[4, 2] here)");
}

TEST_CASE("fused_batch_norm: second derivatives equal moments + batch_normalization's",
          "[fused_batch_norm][gradgrad]") {
  // Hessian-vector products <v, d/d(x, scale) <u, dy/dx>> of both forms, with create_graph.
  auto xv = test::random_array<double>({4, 3, 5}, 41, -2, 3);
  auto sv = test::random_array<double>({5}, 42, 0.5, 2), ov = test::random_array<double>({5}, 43);
  const Tensor64 u(test::random_array<double>({4, 3, 5}, 44));
  const Tensor64 v(test::random_array<double>({4, 3, 5}, 45));
  auto hvp = [&](bool fused) {
    Tensor64 x(xv, true), s(sv, true), o(ov, true);
    Tensor64 y;
    if (fused) {
      y = fused_batch_norm(x, s, o, 1e-3).y;
    } else {
      auto m = moments(x, {0, 1});
      y = batch_normalization(x, m.mean, m.variance, o, s, 1e-3);
    }
    auto opts = autograd::GradOptions().create_graph(true);
    Tensor64 gx = autograd::grad<double>({y}, {x}, {u}, opts)[0];
    return autograd::grad<double>({gx}, {x, s}, {v});
  };
  auto f = hvp(true), c = hvp(false);
  INFO("fused " << f[0].value() << "\ncomposite " << c[0].value());
  CHECK(xt::amax(xt::abs(f[0].value()))() > 1e-3);
  CHECK(test::all_close(f[0].value(), c[0].value(), 1e-10));
  CHECK(test::all_close(f[1].value(), c[1].value(), 1e-10));
}

TEST_CASE("fused_batch_norm: other statistics have no second derivative, and say so",
          "[fused_batch_norm][gradgrad]") {
  // A subclass (as dist::SyncBatchNorm's) may combine other processes' rows: its gradient is
  // the array one, and differentiating it again throws naming the op, never a silent zero.
  struct Subclassed : BatchNormStatistics<double> {};
  Tensor64 x = test::random_tensor<double>({4, 3}, 51);
  Tensor64 y = fused_batch_norm(x, Tensor64(), Tensor64(), 1e-3,
                                std::make_shared<const Subclassed>()).y;
  const Tensor64 u(test::random_array<double>({4, 3}, 52));
  Tensor64 gx = autograd::grad<double>({y}, {x}, {u}, autograd::GradOptions().create_graph(true))[0];
  // The value is still the gradient (that of the local statistics, which it uses).
  Tensor64 x2(x.value(), true);
  fused_batch_norm(x2, Tensor64(), Tensor64(), 1e-3).y.backward(u.value());
  CHECK(test::all_close(gx.value(), x2.grad(), 1e-14));
  CHECK_THROWS_WITH(autograd::grad<double>({reduce_sum(gx * gx)}, {x}),
                    Catch::Matchers::Contains("fused_batch_norm"));
}
