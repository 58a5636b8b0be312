// A small conv net on Fashion-MNIST: three conv blocks (conv + BN + ReLU + max pooling),
// dropout, a dense head; Adam with a warm-up + cosine schedule; the model summary at start,
// a progress bar, CSV logs and a plot, and a checkpoint (model + optimizer) after every epoch
// that --resume continues from.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

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

constexpr long kEpochs = 3;
constexpr long kBatch = 64;
constexpr double kPeakLearningRate = 0.003;
constexpr long kWarmupSteps = 200;
constexpr float kDropout = 0.3f;

/// conv 3x3 SAME (no bias: BN's beta is the offset) -> BN -> ReLU -> 2x2 max pooling.
class ConvBlock : public nn::Module {
public:
  ConvBlock(std::size_t in, std::size_t out, std::mt19937_64& rng) : nn::Module("ConvBlock") {
    conv_ = register_module("conv", std::make_shared<nn::Conv2D>(in, out, 3, 1, Padding::Same,
                                                                 /*use_bias=*/false, rng));
    bn_ = register_module("bn", std::make_shared<nn::BatchNorm>(out));
    pool_ = register_module("pool", std::make_shared<nn::MaxPool2D>(2));
  }
  Tensor forward(const Tensor& x) override { return (*pool_)(relu((*bn_)((*conv_)(x)))); }

private:
  std::shared_ptr<nn::Conv2D> conv_;
  std::shared_ptr<nn::BatchNorm> bn_;
  std::shared_ptr<nn::MaxPool2D> pool_;
};

/// [N, 28, 28, 1] -> 16 channels at 14x14 -> 32 at 7x7 -> 64 at 3x3 -> flatten 576 ->
/// dense 128 + ReLU -> dropout -> dense 10 (logits).
class FashionNet : public nn::Module {
public:
  FashionNet(std::mt19937_64& rng, std::uint64_t dropout_seed) : nn::Module("FashionNet") {
    block1_ = register_module("block1", std::make_shared<ConvBlock>(1, 16, rng));
    block2_ = register_module("block2", std::make_shared<ConvBlock>(16, 32, rng));
    block3_ = register_module("block3", std::make_shared<ConvBlock>(32, 64, rng));
    flatten_ = register_module("flatten", std::make_shared<nn::Flatten>());
    hidden_ = register_module("hidden", std::make_shared<nn::Dense>(3 * 3 * 64, 128, true, rng));
    dropout_ = register_module("dropout", std::make_shared<nn::Dropout>(kDropout, dropout_seed));
    logits_ = register_module("logits", std::make_shared<nn::Dense>(128, 10, true, rng));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = (*flatten_)((*block3_)((*block2_)((*block1_)(x))));
    return (*logits_)((*dropout_)(relu((*hidden_)(h))));
  }
  /// After a resume at `step`: dropout draws one mask per training step, so it continues
  /// with the mask the uninterrupted run would have drawn.
  void resume_dropout_at(std::uint64_t step) { dropout_->set_calls(step); }

private:
  std::shared_ptr<ConvBlock> block1_, block2_, block3_;
  std::shared_ptr<nn::Flatten> flatten_;
  std::shared_ptr<nn::Dense> hidden_, logits_;
  std::shared_ptr<nn::Dropout> dropout_;
};

