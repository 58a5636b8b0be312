#include "xgrad/data/mnist.hpp"

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <utility>

#include "config.hpp"
#include "xgrad/data/idx.hpp"

namespace fs = std::filesystem;

namespace xgrad::data {

const char* to_string(Split split) {
  switch (split) {
    case Split::Train: return "train";
    case Split::Validation: return "validation";
    case Split::Test: return "test";
  }
  return "?";
}

namespace {

constexpr std::array<const char*, 4> kMnistFileNames = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);  // follows symlinks
}

/// `<dir>/<name>.gz` if present, else `<dir>/<name>` if present, else `<dir>/<name>.gz`.
std::string resolve(const std::string& dir, const std::string& name) {
  fs::path gz = fs::path(dir) / (name + ".gz");
  fs::path raw = fs::path(dir) / name;
  if (is_file(gz)) return gz.string();
  if (is_file(raw)) return raw.string();
  return gz.string();
}

/// Chooses the examples [first, first + count) given the number of examples N.
using RangeFn = std::function<std::pair<std::size_t, std::size_t>(std::size_t n)>;

Dataset load_range(const std::string& images_path, const std::string& labels_path,
                   const RangeFn& range, std::size_t expect_rows, std::size_t expect_cols,
                   std::size_t num_classes) {
  IdxFile img = read_idx(images_path, kIdxImagesMagic);
  IdxFile lbl = read_idx(labels_path, kIdxLabelsMagic);
  const std::size_t n = img.dims[0];
  const std::size_t rows = img.dims[1];
  const std::size_t cols = img.dims[2];
  if ((expect_rows && rows != expect_rows) || (expect_cols && cols != expect_cols)) {
    throw std::runtime_error("idx file '" + images_path + "': images are " +
                             std::to_string(rows) + "x" + std::to_string(cols) + ", expected " +
                             std::to_string(expect_rows) + "x" + std::to_string(expect_cols));
  }
  if (lbl.dims[0] != n) {
    throw std::runtime_error("image/label count mismatch: '" + images_path + "' holds " +
                             std::to_string(n) + " images but '" + labels_path + "' holds " +
                             std::to_string(lbl.dims[0]) + " labels");
  }
  auto [first, count] = range(n);
  if (first > n || count > n - first) {
    throw std::runtime_error("idx files '" + images_path + "' and '" + labels_path + "': hold " +
                             std::to_string(n) + " examples; examples " +
                             std::to_string(first) + ".." + std::to_string(first + count) +
                             " were asked for");
  }
  const std::uint8_t* label_bytes = lbl.data.data() + first;
  for (std::size_t i = 0; i < count; ++i) {
    if (label_bytes[i] >= num_classes) {
      throw std::runtime_error("idx file '" + labels_path + "': label " +
                               std::to_string(label_bytes[i]) + " of example " +
                               std::to_string(first + i) + " is not below the " +
                               std::to_string(num_classes) + " classes");
    }
  }

  Dataset ds;
  ds.rows = rows;
  ds.cols = cols;
  ds.num_classes = num_classes;
  const std::size_t pixels = rows * cols;
  ds.images = xt::xarray<float>::from_shape({count, pixels});
  ds.labels = xt::xarray<std::uint8_t>::from_shape({count});
  float table[256];
  for (int v = 0; v < 256; ++v) table[v] = static_cast<float>(v) / 255.0f;
  const std::uint8_t* src = img.data.data() + first * pixels;
  float* dst = ds.images.data();
  const std::size_t total = count * pixels;
  for (std::size_t i = 0; i < total; ++i) dst[i] = table[src[i]];
  if (count) std::memcpy(ds.labels.data(), label_bytes, count);
  ds.description = "'" + images_path + "' examples " + std::to_string(first) + ".." +
                   std::to_string(first + count) + " of " + std::to_string(n);
  return ds;
}

}  // namespace

IdxPair mnist_files(const std::string& dir, Split split) {
  const bool test = split == Split::Test;
  return {resolve(dir, test ? kMnistFileNames[2] : kMnistFileNames[0]),
          resolve(dir, test ? kMnistFileNames[3] : kMnistFileNames[1])};
}

Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         std::size_t first, std::size_t count, std::size_t expect_rows,
                         std::size_t expect_cols, std::size_t num_classes) {
  RangeFn range = [first, count](std::size_t n) {
    std::size_t c = count;
    if (c == static_cast<std::size_t>(-1)) c = first <= n ? n - first : 0;
    return std::make_pair(first, c);
  };
  return load_range(images_path, labels_path, range, expect_rows, expect_cols, num_classes);
}

Dataset load_mnist(const std::string& dir, Split split, std::size_t validation_size) {
  IdxPair files = mnist_files(dir, split);
  if (split == Split::Validation && validation_size == 0) {
    throw std::invalid_argument("load_mnist: the validation split is empty (validation_size 0)");
  }
  RangeFn range = [&](std::size_t n) -> std::pair<std::size_t, std::size_t> {
    if (split == Split::Test) return {0, n};
    if (n <= validation_size) {
      throw std::runtime_error("idx file '" + files.images + "': holds " + std::to_string(n) +
                               " training examples, not more than the validation size " +
                               std::to_string(validation_size) +
                               ", so the train split would be empty");
    }
    if (split == Split::Validation) return {0, validation_size};
    return {validation_size, n - validation_size};
  };
  Dataset ds = load_range(files.images, files.labels, range, kMnistRows, kMnistCols,
                          kMnistClasses);
  ds.description = std::string(to_string(split)) + " split of " + dir + " (" + ds.description + ")";
  return ds;
}

