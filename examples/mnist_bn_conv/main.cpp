// Experiment 2 (seed 003): a 19-layer conv net on MNIST without batch norm, with the layers
// module's BatchNorm, and with batch norm written by hand from `moments` +
// `batch_normalization` (the seed's tf.nn version). Adam 0.002, batch 64, 800 batches, mean
// sigmoid cross-entropy; training loss/accuracy every 25 batches, validation every 100; final
// validation and test accuracy and the first 100 test images scored one at a time.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xview.hpp>

#include "cli.hpp"
#include "csv.hpp"
#include "datasets.hpp"
#include "plot.hpp"
#include "progress.hpp"

using namespace xgrad;

namespace {

constexpr long kFullBatches = 800;
constexpr long kQuickBatches = 60;
constexpr long kBatch = 64;
constexpr float kLearningRate = 0.002f;
constexpr float kDecay = 0.99f;  // tf.layers.batch_normalization's momentum, and the seed's
constexpr float kEps = 1e-3f;

enum class Variant { NoBN, BNLayers, BNHand };

/// Short name for CSV files and plot legends.
const char* variant_key(Variant v) {
  switch (v) {
    case Variant::NoBN: return "no_bn";
    case Variant::BNLayers: return "bn_layers";
    default: return "bn_hand";
  }
}

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::NoBN: return "no BN";
    case Variant::BNLayers: return "BN (layers module)";
    default: return "BN (by hand, moments + batch_normalization)";
  }
}

/// Batch norm written out as the seed's tf.nn version does: batch moments over `axes` in
/// training (and an exponential moving average of them), population statistics at test time.
class HandBatchNorm : public nn::Module {
public:
  HandBatchNorm(std::size_t features, Axes axes) : Module("HandBatchNorm"), axes_(std::move(axes)) {
    gamma_ = register_parameter("gamma", Tensor::ones({features}));
    beta_ = register_parameter("beta", Tensor::zeros({features}));
    pop_mean_ = register_buffer("pop_mean", Tensor::zeros({features}));
    pop_variance_ = register_buffer("pop_variance", Tensor::ones({features}));
  }

  Tensor forward(const Tensor& x) override {
    if (!is_training()) return batch_normalization(x, pop_mean_, pop_variance_, beta_, gamma_, kEps);
    Moments<float> batch = moments(x, axes_);
    {
      NoGradGuard no_grad;  // in place, so every handle (and checkpoints) sees the update
      pop_mean_.value() = pop_mean_.value() * kDecay + batch.mean.value() * (1 - kDecay);
      pop_variance_.value() = pop_variance_.value() * kDecay + batch.variance.value() * (1 - kDecay);
    }
    return batch_normalization(x, batch.mean, batch.variance, beta_, gamma_, kEps);
  }

private:
  Axes axes_;
  Tensor gamma_, beta_, pop_mean_, pop_variance_;
};

/// A conv layer of the hand-written version: its own truncated-normal (std 0.05) filter, no
/// bias, then HandBatchNorm over [batch, H, W].
class HandConvBN : public nn::Module {
public:
  HandConvBN(std::size_t in, std::size_t out, std::size_t stride, std::mt19937_64& rng)
      : Module("HandConvBN"), stride_(stride) {
    kernel_ = register_parameter("kernel", Tensor(nn::init::truncated_normal({3, 3, in, out}, 0.05, rng)));
    bn_ = std::static_pointer_cast<HandBatchNorm>(
        register_module("bn", std::make_shared<HandBatchNorm>(out, Axes{0, 1, 2})));
  }
  Tensor forward(const Tensor& x) override {
    return bn_->forward(conv2d(x, kernel_, {stride_, stride_}, Padding::Same));
  }
  const Tensor& kernel() const { return kernel_; }

private:
  std::size_t stride_;
  Tensor kernel_;
  std::shared_ptr<HandBatchNorm> bn_;
};