/// Fashion-MNIST unless --data-dir says otherwise: $XGRAD_FASHION_MNIST_DIR, data/fashion-mnist
/// in this folder or a parent (data/fetch_fashion_mnist.sh fills it), then Debian's package.
std::string find_fashion_dir(const std::string& given) {
  if (!given.empty()) {
    if (!data::has_mnist_files(given)) {
      throw std::runtime_error("--data-dir '" + given + "' does not hold the four idx files");
    }
    return given;
  }
  std::vector<std::string> tried;
  if (const char* env = std::getenv("XGRAD_FASHION_MNIST_DIR")) tried.push_back(env);
  for (auto dir = std::filesystem::absolute(".");; dir = dir.parent_path()) {
    tried.push_back((dir / "data" / "fashion-mnist").string());
    if (dir == dir.parent_path()) break;
  }
  tried.push_back("/usr/share/datasets/fashion-mnist");
  for (const auto& d : tried) {
    if (data::has_mnist_files(d)) return d;
  }
  std::string msg = "Fashion-MNIST not found (apt-get install dataset-fashion-mnist, or "
                    "data/fetch_fashion_mnist.sh); tried:";
  for (const auto& d : tried) msg += " " + d;
  throw std::runtime_error(msg);
}

struct Eval {
  double loss, accuracy;
};

