// Tabular classification: scikit-learn's breast-cancer table (569 x 30, 2 classes) from its
// CSV, a stratified train/test split, standardisation fitted on the training part, a small
// MLP over several seeds; the split is saved as .npz for baseline.py (logistic regression).
//
// usage: tabular [--csv PATH] [--seeds 1,2,3] [--epochs 60] [--test-fraction 0.25]
//                [--split-seed 0] [--out-dir DIR]
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

const char* kSklearnCsv = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";
const char* kDescription = "An MLP on scikit-learn's breast-cancer table, over several seeds";

/// Trains a 30 -> 32 -> ReLU -> 2 MLP with Adam and returns its test accuracy.
double run(const data::TensorDataset& train, const data::TensorDataset& test, std::uint64_t seed,
           int epochs) {
  nn::manual_seed(seed);
  nn::Sequential model;
  model.add(nn::Dense(train.example_size(), 32));
  model.add(nn::ReLU());
  model.add(nn::Dense(32, train.num_classes));
  return examples::train_and_test(model, train, test, seed, epochs);
}

}  // namespace

int main(int argc, char** argv) try {
  examples::SplitRunOptions defaults;
  defaults.csv = kSklearnCsv;
  defaults.epochs = 60;
  defaults.out_dir = "tabular_out";
  const auto o = examples::parse_split_run_options(argc, argv, "tabular", kDescription, defaults);
  // The first line of scikit-learn's file is "569,30,malignant,benign", not column names;
  // the last column is the class (0 malignant, 1 benign).
  data::TensorDataset all = data::load_csv(
      o.csv, data::CsvOptions().header(false).skip_lines(1).target(-1));
  std::printf("data: %s, %zu features, %zu classes\n", all.description.c_str(),
              all.example_size(), all.num_classes);

  auto parts = data::train_validation_split(all, o.test_fraction, o.split_seed, /*stratified=*/true);
  std::filesystem::create_directories(o.out_dir);
  // The unscaled split, for baseline.py (which fits its own scaler on the training part).
  data::save_npz(o.out_dir + "/train.npz", parts.train);
  data::save_npz(o.out_dir + "/test.npz", parts.validation);
  auto scaler = data::Standardizer::fit(parts.train);
  scaler.apply(parts.train);
  scaler.apply(parts.validation);
  std::printf("split (seed %llu, stratified): %zu train, %zu test; saved to %s/{train,test}.npz\n",
              static_cast<unsigned long long>(o.split_seed), parts.train.size(),
              parts.validation.size(), o.out_dir.c_str());

  std::vector<double> acc;
  for (auto seed : o.seeds) {
    acc.push_back(run(parts.train, parts.validation, seed, o.epochs));
    std::printf("seed %llu: test accuracy %.4f\n", static_cast<unsigned long long>(seed), acc.back());
  }
  examples::print_accuracy_summary("MLP", acc, o.epochs);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "tabular: %s\n", e.what());
  return 1;
}
