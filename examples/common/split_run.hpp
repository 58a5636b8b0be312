#pragma once
// The options of the examples that split one table into a training and a test part and train
// over several seeds (tabular, digits): --csv --seeds --epochs --test-fraction --split-seed
// --out-dir, each with the program's own default.
#include <cstdint>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>

namespace examples {

struct SplitRunOptions {
  std::string csv;
  std::vector<std::uint64_t> seeds{1, 2, 3};
  int epochs = 20;
  double test_fraction = 0.25;
  std::uint64_t split_seed = 0;
  std::string out_dir;
};

/// Parses argv over `defaults`; prints help and exits 0 on --help, prints the error and exits
/// 2 on bad input (an unknown option, a malformed or repeated seed, a fraction outside (0, 1),
/// epochs below 1).
SplitRunOptions parse_split_run_options(int argc, char** argv, const std::string& program,
                                        const std::string& description,
                                        const SplitRunOptions& defaults);

/// Trains `model` on `train` for `epochs` (Adam, lr 1e-3, shuffled batches of 32 drawn with
/// `seed`, mean softmax cross-entropy on one-hot targets) and returns its accuracy on `test`.
double train_and_test(xgrad::nn::Module& model, const xgrad::data::TensorDataset& train,
                      const xgrad::data::TensorDataset& test, std::uint64_t seed, int epochs);

/// Prints "<what> over N seeds: median M, range LO-HI (E epochs)".
void print_accuracy_summary(const std::string& what, const std::vector<double>& accuracies,
                            int epochs);

}  // namespace examples
