// Long run: trains the W1b network (784-100-100-10 sigmoid MLP, batch norm after each hidden
// Dense, SGD 0.01, batch 60, summed softmax cross-entropy) for many steps and checks that
// memory stays flat: resident set size, live autograd nodes and tape entries are sampled
// every --every steps. Every sample also scores 1,000 test images under NoGradGuard and saves
// a checkpoint, as a real training script does.
//
// Verdict: "flat" when the resident set grew by less than --max-growth-mb between the first
// sample at or after --warmup steps and the end, and no autograd node outlived its step.
// Exit status 0 when flat, 1 otherwise.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <xgrad/data/data.hpp>
#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "csv.hpp"
#include "datasets.hpp"
#include "progress.hpp"

using namespace xgrad;

namespace {

constexpr long kFullSteps = 100000;
constexpr long kQuickSteps = 10000;
constexpr long kBatch = 60;

/// Resident set size of this process in MB (/proc/self/statm, field 2, in pages).
double resident_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return double(pages_resident) * double(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

/// The W1b network, built as examples/mnist_bn_mlp builds its BN net: N(0, 1) kernels, no
/// bias before a BN, eps 1e-3, decay 0.999.
nn::Sequential make_w1b(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto options = nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f);
  nn::Sequential model;
  auto d1 = model.add(nn::Dense(784, 100, /*use_bias=*/false));
  model.add(nn::BatchNorm(options));
  model.add(nn::Sigmoid());
  auto d2 = model.add(nn::Dense(100, 100, /*use_bias=*/false));
  model.add(nn::BatchNorm(options));
  model.add(nn::Sigmoid());
  auto d3 = model.add(nn::Dense(100, 10));
  for (auto& d : {d1, d2, d3}) {
    nn::set_weights(d->kernel(), nn::init::normal(d->kernel().shape(), 0.0, 1.0, rng));
  }
  return model;
}

/// MNIST (or Fashion-MNIST) when available, else random images and labels: memory behaviour
/// does not depend on what the pixels show.
struct Data {
  data::Dataset train, test;
  std::string name;
};

Data load_data(const std::string& dir, std::uint64_t seed) {
  Data d;
  try {
    auto found = examples::open_dataset(dir);
    d.train = data::load_mnist(found.dir, data::Split::Train);
    d.test = data::subset(data::load_mnist(found.dir, data::Split::Test), 0, 1000);
    d.name = found.name;
    return d;
  } catch (const std::exception& e) {
    if (!dir.empty()) throw;  // an explicit --data-dir must work
    std::printf("no data set found (%s); training on random data\n", e.what());
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  auto random_set = [&](std::size_t n) {
    data::Dataset s;
    s.images = xt::xarray<float>::from_shape({n, data::kMnistPixels});
    for (auto& v : s.images) v = pixel(rng);
    s.labels = xt::xarray<std::uint8_t>::from_shape({n});
    for (auto& l : s.labels) l = std::uint8_t(rng() % 10);
    s.description = "random";
    return s;
  };
  d.train = random_set(6000);
  d.test = random_set(1000);
  d.name = "random data";
  return d;
}

struct Sample {
  long step;
  double rss_mb;
  std::size_t live_nodes, tape_size;
  double loss, test_accuracy, seconds;
};

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("long_run",
                           "Trains the W1b MLP for many steps and checks memory stays flat");
  examples::add_common_options(options);
  options.add_options()
      ("every", "sample memory every N steps (default: steps / 20)",
       cxxopts::value<long>()->default_value("0"))
      ("warmup", "steps before the reference sample (default: the first sample)",
       cxxopts::value<long>()->default_value("0"))
      ("max-growth-mb", "resident growth after warm-up still called flat",
       cxxopts::value<double>()->default_value("1.0"));
  auto parsed = examples::parse_or_exit(options, argc, argv);
  auto opts = examples::read_common_options(parsed);
  const long steps = opts.steps ? opts.steps : (opts.quick ? kQuickSteps : kFullSteps);
  const long batch = opts.batch ? opts.batch : kBatch;
  const long every = parsed["every"].as<long>() > 0 ? parsed["every"].as<long>()
                                                    : std::max(1L, steps / 20);
  const long warmup = parsed["warmup"].as<long>() > 0 ? parsed["warmup"].as<long>() : every;
  const double max_growth = parsed["max-growth-mb"].as<double>();
  examples::apply_threads(opts);

  try {
    Data d = load_data(opts.data_dir, opts.seed);
    examples::ensure_dir(opts.out_dir);
    const std::string checkpoint = opts.out_dir + "/long_run.safetensors";
    nn::Sequential model = make_w1b(opts.seed);
    optim::SGD sgd(model.parameters(), 0.01f);
    data::Batches batches(d.train, std::size_t(batch), opts.seed,
                          data::BatchOptions().endless(true));
    const Tensor test_images(d.test.images);

    std::vector<Sample> samples;
    examples::ProgressBar bar("long_run", steps);
    data::Batch b;
    double loss = 0;
    auto sample = [&](long step) {
      double accuracy;
      {
        NoGradGuard no_grad;
        model.eval();
        accuracy = examples::accuracy(model(test_images), d.test.labels);
        model.train();
      }
      io::save(model, checkpoint);
      samples.push_back({step, resident_mb(), autograd::live_node_count(), autograd::tape_size(),
                         loss, accuracy, bar.elapsed_seconds()});
    };
    sample(0);
    for (long step = 1; step <= steps; ++step) {
      {  // the step's tensors die here, before any sample is taken
        batches.next(b);
        sgd.zero_grad();
        Tensor l = reduce_sum(softmax_cross_entropy_with_logits(b.labels, model(b.images)));
        l.backward();
        sgd.step();
        loss = l.item();
      }
      if (step % every == 0 || step == steps) {
        sample(step);
        char note[64];
        std::snprintf(note, sizeof note, "RSS %.1f MB", samples.back().rss_mb);
        bar.update(step, note);
      }
    }
    bar.finish();

    examples::CsvWriter csv(opts.out_dir + "/long_run.csv",
                            {"step", "rss_mb", "live_nodes", "tape_size", "loss",
                             "test_accuracy_1000", "seconds"});
    std::printf("\nW1b on %s: %ld steps, batch %ld, seed %llu\n", d.name.c_str(), steps, batch,
                (unsigned long long)opts.seed);
    std::printf("%8s %10s %11s %10s %10s %9s %9s\n", "step", "RSS MB", "live nodes",
                "tape size", "loss", "test acc", "seconds");
    for (const auto& s : samples) {
      std::printf("%8ld %10.2f %11zu %10zu %10.3f %9.3f %9.1f\n", s.step, s.rss_mb, s.live_nodes,
                  s.tape_size, s.loss, s.test_accuracy, s.seconds);
      csv.row({double(s.step), s.rss_mb, double(s.live_nodes), double(s.tape_size), s.loss,
               s.test_accuracy, s.seconds});
    }

    // Reference: the first sample at or after the warm-up. Between samples the only live
    // tensors are the model's, so any node still alive outlived its step.
    const Sample* ref = &samples.back();
    for (const auto& s : samples) {
      if (s.step >= warmup) {
        ref = &s;
        break;
      }
    }
    const Sample& end = samples.back();
    std::size_t max_nodes = 0, max_tape = 0;
    for (const auto& s : samples) {
      max_nodes = std::max(max_nodes, s.live_nodes);
      max_tape = std::max(max_tape, s.tape_size);
    }
    const double growth = end.rss_mb - ref->rss_mb;
    const bool flat = growth < max_growth && max_nodes == 0 && max_tape == 0;
    std::printf("RSS after warm-up (step %ld): %.2f MB; at the end (step %ld): %.2f MB; "
                "growth %+.2f MB (limit %.2f)\n",
                ref->step, ref->rss_mb, end.step, end.rss_mb, growth, max_growth);
    std::printf("live autograd nodes between steps: at most %zu; tape entries: at most %zu\n",
                max_nodes, max_tape);
    std::printf("verdict: %s\n", flat ? "flat" : "NOT flat");
    return flat ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "long_run: %s\n", e.what());
    return 1;
  }
}
