// Seeded (stratified) splits, standardisation, streamed metrics and evaluate().
#include <catch2/catch.hpp>
#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>

#include <cmath>
#include <set>

#include <xtensor/xview.hpp>

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

/// 100 examples: class 0 for the first 80, class 1 for the last 20; feature 0 = row.
data::TensorDataset unbalanced() {
  xt::xarray<float> x = xt::xarray<float>::from_shape({100, 2});
  xt::xarray<std::int64_t> y = xt::xarray<std::int64_t>::from_shape({100});
  for (std::size_t i = 0; i < 100; ++i) {
    x(i, 0) = float(i);
    x(i, 1) = 3.0f;
    y(i) = i < 80 ? 0 : 1;
  }
  return data::TensorDataset::classification(x, y);
}

}  // namespace

TEST_CASE("train_validation_split: seeded, disjoint, stratified on request", "[data][split]") {
  auto d = unbalanced();
  auto a = data::train_validation_split(d, 0.25, 7);
  auto b = data::train_validation_split(d, 0.25, 7);
  auto c = data::train_validation_split(d, 0.25, 8);
  CHECK(a.validation_rows.size() == 25);
  CHECK(a.train_rows.size() == 75);
  CHECK(a.validation_rows == b.validation_rows);
  CHECK(a.validation_rows != c.validation_rows);
  std::set<std::size_t> all(a.train_rows.begin(), a.train_rows.end());
  all.insert(a.validation_rows.begin(), a.validation_rows.end());
  CHECK(all.size() == 100);
  for (std::size_t i = 0; i < a.validation.size(); ++i) {
    CHECK(a.validation.features(i, 0) == float(a.validation_rows[i]));  // rows follow
  }
  // Stratified: exactly 25% of each class (20 of 80, 5 of 20) for every seed.
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    auto s = data::train_validation_split(d, 0.25, seed, /*stratified=*/true);
    std::size_t ones = 0;
    for (auto c : s.validation.classes) ones += c == 1;
    CHECK(ones == 5);
    CHECK(s.validation.size() == 25);
    CHECK(s.validation.num_classes == 2);
  }
  // Sizes are rounded, halves away from zero: 12.5 -> 13; per class 10 + 2.5 -> 10 + 3.
  CHECK(data::train_validation_split(d, 0.125, 1).validation.size() == 13);
  auto eighth = data::train_validation_split(d, 0.125, 1, /*stratified=*/true);
  std::size_t eighth_ones = 0;
  for (auto c : eighth.validation.classes) eighth_ones += c == 1;
  CHECK(eighth.validation.size() == 13);
  CHECK(eighth_ones == 3);
  REQUIRE_THROWS_WITH(data::train_validation_split(d, 1.0, 1), Contains("not in [0, 1)"));
  auto reg = data::TensorDataset::regression(xt::zeros<float>({4, 1}), xt::zeros<float>({4}));
  REQUIRE_THROWS_WITH(data::train_validation_split(reg, 0.5, 1, true), Contains("stratified needs class ids"));
}

TEST_CASE("Standardizer: fitted on one part, applied to others", "[data][split]") {
  auto d = unbalanced();
  auto parts = data::train_validation_split(d, 0.2, 3);
  auto scaler = data::Standardizer::fit(parts.train);
  double mean = 0;
  for (auto r : parts.train_rows) mean += double(r);
  mean /= double(parts.train_rows.size());
  CHECK(scaler.mean()(0) == Approx(mean));
  CHECK(scaler.std()(1) == 1.0f);  // a constant feature is only shifted
  auto train = parts.train;
  scaler.apply(train);
  double m = 0, v = 0;
  for (std::size_t i = 0; i < train.size(); ++i) m += train.features(i, 0);
  m /= double(train.size());
  for (std::size_t i = 0; i < train.size(); ++i) v += std::pow(train.features(i, 0) - m, 2);
  CHECK(m == Approx(0).margin(1e-5));
  CHECK(v / double(train.size()) == Approx(1).epsilon(1e-5));
  CHECK(train.features(0, 1) == 0.0f);
  auto val = parts.validation;
  scaler.apply(val);
  CHECK(val.features(0, 0) == Approx((float(parts.validation_rows[0]) - mean) / scaler.std()(0)));
  xt::xarray<float> wrong = xt::zeros<float>({3, 5});
  REQUIRE_THROWS_WITH(scaler.apply(wrong), Contains("[5]") && Contains("[2]"));
}

