#pragma once
/// \file
/// A dataset held in memory: features of any example shape and, optionally, one kind of
/// target: integer class ids (classification) or float values (regression). The counterpart
/// of PyTorch's TensorDataset and tf.data's from_tensor_slices.
///
/// \code
///   auto train = data::TensorDataset::classification(x, y);     // x [N, ...], y [N] int64
///   auto fit   = data::TensorDataset::regression(x, targets);   // targets [N, ...] float
///   for (auto& b : data::TensorBatches(train, 32, /*seed=*/1)) { ... b.features, b.classes }
/// \endcode
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad::data {

struct Dataset;

/// Features and targets, first axis = example.
struct TensorDataset {
  /// [N, ...] float32.
  xt::xarray<float> features;
  /// [N] class ids in [0, num_classes) for classification; empty otherwise.
  xt::xarray<std::int64_t> classes;
  /// [N, ...] float32 targets for regression; empty otherwise.
  xt::xarray<float> targets;
  /// Number of classes (classification), 0 otherwise.
  std::size_t num_classes = 0;
  ///@{
  /// Optional names of the feature and target columns (loaders fill them from a CSV header).
  std::vector<std::string> feature_names;
  std::vector<std::string> target_names;
  ///@}
  /// Where it came from, e.g. "data.csv (569 rows)".
  std::string description;

  /// A classification set. `num_classes` 0: one more than the largest id. Throws
  /// std::invalid_argument (see check()).
  static TensorDataset classification(xt::xarray<float> features,
                                      xt::xarray<std::int64_t> classes,
                                      std::size_t num_classes = 0,
                                      std::string description = "");
  /// A regression set; `targets` [N] or [N, ...]. Throws std::invalid_argument (see check()).
  static TensorDataset regression(xt::xarray<float> features, xt::xarray<float> targets,
                                  std::string description = "");

  /// Number of examples.
  std::size_t size() const { return features.dimension() == 0 ? 0 : features.shape()[0]; }
  /// Shape of one example (features' shape without the first axis).
  std::vector<std::size_t> example_shape() const;
  /// Values per example.
  std::size_t example_size() const;
  /// Shape of one example's targets (regression), without the first axis.
  std::vector<std::size_t> target_shape() const;
  ///@{
  /// Whether class ids (classification) or targets (regression) are set. A default xarray is
  /// a 0-d scalar of size 1, so "set" means at least one axis.
  bool has_classes() const { return classes.dimension() > 0 || num_classes > 0; }
  bool has_targets() const { return targets.dimension() > 0; }
  ///@}

  /// Throws std::invalid_argument naming the description and what is wrong: features not
  /// [N, ...], classes not [N], a class id outside [0, num_classes), targets not [N, ...],
  /// both classes and targets set, or a non-finite feature or target.
  void check() const;
};

///@{
/// An MNIST-style Dataset as a TensorDataset: features [N, rows * cols], classes [N].
/// The rvalue overload moves the images instead of copying them.
TensorDataset to_tensor_dataset(const Dataset& mnist);
TensorDataset to_tensor_dataset(Dataset&& mnist);
///@}

/// Examples `rows` of `data` (in that order) as a new dataset; names and num_classes carried
/// over. Throws std::out_of_range for a row >= size().
TensorDataset select_rows(const TensorDataset& data, const std::vector<std::size_t>& rows);

}  // namespace xgrad::data
