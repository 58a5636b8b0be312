// Experiment 1 (seed 000): a 784-100-100-10 sigmoid MLP with and without batch normalization.
//
// Both nets start from the same N(0, 1) weights and see the same batches (SGD 0.01, batch 60,
// summed softmax cross-entropy). Every 50 steps both are scored on the test set; the BN net
// twice: with the whole test set's batch statistics (as the seed's training graph did) and
// with the population statistics (eval mode). Then the test-time demonstration: the first 100
// test images one at a time, with batch statistics (collapses to one class) and with
// population statistics, before and after a checkpoint round trip.
#include <cstdio>
#include <tuple>
#include <random>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "cli.hpp"
#include "csv.hpp"
#include "datasets.hpp"
#include "plot.hpp"
#include "progress.hpp"

using namespace xgrad;

namespace {

constexpr int kLogEvery = 50;
constexpr long kFullSteps = 40000;
constexpr long kQuickSteps = 2000;
constexpr long kBatch = 60;

/// The initial weights both nets share (seed: np.random.normal, float32).
struct InitialWeights {
  xt::xarray<float> w1, w2, w3;
};

InitialWeights draw_weights(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto draw = [&](std::size_t r, std::size_t c) {
    xt::xarray<float> a = xt::xarray<float>::from_shape({r, c});
    for (auto& v : a) v = normal(rng);
    return a;
  };
  InitialWeights w;
  w.w1 = draw(784, 100);
  w.w2 = draw(100, 100);
  w.w3 = draw(100, 10);
  return w;
}

/// The MLP, with or without BN before each sigmoid. forward() returns logits; run() also
/// returns the input of layer 2's sigmoids (z2 without BN, BN2 with BN), which the seed plots.
class Mlp : public nn::Module {
public:
  Mlp(bool batch_norm, const InitialWeights& w) : Module("Mlp"), batch_norm_(batch_norm) {
    dense1_ = add<nn::Dense>("dense1", 784, 100, !batch_norm);
    dense2_ = add<nn::Dense>("dense2", 100, 100, !batch_norm);
    dense3_ = add<nn::Dense>("dense3", 100, 10, true);
    if (batch_norm) {
      auto options = nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f);
      bn1_ = add<nn::BatchNorm>("bn1", options);
      bn2_ = add<nn::BatchNorm>("bn2", options);
    }
    dense1_->kernel().value() = w.w1;
    dense2_->kernel().value() = w.w2;
    dense3_->kernel().value() = w.w3;
  }

  struct Output {
    Tensor logits;
    Tensor layer2_sigmoid_input;
  };

  template <class M, class... Args>
  std::shared_ptr<M> add(const std::string& name, Args&&... args) {
    auto m = std::make_shared<M>(std::forward<Args>(args)...);
    register_module(name, m);
    return m;
  }

  Output run(const Tensor& x) {
    Tensor z1 = dense1_->forward(x);
    if (batch_norm_) z1 = bn1_->forward(z1);
    Tensor z2 = dense2_->forward(sigmoid(z1));
    if (batch_norm_) z2 = bn2_->forward(z2);
    return {dense3_->forward(sigmoid(z2)), z2};
  }

  Tensor forward(const Tensor& x) override { return run(x).logits; }

private:
  bool batch_norm_;
  std::shared_ptr<nn::Dense> dense1_, dense2_, dense3_;
  std::shared_ptr<nn::BatchNorm> bn1_, bn2_;
};

/// Scores the BN net in training mode (batch statistics) without moving its running stats:
/// the buffers are restored afterwards, as the seed's separate evaluation graph left them.
template <class F>
auto with_batch_statistics(Mlp& net, F&& f) {
  std::vector<xt::xarray<float>> saved;
  for (auto& [name, buffer] : net.named_buffers()) saved.push_back(buffer.value());
  net.train();
  auto result = f();
  std::size_t i = 0;
  for (auto& [name, buffer] : net.named_buffers()) buffer.value() = saved[i++];
  return result;
}

struct Scores {
  double accuracy;
  xt::xarray<float> mean_layer2_input;  // first five neurons
};

