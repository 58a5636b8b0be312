// nn::update_batch_norm_statistics against a hand computation on a two-BatchNorm net.
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <xgrad/nn/bn_statistics.hpp>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

using Rows = std::vector<std::vector<double>>;

Rows product(const Rows& x, const Rows& w) {
  Rows out(x.size(), std::vector<double>(w[0].size(), 0.0));
  for (std::size_t r = 0; r < x.size(); ++r)
    for (std::size_t k = 0; k < w.size(); ++k)
      for (std::size_t c = 0; c < w[0].size(); ++c) out[r][c] += x[r][k] * w[k][c];
  return out;
}

// Per-column mean and biased variance (divide by n), as the layer normalises with.
void column_moments(const Rows& z, std::vector<double>& mean, std::vector<double>& var) {
  const std::size_t n = z.size(), f = z[0].size();
  mean.assign(f, 0.0);
  var.assign(f, 0.0);
  for (const auto& row : z)
    for (std::size_t c = 0; c < f; ++c) mean[c] += row[c] / double(n);
  for (const auto& row : z)
    for (std::size_t c = 0; c < f; ++c) var[c] += (row[c] - mean[c]) * (row[c] - mean[c]) / double(n);
}

xt::xarray<float> to_array(const Rows& rows) {
  xt::xarray<float> a = xt::xarray<float>::from_shape({rows.size(), rows[0].size()});
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[0].size(); ++c) a(r, c) = float(rows[r][c]);
  return a;
}

const Rows kW1 = {{1.0, -2.0}, {0.5, 1.0}};
const Rows kW2 = {{2.0, 0.25}, {-1.0, 3.0}};
constexpr double kEps = 1e-3;

// Dense(2, 2) -> BN -> sigmoid -> Dense(2, 2) -> BN, both Dense without bias.
nn::Sequential make_net(float decay) {
  nn::Sequential net;
  auto d1 = std::make_shared<nn::Dense>(2, 2, false);
  auto d2 = std::make_shared<nn::Dense>(2, 2, false);
  nn::set_weights(d1->kernel(), to_array(kW1), "kernel");
  nn::set_weights(d2->kernel(), to_array(kW2), "kernel");
  auto options = nn::BatchNormOptions(2).decay(decay).eps(float(kEps));
  net.add(d1);
  net.add(std::make_shared<nn::BatchNorm>(options));
  net.add(std::make_shared<nn::Sigmoid>());
  net.add(d2);
  net.add(std::make_shared<nn::BatchNorm>(options));
  return net;
}

// Two batches of different sizes: the average must weigh them equally, as PyTorch's update_bn.
const std::vector<Rows> kBatches = {{{0.1, 0.9}, {0.4, 0.2}, {0.8, 0.5}}, {{0.3, 0.3}, {0.0, 1.0}}};

// The expected buffers, by hand: each batch's statistics at both layers, averaged.
void expected(std::vector<double>& m1, std::vector<double>& v1, std::vector<double>& m2,
              std::vector<double>& v2) {
  m1.assign(2, 0.0), v1.assign(2, 0.0), m2.assign(2, 0.0), v2.assign(2, 0.0);
  for (const Rows& x : kBatches) {
    std::vector<double> bm1, bv1, bm2, bv2;
    Rows z1 = product(x, kW1);
    column_moments(z1, bm1, bv1);
    Rows s = z1;  // sigmoid of the batch-normalised z1 (gamma 1, beta 0)
    for (auto& row : s)
      for (std::size_t c = 0; c < 2; ++c)
        row[c] = 1.0 / (1.0 + std::exp(-(row[c] - bm1[c]) / std::sqrt(bv1[c] + kEps)));
    column_moments(product(s, kW2), bm2, bv2);
    for (std::size_t c = 0; c < 2; ++c) {
      m1[c] += bm1[c] / 2, v1[c] += bv1[c] / 2, m2[c] += bm2[c] / 2, v2[c] += bv2[c] / 2;
    }
  }
}

std::vector<Tensor> inputs() {
  std::vector<Tensor> out;
  for (const Rows& x : kBatches) out.emplace_back(to_array(x));
  return out;
}