Dataset subset(const Dataset& data, std::size_t first, std::size_t count) {
  const std::size_t n = data.size();
  if (first > n || count > n - first) {
    throw std::out_of_range("subset: examples " + std::to_string(first) + ".." +
                            std::to_string(first + count) + " of a dataset of " +
                            std::to_string(n));
  }
  const std::size_t features = data.features();
  if (data.images.size() != n * features) {
    throw std::invalid_argument("subset: images do not hold " + std::to_string(n) + " x " +
                                std::to_string(features) + " values");
  }
  Dataset out;
  out.rows = data.rows;
  out.cols = data.cols;
  out.num_classes = data.num_classes;
  out.images = xt::xarray<float>::from_shape({count, features});
  out.labels = xt::xarray<std::uint8_t>::from_shape({count});
  if (count) {
    std::memcpy(out.images.data(), data.images.data() + first * features,
                count * features * sizeof(float));
    std::memcpy(out.labels.data(), data.labels.data() + first, count);
  }
  out.description = "examples " + std::to_string(first) + ".." + std::to_string(first + count) +
                    " of " + data.description;
  return out;
}

xt::xarray<float> one_hot(const xt::xarray<std::uint8_t>& labels, std::size_t num_classes) {
  const std::size_t n = labels.size();
  xt::xarray<float> out = xt::zeros<float>({n, num_classes});
  const std::uint8_t* l = labels.data();
  float* o = out.data();
  for (std::size_t i = 0; i < n; ++i) {
    if (l[i] >= num_classes) {
      throw std::invalid_argument("one_hot: label " + std::to_string(l[i]) + " at position " +
                                  std::to_string(i) + " is not below num_classes " +
                                  std::to_string(num_classes));
    }
    o[i * num_classes + l[i]] = 1.0f;
  }
  return out;
}

xt::xarray<float> as_nhwc(xt::xarray<float> images, std::size_t rows, std::size_t cols,
                          std::size_t channels) {
  if (images.dimension() == 0) {
    throw std::invalid_argument("as_nhwc: expected [N, ...] images, got a scalar");
  }
  const std::size_t n = images.shape()[0];
  const std::size_t per = rows * cols * channels;
  if (images.size() != n * per) {
    std::string shape = "[";
    for (std::size_t i = 0; i < images.dimension(); ++i) {
      shape += (i ? ", " : "") + std::to_string(images.shape()[i]);
    }
    shape += "]";
    throw std::invalid_argument("as_nhwc: images of shape " + shape + " do not hold " +
                                std::to_string(rows) + "x" + std::to_string(cols) + "x" +
                                std::to_string(channels) + " values per example");
  }
  images.reshape({n, rows, cols, channels});
  return images;
}

xt::xarray<float> as_flat(xt::xarray<float> images) {
  if (images.dimension() == 0) {
    throw std::invalid_argument("as_flat: expected [N, ...] images, got a scalar");
  }
  const std::size_t n = images.shape()[0];
  images.reshape({n, n ? images.size() / n : 0});
  return images;
}

bool has_mnist_files(const std::string& dir) {
  for (const char* name : kMnistFileNames) {
    if (!is_file(fs::path(dir) / (std::string(name) + ".gz")) && !is_file(fs::path(dir) / name)) {
      return false;
    }
  }
  return true;
}

namespace {

/// `<start>/<sub>`, `<parent>/<sub>`, ... up to the root.
std::vector<std::string> upward(const std::string& start_dir, const std::string& sub) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::path p = fs::absolute(start_dir.empty() ? fs::path(".") : fs::path(start_dir), ec);
  if (ec) return out;
  p = p.lexically_normal();
  if (!p.empty() && !p.has_filename()) p = p.parent_path();  // drop a trailing '/'
  for (;;) {
    out.push_back((p / sub).string());
    fs::path parent = p.parent_path();
    if (parent.empty() || parent == p) break;
    p = parent;
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

}  // namespace

DatasetLocation find_dataset_dir(const std::string& start_dir, bool allow_fashion) {
  DatasetLocation loc;
  auto try_dir = [&](const std::string& dir) {
    loc.searched.push_back(dir);
    return has_mnist_files(dir);
  };

  std::vector<std::string> mnist_candidates;
  if (const char* env = config::env_mnist_dir()) {
    mnist_candidates.push_back(env);
  }
  for (auto& d : upward(start_dir, "data/mnist")) mnist_candidates.push_back(d);
  for (const auto& dir : mnist_candidates) {
    if (try_dir(dir)) {
      loc.dir = dir;
      loc.name = "MNIST";
      loc.message = "Using MNIST from " + dir;
      return loc;
    }
  }
  const std::string mnist_searched = join(loc.searched);

  if (allow_fashion) {
    std::vector<std::string> fashion_candidates;
    if (const char* env = config::env_fashion_mnist_dir()) {
      fashion_candidates.push_back(env);
    }
    for (auto& d : upward(start_dir, "data/fashion-mnist")) fashion_candidates.push_back(d);
    fashion_candidates.push_back("/usr/share/datasets/fashion-mnist");
    for (const auto& dir : fashion_candidates) {
      if (try_dir(dir)) {
        loc.dir = dir;
        loc.name = "Fashion-MNIST";
        loc.is_fashion = true;
        loc.message = "MNIST is unavailable (not found in " + mnist_searched +
                      "; run data/fetch_mnist.sh to get it). Using Fashion-MNIST from " + dir +
                      " instead: results are for clothing images, not handwritten digits.";
        return loc;
      }
    }
  }
  throw std::runtime_error(
      std::string("No ") + (allow_fashion ? "MNIST or Fashion-MNIST" : "MNIST") +
      " data found (a folder counts when it holds train-images-idx3-ubyte, "
      "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each "
      "optionally .gz). Looked in: " + join(loc.searched) +
      ". Run data/fetch_mnist.sh, or set XGRAD_MNIST_DIR.");
}

}  // namespace xgrad::data
