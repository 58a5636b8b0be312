#pragma once
/// \file
/// The order in which Batches and TensorBatches visit a dataset: a seeded permutation per
/// epoch, cut into global batches, optionally sliced per data-parallel rank.
///
/// Determinism: the same size, batch size, seed and options give the same index sequence on
/// every platform (Fisher-Yates driven by std::mt19937_64 with our own unbiased bounded draw,
/// not std::shuffle, whose algorithm the standard leaves open). Every epoch is a fresh
/// permutation, so each example appears exactly once per epoch.
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace xgrad::data {

/// How MNIST batch images are shaped: [B, rows * cols] or [B, rows, cols, 1] (Batches over a
/// data::Dataset only; TensorBatches keep the dataset's example shape).
enum class Layout { Flat, NHWC };

/// Options for Batches and TensorBatches, set fluently: `BatchOptions().drop_last(true)`.
class BatchOptions {
public:
  /// Shuffle every epoch (default true). False: examples in file order (evaluation).
  BatchOptions& shuffle(bool v) { shuffle_ = v; return *this; }
  /// Skip the last, smaller batch of each epoch (default false).
  BatchOptions& drop_last(bool v) { drop_last_ = v; return *this; }
  /// Keep going forever, reshuffling at each epoch (default false: one epoch per loop).
  BatchOptions& endless(bool v) { endless_ = v; return *this; }
  /// Shape of Batch::images (default Layout::Flat). Batches over a data::Dataset only.
  BatchOptions& layout(Layout v) { layout_ = v; return *this; }
  /// TensorBatches over class ids also fill TensorBatch::one_hot (default false).
  BatchOptions& one_hot(bool v) { one_hot_ = v; return *this; }
  /// Data-parallel slices: with the same data, batch size, seed and options on every rank,
  /// rank `rank` of `count` gets its contiguous slice of each global batch of the sequence a
  /// single process would see (batch_size is the global batch size). A global batch of B
  /// splits into B / count examples per rank, and the first B % count ranks take one more
  /// (B = 10 on 4 ranks: 3, 3, 2, 2); a rank can get 0 examples when B < count. Throws
  /// std::invalid_argument unless rank < count. Default: rank 0 of 1 (everything).
  BatchOptions& shard(std::size_t rank, std::size_t count);

  ///@{
  /// The options in use.
  bool shuffle() const { return shuffle_; }
  bool drop_last() const { return drop_last_; }
  bool endless() const { return endless_; }
  Layout layout() const { return layout_; }
  bool one_hot() const { return one_hot_; }
  std::size_t shard_rank() const { return shard_rank_; }
  std::size_t shard_count() const { return shard_count_; }
  ///@}

private:
  bool shuffle_ = true;
  bool drop_last_ = false;
  bool endless_ = false;
  Layout layout_ = Layout::Flat;
  bool one_hot_ = false;
  std::size_t shard_rank_ = 0;
  std::size_t shard_count_ = 1;
};

/// One batch's place in the sequence: which dataset rows, and where it stands.
struct BatchSlot {
  /// Dataset rows of this rank's slice, `count` of them (points into BatchOrder::order()).
  const std::size_t* rows = nullptr;
  /// Number of rows in this rank's slice (0 is possible when sharded).
  std::size_t count = 0;
  /// Examples in the whole global batch (equals count when not sharded).
  std::size_t global_size = 0;
  std::size_t epoch = 0;  ///< 0-based
  std::size_t index = 0;  ///< batch index within its epoch, 0-based
  std::size_t step = 0;   ///< batches produced before this one, 0-based
};

/// The index sequence behind Batches and TensorBatches (usable on its own for custom data).
class BatchOrder {
public:
  /// Throws std::invalid_argument when size or batch_size is 0, or drop_last would leave no
  /// batch.
  BatchOrder(std::size_t size, std::size_t batch_size, std::uint64_t seed, BatchOptions options);

  /// The next batch's rows. Returns false at the end of an epoch (never when endless); the
  /// call after that starts the next epoch.
  bool next(BatchSlot& out);
  /// Called before a range-for: ends an epoch whose last batch was already produced, so the
  /// loop starts a fresh one (a loop broken off mid-epoch resumes).
  void close_finished_epoch();

  /// Number of examples in the dataset.
  std::size_t size() const { return order_.size(); }
  /// Batches in one epoch: ceil(size / batch_size), or floor with drop_last.
  std::size_t batches_per_epoch() const;
  /// Number of epochs started so far (the current epoch is epochs_started() - 1).
  std::size_t epochs_started() const { return epochs_started_; }
  /// Batches produced so far.
  std::size_t steps() const { return steps_; }
  /// The global batch size (before sharding).
  std::size_t batch_size() const { return batch_size_; }
  /// The options in use.
  const BatchOptions& options() const { return options_; }
  /// The permutation of the current epoch (indices into the dataset).
  const std::vector<std::size_t>& order() const { return order_; }

private:
  void start_epoch();
  bool epoch_exhausted() const;

  std::size_t batch_size_;
  BatchOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_;
  std::size_t pos_ = 0;
  bool in_epoch_ = false;
  std::size_t epochs_started_ = 0;
  std::size_t index_in_epoch_ = 0;
  std::size_t steps_ = 0;
};

/// Uniform integer in [0, n) from a 64-bit Mersenne Twister, identical on every platform.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n);

/// Shuffles `v` in place (Fisher-Yates with uniform_below); platform-independent.
void shuffle_indices(std::vector<std::size_t>& v, std::mt19937_64& rng);

}  // namespace xgrad::data
