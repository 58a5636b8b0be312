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
#include <xgrad/data/batches.hpp>
#include <xgrad/data/image_folder.hpp>
#include <xgrad/data/prefetcher.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xview.hpp>

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

/// One training batch, recycled by the Prefetcher (its arrays keep their memory).
struct ImageBatch {
  xt::xarray<float> images;  // [B, H, W, C]
  xt::xarray<float> onehot;  // [B, classes]
};

/// Batches of a loaded image folder, shuffled per epoch by a seeded, platform-independent
/// Fisher-Yates (data::shuffle_indices), drop-last, augmented by crop + flip.
class ShuffledBatches {
public:
  ShuffledBatches(const data::ImageFolder& set, std::size_t batch, std::uint64_t seed,
                  data::AugmentOptions augment)
      : set_(set), batch_(batch), seed_(seed), augment_(augment), rng_(seed),
        order_(set.size()) {}

  /// Fills `b` with step `step`'s batch (steps run in order from 0).
  void fill(ImageBatch& b, std::uint64_t step) {
    const std::size_t per_epoch = set_.size() / batch_;
    const std::size_t pos = std::size_t(step % per_epoch) * batch_;
    if (pos == 0) {
      for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
      data::shuffle_indices(order_, rng_);
    }
    const auto& shape = set_.images.shape();
    const std::size_t row = shape[1] * shape[2] * shape[3], classes = set_.class_names.size();
    b.images.resize({batch_, shape[1], shape[2], shape[3]});
    b.onehot.resize({batch_, classes});
    b.onehot.fill(0.0f);
    for (std::size_t i = 0; i < batch_; ++i) {
      const std::size_t src = order_[pos + i];
      std::copy_n(set_.images.data() + src * row, row, b.images.data() + i * row);
      b.onehot(i, std::size_t(set_.labels(src))) = 1.0f;
    }
    data::random_crop_flip(b.images, augment_, seed_, step);
  }

private:
  const data::ImageFolder& set_;
  std::size_t batch_;
  std::uint64_t seed_;
  data::AugmentOptions augment_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_;
};

/// Test accuracy in eval mode, without gradients, in chunks.
double evaluate(examples::ShapesNet& net, const data::ImageFolder& set) {
  NoGradGuard no_grad;
  net.eval();
  const std::size_t n = set.size(), chunk = 256;
  std::size_t correct = 0;
  for (std::size_t s = 0; s < n; s += chunk) {
    const std::size_t e = std::min(n, s + chunk);
    Tensor logits = net(Tensor(xt::xarray<float>(xt::view(set.images, xt::range(s, e)))));
    const auto& v = logits.value();
    for (std::size_t i = 0; i < e - s; ++i) {
      std::size_t best = 0;
      for (std::size_t k = 1; k < v.shape(1); ++k) {
        if (v(i, k) > v(i, best)) best = k;
      }
      correct += best == std::size_t(set.labels(s + i));
    }
  }
  net.train();
  return double(correct) / double(n);
}

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
    const data::ImageFolder train = data::load_image_folder((root / "train").string(), load);
    const data::ImageFolder test = data::load_image_folder((root / "test").string(), load);
    std::printf("images: %s, %zu training and %zu test images of %zux%zu, classes:", root.c_str(),
                train.size(), test.size(), kSide, kSide);
    for (const auto& c : train.class_names) std::printf(" %s", c.c_str());
    std::printf("\n");
    if (train.size() < batch) throw std::runtime_error("fewer training images than one batch");

    const long per_epoch = long(train.size() / batch);
    const long total = opts.steps ? opts.steps : parsed["epochs"].as<long>() * per_epoch;
    const bool augment = parsed.count("no-augment") == 0;
    const bool prefetch = parsed.count("no-prefetch") == 0;
    // Serial on the loader thread: the training step keeps xgrad's threads.
    const auto aug = augment ? data::AugmentOptions().crop_padding(4).horizontal_flip(true).parallel(false)
                             : data::AugmentOptions();
    ShuffledBatches batches(train, batch, opts.seed, aug);

    std::mt19937_64 rng(opts.seed);
    examples::ShapesNet net(train.class_names.size(), rng);
    optim::Adam adam(net.parameters(), kLearningRate);

    std::uint64_t made = 0;
    auto produce = [&](ImageBatch& b) {
      if (long(made) == total) return false;
      batches.fill(b, made++);
      return true;
    };
    std::unique_ptr<data::Prefetcher<ImageBatch>> loader;
    if (prefetch) loader = std::make_unique<data::Prefetcher<ImageBatch>>(produce, 2);
    ImageBatch b;
    double running = 0;
    for (long step = 0; prefetch ? loader->next(b) : produce(b); ++step) {
      adam.zero_grad();
      Tensor loss = reduce_mean(softmax_cross_entropy_with_logits(Tensor(b.onehot), net(Tensor(b.images))));
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
    std::printf("test accuracy: %.4f\n", evaluate(net, test));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "image_folder: %s\n", e.what());
    return 1;
  }
  return 0;
}
