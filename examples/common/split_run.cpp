#include "split_run.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include <cxxopts.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "seeds.hpp"
#include "summary.hpp"

namespace examples {

namespace {

std::string seed_text(const std::vector<std::uint64_t>& seeds) {
  std::string text;
  for (auto s : seeds) text += (text.empty() ? "" : ",") + std::to_string(s);
  return text;
}

}  // namespace

SplitRunOptions parse_split_run_options(int argc, char** argv, const std::string& program,
                                        const std::string& description,
                                        const SplitRunOptions& defaults) {
  cxxopts::Options options(program, description);
  options.add_options()
      ("csv", "the table", cxxopts::value<std::string>()->default_value(defaults.csv))
      ("seeds", "comma-separated training seeds, one run each",
       cxxopts::value<std::string>()->default_value(seed_text(defaults.seeds)))
      ("epochs", "epochs per run", cxxopts::value<int>()->default_value(std::to_string(defaults.epochs)))
      ("test-fraction", "the test part's share of the table, stratified by class",
       cxxopts::value<double>()->default_value(std::to_string(defaults.test_fraction)))
      ("split-seed", "seed of the train/test split",
       cxxopts::value<std::uint64_t>()->default_value(std::to_string(defaults.split_seed)))
      ("out-dir", "where the split is saved (train.npz, test.npz) for baseline.py",
       cxxopts::value<std::string>()->default_value(defaults.out_dir))
      ("h,help", "show this help");
  const auto r = parse_or_exit(options, argc, argv);
  SplitRunOptions o;
  try {
    o.csv = r["csv"].as<std::string>();
    o.seeds = parse_seed_list(r["seeds"].as<std::string>());
    o.epochs = r["epochs"].as<int>();
    o.test_fraction = r["test-fraction"].as<double>();
    o.split_seed = r["split-seed"].as<std::uint64_t>();
    o.out_dir = r["out-dir"].as<std::string>();
    if (o.epochs < 1) throw std::invalid_argument("--epochs must be at least 1");
    if (!(o.test_fraction > 0 && o.test_fraction < 1)) {
      throw std::invalid_argument("--test-fraction must be between 0 and 1");
    }
  } catch (const std::exception& e) {
    std::cerr << program << ": " << e.what() << "\n(see --help)" << std::endl;
    std::exit(2);
  }
  return o;
}

double train_and_test(xgrad::nn::Module& model, const xgrad::data::TensorDataset& train,
                      const xgrad::data::TensorDataset& test, std::uint64_t seed, int epochs) {
  using namespace xgrad;
  optim::Adam opt(model.parameters(), /*lr=*/1e-3f);
  data::TensorBatches batches(train, /*batch_size=*/32, seed, data::BatchOptions().one_hot(true));
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (auto& b : batches) {
      opt.zero_grad();
      Tensor loss = reduce_mean(softmax_cross_entropy_with_logits(b.one_hot, model(b.features)));
      loss.backward();
      opt.step();
    }
  }
  data::TensorBatches test_batches(test, 256, 0, data::BatchOptions().shuffle(false));
  data::Accuracy accuracy;
  data::evaluate(model, test_batches, {&accuracy});
  return accuracy.value();
}

void print_accuracy_summary(const std::string& what, const std::vector<double>& accuracies,
                            int epochs) {
  const Spread s = spread(accuracies);
  std::printf("%s test accuracy over %zu seeds: median %.4f, range %.4f-%.4f (%d epochs)\n",
              what.c_str(), accuracies.size(), s.median, s.min, s.max, epochs);
}

}  // namespace examples
