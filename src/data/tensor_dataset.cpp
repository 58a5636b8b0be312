#include "xgrad/data/tensor_dataset.hpp"


#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "check.hpp"

#include "xgrad/data/mnist.hpp"

namespace xgrad::data {
namespace {

std::size_t rest_size(const xt::svector<std::size_t>& s) {
  std::size_t n = 1;
  for (std::size_t i = 1; i < s.size(); ++i) n *= s[i];
  return n;
}

}  // namespace

std::vector<std::size_t> TensorDataset::example_shape() const {
  const auto& s = features.shape();
  return s.size() < 2 ? std::vector<std::size_t>{} : std::vector<std::size_t>(s.begin() + 1, s.end());
}

std::size_t TensorDataset::example_size() const { return rest_size(features.shape()); }

std::vector<std::size_t> TensorDataset::target_shape() const {
  const auto& s = targets.shape();
  return s.size() < 2 ? std::vector<std::size_t>{} : std::vector<std::size_t>(s.begin() + 1, s.end());
}

void TensorDataset::check() const {
  const std::string who = "dataset" + (description.empty() ? "" : " '" + description + "'");
  auto fail = [&](const std::string& what) { throw std::invalid_argument(who + ": " + what); };
  if (features.dimension() == 0) fail("features must be [N, ...], got a scalar");
  const std::size_t n = size();
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (!std::isfinite(features.data()[i])) {
      fail("feature value " + std::to_string(features.data()[i]) + " of example " +
           std::to_string(i / std::max<std::size_t>(1, example_size())) + " is not finite");
    }
  }
  if (has_classes() && has_targets()) fail("has both class ids and regression targets");
  if (has_classes()) {
    if (classes.dimension() != 1 || classes.size() != n) {
      fail("classes must be [" + std::to_string(n) + "] (one id per example), got " +
           check::format_shape(classes.shape()));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t c = classes(i);
      if (c < 0 || std::uint64_t(c) >= num_classes) {
        fail("class id " + std::to_string(c) + " of example " + std::to_string(i) +
             " is not in [0, " + std::to_string(num_classes) + ")");
      }
    }
  }
  if (has_targets()) {
    if (targets.dimension() == 0 || targets.shape()[0] != n) {
      fail("targets must be [" + std::to_string(n) + ", ...], got " + check::format_shape(targets.shape()) +
           " for features " + check::format_shape(features.shape()));
    }
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (!std::isfinite(targets.data()[i])) {
        fail("target of example " + std::to_string(i / rest_size(targets.shape())) +
             " is not finite");
      }
    }
  }
}

TensorDataset TensorDataset::classification(xt::xarray<float> features,
                                            xt::xarray<std::int64_t> classes,
                                            std::size_t num_classes, std::string description) {
  TensorDataset d;
  d.features = std::move(features);
  d.classes = std::move(classes);
  d.description = std::move(description);
  if (num_classes == 0) {
    std::int64_t top = -1;
    for (auto c : d.classes) top = std::max(top, c);
    num_classes = std::size_t(top + 1);
  }
  d.num_classes = num_classes;
  if (d.num_classes == 0) d.num_classes = 1;  // no examples: check() reports the shape
  d.check();
  return d;
}

TensorDataset TensorDataset::regression(xt::xarray<float> features, xt::xarray<float> targets,
                                        std::string description) {
  TensorDataset d;
  d.features = std::move(features);
  d.targets = std::move(targets);
  d.description = std::move(description);
  if (!d.has_targets()) {
    throw std::invalid_argument("dataset '" + d.description + "': regression targets are empty");
  }
  d.check();
  return d;
}

namespace {

TensorDataset from_mnist(xt::xarray<float> images, const Dataset& m) {
  TensorDataset d;
  d.features = std::move(images);
  d.classes = xt::xarray<std::int64_t>::from_shape({m.labels.size()});
  std::copy(m.labels.begin(), m.labels.end(), d.classes.begin());
  d.num_classes = m.num_classes;
  d.description = m.description;
  return d;
}

}  // namespace

TensorDataset to_tensor_dataset(const Dataset& mnist) { return from_mnist(mnist.images, mnist); }

TensorDataset to_tensor_dataset(Dataset&& mnist) {
  return from_mnist(std::move(mnist.images), mnist);
}

TensorDataset select_rows(const TensorDataset& data, const std::vector<std::size_t>& rows) {
  const std::size_t n = data.size();
  auto gather = [&](const auto& src) {
    using T = typename std::decay_t<decltype(src)>::value_type;
    auto shape = src.shape();
    const std::size_t per = rest_size(shape);
    shape[0] = rows.size();
    xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::memcpy(out.data() + r * per, src.data() + rows[r] * per, per * sizeof(T));
    }
    return out;
  };
  for (std::size_t r : rows) {
    if (r >= n) {
      throw std::out_of_range("select_rows: row " + std::to_string(r) + " of a dataset of " +
                              std::to_string(n) + " examples");
    }
  }
  TensorDataset out;
  out.features = gather(data.features);
  if (data.has_classes()) out.classes = gather(data.classes);
  if (data.has_targets()) out.targets = gather(data.targets);
  out.num_classes = data.num_classes;
  out.feature_names = data.feature_names;
  out.target_names = data.target_names;
  out.description = data.description;
  return out;
}

}  // namespace xgrad::data
