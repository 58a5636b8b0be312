// Experiment 1, after R2RT's "Implementing Batch Normalization in Tensorflow" (2016,
// https://r2rt.com/implementing-batch-normalization-in-tensorflow.html): a 784-100-100-10
// sigmoid MLP with and without batch normalization.
//
// Both nets start from the same N(0, 1) weights and see the same batches (SGD 0.01, batch 60,
// summed softmax cross-entropy). Every 50 steps both are scored on the test set; the BN net
// twice: with the whole test set's batch statistics (as the post's training graph did) and
// with the population statistics (eval mode). At a quarter of the run and at the end it is
// also scored with statistics recomputed after training (nn::update_batch_norm_statistics),
// the plain average the post calls marginally better than a moving one. Then the test-time
// demonstration: the first 100 test images one at a time, with batch statistics (collapses to
// one class) and with population statistics, before and after a checkpoint round trip.
//
// With --seeds the program runs itself once per seed and reports the median and min-max over
// the seeds, and checks the post's conclusions over every seed.
#include <cstdio>
#include <tuple>
#include <random>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/bn_statistics.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xmath.hpp>
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

constexpr int kLogEvery = 50;
constexpr long kFullSteps = 40000;
constexpr long kQuickSteps = 2000;
constexpr long kBatch = 60;

/// The initial weights both nets share (the post: np.random.normal, float32).
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
/// returns the input of layer 2's sigmoids (z2 without BN, BN2 with BN), which the post plots.
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

  Output run(const Tensor& x) { return run_from_first_product(dense1_->forward(x)); }

  /// The rest of run() given x W1. The BN net's first layer has no bias, so its product is the
  /// same in training and eval mode: scoring both ways shares it (the evaluation's biggest cost).
  Output run_from_first_product(Tensor z1) {
    if (batch_norm_) z1 = bn1_->forward(z1);
    Tensor z2 = dense2_->forward(sigmoid(z1));
    if (batch_norm_) z2 = bn2_->forward(z2);
    return {dense3_->forward(sigmoid(z2)), z2};
  }

  Tensor forward(const Tensor& x) override { return run(x).logits; }

  /// x W1 (+ b1) with x kept as its non-zero entries: the same values to float32 rounding in
  /// less than half the time, MNIST's images being 81% zeros (the product over the whole test
  /// set, twice per logged step, was most of a run).
  Tensor first_product(const SparseRows<float>& x) {
    const Tensor z = sparse_matmul(x, dense1_->kernel());
    return batch_norm_ ? z : z + dense1_->bias();
  }

private:
  bool batch_norm_;
  std::shared_ptr<nn::Dense> dense1_, dense2_, dense3_;
  std::shared_ptr<nn::BatchNorm> bn1_, bn2_;
};

/// Scores the BN net in training mode (batch statistics) without moving its running stats:
/// the buffers are restored afterwards, as the post's separate evaluation graph left them.
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

/// Runs f() with the BN net's statistics recomputed from one pass over the training batches
/// with the current weights, then puts the moving averages back (training goes on with them).
template <class F>
auto with_recomputed_statistics(Mlp& net, const data::Dataset& train, std::uint64_t seed, F&& f) {
  std::vector<xt::xarray<float>> saved;
  for (auto& [name, buffer] : net.named_buffers()) saved.push_back(buffer.value());
  data::Batches pass(train, std::size_t(kBatch), seed);
  nn::update_batch_norm_statistics(net, pass, 0);
  net.eval();
  auto result = f();
  net.train();
  std::size_t i = 0;
  for (auto& [name, buffer] : net.named_buffers()) buffer.value() = saved[i++];
  return result;
}

struct Scores {
  double accuracy;
  xt::xarray<float> mean_layer2_input;  // first five neurons
};