/// The seed's net: 19 conv layers (3x3, 4*i channels, stride 2 when i % 3 == 0, SAME, ReLU),
/// flatten, dense 100 + ReLU, dense 10. With BN, the layers before a BN have no bias.
class ConvNet : public nn::Module {
public:
  ConvNet(Variant variant, std::mt19937_64& rng) : Module("ConvNet") {
    std::size_t channels = 1, size = 28;
    for (std::size_t i = 1; i <= 19; ++i) {
      const std::size_t stride = i % 3 == 0 ? 2 : 1, out = 4 * i;
      auto& seq = *body_;
      if (variant == Variant::BNHand) {
        seq.add(std::make_shared<HandConvBN>(channels, out, stride, rng));
      } else {
        seq.add(std::make_shared<nn::Conv2D>(channels, out, 3, stride, Padding::Same,
                                             variant == Variant::NoBN, rng));
        if (variant == Variant::BNLayers) {
          seq.add(std::make_shared<nn::BatchNorm>(nn::BatchNormOptions(out).decay(kDecay).eps(kEps)));
        }
      }
      seq.add(std::make_shared<nn::ReLU>());
      channels = out;
      size = (size + stride - 1) / stride;
    }
    body_->add(std::make_shared<nn::Flatten>());
    const std::size_t flat = channels * size * size;
    body_->add(std::make_shared<nn::Dense>(flat, 100, variant == Variant::NoBN, rng));
    if (variant == Variant::BNLayers) {
      body_->add(std::make_shared<nn::BatchNorm>(nn::BatchNormOptions(100).decay(kDecay).eps(kEps)));
    } else if (variant == Variant::BNHand) {
      body_->add(std::make_shared<HandBatchNorm>(100, Axes{0}));
    }
    body_->add(std::make_shared<nn::ReLU>());
    body_->add(std::make_shared<nn::Dense>(100, 10, true, rng));
    register_module("body", body_);
  }

  Tensor forward(const Tensor& x) override { return body_->forward(x); }

  /// Every conv/dense kernel, in order (for starting two versions from the same weights).
  std::vector<Tensor> kernels() const {
    std::vector<Tensor> out;
    for (auto& [name, p] : named_parameters()) {
      if (name.size() >= 6 && name.compare(name.size() - 6, 6, "kernel") == 0) out.push_back(p);
    }
    return out;
  }

private:
  std::shared_ptr<nn::Sequential> body_ = std::make_shared<nn::Sequential>();
};

struct Eval {
  double loss, accuracy;
};

Tensor as_images(const Tensor& flat) { return reshape(flat, {-1, 28, 28, 1}); }

/// Inference-mode loss and accuracy over a whole split, in chunks to bound memory.
Eval evaluate(ConvNet& net, const data::Dataset& split) {
  NoGradGuard no_grad;
  const bool was_training = net.is_training();
  net.eval();
  const std::size_t n = split.labels.size(), chunk = 500;
  double loss = 0, correct = 0;
  xt::xarray<float> onehot = data::one_hot(split.labels, 10);
  for (std::size_t s = 0; s < n; s += chunk) {
    const std::size_t e = std::min(n, s + chunk);
    Tensor x(xt::xarray<float>(xt::view(split.images, xt::range(s, e), xt::all())));
    Tensor y(xt::xarray<float>(xt::view(onehot, xt::range(s, e), xt::all())));
    xt::xarray<std::uint8_t> ids = xt::view(split.labels, xt::range(s, e));
    Tensor logits = net.forward(as_images(x));
    loss += reduce_sum(sigmoid_cross_entropy_with_logits(y, logits)).item() / 10.0;
    correct += examples::accuracy(logits, ids) * double(e - s);
  }
  net.train(was_training);
  return {loss / double(n), correct / double(n)};
}

