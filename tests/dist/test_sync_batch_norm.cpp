// SyncBatchNorm on 2 or 3 ranks against single-process batch norm on the concatenated batch.
#include <catch2/catch.hpp>
#include <xgrad/dist/dist.hpp>
#include <xgrad/nn/bn_statistics.hpp>
#include <xgrad/xgrad.hpp>

#include <algorithm>
#include <random>

#include "world.hpp"

using namespace xgrad;

namespace {

xt::xarray<double> normal(const Shape& shape, std::uint64_t seed, double mean, double sd) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(mean, sd);
  xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
  for (auto& v : a) v = dist(rng);
  return a;
}

// Rows [first, first + count) of axis 0.
template <class T>
xt::xarray<T> rows(const xt::xarray<T>& a, std::size_t first, std::size_t count) {
  Shape s = to_shape(a.shape());
  const std::size_t row = num_elements(s) / s[0];
  s[0] = count;
  xt::xarray<T> out = xt::xarray<T>::from_shape(s);
  std::copy(a.data() + first * row, a.data() + (first + count) * row, out.data());
  return out;
}

double max_rel(const xt::xarray<double>& a, const xt::xarray<double>& b) {
  REQUIRE(a.shape() == b.shape());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(a.data()[i] - b.data()[i]) / std::max(1.0, std::abs(b.data()[i])));
  }
  return worst;
}

// Every rank's per-rank example counts for the cases tried on this many ranks.
std::vector<std::vector<std::size_t>> count_cases(int ranks) {
  if (ranks == 2) return {{5, 3}, {4, 0}, {0, 6}};
  if (ranks == 3) return {{5, 3, 1}, {2, 0, 3}};
  return {{std::size_t(ranks) + 1}};
}

}  // namespace

TEST_CASE("sync_batch_norm equals fused_batch_norm on the concatenated batch (float64)", "[dist][syncbn]") {
  const auto& w = world();
  for (const Shape& example : {Shape{4}, Shape{2, 3, 4}}) {  // [N, F] and NHWC
    for (const auto& counts : count_cases(w.size())) {
      std::size_t total = 0, first = 0;
      for (int r = 0; r < w.size(); ++r) {
        if (r < w.rank()) first += counts[std::size_t(r)];
        total += counts[std::size_t(r)];
      }
      const std::size_t mine = counts[std::size_t(w.rank())];
      INFO("example shape " << to_string(example) << ", rank " << w.rank() << " of counts "
                            << counts[0] << "," << counts[1]);
      Shape global_shape{total};
      global_shape.insert(global_shape.end(), example.begin(), example.end());
      // A large offset: a one-pass sum-of-squares variance would lose most digits here.
      const xt::xarray<double> x_all = normal(global_shape, 1, 1000.0, 3.0);
      const xt::xarray<double> u_all = normal(global_shape, 2, 0.0, 1.0);
      const xt::xarray<double> gamma0{1.5, -0.5, 2.0, 0.7}, beta0{0.1, 0.2, -0.3, 0.0};

      Tensor64 x_ref(x_all, true), g_ref(gamma0, true), b_ref(beta0, true);
      FusedBatchNorm<double> ref = fused_batch_norm(x_ref, g_ref, b_ref, 1e-3);
      reduce_sum(mul(ref.y, Tensor64(u_all))).backward();

      Tensor64 x(rows(x_all, first, mine), true), g(gamma0, true), b(beta0, true);
      FusedBatchNorm<double> got = dist::sync_batch_norm(w, x, g, b, 1e-3);
      reduce_sum(mul(got.y, Tensor64(rows(u_all, first, mine)))).backward();

      CHECK(max_rel(got.y.value(), rows(ref.y.value(), first, mine)) < 1e-12);
      CHECK(max_rel(got.mean.value(), ref.mean.value()) < 1e-12);
      CHECK(max_rel(got.variance.value(), ref.variance.value()) < 1e-12);
      CHECK(max_rel(x.grad(), rows(x_ref.grad(), first, mine)) < 1e-12);
      // gamma and beta gradients are each rank's share; their sum is the whole batch's.
      xt::xarray<double> dg = g.grad(), db = b.grad();
      dist::all_reduce(w, dg);
      dist::all_reduce(w, db);
      CHECK(max_rel(dg, g_ref.grad()) < 1e-12);
      CHECK(max_rel(db, b_ref.grad()) < 1e-12);
    }
  }
}