/// Accuracy, and the mean over the rows of the first five layer-2 sigmoid inputs (a plain loop
/// over those five columns: xt::mean over axis 0 of all 100 took 4% of a run).
Scores score_output(const Mlp::Output& out, const xt::xarray<std::uint8_t>& labels) {
  const xt::xarray<float>& z = out.layer2_sigmoid_input.value();
  const std::size_t rows = z.shape(0), cols = z.shape(1);
  xt::xarray<float> mean = xt::zeros<float>({std::size_t(5)});
  for (std::size_t c = 0; c < 5; ++c) {
    double sum = 0;
    for (std::size_t r = 0; r < rows; ++r) sum += z.data()[r * cols + c];
    mean(c) = float(sum / double(rows));
  }
  return {examples::accuracy(out.logits, labels), mean};
}

Scores score(Mlp& net, const SparseRows<float>& images, const xt::xarray<std::uint8_t>& labels) {
  NoGradGuard no_grad;
  return score_output(net.run_from_first_product(net.first_product(images)), labels);
}

/// The post's demonstration: the first 100 test images scored one at a time.
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

const char* kSource = "R2RT, \"Implementing Batch Normalization in Tensorflow\" (2016)";
const char* kSourceLink = "https://r2rt.com/implementing-batch-normalization-in-tensorflow.html";

/// Thresholds of the post's conclusions; the defaults are the post's claims.
struct Thresholds {
  double min_bn_lead = 0.0;              // BN minus no BN, test accuracy
  double max_batch_stats_single = 0.2;   // one at a time with batch statistics
  double min_population_single = 0.95;   // one at a time with population statistics
};

/// The logged step nearest a quarter of the run (10,000 of the post's 40,000).
long early_step(long steps) {
  long s = (steps / 4 + kLogEvery / 2) / kLogEvery * kLogEvery;
  return std::min(steps, std::max<long>(s, kLogEvery));
}

