#include "xgrad/data/batches.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "autograd/tensor_impl.hpp"

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

Batches::Batches(const Dataset& data, std::size_t batch_size, std::uint64_t seed,
                 BatchOptions options)
    // Non-owning: an aliasing shared_ptr with no control block.
    : data_(std::shared_ptr<const Dataset>(), &data),
      batch_size_(batch_size),
      options_(options),
      rng_(seed) {
  init();
}

Batches::Batches(Dataset&& data, std::size_t batch_size, std::uint64_t seed,
                 BatchOptions options)
    : data_(std::make_shared<const Dataset>(std::move(data))),
      batch_size_(batch_size),
      options_(options),
      rng_(seed) {
  init();
}

void Batches::init() {
  const Dataset& d = *data_;
  if (batch_size_ == 0) throw std::invalid_argument("Batches: batch_size must be positive");
  if (d.size() == 0) throw std::invalid_argument("Batches: the dataset is empty");
  if (d.images.dimension() == 0 || d.images.shape()[0] != d.size() ||
      d.images.size() != d.size() * d.features()) {
    throw std::invalid_argument("Batches: dataset images do not hold " +
                                std::to_string(d.size()) + " examples of " +
                                std::to_string(d.features()) + " values");
  }
  if (options_.drop_last() && d.size() < batch_size_) {
    throw std::invalid_argument("Batches: drop_last with batch_size " +
                                std::to_string(batch_size_) + " > dataset size " +
                                std::to_string(d.size()) + " would yield no batch");
  }
  order_.resize(d.size());
  std::iota(order_.begin(), order_.end(), std::size_t(0));
}

std::size_t Batches::batches_per_epoch() const {
  const std::size_t n = data_->size();
  return options_.drop_last() ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

void Batches::start_epoch() {
  std::iota(order_.begin(), order_.end(), std::size_t(0));
  if (options_.shuffle()) shuffle_indices(order_, rng_);
  pos_ = 0;
  index_in_epoch_ = 0;
  in_epoch_ = true;
  ++epochs_started_;
}

namespace {

/// The array behind `t` if it can be overwritten (only we hold it, it is a plain leaf of the
/// right shape); otherwise `t` becomes a fresh tensor of that shape.
xt::xarray<float>& writable(Tensor& t, const Shape& shape) {
  const auto& impl = xgrad::detail::impl_of(t);
  bool reuse = impl && impl.use_count() == 1 && impl->value.use_count() == 1 && !impl->grad_fn &&
               !impl->requires_grad && !impl->has_grad;
  if (reuse) {
    const auto& s = impl->value->shape();
    reuse = s.size() == shape.size() && std::equal(s.begin(), s.end(), shape.begin());
  }
  if (!reuse) t = Tensor(xt::xarray<float>::from_shape(shape));
  return t.value();
}

}  // namespace

bool Batches::next(Batch& out) {
  const Dataset& d = *data_;
  const std::size_t n = d.size();
  for (;;) {
    if (!in_epoch_) start_epoch();
    const std::size_t left = n - pos_;
    if (left == 0 || (options_.drop_last() && left < batch_size_)) {
      in_epoch_ = false;
      if (options_.endless()) continue;
      return false;
    }
    break;
  }
  const std::size_t global = std::min(batch_size_, n - pos_);
  // This rank's rows [first, first + b) of the global batch (all of it when not sharded).
  const std::size_t ranks = options_.shard_count(), rank = options_.shard_rank();
  const std::size_t base = global / ranks, extra = global % ranks;
  const std::size_t first = rank * base + std::min(rank, extra);
  const std::size_t b = base + (rank < extra ? 1 : 0);
  const std::size_t features = d.features();
  const std::size_t classes = d.num_classes;

  Shape image_shape = options_.layout() == Layout::NHWC ? Shape{b, d.rows, d.cols, 1}
                                                         : Shape{b, features};
  float* images = writable(out.images, image_shape).data();
  float* labels = writable(out.labels, Shape{b, classes}).data();
  if (out.label_ids.size() != b || out.label_ids.dimension() != 1) {
    out.label_ids = xt::xarray<std::uint8_t>::from_shape({b});
  }
  std::uint8_t* ids = out.label_ids.data();

  const float* src_images = d.images.data();
  const std::uint8_t* src_labels = d.labels.data();
  // An empty slice (more ranks than examples) may have no buffer: memset(nullptr, 0, 0) is UB.
  if (b > 0) std::memset(labels, 0, b * classes * sizeof(float));
  for (std::size_t r = 0; r < b; ++r) {
    const std::size_t i = order_[pos_ + first + r];
    std::memcpy(images + r * features, src_images + i * features, features * sizeof(float));
    const std::uint8_t label = src_labels[i];
    if (label >= classes) {
      throw std::runtime_error("Batches: label " + std::to_string(label) + " of example " +
                               std::to_string(i) + " is not below num_classes " +
                               std::to_string(classes));
    }
    ids[r] = label;
    labels[r * classes + label] = 1.0f;
  }
  out.epoch = epochs_started_ - 1;
  out.index = index_in_epoch_++;
  out.step = steps_++;
  out.global_size = global;
  pos_ += global;
  return true;
}

Batches::iterator Batches::begin() {
  // A loop after a finished epoch starts the next one; a loop broken off mid-epoch resumes.
  const std::size_t left = data_->size() - pos_;
  if (in_epoch_ && (left == 0 || (options_.drop_last() && left < batch_size_))) {
    in_epoch_ = false;
  }
  return next(current_) ? iterator(this) : iterator();
}

}  // namespace xgrad::data
