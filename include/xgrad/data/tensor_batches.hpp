#pragma once
/// \file
/// Seeded mini-batches over a TensorDataset: features of any shape, class ids (and one-hot
/// rows when asked) or regression targets.
///
/// \code
///   data::TensorBatches batches(train, 32, /*seed=*/1, data::BatchOptions().one_hot(true));
///   for (auto& b : batches) {               // one epoch, reshuffled every loop
///     Tensor logits = model(b.features);    // [32, ...] as the dataset's examples
///     Tensor loss = reduce_mean(softmax_cross_entropy_with_logits(b.one_hot, logits));
///   }
/// \endcode
///
/// The order is BatchOrder's (same on every platform for a seed; drop_last, endless,
/// shard(rank, n) as for Batches). Rows are memcpy'd into the batch's arrays, which are reused
/// from one batch to the next when nothing else holds them.
///
/// A per-batch transform (set_transform) runs at the end of next(), after the rows are
/// gathered; it gets the batch (features, targets, rows, step) and may change it in place.
/// next() touches only this object and the read-only dataset, so a loader may call it on a
/// background thread (one thread per TensorBatches at a time).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xgrad/data/batch_iterator.hpp"
#include "xgrad/data/batch_order.hpp"
#include "xgrad/data/tensor_dataset.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::data {

/// One mini-batch of a TensorDataset.
struct TensorBatch {
  /// [B, ...] float32, the dataset's example shape.
  Tensor features;
  /// [B] class ids (classification datasets).
  xt::xarray<std::int64_t> classes;
  /// [B, num_classes] one-hot float32 (classification with BatchOptions::one_hot(true)).
  Tensor one_hot;
  /// [B, ...] float32 targets (regression datasets).
  Tensor targets;
  /// The dataset rows of this batch, in batch order.
  std::vector<std::size_t> rows;
  std::size_t epoch = 0;        ///< 0-based
  std::size_t index = 0;        ///< batch within its epoch, 0-based
  std::size_t step = 0;         ///< batches produced before this one, 0-based
  std::size_t global_size = 0;  ///< examples in the global batch (sharding), else size()

  /// Number of examples in the batch.
  std::size_t size() const { return rows.size(); }
};

/// Iterates over mini-batches of a TensorDataset (see the file comment).
class TensorBatches {
public:
  /// Changes a freshly gathered batch in place (augmentation, normalisation, ...).
  using Transform = std::function<void(TensorBatch&)>;

  /// Refers to `data`, which must outlive this object. Checks the dataset (check()) and
  /// throws std::invalid_argument for one-hot without class ids.
  TensorBatches(const TensorDataset& data, std::size_t batch_size, std::uint64_t seed,
                BatchOptions options = BatchOptions());
  /// Takes ownership of `data`.
  TensorBatches(TensorDataset&& data, std::size_t batch_size, std::uint64_t seed,
                BatchOptions options = BatchOptions());
  /// Shares `data` (e.g. with a loader thread).
  TensorBatches(std::shared_ptr<const TensorDataset> data, std::size_t batch_size,
                std::uint64_t seed, BatchOptions options = BatchOptions());

  /// Applied to every batch at the end of next(); an empty function removes it.
  void set_transform(Transform transform) { transform_ = std::move(transform); }

  /// Fills `out` with the next batch. Returns false at the end of an epoch (never when
  /// endless); the call after that starts the next epoch.
  bool next(TensorBatch& out);

  /// Batches in one epoch: ceil(N / B), or floor(N / B) with drop_last.
  std::size_t batches_per_epoch() const { return order_.batches_per_epoch(); }
  /// Number of epochs started so far (the current epoch is epochs_started() - 1).
  std::size_t epochs_started() const { return order_.epochs_started(); }
  /// Batches produced so far.
  std::size_t steps() const { return order_.steps(); }
  /// The global batch size (before sharding).
  std::size_t batch_size() const { return order_.batch_size(); }
  /// The options in use.
  const BatchOptions& options() const { return order_.options(); }
  /// The dataset the batches come from.
  const TensorDataset& dataset() const { return *data_; }

  /// Input iterator over the batches of a range-for (see begin()); it refers to this
  /// object, which it advances with next().
  using iterator = BatchIterator<TensorBatches, TensorBatch>;

  /// Fetches the first batch of the next epoch (or the next batch when endless); a loop
  /// broken off mid-epoch resumes where it stopped.
  iterator begin();
  /// The past-the-end iterator: the end of the epoch (never reached when endless).
  iterator end() { return iterator(); }

private:
  void init();

  std::shared_ptr<const TensorDataset> data_;
  BatchOrder order_;
  Transform transform_;
  TensorBatch current_;
};

}  // namespace xgrad::data
