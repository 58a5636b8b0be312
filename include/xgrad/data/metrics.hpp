#pragma once
/// \file
/// Metrics accumulated over batches: accuracy, top-k accuracy, a confusion matrix (from
/// scores [B, C] and class ids [B]); mean squared error, mean absolute error and R^2 (from
/// predictions and targets of the same size). Each is exact over everything it was given,
/// whatever the batch sizes (sums are kept in double).
///
/// \code
///   data::Accuracy acc;  data::TopKAccuracy top5(5);
///   for (auto& b : data::TensorBatches(test, 500, 0, data::BatchOptions().shuffle(false))) {
///     auto scores = model(b.features).value();
///     acc.update(scores, b.classes);  top5.update(scores, b.classes);
///   }
///   std::printf("%.4f %.4f\n", acc.value(), top5.value());
/// \endcode
/// Or let evaluate() (evaluate.hpp) run the loop.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad::data {

struct TensorBatch;

/// A streamed metric. update() with a batch's model output; value() at any time.
class Metric {
public:
  virtual ~Metric() = default;
  /// E.g. "accuracy", "top-5 accuracy", "mse".
  virtual std::string name() const = 0;
  /// Adds a batch: `output` is the model's output for `batch` (scores or predictions).
  /// Throws std::invalid_argument when the batch lacks the targets this metric needs or the
  /// shapes do not match (naming the metric and both shapes).
  virtual void update(const xt::xarray<float>& output, const TensorBatch& batch) = 0;
  /// The metric over everything added since construction or reset(). NaN before any update.
  virtual double value() const = 0;
  /// Forgets every update: back to the state after construction.
  virtual void reset() = 0;
};

/// Fraction of examples whose true class is among the k highest scores (ties broken towards
/// the lower class id, as argmax does). k = 1: plain accuracy.
class TopKAccuracy : public Metric {
public:
  /// Counts an example as correct when its class is among the `k` highest scores. Throws
  /// std::invalid_argument for k = 0.
  explicit TopKAccuracy(std::size_t k);
  std::string name() const override;
  void update(const xt::xarray<float>& scores, const TensorBatch& batch) override;
  /// scores [B, C], classes [B].
  void update(const xt::xarray<float>& scores, const xt::xarray<std::int64_t>& classes);
  double value() const override;
  void reset() override { correct_ = total_ = 0; }
  /// Examples counted as correct so far.
  std::size_t correct() const { return correct_; }
  /// Examples seen so far.
  std::size_t total() const { return total_; }

private:
  std::size_t k_;
  std::size_t correct_ = 0, total_ = 0;
};

/// Top-1 accuracy.
class Accuracy : public TopKAccuracy {
public:
  Accuracy() : TopKAccuracy(1) {}
};

/// counts(true class, predicted class) for `num_classes` classes; value() is the accuracy.
class ConfusionMatrix : public Metric {
public:
  /// A `num_classes` x `num_classes` matrix of zeros. Throws std::invalid_argument for 0.
  explicit ConfusionMatrix(std::size_t num_classes);
  std::string name() const override { return "confusion matrix"; }
  void update(const xt::xarray<float>& scores, const TensorBatch& batch) override;
  /// scores [B, num_classes], classes [B], each in [0, num_classes).
  void update(const xt::xarray<float>& scores, const xt::xarray<std::int64_t>& classes);
  double value() const override;
  /// Sets every count back to 0.
  void reset() override;
  /// [num_classes, num_classes] int64, rows = true class, columns = predicted class.
  const xt::xarray<std::int64_t>& counts() const { return counts_; }
  /// The matrix as aligned text with a header row.
  std::string to_string() const;

private:
  xt::xarray<std::int64_t> counts_;
};

/// Shared bookkeeping of the regression metrics: predictions and targets with the same
/// number of values.
class RegressionMetric : public Metric {
public:
  void update(const xt::xarray<float>& predictions, const TensorBatch& batch) override;
  /// predictions and targets with the same first axis and number of values ([B] and [B, 1]
  /// match). Throws std::invalid_argument otherwise, naming both shapes.
  void update(const xt::xarray<float>& predictions, const xt::xarray<float>& targets);
  /// Forgets every update.
  void reset() override;

protected:
  std::size_t count_ = 0;  ///< values seen so far
  ///@{
  /// Sums of (prediction - target)^2 and of |prediction - target|.
  double sum_sq_err_ = 0, sum_abs_err_ = 0;
  ///@}
  ///@{
  double mean_y_ = 0, m2_y_ = 0;  ///< running mean and sum of squared deviations of targets
  ///@}
};

/// Mean over all values of (prediction - target)^2.
class MeanSquaredError : public RegressionMetric {
public:
  std::string name() const override { return "mse"; }
  double value() const override;
};

/// Mean over all values of |prediction - target|.
class MeanAbsoluteError : public RegressionMetric {
public:
  std::string name() const override { return "mae"; }
  double value() const override;
};

/// Coefficient of determination 1 - SS_res / SS_tot over all values (targets pooled, as
/// scikit-learn's r2_score for one output). NaN when the targets are all equal.
class R2Score : public RegressionMetric {
public:
  std::string name() const override { return "r2"; }
  double value() const override;
};

}  // namespace xgrad::data
