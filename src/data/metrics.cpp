#include "xgrad/data/metrics.hpp"


#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "check.hpp"

#include "xgrad/data/tensor_batches.hpp"

namespace xgrad::data {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_scores(const std::string& who, const xt::xarray<float>& scores,
                  const xt::xarray<std::int64_t>& classes) {
  if (scores.dimension() != 2 || classes.dimension() != 1 || scores.shape()[0] != classes.size()) {
    throw std::invalid_argument(who + ": scores must be [B, C] and classes [B], got " +
                                check::format_shape(scores.shape()) + " and " + check::format_shape(classes.shape()));
  }
  const std::size_t c = scores.shape()[1];
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes(i) < 0 || std::size_t(classes(i)) >= c) {
      throw std::invalid_argument(who + ": class id " + std::to_string(classes(i)) +
                                  " is outside the " + std::to_string(c) + " scores per example");
    }
  }
}

const xt::xarray<std::int64_t>& classes_of(const std::string& who, const TensorBatch& b) {
  if (b.classes.dimension() != 1 || b.classes.size() != b.size()) {
    throw std::invalid_argument(who + ": the batch has no class ids (a regression dataset?)");
  }
  return b.classes;
}

}  // namespace

TopKAccuracy::TopKAccuracy(std::size_t k) : k_(k) {
  if (k == 0) throw std::invalid_argument("TopKAccuracy: k must be at least 1");
}

std::string TopKAccuracy::name() const {
  return k_ == 1 ? "accuracy" : "top-" + std::to_string(k_) + " accuracy";
}

void TopKAccuracy::update(const xt::xarray<float>& scores, const TensorBatch& batch) {
  update(scores, classes_of(name(), batch));
}

void TopKAccuracy::update(const xt::xarray<float>& scores,
                          const xt::xarray<std::int64_t>& classes) {
  check_scores(name(), scores, classes);
  const std::size_t b = classes.size(), c = scores.shape()[1];
  for (std::size_t i = 0; i < b; ++i) {
    const float* row = scores.data() + i * c;
    const std::size_t truth = std::size_t(classes(i));
    const float s = row[truth];
    // Rank of the true class: scores above it, plus equal scores of lower ids.
    std::size_t ahead = 0;
    for (std::size_t j = 0; j < c; ++j) ahead += row[j] > s || (row[j] == s && j < truth);
    correct_ += ahead < k_;
  }
  total_ += b;
}

double TopKAccuracy::value() const { return total_ ? double(correct_) / double(total_) : kNaN; }

ConfusionMatrix::ConfusionMatrix(std::size_t num_classes) {
  if (num_classes == 0) throw std::invalid_argument("ConfusionMatrix: num_classes must be positive");
  counts_ = xt::zeros<std::int64_t>({num_classes, num_classes});
}

void ConfusionMatrix::update(const xt::xarray<float>& scores, const TensorBatch& batch) {
  update(scores, classes_of(name(), batch));
}

void ConfusionMatrix::update(const xt::xarray<float>& scores,
                             const xt::xarray<std::int64_t>& classes) {
  check_scores(name(), scores, classes);
  const std::size_t k = counts_.shape()[0], c = scores.shape()[1];
  if (c != k) {
    throw std::invalid_argument("confusion matrix: " + std::to_string(c) + " scores per example for " +
                                std::to_string(k) + " classes");
  }
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const float* row = scores.data() + i * c;
    std::size_t best = 0;
    for (std::size_t j = 1; j < c; ++j) best = row[j] > row[best] ? j : best;
    counts_(std::size_t(classes(i)), best) += 1;
  }
}

double ConfusionMatrix::value() const {
  std::int64_t diag = 0, all = 0;
  for (std::size_t i = 0; i < counts_.shape()[0]; ++i) {
    for (std::size_t j = 0; j < counts_.shape()[1]; ++j) {
      all += counts_(i, j);
      if (i == j) diag += counts_(i, j);
    }
  }
  return all ? double(diag) / double(all) : kNaN;
}

void ConfusionMatrix::reset() { counts_.fill(0); }

std::string ConfusionMatrix::to_string() const {
  std::ostringstream o;
  const std::size_t k = counts_.shape()[0];
  o << "true\\pred";
  for (std::size_t j = 0; j < k; ++j) o << '\t' << j;
  for (std::size_t i = 0; i < k; ++i) {
    o << '\n' << i;
    for (std::size_t j = 0; j < k; ++j) o << '\t' << counts_(i, j);
  }
  return o.str();
}

void RegressionMetric::update(const xt::xarray<float>& predictions, const TensorBatch& batch) {
  if (!batch.targets.defined()) {
    throw std::invalid_argument(name() + ": the batch has no regression targets (a classification dataset?)");
  }
  update(predictions, batch.targets.value());
}

void RegressionMetric::update(const xt::xarray<float>& p, const xt::xarray<float>& y) {
  // [B] and [B, 1] hold the same values; anything else must match element for element.
  if (p.size() != y.size() || p.dimension() == 0 || y.dimension() == 0 ||
      p.shape()[0] != y.shape()[0]) {
    throw std::invalid_argument(name() + ": predictions " + check::format_shape(p.shape()) +
                                " do not match targets " + check::format_shape(y.shape()));
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double e = double(p.data()[i]) - double(y.data()[i]);
    sum_sq_err_ += e * e;
    sum_abs_err_ += std::fabs(e);
    // Welford: the targets' variance without the cancellation of sum(y^2) - n mean^2.
    ++count_;
    const double d = double(y.data()[i]) - mean_y_;
    mean_y_ += d / double(count_);
    m2_y_ += d * (double(y.data()[i]) - mean_y_);
  }
}

void RegressionMetric::reset() {
  count_ = 0;
  sum_sq_err_ = sum_abs_err_ = mean_y_ = m2_y_ = 0;
}

double MeanSquaredError::value() const { return count_ ? sum_sq_err_ / double(count_) : kNaN; }
double MeanAbsoluteError::value() const { return count_ ? sum_abs_err_ / double(count_) : kNaN; }

double R2Score::value() const {
  if (!count_) return kNaN;
  return m2_y_ > 0 ? 1.0 - sum_sq_err_ / m2_y_ : kNaN;
}

}  // namespace xgrad::data
