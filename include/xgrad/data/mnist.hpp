#pragma once
/// \file
/// MNIST and Fashion-MNIST: loading the idx files into float arrays, the TensorFlow-style
/// train/validation/test split, one-hot labels, NHWC reshaping and locating the data folder.
///
/// \code
///   auto where = data::find_dataset_dir();            // data/mnist, else Fashion-MNIST
///   if (where.is_fashion) std::cout << where.message << "\n";
///   data::Dataset train = data::load_mnist(where.dir, data::Split::Train);   // 55,000 x 784
///   data::Dataset test  = data::load_mnist(where.dir, data::Split::Test);    // 10,000 x 784
/// \endcode
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad::data {

/// Which part of the data set to load.
///  - Train:      the training file without its first `validation_size` examples (55,000)
///  - Validation: the first `validation_size` examples of the training file (5,000)
///  - Test:       the test files (10,000)
/// This is the split of TensorFlow's `input_data.read_data_sets` (validation = the first
/// 5,000 training images, train = the remaining 55,000).
enum class Split { Train, Validation, Test };

/// "train", "validation" or "test".
const char* to_string(Split split);

/// Image height of MNIST, in pixels.
inline constexpr std::size_t kMnistRows = 28;
/// Image width of MNIST, in pixels.
inline constexpr std::size_t kMnistCols = 28;
/// Values per MNIST image (rows * cols).
inline constexpr std::size_t kMnistPixels = kMnistRows * kMnistCols;
/// Number of MNIST classes (digits 0-9).
inline constexpr std::size_t kMnistClasses = 10;
/// Size of the validation split, as in TensorFlow's read_data_sets.
inline constexpr std::size_t kMnistValidationSize = 5000;

/// Images and labels held in memory.
struct Dataset {
  /// [N, rows * cols] float32, pixel / 255, so every value is in [0, 1].
  xt::xarray<float> images;
  /// [N] class ids, 0 .. num_classes - 1.
  xt::xarray<std::uint8_t> labels;
  /// Image height in pixels.
  std::size_t rows = kMnistRows;
  /// Image width in pixels.
  std::size_t cols = kMnistCols;
  /// Number of classes; every label is below it.
  std::size_t num_classes = kMnistClasses;
  /// Where it came from, e.g. "data/mnist train (examples 5000..59999 of 60000)".
  std::string description;

  /// Number of examples.
  std::size_t size() const { return labels.size(); }
  /// Values per example (rows * cols).
  std::size_t features() const { return rows * cols; }
};

/// The paths of an idx image file and its label file (see mnist_files).
struct IdxPair {
  std::string images;  ///< path of the idx3 image file
  std::string labels;  ///< path of the idx1 label file
};
/// The image and label file of a split in `dir`: `train-*` for Train and Validation,
/// `t10k-*` for Test. Prefers `<name>.gz` and falls back to the uncompressed `<name>`; when
/// neither exists the `.gz` path is returned (so the error names it).
IdxPair mnist_files(const std::string& dir, Split split);

/// Loads examples [first, first + count) of an idx3 image file and its idx1 label file
/// (count = npos: to the end). Checks both files fully (see idx.hpp), that the image and
/// label counts agree (the error names both files), that images are `rows x cols` when
/// `expect_rows`/`expect_cols` are non-zero, and that every label is < num_classes.
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         std::size_t first = 0, std::size_t count = static_cast<std::size_t>(-1),
                         std::size_t expect_rows = kMnistRows,
                         std::size_t expect_cols = kMnistCols,
                         std::size_t num_classes = kMnistClasses);

/// Loads a split of MNIST (or Fashion-MNIST, same layout) from `dir`, which holds the four
/// files (gzip or raw). `validation_size` is 5,000 for the standard split; tests pass a
/// small number to work on small generated files. Throws std::runtime_error naming the file
/// on any problem, or when the training file has no more than `validation_size` examples.
Dataset load_mnist(const std::string& dir, Split split,
                   std::size_t validation_size = kMnistValidationSize);

/// Examples [first, first + count) of `data` as a new Dataset (a copy), e.g. the first 100
/// test images. Throws std::out_of_range when the range does not fit.
Dataset subset(const Dataset& data, std::size_t first, std::size_t count);

/// One-hot encoding: [N] class ids -> [N, num_classes] float32 with a single 1 per row.
/// Throws std::invalid_argument when a label is >= num_classes.
xt::xarray<float> one_hot(const xt::xarray<std::uint8_t>& labels,
                          std::size_t num_classes = kMnistClasses);

/// [N, rows * cols] (or any [N, ...] holding rows * cols * channels values per example) ->
/// [N, rows, cols, channels], the NHWC layout conv2d takes. Pass an rvalue to avoid a copy.
xt::xarray<float> as_nhwc(xt::xarray<float> images, std::size_t rows = kMnistRows,
                          std::size_t cols = kMnistCols, std::size_t channels = 1);

/// [N, ...] -> [N, product of the rest]: the inverse of as_nhwc.
xt::xarray<float> as_flat(xt::xarray<float> images);

/// True when `dir` holds all four MNIST-layout files (each as .gz or raw).
bool has_mnist_files(const std::string& dir);

/// Result of find_dataset_dir.
struct DatasetLocation {
  /// The folder to pass to load_mnist.
  std::string dir;
  /// "MNIST" or "Fashion-MNIST".
  std::string name;
  /// True when MNIST was not found and Fashion-MNIST is used instead.
  bool is_fashion = false;
  /// A line to print: where the data comes from, and if it is Fashion-MNIST, a plain
  /// statement that MNIST was unavailable (with where it was looked for).
  std::string message;
  /// Every folder that was tried, in order.
  std::vector<std::string> searched;
};

/// Finds the data folder.
///  1. `$XGRAD_MNIST_DIR` if set;
///  2. `data/mnist` under `start_dir` and under each of its parents (so that programs run
///     from a build folder find the checkout's data);
///  3. unless `allow_fashion` is false, Fashion-MNIST: `$XGRAD_FASHION_MNIST_DIR`,
///     `data/fashion-mnist` under `start_dir` and its parents, then Debian's
///     `/usr/share/datasets/fashion-mnist`.
/// A folder counts only when it holds all four files. Throws std::runtime_error listing
/// every folder tried (and how to fetch MNIST) when nothing is found.
DatasetLocation find_dataset_dir(const std::string& start_dir = ".", bool allow_fashion = true);

}  // namespace xgrad::data
