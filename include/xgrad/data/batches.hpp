#pragma once
/// \file
/// Seeded, shuffled mini-batches over an MNIST-style Dataset (images and uint8 labels).
/// For any other data (any example shape, int64 class ids, regression targets) see
/// TensorBatches in tensor_batches.hpp; both follow the same BatchOrder, so an MNIST Dataset
/// converted with to_tensor_dataset() gives the same batches.
///
/// \code
///   // One epoch, reshuffled by a seeded std::mt19937_64:
///   for (auto& batch : data::Batches(train, /*batch_size=*/60, /*seed=*/1)) {
///     Tensor logits = model(batch.images);                 // [60, 784]
///     Tensor loss = reduce_sum(softmax_cross_entropy_with_logits(batch.labels, logits));
///   }
///   // A fixed number of steps over as many epochs as needed, NHWC images:
///   data::Batches batches(train, 64, /*seed=*/0,
///                         data::BatchOptions().endless(true).layout(data::Layout::NHWC));
///   data::Batch batch;
///   for (int step = 0; step < 800 && batches.next(batch); ++step) { ... }
/// \endcode
///
/// Determinism: the same data, batch size, seed and options give the same batches on every
/// platform (the shuffle is a Fisher-Yates driven by std::mt19937_64 with our own unbiased
/// bounded draw, not std::shuffle, whose algorithm the standard leaves open). Every epoch is
/// a fresh permutation, so each example appears exactly once per epoch.
///
/// Cost: rows are memcpy'd from the dataset into the batch's arrays, and those arrays are
/// reused from one batch to the next when nothing else still holds them (the handles of the
/// previous batch are not shared, e.g. the tape was freed by backward()). A Batch that was
/// copied or kept (say, into a vector) is never overwritten: fresh arrays are allocated.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xgrad/data/batch_iterator.hpp"
#include "xgrad/data/batch_order.hpp"
#include "xgrad/data/mnist.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::data {

/// One mini-batch.
struct Batch {
  /// [B, rows * cols] (Layout::Flat) or [B, rows, cols, 1] (Layout::NHWC), values in [0, 1].
  Tensor images;
  /// [B, num_classes] one-hot float32.
  Tensor labels;
  /// [B] class ids.
  xt::xarray<std::uint8_t> label_ids;
  /// Epoch this batch belongs to (0-based).
  std::size_t epoch = 0;
  /// Index of the batch within its epoch (0-based).
  std::size_t index = 0;
  /// Batches produced before this one by the same Batches object (0-based global step).
  std::size_t step = 0;

  /// Examples in the global batch this one is a slice of (BatchOptions::shard); equals
  /// size() when not sharded.
  std::size_t global_size = 0;

  /// Number of examples in the batch (B; the last batch of an epoch may be smaller).
  std::size_t size() const { return label_ids.size(); }
};

/// Iterates over shuffled mini-batches of a Dataset.
///
/// Not endless: a range-for (or next() until it returns false) yields one epoch; looping
/// again yields the next epoch, in a new order. Endless: next() never returns false and a
/// range-for runs until you break out of it.
class Batches {
public:
  /// Refers to `data`, which must outlive this object.
  Batches(const Dataset& data, std::size_t batch_size, std::uint64_t seed,
          BatchOptions options = BatchOptions());
  /// Takes ownership of `data` (for `Batches(load_mnist(...), ...)`).
  Batches(Dataset&& data, std::size_t batch_size, std::uint64_t seed,
          BatchOptions options = BatchOptions());

  /// Fills `out` with the next batch. Returns false at the end of an epoch (never when
  /// endless); the call after that starts the next epoch.
  bool next(Batch& out);

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
  const Dataset& dataset() const { return *data_; }
  /// The order of the current epoch (indices into the dataset).
  const std::vector<std::size_t>& order() const { return order_.order(); }

  /// Input iterator over the batches of a range-for (see begin()); it refers to this
  /// object, which it advances with next().
  using iterator = BatchIterator<Batches, Batch>;

  /// Fetches the first batch of the next epoch (or the next batch when endless).
  iterator begin();
  /// The past-the-end iterator: the end of the epoch (never reached when endless).
  iterator end() { return iterator(); }

private:
  void init();

  std::shared_ptr<const Dataset> data_;
  BatchOrder order_;
  Batch current_;
};

}  // namespace xgrad::data