TEST_CASE("metrics: accuracy, top-k, confusion matrix over several batches", "[data][metrics]") {
  xt::xarray<float> s1{{0.1f, 0.7f, 0.2f}, {0.5f, 0.4f, 0.1f}};
  xt::xarray<std::int64_t> y1{1, 1};
  xt::xarray<float> s2{{0.3f, 0.3f, 0.4f}, {0.2f, 0.2f, 0.1f}};
  xt::xarray<std::int64_t> y2{0, 1};
  data::Accuracy acc;
  data::TopKAccuracy top2(2);
  data::ConfusionMatrix cm(3);
  CHECK(std::isnan(acc.value()));
  acc.update(s1, y1);
  acc.update(s2, y2);
  top2.update(s1, y1);
  top2.update(s2, y2);
  cm.update(s1, y1);
  cm.update(s2, y2);
  // Predictions (argmax, ties to the lower id): 1, 0, 2, 0 for truths 1, 1, 0, 1.
  CHECK((acc.value() == 0.25));
  // Top-2: row1 yes; row2 (1 is 2nd) yes; row3 truth 0 ties with 1 at 0.3, ranks 2nd: yes;
  // row4 truth 1 ties 0 at 0.2, ranks 2nd: yes.
  CHECK((top2.value() == 1.0));
  CHECK((cm.counts() == xt::xarray<std::int64_t>{{0, 0, 1}, {2, 1, 0}, {0, 0, 0}}));
  CHECK((cm.value() == 0.25));
  CHECK(cm.to_string().find("true\\pred") == 0);
  REQUIRE_THROWS_WITH(acc.update(s1, xt::xarray<std::int64_t>{3, 0}), Contains("class id 3"));
  REQUIRE_THROWS_WITH(acc.update(s1, xt::xarray<std::int64_t>{0}), Contains("[2, 3]") && Contains("[1]"));
  acc.reset();
  CHECK(std::isnan(acc.value()));
}

TEST_CASE("metrics: MSE, MAE and R^2 streamed equal the whole-set values", "[data][metrics]") {
  xt::xarray<float> p{1.0f, 2.0f, 4.0f, 1000.5f};
  xt::xarray<float> y{1.5f, 2.0f, 3.0f, 1001.0f};
  data::MeanSquaredError mse;
  data::MeanAbsoluteError mae;
  data::R2Score r2;
  for (std::size_t i = 0; i < 4; i += 2) {
    xt::xarray<float> pi = xt::view(p, xt::range(i, i + 2));
    xt::xarray<float> yi = xt::view(y, xt::range(i, i + 2));
    mse.update(pi, yi);
    mae.update(pi, yi);
    r2.update(pi, yi);
  }
  const double sse = 0.25 + 0 + 1 + 0.25;
  CHECK((mse.value() == Approx(sse / 4)));
  CHECK((mae.value() == Approx(2.0 / 4)));
  const double mean = (1.5 + 2 + 3 + 1001) / 4;
  double sst = 0;
  for (double v : {1.5, 2.0, 3.0, 1001.0}) sst += (v - mean) * (v - mean);
  CHECK((r2.value() == Approx(1 - sse / sst).epsilon(1e-12)));
  REQUIRE_THROWS_WITH(mse.update(p, xt::xarray<float>{1, 2}), Contains("mse") && Contains("[4]") && Contains("[2]"));
}

TEST_CASE("evaluate: eval mode under no-grad, mode restored, one epoch", "[data][metrics]") {
  // A model that records its mode and the grad flag, and scores class = feature 0.
  struct Probe : nn::Module {
    std::vector<bool> training, grad;
    Tensor forward(const Tensor& x) override {
      training.push_back(is_training());
      grad.push_back(autograd::is_grad_enabled());
      const std::size_t b = x.shape()[0];
      xt::xarray<float> s = xt::zeros<float>({b, std::size_t(2)});
      for (std::size_t i = 0; i < b; ++i) s(i, x.value()(i, 0) >= 50 ? 1 : 0) = 1;
      return Tensor(s);
    }
  } probe;
  auto d = unbalanced();
  data::TensorBatches batches(d, 30, 0, data::BatchOptions().shuffle(false));
  data::Accuracy acc;
  data::ConfusionMatrix cm(2);
  probe.train();
  CHECK(data::evaluate(probe, batches, {&acc, &cm}) == 100);
  CHECK(probe.is_training());
  CHECK(autograd::is_grad_enabled());
  CHECK(probe.training == std::vector<bool>(4, false));
  CHECK(probe.grad == std::vector<bool>(4, false));
  CHECK(acc.value() == 0.7);  // rows 50..79 are class 0 but scored 1
  CHECK((cm.counts() == xt::xarray<std::int64_t>{{50, 30}, {0, 20}}));
  // Again: a fresh epoch, the metrics reset.
  CHECK(data::evaluate(probe, batches, {&acc}) == 100);
  CHECK(acc.total() == 100);
  data::TensorBatches endless(d, 30, 0, data::BatchOptions().endless(true));
  REQUIRE_THROWS_WITH(data::evaluate(probe, endless, {&acc}), Contains("endless"));
  // A metric that throws leaves the model in its former mode.
  data::MeanSquaredError mse;
  REQUIRE_THROWS_WITH(data::evaluate(probe, batches, {&mse}), Contains("no regression targets"));
  CHECK(probe.is_training());
}
