#pragma once
/// \file
/// Seeded train/validation splits and per-feature standardisation.
///
/// \code
///   auto parts = data::train_validation_split(all, 0.2, /*seed=*/1, /*stratified=*/true);
///   auto scaler = data::Standardizer::fit(parts.train);   // mean/std of the training part
///   scaler.apply(parts.train);
///   scaler.apply(parts.validation);                       // the same shift and scale
/// \endcode
#include <cstddef>
#include <cstdint>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xgrad/data/tensor_dataset.hpp"

namespace xgrad::data {

/// The two parts of a split; each keeps the original row order.
struct DataSplit {
  TensorDataset train;       ///< the training part
  TensorDataset validation;  ///< the validation part
  std::vector<std::size_t> train_rows;       ///< rows of the original dataset, ascending
  std::vector<std::size_t> validation_rows;  ///< rows of the original dataset, ascending
};

/// Puts round(validation_fraction * N) examples (per class when `stratified`: round of
/// fraction * class count) into the validation part, chosen by a seeded shuffle that is the
/// same on every platform. Throws std::invalid_argument for a fraction outside [0, 1),
/// stratified without class ids, or a split leaving the training part empty.
DataSplit train_validation_split(const TensorDataset& data, double validation_fraction,
                                 std::uint64_t seed, bool stratified = false);

/// Per-feature standardisation: x' = (x - mean) / std, with the mean and (population) std
/// of each feature (each position of the example shape) fitted on one dataset. A feature
/// with std 0 is only shifted (divided by 1), as scikit-learn's StandardScaler does.
class Standardizer {
public:
  ///@{
  /// Fits on `train`'s features (or on `features`, [N, ...]). Throws std::invalid_argument
  /// for an empty dataset.
  static Standardizer fit(const TensorDataset& train);
  static Standardizer fit(const xt::xarray<float>& features);
  ///@}
  ///@{
  /// Standardises `data`'s features (or `features`) in place. Throws std::invalid_argument
  /// when the example shape differs from the fitted one (naming both shapes).
  void apply(TensorDataset& data) const;
  void apply(xt::xarray<float>& features) const;
  ///@}

  ///@{
  /// The fitted per-feature mean and std, [example shape] each.
  const xt::xarray<float>& mean() const { return mean_; }
  const xt::xarray<float>& std() const { return std_; }
  ///@}

private:
  xt::xarray<float> mean_, std_;
};

}  // namespace xgrad::data