void check_close(const Tensor& buffer, const std::vector<double>& want) {
  for (std::size_t c = 0; c < want.size(); ++c) {
    INFO("feature " << c << ": got " << buffer.value()(c) << ", want " << want[c]);
    CHECK(std::abs(double(buffer.value()(c)) - want[c]) <= 1e-6 * std::max(1.0, std::abs(want[c])));
  }
}

}  // namespace

TEST_CASE("update_batch_norm_statistics: the plain average of each batch's statistics",
          "[nn][bn][bn-statistics]") {
  const float decay = GENERATE(0.999f, 0.9f, 0.0f);
  INFO("decay " << decay);
  nn::Sequential net = make_net(decay);
  std::vector<xt::xarray<float>> params_before;
  for (auto& [name, p] : net.named_parameters()) params_before.push_back(p.value());
  net.eval();  // the mode is restored afterwards
  const std::size_t tape_before = autograd::tape_size();

  REQUIRE(nn::update_batch_norm_statistics(net, inputs()) == 2);

  std::vector<double> m1, v1, m2, v2;
  expected(m1, v1, m2, v2);
  check_close(net.buffer("1.moving_mean"), m1);
  check_close(net.buffer("1.moving_variance"), v1);
  check_close(net.buffer("4.moving_mean"), m2);
  check_close(net.buffer("4.moving_variance"), v2);
  CHECK_FALSE(net.is_training());
  for (auto& [name, child] : net.named_children()) CHECK_FALSE(child->is_training());
  CHECK(autograd::tape_size() == tape_before);
  std::size_t i = 0;
  for (auto& [name, p] : net.named_parameters()) {
    INFO(name);
    CHECK(std::memcmp(p.value().data(), params_before[i].data(), p.value().size() * sizeof(float)) == 0);
    CHECK_FALSE(p.has_grad());
    ++i;
  }
}

TEST_CASE("update_batch_norm_statistics: from a Batches stream, max_batches respected",
          "[nn][bn][bn-statistics]") {
  data::Dataset set;
  set.images = to_array({{0.1, 0.9}, {0.4, 0.2}, {0.8, 0.5}, {0.3, 0.3}, {0.0, 1.0}, {0.6, 0.6}});
  set.labels = xt::xarray<std::uint8_t>{0, 1, 0, 1, 0, 1};
  set.rows = 1, set.cols = 2, set.num_classes = 2;
  nn::Sequential net = make_net(0.99f);
  data::Batches one_epoch(set, 2, 7);
  CHECK(nn::update_batch_norm_statistics(net, one_epoch, 0) == 3);
  data::Batches endless(set, 2, 7, data::BatchOptions().endless(true));
  CHECK(nn::update_batch_norm_statistics(net, endless, 5) == 5);
  CHECK_THROWS_WITH(nn::update_batch_norm_statistics(net, endless, 0),
                    Catch::Contains("endless") && Catch::Contains("max_batches"));
}

TEST_CASE("update_batch_norm_statistics: refusals leave the buffers as they were",
          "[nn][bn][bn-statistics][errors]") {
  nn::Sequential no_bn;
  no_bn.add(std::make_shared<nn::Dense>(2, 2, false));
  CHECK_THROWS_WITH(nn::update_batch_norm_statistics(no_bn, inputs()), Catch::Contains("no BatchNorm"));

  nn::Sequential net = make_net(0.9f);
  const xt::xarray<float> mean = net.buffer("1.moving_mean").value();
  CHECK_THROWS_WITH(nn::update_batch_norm_statistics(net, std::vector<Tensor>{}),
                    Catch::Contains("no batch"));
  CHECK((net.buffer("1.moving_mean").value() == mean));
  // A wrong input shape throws from the layer; the buffers are put back.
  std::vector<Tensor> bad = inputs();
  bad.emplace_back(xt::xarray<float>::from_shape({2, 3}));
  CHECK_THROWS_AS(nn::update_batch_norm_statistics(net, bad), std::invalid_argument);
  CHECK((net.buffer("1.moving_mean").value() == mean));
  CHECK(net.is_training());

  nn::Sequential frozen = make_net(1.0f);
  CHECK_THROWS_WITH(nn::update_batch_norm_statistics(frozen, inputs()), Catch::Contains("decay 1"));
}
