#include "xgrad/data/batches.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "data/batch_arrays.hpp"

namespace xgrad::data {

Batches::Batches(const Dataset& data, std::size_t batch_size, std::uint64_t seed,
                 BatchOptions options)
    // Non-owning: an aliasing shared_ptr with no control block.
    : data_(std::shared_ptr<const Dataset>(), &data),
      order_(data.size(), batch_size, seed, options) {
  init();
}

Batches::Batches(Dataset&& data, std::size_t batch_size, std::uint64_t seed,
                 BatchOptions options)
    : data_(std::make_shared<const Dataset>(std::move(data))),
      order_(data_->size(), batch_size, seed, options) {
  init();
}

void Batches::init() {
  const Dataset& d = *data_;
  if (d.images.dimension() == 0 || d.images.shape()[0] != d.size() ||
      d.images.size() != d.size() * d.features()) {
    throw std::invalid_argument("Batches: dataset images do not hold " +
                                std::to_string(d.size()) + " examples of " +
                                std::to_string(d.features()) + " values");
  }
}

bool Batches::next(Batch& out) {
  BatchSlot slot;
  if (!order_.next(slot)) return false;
  const Dataset& d = *data_;
  const std::size_t b = slot.count;
  const std::size_t features = d.features();
  const std::size_t classes = d.num_classes;

  Shape image_shape = options().layout() == Layout::NHWC ? Shape{b, d.rows, d.cols, 1}
                                                         : Shape{b, features};
  float* images = detail::writable(out.images, image_shape).data();
  float* labels = detail::writable(out.labels, Shape{b, classes}).data();
  std::uint8_t* ids = detail::writable_ids(out.label_ids, b);

  const float* src_images = d.images.data();
  const std::uint8_t* src_labels = d.labels.data();
  // An empty slice (more ranks than examples) may have no buffer: memset(nullptr, 0, 0) is UB.
  if (b > 0) std::memset(labels, 0, b * classes * sizeof(float));
  for (std::size_t r = 0; r < b; ++r) {
    const std::size_t i = slot.rows[r];
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
  out.epoch = slot.epoch;
  out.index = slot.index;
  out.step = slot.step;
  out.global_size = slot.global_size;
  return true;
}

Batches::iterator Batches::begin() {
  order_.close_finished_epoch();
  return next(current_) ? iterator(this, &current_) : iterator();
}

}  // namespace xgrad::data
