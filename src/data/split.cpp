#include "xgrad/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

#include "check.hpp"

#include "xgrad/data/batch_order.hpp"

namespace xgrad::data {

DataSplit train_validation_split(const TensorDataset& data, double fraction, std::uint64_t seed,
                                 bool stratified) {
  if (!(fraction >= 0.0 && fraction < 1.0)) {
    throw std::invalid_argument("train_validation_split: validation_fraction " +
                                std::to_string(fraction) + " is not in [0, 1)");
  }
  if (stratified && !data.has_classes()) {
    throw std::invalid_argument("train_validation_split: stratified needs class ids");
  }
  const std::size_t n = data.size();
  std::mt19937_64 rng(seed);
  std::vector<char> in_validation(n, 0);
  // Groups of rows shuffled separately: one per class when stratified, else all rows.
  std::map<std::int64_t, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < n; ++i) groups[stratified ? data.classes(i) : 0].push_back(i);
  for (auto& [cls, rows] : groups) {
    shuffle_indices(rows, rng);
    const auto take = std::size_t(std::llround(fraction * double(rows.size())));
    for (std::size_t k = 0; k < take; ++k) in_validation[rows[k]] = 1;
  }
  DataSplit out;
  for (std::size_t i = 0; i < n; ++i) (in_validation[i] ? out.validation_rows : out.train_rows).push_back(i);
  if (out.train_rows.empty()) {
    throw std::invalid_argument("train_validation_split: a validation fraction of " +
                                std::to_string(fraction) + " leaves no training example of " +
                                std::to_string(n));
  }
  out.train = select_rows(data, out.train_rows);
  out.validation = select_rows(data, out.validation_rows);
  out.train.description = data.description + " (train part)";
  out.validation.description = data.description + " (validation part)";
  return out;
}

Standardizer Standardizer::fit(const TensorDataset& train) { return fit(train.features); }

Standardizer Standardizer::fit(const xt::xarray<float>& x) {
  if (x.dimension() == 0 || x.shape()[0] == 0) {
    throw std::invalid_argument("Standardizer::fit: no examples to fit on");
  }
  const std::size_t n = x.shape()[0], per = x.size() / n;
  std::vector<double> sum(per, 0.0), sq(per, 0.0);
  const float* p = x.data();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < per; ++f) sum[f] += p[i * per + f];
  }
  for (std::size_t f = 0; f < per; ++f) sum[f] /= double(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < per; ++f) {
      const double d = p[i * per + f] - sum[f];
      sq[f] += d * d;
    }
  }
  std::vector<std::size_t> shape(x.shape().begin() + 1, x.shape().end());
  Standardizer s;
  s.mean_ = xt::xarray<float>::from_shape(shape);
  s.std_ = xt::xarray<float>::from_shape(shape);
  for (std::size_t f = 0; f < per; ++f) {
    s.mean_.data()[f] = float(sum[f]);
    const double sd = std::sqrt(sq[f] / double(n));
    s.std_.data()[f] = sd > 0.0 ? float(sd) : 1.0f;
  }
  return s;
}

void Standardizer::apply(TensorDataset& data) const { apply(data.features); }

void Standardizer::apply(xt::xarray<float>& x) const {
  const std::vector<std::size_t> fitted(mean_.shape().begin(), mean_.shape().end());
  const std::vector<std::size_t> got =
      x.dimension() == 0 ? std::vector<std::size_t>{}
                         : std::vector<std::size_t>(x.shape().begin() + 1, x.shape().end());
  if (x.dimension() == 0 || got != fitted) {
    throw std::invalid_argument("Standardizer::apply: examples of shape " + check::format_shape(got) +
                                ", fitted on examples of shape " + check::format_shape(fitted));
  }
  const std::size_t per = mean_.size(), n = x.shape()[0];
  float* p = x.data();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < per; ++f) {
      p[i * per + f] = (p[i * per + f] - mean_.data()[f]) / std_.data()[f];
    }
  }
}

}  // namespace xgrad::data