/// Inference-mode mean loss and accuracy over a split, in chunks to bound memory.
Eval evaluate(FashionNet& net, const data::Dataset& split) {
  NoGradGuard no_grad;
  const bool was_training = net.is_training();
  net.eval();
  const std::size_t n = split.labels.size(), chunk = 1000;
  xt::xarray<float> onehot = data::one_hot(split.labels, 10);
  double loss = 0, correct = 0;
  for (std::size_t s = 0; s < n; s += chunk) {
    const std::size_t e = std::min(n, s + chunk);
    Tensor x(data::as_nhwc(xt::xarray<float>(xt::view(split.images, xt::range(s, e), xt::all()))));
    Tensor y(xt::xarray<float>(xt::view(onehot, xt::range(s, e), xt::all())));
    xt::xarray<std::uint8_t> ids = xt::view(split.labels, xt::range(s, e));
    Tensor logits = net(x);
    loss += reduce_sum(softmax_cross_entropy_with_logits(y, logits)).item();
    correct += examples::accuracy(logits, ids) * double(e - s);
  }
  net.train(was_training);
  return {loss / double(n), correct / double(n)};
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("fashion_cnn",
                           "A small conv net (pooling, dropout, BN) on Fashion-MNIST with Adam "
                           "and a warm-up + cosine learning-rate schedule");
  examples::add_common_options(options);
  options.add_options()("epochs", "training epochs (ignored with --steps)",
                        cxxopts::value<long>()->default_value(std::to_string(kEpochs)))(
      "resume", "continue from <out-dir>/fashion_cnn.safetensors (model and optimizer)");
  auto parsed = examples::parse_or_exit(options, argc, argv);
  auto opts = examples::read_common_options(parsed);
  const long batch = opts.batch ? opts.batch : kBatch;
  const bool resume = parsed.count("resume") > 0;
  examples::apply_threads(opts);
  try {
    const std::string dir = find_fashion_dir(opts.data_dir);
    std::printf("data: %s\n", dir.c_str());
    data::Dataset train_set = data::load_mnist(dir, data::Split::Train);
    data::Dataset validation = data::load_mnist(dir, data::Split::Validation);
    data::Dataset test = data::load_mnist(dir, data::Split::Test);
    const auto batch_options = data::BatchOptions().drop_last(true).layout(data::Layout::NHWC);
    const long per_epoch =
        long(data::Batches(train_set, std::size_t(batch), 0, batch_options).batches_per_epoch());
    const long epochs = opts.quick ? 1 : parsed["epochs"].as<long>();
    const long total = opts.steps ? opts.steps : (opts.quick ? 150 : epochs * per_epoch);

    std::mt19937_64 rng(opts.seed);
    FashionNet net(rng, opts.seed);
    net.summary({1, 28, 28, 1});

    optim::Adam adam(net.parameters());
    const long warmup_steps = std::min(kWarmupSteps, total / 4);
    adam.set_schedule(std::make_shared<optim::CosineDecay>(
        optim::CosineDecayOptions(kPeakLearningRate / 10, std::max(1L, total - warmup_steps))
            .warmup_target(kPeakLearningRate)
            .warmup_steps(warmup_steps)
            .alpha(0.02)));

    examples::ensure_dir(opts.out_dir);
    const std::string checkpoint = opts.out_dir + "/fashion_cnn.safetensors";
    long start = 0;
    if (resume) {
      io::load(net, adam, checkpoint);
      start = long(adam.iterations());
      net.resume_dropout_at(std::uint64_t(start));
      std::printf("resumed from %s at step %ld of %ld\n", checkpoint.c_str(), start, total);
    }
    // Appended to when resuming, so the logs cover the whole run.
    examples::CsvWriter train_csv(opts.out_dir + "/fashion_training" +
                                      (resume ? "_resumed" : "") + ".csv",
                                  {"step", "loss", "lr"});
    examples::CsvWriter epoch_csv(opts.out_dir + "/fashion_validation" +
                                      (resume ? "_resumed" : "") + ".csv",
                                  {"step", "val_loss", "val_accuracy"});

    examples::ProgressBar bar("fashion_cnn", total - start);
    const double cpu0 = cpu_seconds();
    data::Batch b;
    std::unique_ptr<data::Batches> stream;
    double running = 0;
    for (long step = start; step < total; ++step) {
      const long epoch = step / per_epoch;
      if (!stream || step % per_epoch == 0) {
        // Each epoch shuffles with its own seed, so a resumed run sees the same batches.
        stream = std::make_unique<data::Batches>(train_set, std::size_t(batch),
                                                 opts.seed + std::uint64_t(epoch), batch_options);
        for (long skip = 0; skip < step % per_epoch; ++skip) stream->next(b);
      }
      stream->next(b);
      const float lr = adam.lr();
      adam.zero_grad();
      Tensor loss = reduce_mean(softmax_cross_entropy_with_logits(b.labels, net(b.images)));
      loss.backward();
      adam.step();
      running = step == start ? loss.item() : 0.98 * running + 0.02 * loss.item();
      if (step % 10 == 0) train_csv.row({double(step), loss.item(), lr});
      char note[64];
      std::snprintf(note, sizeof note, "loss %.4f lr %.2e", running, lr);
      bar.update(step - start + 1, note);
      const bool epoch_end = (step + 1) % per_epoch == 0 || step + 1 == total;
      if (epoch_end) {
        io::save(net, adam, checkpoint);
        Eval v = evaluate(net, validation);
        epoch_csv.row({double(step + 1), v.loss, v.accuracy});
        if (step + 1 < total) {
          std::fprintf(stderr, "\nstep %ld: validation loss %.4f accuracy %.4f\n", step + 1,
                       v.loss, v.accuracy);
        }
      }
    }
    bar.finish();
    const double cpu = cpu_seconds() - cpu0, wall = bar.elapsed_seconds();
    Eval v = evaluate(net, validation), t = evaluate(net, test);
    std::printf("\nfashion_cnn: %ld steps of %ld (%.2f epochs), seed %llu\n", total - start, batch,
                double(total) / double(per_epoch), (unsigned long long)opts.seed);
    std::printf("validation accuracy: %.4f (loss %.4f)\n", v.accuracy, v.loss);
    std::printf("test accuracy: %.4f (loss %.4f)\n", t.accuracy, t.loss);
    std::printf("training time: %.1f s wall, %.1f s CPU (threads: %d)\n", wall, cpu, num_threads());
    std::printf("checkpoint: %s (resume with --resume)\n", checkpoint.c_str());
    examples::CsvWriter results(opts.out_dir + "/fashion_results.csv",
                                {"val_accuracy", "test_accuracy", "wall_seconds", "cpu_seconds"});
    results.row({v.accuracy, t.accuracy, wall, cpu});
    if (opts.plots && !resume && examples::render_plot("plot_fashion.py", {opts.out_dir})) {
      std::printf("plot: %s/fashion_training.png\n", opts.out_dir.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_cnn: %s\n", e.what());
    return 1;
  }
  return 0;
}
