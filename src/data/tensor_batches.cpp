#include "xgrad/data/tensor_batches.hpp"

#include <cstring>
#include <stdexcept>
#include <utility>

#include "data/batch_arrays.hpp"

namespace xgrad::data {

TensorBatches::TensorBatches(const TensorDataset& data, std::size_t batch_size,
                             std::uint64_t seed, BatchOptions options)
    // Non-owning: an aliasing shared_ptr with no control block.
    : data_(std::shared_ptr<const TensorDataset>(), &data),
      order_(data.size(), batch_size, seed, options) {
  init();
}

TensorBatches::TensorBatches(TensorDataset&& data, std::size_t batch_size, std::uint64_t seed,
                             BatchOptions options)
    : data_(std::make_shared<const TensorDataset>(std::move(data))),
      order_(data_->size(), batch_size, seed, options) {
  init();
}

TensorBatches::TensorBatches(std::shared_ptr<const TensorDataset> data, std::size_t batch_size,
                             std::uint64_t seed, BatchOptions options)
    : data_(data ? std::move(data) : throw std::invalid_argument("TensorBatches: no dataset")),
      order_(data_->size(), batch_size, seed, options) {
  init();
}

void TensorBatches::init() {
  data_->check();
  if (options().one_hot() && !data_->has_classes()) {
    throw std::invalid_argument("TensorBatches: one_hot(true) needs a dataset with class ids");
  }
}

namespace {

Shape with_batch(std::size_t b, const std::vector<std::size_t>& example) {
  Shape s{b};
  s.insert(s.end(), example.begin(), example.end());
  return s;
}

void gather(float* dst, const float* src, const std::size_t* rows, std::size_t b,
            std::size_t per) {
  for (std::size_t r = 0; r < b; ++r) {
    std::memcpy(dst + r * per, src + rows[r] * per, per * sizeof(float));
  }
}

}  // namespace

bool TensorBatches::next(TensorBatch& out) {
  BatchSlot slot;
  if (!order_.next(slot)) return false;
  const TensorDataset& d = *data_;
  const std::size_t b = slot.count;
  out.rows.assign(slot.rows, slot.rows + b);

  gather(detail::writable(out.features, with_batch(b, d.example_shape())).data(),
         d.features.data(), slot.rows, b, d.example_size());
  if (d.has_classes()) {
    std::int64_t* ids = detail::writable_ids(out.classes, b);
    for (std::size_t r = 0; r < b; ++r) ids[r] = d.classes(slot.rows[r]);
    if (options().one_hot()) {
      const std::size_t k = d.num_classes;
      float* hot = detail::writable(out.one_hot, Shape{b, k}).data();
      // An empty slice (more ranks than examples) may have no buffer.
      if (b > 0) std::memset(hot, 0, b * k * sizeof(float));
      for (std::size_t r = 0; r < b; ++r) hot[r * k + std::size_t(ids[r])] = 1.0f;
    }
  }
  if (d.has_targets()) {
    const std::size_t per = d.targets.size() / d.size();
    gather(detail::writable(out.targets, with_batch(b, d.target_shape())).data(),
           d.targets.data(), slot.rows, b, per);
  }
  out.epoch = slot.epoch;
  out.index = slot.index;
  out.step = slot.step;
  out.global_size = slot.global_size;
  if (transform_) transform_(out);
  return true;
}

TensorBatches::iterator TensorBatches::begin() {
  order_.close_finished_epoch();
  return next(current_) ? iterator(this, &current_) : iterator();
}

}  // namespace xgrad::data