/// One seed's full run; writes its CSV files and mlp_results.csv to opts.out_dir.
void run_one_seed(const examples::CommonOptions& opts, long steps, long batch) {
  auto found = examples::open_dataset(opts.data_dir);
  data::Dataset train = data::load_mnist(found.dir, data::Split::Train);
  data::Dataset test = data::load_mnist(found.dir, data::Split::Test);
  const SparseRows<float> test_images(test.images);
  examples::ensure_dir(opts.out_dir);

  InitialWeights w = draw_weights(opts.seed);
  Mlp plain(false, w), bn(true, w);
  optim::SGD sgd_plain(plain.parameters(), 0.01f), sgd_bn(bn.parameters(), 0.01f);

  examples::CsvWriter acc_csv(opts.out_dir + "/mlp_accuracy.csv",
                              {"step", "no_bn", "bn_batch_stats", "bn_population"});
  examples::CsvWriter z_csv(opts.out_dir + "/mlp_sigmoid_inputs.csv",
                            {"step", "no_bn_0", "no_bn_1", "no_bn_2", "no_bn_3", "no_bn_4",
                             "bn_0", "bn_1", "bn_2", "bn_3", "bn_4"});
  examples::CsvWriter results(opts.out_dir + "/mlp_results.csv", {"measure", "value"});
  const long early = early_step(steps);
  auto log_point = [&](long step) {
    NoGradGuard no_grad;
    Scores p = score(plain, test_images, test.labels);
    const Tensor z1 = bn.first_product(test_images);
    Scores b = with_batch_statistics(bn, [&] { return score_output(bn.run_from_first_product(z1), test.labels); });
    bn.eval();
    Scores q = score_output(bn.run_from_first_product(z1), test.labels);
    bn.train();
    acc_csv.row({double(step), p.accuracy, b.accuracy, q.accuracy});
    std::vector<double> z{double(step)};
    for (float v : p.mean_layer2_input) z.push_back(v);
    for (float v : b.mean_layer2_input) z.push_back(v);
    z_csv.row(z);
    std::vector<std::string> milestones;
    if (step == early) milestones.push_back("early_");
    if (step == steps) milestones.push_back("final_");
    if (milestones.empty()) return;
    const double recomputed = with_recomputed_statistics(bn, train, opts.seed, [&] {
        return score_output(bn.run_from_first_product(z1), test.labels).accuracy;
      });
    for (const std::string& at : milestones) {
      results.row(at + "step", {double(step)});
      results.row(at + "no_bn", {p.accuracy});
      results.row(at + "bn_batch_stats", {b.accuracy});
      results.row(at + "bn_moving", {q.accuracy});
      results.row(at + "bn_recomputed", {recomputed});
      results.row(at + "bn_lead", {q.accuracy - p.accuracy});
    }
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
  std::vector<int> pred_batch, pred_population, pred_recomputed, pred_reloaded;
  double single_batch = with_batch_statistics(bn, [&] { return score_one_at_a_time(bn, test, &pred_batch); });
  double single_recomputed = with_recomputed_statistics(
      bn, train, opts.seed, [&] { return score_one_at_a_time(bn, test, &pred_recomputed); });
  bn.eval();
  double single_population = score_one_at_a_time(bn, test, &pred_population);
  const std::string checkpoint = opts.out_dir + "/mlp_bn.safetensors";
  io::save(bn, checkpoint);
  Mlp reloaded(true, draw_weights(opts.seed + 1));  // different weights until loaded
  reloaded.eval();
  io::load(reloaded, checkpoint);
  double single_reloaded = score_one_at_a_time(reloaded, test, &pred_reloaded);
  double reloaded_full = score(reloaded, test_images, test.labels).accuracy;

  results.row("single_batch_stats", {single_batch});
  results.row("single_moving", {single_population});
  results.row("single_recomputed", {single_recomputed});
  results.row("single_reloaded", {single_reloaded});
  results.row("reloaded_full", {reloaded_full});
  results.row("reload_changes_single", {single_reloaded == single_population ? 0.0 : 1.0});
  results.row("train_seconds", {train_seconds});
  std::printf("seed %llu on %s: %ld steps, batch %ld, %.1f s\n", (unsigned long long)opts.seed,
              found.name.c_str(), steps, batch, train_seconds);
  std::printf("predicted classes, one at a time, batch statistics: %s\n", histogram(pred_batch).c_str());
  std::printf("predicted classes, one at a time, population stats: %s\n", histogram(pred_population).c_str());
}

/// The results table and the conclusions over every seed; returns the exit status.
int summarise(const examples::SeedResults& r, long steps, const Thresholds& t, bool binding) {
  const long early = long(r.of("early_step").median), last = long(r.of("final_step").median);
  const bool protocol = early == 10000 && last == kFullSteps;
  auto at = [](long s) { return "test accuracy at " + std::to_string(s) + " steps, "; };
  auto src = [&](const char* figure) { return std::string(protocol ? figure : "-"); };
  std::printf("\nExperiment 1: %ld steps, seeds %s; source: %s, %s\n", steps, r.seed_list().c_str(),
              kSource, kSourceLink);
  std::vector<examples::Row> rows = {
      {"early_no_bn", at(early) + "no BN", "-"},
      {"early_bn_batch_stats", at(early) + "BN, test-set batch statistics", src("0.9721")},
      {"early_bn_moving", at(early) + "BN, population (moving average)", "-"},
      {"early_bn_recomputed", at(early) + "BN, population (recomputed)", "-"},
      {"final_no_bn", at(last) + "no BN", "-"},
      {"final_bn_batch_stats", at(last) + "BN, test-set batch statistics", "-"},
      {"final_bn_moving", at(last) + "BN, population (moving average)", "-"},
      {"final_bn_recomputed", at(last) + "BN, population (recomputed)", "-"},
      {"single_batch_stats", "first 100 test images one at a time, batch statistics", "0.02", 2},
      {"single_moving", "first 100 one at a time, population (moving average)", "0.99", 2},
      {"single_recomputed", "first 100 one at a time, population (recomputed)", "-", 2},
      {"single_reloaded", "first 100 one at a time, after checkpoint load (moving)", "0.99", 2},
      {"reloaded_full", "full test set after checkpoint load (moving average)", "-"},
      {"train_seconds", "seconds for the run (training and every evaluation)", "-", 1},
  };
  examples::print_table(r, rows, "R2RT 2016");
  auto lead = [&](long s) {
    return "BN (population statistics) ahead of no BN at " + std::to_string(s) +
           " steps by more than " + examples::fixed(t.min_bn_lead, 4) + " (BN minus no BN)";
  };
  std::vector<examples::Conclusion> conclusions = {
      examples::every_seed(r, "bn-ahead-early", lead(early), "early_bn_lead",
                           [&](double v) { return v > t.min_bn_lead; }),
      examples::every_seed(r, "bn-ahead-final", lead(last), "final_bn_lead",
                           [&](double v) { return v > t.min_bn_lead; }),
      examples::every_seed(r, "batch-stats-collapse",
                           "one at a time with batch statistics at most " +
                               examples::fixed(t.max_batch_stats_single, 2),
                           "single_batch_stats", [&](double v) { return v <= t.max_batch_stats_single; }),
      examples::every_seed(r, "population-one-at-a-time",
                           "one at a time with population statistics at least " +
                               examples::fixed(t.min_population_single, 2),
                           "single_moving", [&](double v) { return v >= t.min_population_single; }),
      examples::every_seed(r, "checkpoint-reload",
                           "the same after the checkpoint reload (equal, and at least " +
                               examples::fixed(t.min_population_single, 2) + ")",
                           "single_reloaded", [&](double v) { return v >= t.min_population_single; }),
  };
  for (double changed : r.values("reload_changes_single")) {
    if (changed != 0.0) {
      conclusions.back().holds = false;
      conclusions.back().evidence += "; a reloaded model scored differently from the saved one";
    }
  }
  return examples::report_conclusions(conclusions, binding);
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options(
      "mnist_bn_mlp",
      "Experiment 1: sigmoid MLP with and without batch norm, after R2RT's \"Implementing Batch "
      "Normalization in Tensorflow\" (2016, https://r2rt.com/implementing-batch-normalization-in-tensorflow.html)");
  examples::add_common_options(options);
  examples::add_seed_options(options);
  Thresholds t;
  options.add_options("conclusions")
      ("enforce-conclusions", "exit non-zero when a conclusion fails also in a run shorter than "
                              "the protocol (at the protocol's length it always does)")
      ("min-bn-lead", "BN must beat no BN by more than this at a quarter of the run and at the end",
       cxxopts::value<double>()->default_value(examples::fixed(t.min_bn_lead, 4)))
      ("max-batch-stats-accuracy", "one at a time with batch statistics must score at most this",
       cxxopts::value<double>()->default_value(examples::fixed(t.max_batch_stats_single, 2)))
      ("min-population-accuracy", "one at a time with population statistics (and after the reload) must score at least this",
       cxxopts::value<double>()->default_value(examples::fixed(t.min_population_single, 2)));
  auto parsed = examples::parse_or_exit(options, argc, argv);
  auto opts = examples::read_common_options(parsed);
  const auto plan = examples::read_seed_plan(parsed, opts.seed);
  t.min_bn_lead = parsed["min-bn-lead"].as<double>();
  t.max_batch_stats_single = parsed["max-batch-stats-accuracy"].as<double>();
  t.min_population_single = parsed["min-population-accuracy"].as<double>();
  const long steps = opts.steps ? opts.steps : (opts.quick ? kQuickSteps : kFullSteps);
  const long batch = opts.batch ? opts.batch : kBatch;

  try {
    const std::vector<std::string> dirs =
        examples::run_plan(argc, argv, plan, opts.out_dir, [&](std::uint64_t seed) {
          examples::apply_threads(opts);
          opts.seed = seed;
          run_one_seed(opts, steps, batch);
        });
    std::vector<examples::Measures> runs;
    for (const auto& d : dirs) runs.push_back(examples::read_measures(d + "/mlp_results.csv"));
    examples::SeedResults results(plan.seeds, std::move(runs));
    const bool binding = (steps == kFullSteps && batch == kBatch) || parsed.count("enforce-conclusions");
    const int status = summarise(results, steps, t, binding);
    std::vector<std::string> plot_args{opts.out_dir};
    plot_args.insert(plot_args.end(), dirs.begin(), dirs.end());
    if (opts.plots && examples::render_plot("plot_mlp.py", plot_args)) {
      std::printf("plots: %s/mlp_accuracy.png, %s/mlp_sigmoid_inputs.png\n", opts.out_dir.c_str(),
                  opts.out_dir.c_str());
    }
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnist_bn_mlp: %s\n", e.what());
    return 1;
  }
}
