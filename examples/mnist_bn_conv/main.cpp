// Experiment 2, after the batch-normalization notebook of Udacity's deep-learning course
// (https://github.com/udacity/deep-learning, batch-norm): a 19-layer conv net on MNIST without
// batch norm, with the layers module's BatchNorm, and with batch norm written by hand from
// `moments` + `batch_normalization` (the notebook's tf.nn version). Adam 0.002, batch 64, 800
// batches, mean sigmoid cross-entropy; training loss/accuracy every 25 batches, validation
// every 100; final validation and test accuracy and the first 100 test images scored one at a
// time.
//
// With --seeds the program runs itself once per seed and reports the median and min-max over
// the seeds, and checks the notebook's conclusions over every seed.
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
#include "seeds.hpp"
#include "summary.hpp"

using namespace xgrad;

namespace {

constexpr long kFullBatches = 800;
constexpr long kQuickBatches = 60;
constexpr long kBatch = 64;
constexpr float kLearningRate = 0.002f;
constexpr float kDecay = 0.99f;  // tf.layers.batch_normalization's momentum, and the notebook's
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

/// Batch norm written out as the notebook's tf.nn version does: batch moments over `axes` in
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

/// The notebook's net: 19 conv layers (3x3, 4*i channels, stride 2 when i % 3 == 0, SAME, ReLU),
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
  double val_at_300 = -1;  // the notebook's log ends at batch 375: its last validation is at 300
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
      // As the notebook: the current batch scored in inference mode.
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

const char* kSource = "the batch-normalization notebook of Udacity's deep-learning course";
const char* kSourceLink = "https://github.com/udacity/deep-learning (batch-norm)";

/// Thresholds of the notebook's conclusions (final test accuracy; relative loss difference).
struct Thresholds {
  double max_no_bn = 0.2;          // no BN stays near chance
  double min_bn = 0.85;            // both BN versions learn, in every seed
  double min_bn_median = 0.93;     // and well, in the median
  double loss_tolerance = 1e-3;    // |loss difference| / loss of the two BN versions' first batch
};

/// One seed's full run; writes its CSV files and conv_results.csv to opts.out_dir.
void run_one_seed(const examples::CommonOptions& opts, long batches, long batch, long agreement) {
  auto found = examples::open_dataset(opts.data_dir);
  data::Dataset train_set = data::load_mnist(found.dir, data::Split::Train);
  data::Dataset validation = data::load_mnist(found.dir, data::Split::Validation);
  data::Dataset test = data::load_mnist(found.dir, data::Split::Test);
  examples::ensure_dir(opts.out_dir);
  examples::CsvWriter train_csv(opts.out_dir + "/conv_training.csv",
                                {"net", "batch", "batch_loss", "batch_accuracy"});
  examples::CsvWriter val_csv(opts.out_dir + "/conv_validation.csv",
                              {"net", "batch", "val_loss", "val_accuracy"});
  examples::CsvWriter results(opts.out_dir + "/conv_results.csv", {"measure", "value"});
  for (Variant v : {Variant::NoBN, Variant::BNLayers, Variant::BNHand}) {
    std::mt19937_64 rng(opts.seed);
    ConvNet net(v, rng);
    RunResult r = train(net, v, batches, batch, opts.seed, train_set, validation, test, &train_csv,
                        &val_csv, true);
    const std::string key = variant_key(v);
    if (r.val_at_300 >= 0) results.row(key + "_val300", {r.val_at_300});
    results.row(key + "_final_val", {r.final_val});
    results.row(key + "_final_test", {r.final_test});
    results.row(key + "_single", {r.single});
    results.row(key + "_seconds", {r.seconds});
  }

  // The two BN versions from the same initial weights: same losses up to float rounding.
  if (agreement > 0) {
    std::mt19937_64 rng_a(opts.seed), rng_b(opts.seed + 1);
    ConvNet layers(Variant::BNLayers, rng_a), hand(Variant::BNHand, rng_b);
    auto ka = layers.kernels(), kb = hand.kernels();
    for (std::size_t i = 0; i < ka.size(); ++i) nn::set_weights(kb[i], ka[i].value(), "kernel");
    auto ra = train(layers, Variant::BNLayers, agreement, batch, opts.seed, train_set, validation, test, nullptr, nullptr, false);
    auto rb = train(hand, Variant::BNHand, agreement, batch, opts.seed, train_set, validation, test, nullptr, nullptr, false);
    double max_diff = 0;
    for (std::size_t i = 0; i < ra.losses.size(); ++i) {
      max_diff = std::max(max_diff, std::abs(ra.losses[i] - rb.losses[i]));
    }
    // The layer runs fused_batch_norm, the hand version moments + batch_normalization: the
    // same function, rounded differently. Adam's first steps are about lr * sign(gradient),
    // so rounding-level differences in near-zero gradients move the two apart afterwards.
    const double first = std::abs(ra.losses[0] - rb.losses[0]);
    results.row("first_loss", {ra.losses[0]});
    results.row("first_loss_difference", {first});
    results.row("first_loss_relative_difference", {first / std::max(1e-30, std::abs(ra.losses[0]))});
    results.row("max_loss_difference", {max_diff});
    std::printf("BN layers vs BN by hand from the same weights, first batch: |loss difference| = "
                "%.2e (max over %ld batches of Adam: %.2g)\n", first, agreement, max_diff);
  }
  std::printf("seed %llu on %s: %ld batches of %ld\n", (unsigned long long)opts.seed,
              found.name.c_str(), batches, batch);
}

std::string scientific(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1e", v);
  return buf;
}

examples::Conclusion median_at_least(const examples::SeedResults& r, const std::string& name,
                                     const std::string& what, const std::string& measure,
                                     double threshold) {
  const auto s = r.of(measure);
  return {name, what + " at least " + examples::fixed(threshold, 2) + " in the median",
          s.median >= threshold,
          "median " + examples::fixed(s.median) + ", min-max " + examples::fixed(s.min) + "-" +
              examples::fixed(s.max)};
}

/// The results table and the conclusions over every seed; returns the exit status.
int summarise(const examples::SeedResults& r, long batches, long batch, const Thresholds& t, bool binding) {
  std::printf("\nExperiment 2: %ld batches of %ld, seeds %s; source: %s, %s\n", batches, batch,
              r.seed_list().c_str(), kSource, kSourceLink);
  // The notebook's printed log stops at batch 375: its last validation figure is at 300.
  const bool protocol = batches == kFullBatches && batch == kBatch;
  auto src = [&](const char* figure) { return std::string(protocol ? figure : "-"); };
  std::vector<examples::Row> rows;
  const char* at_300[] = {"0.0924", "0.8628", "0.1404"};
  int i = 0;
  for (Variant v : {Variant::NoBN, Variant::BNLayers, Variant::BNHand}) {
    const std::string key = variant_key(v), name = variant_name(v);
    rows.push_back({key + "_val300", name + ": validation @300", src(at_300[i++])});
    rows.push_back({key + "_final_val", name + ": final validation", "-"});
    rows.push_back({key + "_final_test", name + ": final test", "-"});
    rows.push_back({key + "_single", name + ": first 100 one at a time", "-", 2});
    rows.push_back({key + "_seconds", name + ": seconds (training, evaluations)", "-", 1});
  }
  rows.push_back({"first_loss_difference", "BN layers vs by hand, same weights: |first-batch loss difference|", "-", 8});
  examples::print_table(r, rows, "Udacity notebook");

  const std::string test = "final test accuracy";
  std::vector<examples::Conclusion> c = {
      examples::every_seed(r, "no-bn-stuck", "no BN: " + test + " at most " + examples::fixed(t.max_no_bn, 2),
                           "no_bn_final_test", [&](double v) { return v <= t.max_no_bn; }),
      examples::every_seed(r, "bn-layers-learns", "BN (layers module): " + test + " at least " + examples::fixed(t.min_bn, 2),
                           "bn_layers_final_test", [&](double v) { return v >= t.min_bn; }),
      examples::every_seed(r, "bn-hand-learns", "BN (by hand): " + test + " at least " + examples::fixed(t.min_bn, 2),
                           "bn_hand_final_test", [&](double v) { return v >= t.min_bn; }),
      median_at_least(r, "bn-layers-median", "BN (layers module): " + test, "bn_layers_final_test", t.min_bn_median),
      median_at_least(r, "bn-hand-median", "BN (by hand): " + test, "bn_hand_final_test", t.min_bn_median),
  };
  if (r.has("first_loss_relative_difference")) {
    c.push_back(examples::every_seed(
        r, "bn-versions-agree",
        "the two BN versions' first-batch losses from the same weights agree to float32 rounding "
        "(|difference| / loss at most " + scientific(t.loss_tolerance) + ")",
        "first_loss_relative_difference", [&](double v) { return v <= t.loss_tolerance; }));
  }
  return examples::report_conclusions(c, binding);
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options(
      "mnist_bn_conv",
      "Experiment 2: 19-layer conv net without BN, with the BN layer, and with BN written by "
      "hand, after the batch-normalization notebook of Udacity's deep-learning course "
      "(https://github.com/udacity/deep-learning, batch-norm)");
  examples::add_common_options(options);
  examples::add_seed_options(options);
  options.add_options()("agreement-batches",
                        "batches for the check that both BN versions agree from the same weights "
                        "(first-batch loss; 0 skips it)",
                        cxxopts::value<long>()->default_value("25"));
  Thresholds t;
  options.add_options("conclusions")
      ("enforce-conclusions", "exit non-zero when a conclusion fails also in a run shorter than "
                              "the protocol (at the protocol's length it always does)")
      ("max-no-bn-accuracy", "no BN's final test accuracy must be at most this, in every seed",
       cxxopts::value<double>()->default_value(examples::fixed(t.max_no_bn, 2)))
      ("min-bn-accuracy", "each BN version's final test accuracy must be at least this, in every seed",
       cxxopts::value<double>()->default_value(examples::fixed(t.min_bn, 2)))
      ("min-bn-median-accuracy", "each BN version's final test accuracy must be at least this in the median",
       cxxopts::value<double>()->default_value(examples::fixed(t.min_bn_median, 2)))
      ("loss-tolerance", "largest |first-batch loss difference| / loss of the two BN versions",
       cxxopts::value<double>()->default_value("0.001"));
  auto parsed = examples::parse_or_exit(options, argc, argv);
  auto opts = examples::read_common_options(parsed);
  const auto plan = examples::read_seed_plan(parsed, opts.seed);
  t.max_no_bn = parsed["max-no-bn-accuracy"].as<double>();
  t.min_bn = parsed["min-bn-accuracy"].as<double>();
  t.min_bn_median = parsed["min-bn-median-accuracy"].as<double>();
  t.loss_tolerance = parsed["loss-tolerance"].as<double>();
  const long batches = opts.steps ? opts.steps : (opts.quick ? kQuickBatches : kFullBatches);
  const long batch = opts.batch ? opts.batch : kBatch;
  const long agreement = parsed["agreement-batches"].as<long>();
  try {
    const std::vector<std::string> dirs =
        examples::run_plan(argc, argv, plan, opts.out_dir, [&](std::uint64_t seed) {
          examples::apply_threads(opts);
          opts.seed = seed;
          run_one_seed(opts, batches, batch, agreement);
        });
    std::vector<examples::Measures> runs;
    for (const auto& d : dirs) runs.push_back(examples::read_measures(d + "/conv_results.csv"));
    const bool binding = (batches == kFullBatches && batch == kBatch) || parsed.count("enforce-conclusions");
    const int status = summarise(examples::SeedResults(plan.seeds, std::move(runs)), batches, batch, t, binding);
    std::vector<std::string> plot_args{opts.out_dir};
    plot_args.insert(plot_args.end(), dirs.begin(), dirs.end());
    if (opts.plots && examples::render_plot("plot_conv.py", plot_args)) {
      std::printf("plot: %s/conv_accuracy.png\n", opts.out_dir.c_str());
    }
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnist_bn_conv: %s\n", e.what());
    return 1;
  }
}
