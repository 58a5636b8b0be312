// Train a classifier on your own CSV file: a header line, numeric columns, one column of
// class ids 0, 1, ... The README's data section quotes this file.
// usage: train_csv FILE.csv TARGET_COLUMN [EPOCHS]
// [readme-train-csv-begin]
#include <cstdio>
#include <string>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

int main(int argc, char** argv) try {
  if (argc < 3) {
    std::fprintf(stderr, "usage: train_csv FILE.csv TARGET_COLUMN [EPOCHS]\n");
    return 2;
  }
  const int epochs = argc > 3 ? std::stoi(argv[3]) : 50;
  // Every other column is a feature; a bad value stops here, naming the file, line and column.
  data::TensorDataset all = data::load_csv(argv[1], data::CsvOptions().target(argv[2]));
  auto parts = data::train_validation_split(all, 0.2, /*seed=*/0, /*stratified=*/true);
  auto scaler = data::Standardizer::fit(parts.train);  // fitted on the training part only
  scaler.apply(parts.train);
  scaler.apply(parts.validation);

  nn::manual_seed(1);
  nn::Sequential model;
  model.add(nn::Dense(all.example_size(), 64));
  model.add(nn::ReLU());
  model.add(nn::Dense(64, all.num_classes));
  optim::Adam opt(model.parameters(), /*lr=*/1e-3f);

  data::TensorBatches batches(parts.train, /*batch_size=*/32, /*seed=*/1,
                              data::BatchOptions().one_hot(true));
  data::TensorBatches validation(parts.validation, 256, 0, data::BatchOptions().shuffle(false));
  data::Accuracy accuracy;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    for (auto& b : batches) {  // one epoch, reshuffled every time
      opt.zero_grad();
      Tensor loss = reduce_mean(softmax_cross_entropy_with_logits(b.one_hot, model(b.features)));
      loss.backward();
      opt.step();
    }
    data::evaluate(model, validation, {&accuracy});  // eval mode, no graph recorded
    if (epoch % 10 == 0 || epoch == epochs) {
      std::printf("epoch %d: validation accuracy %.4f\n", epoch, accuracy.value());
    }
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "train_csv: %s\n", e.what());
  return 1;
}
// [readme-train-csv-end]
