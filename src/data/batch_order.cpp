#include "xgrad/data/batch_order.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace xgrad::data {

std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("uniform_below: n must be positive");
  // Reject the lowest (2^64 mod n) outputs so that x % n is exactly uniform.
  const std::uint64_t threshold = (std::uint64_t(0) - n) % n;
  for (;;) {
    std::uint64_t x = rng();
    if (x >= threshold) return x % n;
  }
}

void shuffle_indices(std::vector<std::size_t>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(uniform_below(rng, i));
    std::swap(v[i - 1], v[j]);
  }
}

BatchOptions& BatchOptions::shard(std::size_t rank, std::size_t count) {
  if (count == 0 || rank >= count) {
    throw std::invalid_argument("BatchOptions::shard: rank " + std::to_string(rank) +
                                " is not below the number of ranks " + std::to_string(count));
  }
  shard_rank_ = rank;
  shard_count_ = count;
  return *this;
}

BatchOrder::BatchOrder(std::size_t size, std::size_t batch_size, std::uint64_t seed,
                       BatchOptions options)
    : batch_size_(batch_size), options_(options), rng_(seed) {
  if (batch_size_ == 0) throw std::invalid_argument("Batches: batch_size must be positive");
  if (size == 0) throw std::invalid_argument("Batches: the dataset is empty");
  if (options_.drop_last() && size < batch_size_) {
    throw std::invalid_argument("Batches: drop_last with batch_size " +
                                std::to_string(batch_size_) + " > dataset size " +
                                std::to_string(size) + " would yield no batch");
  }
  order_.resize(size);
  std::iota(order_.begin(), order_.end(), std::size_t(0));
}

std::size_t BatchOrder::batches_per_epoch() const {
  const std::size_t n = order_.size();
  return options_.drop_last() ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

void BatchOrder::start_epoch() {
  std::iota(order_.begin(), order_.end(), std::size_t(0));
  if (options_.shuffle()) shuffle_indices(order_, rng_);
  pos_ = 0;
  index_in_epoch_ = 0;
  in_epoch_ = true;
  ++epochs_started_;
}

bool BatchOrder::epoch_exhausted() const {
  const std::size_t left = order_.size() - pos_;
  return left == 0 || (options_.drop_last() && left < batch_size_);
}

void BatchOrder::close_finished_epoch() {
  if (in_epoch_ && epoch_exhausted()) in_epoch_ = false;
}

bool BatchOrder::next(BatchSlot& out) {
  for (;;) {
    if (!in_epoch_) start_epoch();
    if (epoch_exhausted()) {
      in_epoch_ = false;
      if (options_.endless()) continue;
      return false;
    }
    break;
  }
  const std::size_t global = std::min(batch_size_, order_.size() - pos_);
  // This rank's rows [first, first + b) of the global batch (all of it when not sharded).
  const std::size_t ranks = options_.shard_count(), rank = options_.shard_rank();
  const std::size_t base = global / ranks, extra = global % ranks;
  const std::size_t first = rank * base + std::min(rank, extra);
  out.rows = order_.data() + pos_ + first;
  out.count = base + (rank < extra ? 1 : 0);
  out.global_size = global;
  out.epoch = epochs_started_ - 1;
  out.index = index_in_epoch_++;
  out.step = steps_++;
  pos_ += global;
  return true;
}

}  // namespace xgrad::data