TEST_CASE("SyncBatchNorm: moving statistics as nn::BatchNorm's on the whole batch, eval is local",
          "[dist][syncbn]") {
  const auto& w = world();
  const std::size_t f = 3, per_rank = 4, total = per_rank * std::size_t(w.size());
  const nn::BatchNormOptions options = nn::BatchNormOptions(f).decay(0.9f);
  nn::BatchNorm plain(options);
  dist::SyncBatchNorm sync(options, w);
  CHECK(sync.named_buffers().size() == 2);
  CHECK(sync.named_parameters()[0].first == "gamma");
  for (int step = 0; step < 3; ++step) {
    const xt::xarray<float> x_all = xt::cast<float>(normal({total, f}, 10 + step, 5.0, 2.0));
    plain.forward(Tensor(x_all));
    sync.forward(Tensor(rows(x_all, per_rank * std::size_t(w.rank()), per_rank)));
  }
  for (std::size_t c = 0; c < f; ++c) {
    CHECK(sync.moving_mean().value()(c) == Approx(plain.moving_mean().value()(c)).epsilon(1e-5));
    CHECK(sync.moving_variance().value()(c) == Approx(plain.moving_variance().value()(c)).epsilon(1e-5));
  }
  // Identical bits on every rank.
  xt::xarray<float> mm = sync.moving_mean().value(), mm0 = mm;
  dist::broadcast(w, mm0, 0);
  const bool same_bits = mm == mm0;
  CHECK(same_bits);
  // Eval communicates nothing: only rank 0 runs it (were it to communicate, it would wait
  // for the others forever and the test would time out).
  sync.eval();
  if (w.rank() == 0) {
    Tensor y = sync.forward(Tensor(xt::ones<float>({std::size_t(2), f})));
    CHECK(y.shape() == Shape{2, f});
  }
  w.barrier();
  REQUIRE_THROWS_WITH(dist::SyncBatchNorm(nn::BatchNormOptions(f).axis(1), w),
                      Catch::Contains("feature axis must be the last"));
}

TEST_CASE("update_batch_norm_statistics with SyncBatchNorm: the whole batches' statistics on "
          "every rank", "[dist][syncbn]") {
  // Each global batch split over the ranks: every rank ends with the plain average of the
  // global batches' statistics, as one process with nn::BatchNorm on the whole batches.
  const auto& w = world();
  const std::size_t f = 3, per_rank = 4, total = per_rank * std::size_t(w.size());
  const nn::BatchNormOptions options = nn::BatchNormOptions(f).decay(0.9f);
  nn::BatchNorm plain(options);
  dist::SyncBatchNorm sync(options, w);
  std::vector<Tensor> whole, mine;
  for (int k = 0; k < 3; ++k) {
    // Batches of different means, so that a rank averaging only its own rows would differ.
    const xt::xarray<float> x_all = xt::cast<float>(normal({total, f}, 20 + k, 3.0 * k, 1.0 + k));
    whole.emplace_back(x_all);
    mine.emplace_back(rows(x_all, per_rank * std::size_t(w.rank()), per_rank));
  }
  REQUIRE(nn::update_batch_norm_statistics(plain, whole) == 3);
  REQUIRE(nn::update_batch_norm_statistics(sync, mine) == 3);
  CHECK(sync.is_training());
  for (std::size_t c = 0; c < f; ++c) {
    CHECK(sync.moving_mean().value()(c) == Approx(plain.moving_mean().value()(c)).epsilon(1e-5));
    CHECK(sync.moving_variance().value()(c) == Approx(plain.moving_variance().value()(c)).epsilon(1e-5));
  }
  xt::xarray<float> mv = sync.moving_variance().value(), mv0 = mv;
  dist::broadcast(w, mv0, 0);
  const bool same_bits = mv == mv0;
  CHECK(same_bits);
}