double score_one_at_a_time(ConvNet& net, const data::Dataset& test) {
  NoGradGuard no_grad;
  net.eval();
  int correct = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    Tensor x(xt::xarray<float>(xt::view(test.images, xt::range(i, i + 1), xt::all())));
    correct += argmax(net.forward(as_images(x)), -1)(0) == test.labels(i);
  }
  net.train();
  return correct / 100.0;
}

struct RunResult {
  Variant variant;
  double final_val, final_test, single, seconds;
  double val_at_300 = -1;  // the seed's logs end at batch 375: its last validation is at 300
  std::vector<double> losses;  // training loss of every batch
};

RunResult train(ConvNet& net, Variant variant, long batches, long batch, std::uint64_t seed,
                const data::Dataset& train_set, const data::Dataset& validation,
                const data::Dataset& test, examples::CsvWriter* train_csv,
                examples::CsvWriter* val_csv, bool log) {
  optim::Adam adam(net.parameters(), kLearningRate, 0.9f, 0.999f, 1e-8f);  // tf.train.AdamOptimizer
  data::Batches stream(train_set, std::size_t(batch), seed, data::BatchOptions().endless(true));
  data::Batch b;
  RunResult r{variant, 0, 0, 0, 0, -1, {}};
  examples::ProgressBar bar(std::string("conv ") + variant_key(variant), batches);
  const std::string name = variant_key(variant);
  for (long i = 0; i < batches; ++i) {
    stream.next(b);
    if (log && i % 100 == 0) {
      Eval v = evaluate(net, validation);
      val_csv->row(name, {double(i), v.loss, v.accuracy});
      if (i == 300) r.val_at_300 = v.accuracy;
    }
    adam.zero_grad();
    Tensor logits = net.forward(as_images(b.images));
    Tensor loss = reduce_mean(sigmoid_cross_entropy_with_logits(b.labels, logits));
    loss.backward();
    adam.step();
    r.losses.push_back(loss.item());
    if (log && i % 25 == 0) {
      // As the seed: the current batch scored in inference mode.
      NoGradGuard no_grad;
      net.eval();
      Tensor l2 = net.forward(as_images(b.images));
      double acc = examples::accuracy(l2, b.label_ids);
      double bl = reduce_mean(sigmoid_cross_entropy_with_logits(b.labels, l2)).item();
      net.train();
      train_csv->row(name, {double(i), bl, acc});
    }
    char note[64];
    std::snprintf(note, sizeof note, "loss %.4f", r.losses.back());
    bar.update(i + 1, note);
  }
  bar.finish();
  r.seconds = bar.elapsed_seconds();
  if (log) {
    Eval v = evaluate(net, validation);
    val_csv->row(name, {double(batches), v.loss, v.accuracy});
    r.final_val = v.accuracy;
    r.final_test = evaluate(net, test).accuracy;
    r.single = score_one_at_a_time(net, test);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("mnist_bn_conv",
                           "Experiment 2 (seed 003): 19-layer conv net without BN, with the BN "
                           "layer, and with BN written by hand");
  examples::add_common_options(options);
  options.add_options()("agreement-batches",
                        "batches for the check that both BN versions agree from the same weights (first-batch loss)",
                        cxxopts::value<long>()->default_value("25"));
  auto parsed = examples::parse_or_exit(options, argc, argv);
  auto opts = examples::read_common_options(parsed);
  const long batches = opts.steps ? opts.steps : (opts.quick ? kQuickBatches : kFullBatches);
  const long batch = opts.batch ? opts.batch : kBatch;
  const long agreement = parsed["agreement-batches"].as<long>();
  examples::apply_threads(opts);
  try {
    auto found = examples::open_dataset(opts.data_dir);
    data::Dataset train_set = data::load_mnist(found.dir, data::Split::Train);
    data::Dataset validation = data::load_mnist(found.dir, data::Split::Validation);
    data::Dataset test = data::load_mnist(found.dir, data::Split::Test);
    examples::ensure_dir(opts.out_dir);
    examples::CsvWriter train_csv(opts.out_dir + "/conv_training.csv",
                                  {"net", "batch", "batch_loss", "batch_accuracy"});
    examples::CsvWriter val_csv(opts.out_dir + "/conv_validation.csv",
                                {"net", "batch", "val_loss", "val_accuracy"});
    std::vector<RunResult> results;
    for (Variant v : {Variant::NoBN, Variant::BNLayers, Variant::BNHand}) {
      std::mt19937_64 rng(opts.seed);
      ConvNet net(v, rng);
      results.push_back(train(net, v, batches, batch, opts.seed, train_set, validation, test,
                              &train_csv, &val_csv, true));
    }

    // The two BN versions from the same initial weights: same losses up to float rounding.
    double max_loss_diff = 0, first_loss_diff = 0;
    if (agreement > 0) {
      std::mt19937_64 rng_a(opts.seed), rng_b(opts.seed + 1);
      ConvNet layers(Variant::BNLayers, rng_a), hand(Variant::BNHand, rng_b);
      auto ka = layers.kernels(), kb = hand.kernels();
      for (std::size_t i = 0; i < ka.size(); ++i) nn::set_weights(kb[i], ka[i].value(), "kernel");
      auto ra = train(layers, Variant::BNLayers, agreement, batch, opts.seed, train_set, validation, test, nullptr, nullptr, false);
      auto rb = train(hand, Variant::BNHand, agreement, batch, opts.seed, train_set, validation, test, nullptr, nullptr, false);
      for (std::size_t i = 0; i < ra.losses.size(); ++i) {
        max_loss_diff = std::max(max_loss_diff, std::abs(ra.losses[i] - rb.losses[i]));
      }
      if (!ra.losses.empty()) first_loss_diff = std::abs(ra.losses[0] - rb.losses[0]);
    }

    std::printf("\nExperiment 2 on %s: %ld batches of %ld, seed %llu\n", found.name.c_str(), batches,
                batch, (unsigned long long)opts.seed);
    // The seed's printed log stops at batch 375, so its last validation accuracy is at 300.
    std::printf("%-46s %9s %9s %9s %10s %8s\n", "net", "val@300", "seed@300", "final val",
                "final test", "100 one-by-one");
    const char* seed_at_300[] = {"0.0924", "0.8628", "0.1404"};
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      char v300[16] = "-";
      if (r.val_at_300 >= 0) std::snprintf(v300, sizeof v300, "%.4f", r.val_at_300);
      std::printf("%-46s %9s %9s %9.4f %10.4f %8.2f\n", variant_name(r.variant), v300,
                  seed_at_300[i], r.final_val, r.final_test, r.single);
    }
    for (const auto& r : results) {
      std::printf("training time, %s: %.1f s\n", variant_key(r.variant), r.seconds);
    }
    if (agreement > 0) {
      // The layer runs fused_batch_norm, the hand version moments + batch_normalization: the
      // same function, rounded differently. Adam's first steps are about lr * sign(gradient),
      // so rounding-level differences in near-zero gradients move the two apart afterwards.
      std::printf("BN layers vs BN by hand from the same weights, first batch: |loss difference| = "
                  "%.2e (max over %ld batches of Adam: %.2g)\n", first_loss_diff, agreement,
                  max_loss_diff);
    }
    examples::CsvWriter summary(opts.out_dir + "/conv_results.csv",
                                {"net", "val_accuracy", "test_accuracy", "single_100", "seconds"});
    for (const auto& r : results) {
      summary.row(variant_key(r.variant), {r.final_val, r.final_test, r.single, r.seconds});
    }
    if (opts.plots && examples::render_plot("plot_conv.py", {opts.out_dir})) {
      std::printf("plot: %s/conv_accuracy.png\n", opts.out_dir.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnist_bn_conv: %s\n", e.what());
    return 1;
  }
  return 0;
}
