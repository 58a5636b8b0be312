// Training on a folder of colour images: writes a generated image folder (four classes of
// coloured shapes, PNG), loads it with data::load_image_folder, trains a small conv net with
// random crop + flip prepared on a loader thread (data::Prefetcher), and reports the test
// accuracy.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include <xgrad/data/augment.hpp>
#include <xgrad/data/evaluate.hpp>
#include <xgrad/data/image_folder.hpp>
#include <xgrad/data/prefetcher.hpp>
#include <xgrad/data/tensor_batches.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "datasets.hpp"
#include "shapes.hpp"
#include "shapes_net.hpp"

using namespace xgrad;

namespace {

constexpr std::size_t kSide = 32;
constexpr long kBatch = 32;
constexpr long kEpochs = 6;
constexpr double kLearningRate = 0.003;

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("image_folder",
                           "Trains a small conv net on a generated folder of colour PNG images "
                           "(load_image_folder, random crop + flip, a prefetching loader)");
  examples::add_common_options(options);
  options.add_options()("epochs", "training epochs (ignored with --steps)",
                        cxxopts::value<long>()->default_value(std::to_string(kEpochs)))(
      "train-per-class", "training images written per class",
      cxxopts::value<std::size_t>()->default_value("150"))(
      "test-per-class", "test images written per class",
      cxxopts::value<std::size_t>()->default_value("50"))(
      "no-prefetch", "prepare each batch on the training thread (same batches, same result)")(
      "no-augment", "train without crop and flip");
  auto parsed = examples::parse_or_exit(options, argc, argv);
  auto opts = examples::read_common_options(parsed);
  const std::size_t batch = std::size_t(opts.batch ? opts.batch : kBatch);
  examples::apply_threads(opts);
  try {
    // The folder: written from generated images (the image seed is fixed, so every training
    // seed sees the same files; the test images come from another stream).
    const std::filesystem::path root = std::filesystem::path(opts.out_dir) / "shapes";
    examples::write_shape_folder((root / "train").string(),
                                 parsed["train-per-class"].as<std::size_t>(), kSide, 1000);
    examples::write_shape_folder((root / "test").string(),
                                 parsed["test-per-class"].as<std::size_t>(), kSide, 2000);
    const auto load = data::ImageFolderOptions().channels(3).expect_size(kSide, kSide);
    data::ImageFolder train = data::load_image_folder((root / "train").string(), load);
    data::ImageFolder test = data::load_image_folder((root / "test").string(), load);
    std::printf("images: %s, %zu training and %zu test images of %zux%zu, classes:", root.c_str(),
                train.size(), test.size(), kSide, kSide);
    for (const auto& c : train.class_names) std::printf(" %s", c.c_str());
    std::printf("\n");
    if (train.size() < batch) throw std::runtime_error("fewer training images than one batch");

    const std::size_t classes = train.class_names.size();
    const data::TensorDataset train_set = data::TensorDataset::classification(
        std::move(train.images), std::move(train.labels), classes, (root / "train").string());
    const data::TensorDataset test_set = data::TensorDataset::classification(
        std::move(test.images), std::move(test.labels), classes, (root / "test").string());

    const long per_epoch = long(train_set.size() / batch);
    const long total = opts.steps ? opts.steps : parsed["epochs"].as<long>() * per_epoch;
    const bool augment = parsed.count("no-augment") == 0;
    const bool prefetch = parsed.count("no-prefetch") == 0;
    // Shuffled every epoch, drop-last, one-hot targets; crop + flip drawn per example from
    // (seed, step, example), so the batches are the same on either thread. Serial on the
    // loader thread: the training step keeps xgrad's threads.
    data::TensorBatches batches(train_set, batch, opts.seed,
                                data::BatchOptions().one_hot(true).drop_last(true).endless(true));
    if (augment) {
      const auto aug = data::AugmentOptions().crop_padding(4).horizontal_flip(true).parallel(false);
      const std::uint64_t seed = opts.seed;
      batches.set_transform([aug, seed](data::TensorBatch& b) {
        data::random_crop_flip(b.features.value(), aug, seed, b.step);
      });
    }

    std::mt19937_64 rng(opts.seed);
    examples::ShapesNet net(classes, rng);
    optim::Adam adam(net.parameters(), kLearningRate);

    long made = 0;
    auto produce = [&](data::TensorBatch& b) {
      if (made == total) return false;
      ++made;
      return batches.next(b);
    };
    std::unique_ptr<data::Prefetcher<data::TensorBatch>> loader;
    if (prefetch) loader = std::make_unique<data::Prefetcher<data::TensorBatch>>(produce, 2);
    data::TensorBatch b;
    double running = 0;
    for (long step = 0; prefetch ? loader->next(b) : produce(b); ++step) {
      adam.zero_grad();
      Tensor loss = reduce_mean(softmax_cross_entropy_with_logits(b.one_hot, net(b.features)));
      loss.backward();
      adam.step();
      running = step == 0 ? loss.item() : 0.95 * running + 0.05 * loss.item();
      if ((step + 1) % per_epoch == 0 || step + 1 == total) {
        std::printf("step %ld/%ld (epoch %.1f): training loss %.4f\n", step + 1, total,
                    double(step + 1) / double(per_epoch), running);
      }
    }
    std::printf("image_folder: seed %llu, %ld steps of %zu, augmentation %s, prefetching %s\n",
                (unsigned long long)opts.seed, total, batch, augment ? "crop 4 + flip" : "off",
                prefetch ? "on" : "off");
    data::TensorBatches test_batches(test_set, 256, 0, data::BatchOptions().shuffle(false));
    data::Accuracy accuracy;
    data::evaluate(net, test_batches, {&accuracy});
    std::printf("test accuracy: %.4f\n", accuracy.value());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "image_folder: %s\n", e.what());
    return 1;
  }
  return 0;
}