Scores score(Mlp& net, const Tensor& images, const xt::xarray<std::uint8_t>& labels) {
  NoGradGuard no_grad;
  auto out = net.run(images);
  xt::xarray<float> mean = xt::mean(out.layer2_sigmoid_input.value(), {0});
  return {examples::accuracy(out.logits, labels), xt::view(mean, xt::range(0, 5))};
}

/// The seed's demonstration: the first 100 test images scored one at a time.
double score_one_at_a_time(Mlp& net, const data::Dataset& test, std::vector<int>* predictions) {
  NoGradGuard no_grad;
  int correct = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    xt::xarray<float> image = xt::view(test.images, xt::range(i, i + 1), xt::all());
    int p = int(argmax(net.forward(Tensor(image)), -1)(0));
    if (predictions) predictions->push_back(p);
    correct += p == int(test.labels(i));
  }
  return correct / 100.0;
}

std::string histogram(const std::vector<int>& predictions) {
  int counts[10] = {0};
  for (int p : predictions) counts[p]++;
  std::string s;
  for (int c = 0; c < 10; ++c) {
    if (counts[c]) s += (s.empty() ? "" : ", ") + std::to_string(c) + ": " + std::to_string(counts[c]);
  }
  return "{" + s + "}";
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("mnist_bn_mlp",
                           "Experiment 1 (seed 000): sigmoid MLP with and without batch norm");
  examples::add_common_options(options);
  auto opts = examples::read_common_options(examples::parse_or_exit(options, argc, argv));
  const long steps = opts.steps ? opts.steps : (opts.quick ? kQuickSteps : kFullSteps);
  const long batch = opts.batch ? opts.batch : kBatch;
  examples::apply_threads(opts);

  try {
    auto found = examples::open_dataset(opts.data_dir);
    data::Dataset train = data::load_mnist(found.dir, data::Split::Train);
    data::Dataset test = data::load_mnist(found.dir, data::Split::Test);
    Tensor test_images(test.images);
    examples::ensure_dir(opts.out_dir);

    InitialWeights w = draw_weights(opts.seed);
    Mlp plain(false, w), bn(true, w);
    optim::SGD sgd_plain(plain.parameters(), 0.01f), sgd_bn(bn.parameters(), 0.01f);

    examples::CsvWriter acc_csv(opts.out_dir + "/mlp_accuracy.csv",
                                {"step", "no_bn", "bn_batch_stats", "bn_population"});
    examples::CsvWriter z_csv(opts.out_dir + "/mlp_sigmoid_inputs.csv",
                              {"step", "no_bn_0", "no_bn_1", "no_bn_2", "no_bn_3", "no_bn_4",
                               "bn_0", "bn_1", "bn_2", "bn_3", "bn_4"});
    struct Point { long step; double plain, bn_batch, bn_population; };
    std::vector<Point> curve;
    auto log_point = [&](long step) {
      Scores p = score(plain, test_images, test.labels);
      Scores b = with_batch_statistics(bn, [&] { return score(bn, test_images, test.labels); });
      bn.eval();
      Scores q = score(bn, test_images, test.labels);
      bn.train();
      curve.push_back({step, p.accuracy, b.accuracy, q.accuracy});
      acc_csv.row({double(step), p.accuracy, b.accuracy, q.accuracy});
      std::vector<double> z{double(step)};
      for (float v : p.mean_layer2_input) z.push_back(v);
      for (float v : b.mean_layer2_input) z.push_back(v);
      z_csv.row(z);
    };

    data::Batches batches(train, std::size_t(batch), opts.seed, data::BatchOptions().endless(true));
    data::Batch b;
    examples::ProgressBar bar("mlp", steps);
    double loss_plain = 0, loss_bn = 0;
    for (long step = 0; step < steps; ++step) {
      if (step % kLogEvery == 0) log_point(step);
      batches.next(b);
      for (auto [net, opt, loss] : {std::tuple<Mlp*, optim::SGD*, double*>{&plain, &sgd_plain, &loss_plain},
                                    std::tuple<Mlp*, optim::SGD*, double*>{&bn, &sgd_bn, &loss_bn}}) {
        opt->zero_grad();
        Tensor l = reduce_sum(softmax_cross_entropy_with_logits(b.labels, net->forward(b.images)));
        l.backward();
        opt->step();
        *loss = l.item();
      }
      char note[96];
      std::snprintf(note, sizeof note, "loss %.2f / %.2f (no BN / BN)", loss_plain, loss_bn);
      bar.update(step + 1, note);
    }
    log_point(steps);
    bar.finish();
    const double train_seconds = bar.elapsed_seconds();

    // Test-time demonstration.
    std::vector<int> pred_batch, pred_population, pred_reloaded;
    double single_batch = with_batch_statistics(bn, [&] { return score_one_at_a_time(bn, test, &pred_batch); });
    bn.eval();
    double single_population = score_one_at_a_time(bn, test, &pred_population);
    const std::string checkpoint = opts.out_dir + "/mlp_bn.safetensors";
    io::save(bn, checkpoint);
    Mlp reloaded(true, draw_weights(opts.seed + 1));  // different weights until loaded
    reloaded.eval();
    io::load(reloaded, checkpoint);
    double single_reloaded = score_one_at_a_time(reloaded, test, &pred_reloaded);
    double reloaded_full = score(reloaded, test_images, test.labels).accuracy;

    auto at = [&](long s) -> const Point* {
      for (const auto& p : curve) if (p.step == s) return &p;
      return nullptr;
    };
    const Point& last = curve.back();
    std::printf("\nExperiment 1 on %s: %ld steps, batch %ld, seed %llu, %.1f s\n", found.name.c_str(),
                steps, batch, (unsigned long long)opts.seed, train_seconds);
    std::printf("%-58s %10s %10s\n", "measure", "xgrad", "seed 000");
    if (const Point* p = at(10000)) {
      std::printf("%-58s %10.4f %10s\n", "test accuracy at 10,000 steps, no BN", p->plain, "-");
      std::printf("%-58s %10.4f %10s\n", "test accuracy at 10,000 steps, BN (test-set batch stats)", p->bn_batch, "0.9721");
      std::printf("%-58s %10.4f %10s\n", "test accuracy at 10,000 steps, BN (population stats)", p->bn_population, "-");
    }
    std::printf("%-58s %10.4f %10s\n", ("test accuracy at " + std::to_string(last.step) + " steps, no BN").c_str(), last.plain, "-");
    std::printf("%-58s %10.4f %10s\n", ("test accuracy at " + std::to_string(last.step) + " steps, BN (batch stats)").c_str(), last.bn_batch, "-");
    std::printf("%-58s %10.4f %10s\n", ("test accuracy at " + std::to_string(last.step) + " steps, BN (population)").c_str(), last.bn_population, "-");
    std::printf("%-58s %10.2f %10s\n", "first 100 test images one at a time, batch statistics", single_batch, "0.02");
    std::printf("%-58s %10.2f %10s\n", "first 100 test images one at a time, population stats", single_population, "0.99");
    std::printf("%-58s %10.2f %10s\n", "  same, fresh model in eval mode after checkpoint load", single_reloaded, "0.99");
    std::printf("%-58s %10.4f %10s\n", "  full test set after checkpoint load (population)", reloaded_full, "-");
    std::printf("predicted classes, batch statistics: %s\n", histogram(pred_batch).c_str());
    std::printf("predicted classes, population stats: %s\n", histogram(pred_population).c_str());

    examples::CsvWriter results(opts.out_dir + "/mlp_results.csv", {"measure", "value"});
    results.row("steps", {double(steps)});
    results.row("final_no_bn", {last.plain});
    results.row("final_bn_batch_stats", {last.bn_batch});
    results.row("final_bn_population", {last.bn_population});
    results.row("single_image_batch_stats", {single_batch});
    results.row("single_image_population", {single_population});
    results.row("single_image_after_reload", {single_reloaded});
    results.row("train_seconds", {train_seconds});
    if (opts.plots && examples::render_plot("plot_mlp.py", {opts.out_dir})) {
      std::printf("plots: %s/mlp_accuracy.png, %s/mlp_sigmoid_inputs.png\n", opts.out_dir.c_str(),
                  opts.out_dir.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnist_bn_mlp: %s\n", e.what());
    return 1;
  }
  return 0;
}
