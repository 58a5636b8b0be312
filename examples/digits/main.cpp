// An 8x8-digits conv net: scikit-learn's digits table (1797 images of 8x8 pixels, values
// 0-16, 10 classes) from its CSV, a stratified train/test split, a small conv net over several
// seeds; the split is saved as .npz for baseline.py (the same net and training in PyTorch).
//
// usage: digits [--csv PATH] [--seeds 1,2,3] [--epochs 20] [--test-fraction 0.25]
//               [--split-seed 0] [--out-dir DIR]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "split_run.hpp"

using namespace xgrad;

namespace {

const char* kSklearnCsv = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";
const char* kDescription = "An 8x8-digits conv net on scikit-learn's digits table, over several seeds";

/// [N, 64] pixel values 0-16 -> [N, 8, 8, 1] in [0, 1] (NHWC, one channel).
void to_images(data::TensorDataset& d) {
  d.features /= 16.0f;
  d.features.reshape({d.size(), std::size_t(8), std::size_t(8), std::size_t(1)});
}

/// conv 3x3 (16) -> ReLU -> conv 3x3 (32) -> ReLU -> 2x2 max pool -> 4x4x32 -> dense 64 ->
/// ReLU -> dense 10, both convolutions SAME; Adam (lr 1e-3), batches of 32. Returns the test
/// accuracy.
double run(const data::TensorDataset& train, const data::TensorDataset& test, std::uint64_t seed,
           int epochs) {
  nn::manual_seed(seed);
  nn::Sequential model;
  model.add(nn::Conv2D(1, 16, 3, 1, Padding::Same));
  model.add(nn::ReLU());
  model.add(nn::Conv2D(16, 32, 3, 1, Padding::Same));
  model.add(nn::ReLU());
  model.add(nn::MaxPool2D(2));
  model.add(nn::Flatten());
  model.add(nn::Dense(4 * 4 * 32, 64));
  model.add(nn::ReLU());
  model.add(nn::Dense(64, train.num_classes));
  return examples::train_and_test(model, train, test, seed, epochs);
}

}  // namespace

int main(int argc, char** argv) try {
  examples::SplitRunOptions defaults;
  defaults.csv = kSklearnCsv;
  defaults.epochs = 20;
  defaults.out_dir = "digits_out";
  const auto o = examples::parse_split_run_options(argc, argv, "digits", kDescription, defaults);
  // scikit-learn's digits.csv.gz has no header: 64 pixel columns, then the digit.
  data::TensorDataset all = data::load_csv(o.csv, data::CsvOptions().header(false).target(-1));
  std::printf("data: %s, %zu features, %zu classes\n", all.description.c_str(),
              all.example_size(), all.num_classes);

  auto parts = data::train_validation_split(all, o.test_fraction, o.split_seed, /*stratified=*/true);
  std::filesystem::create_directories(o.out_dir);
  // The split as loaded (pixels 0-16, [N, 64]), for baseline.py.
  data::save_npz(o.out_dir + "/train.npz", parts.train);
  data::save_npz(o.out_dir + "/test.npz", parts.validation);
  to_images(parts.train);
  to_images(parts.validation);
  std::printf("split (seed %llu, stratified): %zu train, %zu test; saved to %s/{train,test}.npz\n",
              static_cast<unsigned long long>(o.split_seed), parts.train.size(),
              parts.validation.size(), o.out_dir.c_str());

  std::vector<double> acc;
  for (auto seed : o.seeds) {
    acc.push_back(run(parts.train, parts.validation, seed, o.epochs));
    std::printf("seed %llu: test accuracy %.4f\n", static_cast<unsigned long long>(seed), acc.back());
  }
  examples::print_accuracy_summary("conv net", acc, o.epochs);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "digits: %s\n", e.what());
  return 1;
}
