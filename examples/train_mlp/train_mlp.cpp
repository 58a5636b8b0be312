// A complete training script: the walkthrough in the README quotes this file.
// usage: train_mlp [DATA_DIR [STEPS]]
// [readme-training-script-begin]
#include <cstdio>
#include <string>

#include <xgrad/data/data.hpp>
#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : data::find_dataset_dir().dir;
  const long steps = argc > 2 ? std::stol(argv[2]) : 2000;
  nn::manual_seed(1);  // the layers draw their initial weights from this generator

  // 784 -> 100 -> BN -> sigmoid -> 10, as in Experiment 1's MLP.
  nn::Sequential model;
  model.add(nn::Dense(784, 100, /*use_bias=*/false));
  model.add(nn::BatchNorm(nn::BatchNormOptions(100).decay(0.99f).eps(1e-3f)));
  model.add(nn::Sigmoid());
  model.add(nn::Dense(100, 10));
  optim::SGD opt(model.parameters(), /*lr=*/0.01f);

  data::Dataset train = data::load_mnist(dir, data::Split::Train);
  data::Batches batches(train, /*batch_size=*/60, /*seed=*/1, data::BatchOptions().endless(true));
  data::Batch batch;
  for (long step = 0; step < steps && batches.next(batch); ++step) {
    opt.zero_grad();
    Tensor logits = model(batch.images);
    Tensor loss = reduce_sum(softmax_cross_entropy_with_logits(batch.labels, logits));
    loss.backward();
    opt.step();
    if (step % 500 == 0) std::printf("step %ld: loss %.3f\n", step, loss.item());
  }

  // Score with the population statistics: eval() mode, and no graph recording.
  model.eval();
  data::Dataset test = data::load_mnist(dir, data::Split::Test);
  NoGradGuard no_grad;
  auto predicted = argmax(model(Tensor(test.images)), -1);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < test.size(); ++i) correct += predicted(i) == test.labels(i);
  std::printf("test accuracy: %.4f\n", double(correct) / double(test.size()));

  io::save(model, "train_mlp.safetensors");  // every parameter and buffer, by dotted name
  return 0;
}
// [readme-training-script-end]
