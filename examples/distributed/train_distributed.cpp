// Data-parallel training of Experiment 1's BN MLP (SGD 0.01, summed loss, global batch 60)
// or Experiment 2's BN conv net (Adam 0.002, mean loss, global batch 64) on MNIST:
//   mpiexec -np 2 build/examples/distributed/train_distributed --model conv --steps 800
// Each rank trains on its slice of every global batch; synchronized batch norm by default
// (--plain-bn: per-rank statistics). Progress and results are printed by rank 0 only.
#include <cstdio>
#include <random>

#include <xgrad/dist/dist.hpp>
#include <xgrad/optim/optim.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "csv.hpp"
#include "datasets.hpp"
#include "models.hpp"
#include "progress.hpp"

using namespace xgrad;

int main(int argc, char** argv) {
  dist::Session session(argc, argv);
  const dist::Communicator& world = session.world();
  const bool root = world.rank() == 0;

  cxxopts::Options cli("train_distributed", "Data-parallel training over MPI (run with mpiexec -np N)");
  examples::add_common_options(cli);
  cli.add_options()("model", "mlp (Experiment 1) or conv (Experiment 2)",
                    cxxopts::value<std::string>()->default_value("mlp"))(
      "plain-bn", "per-rank batch norm instead of synchronized")(
      "bucket-mb", "gradient bucket size in MiB", cxxopts::value<double>()->default_value("25"));
  const auto parsed = examples::parse_or_exit(cli, argc, argv);
  const examples::CommonOptions opts = examples::read_common_options(parsed);
  const std::string model_name = parsed["model"].as<std::string>();
  if (model_name != "mlp" && model_name != "conv") {
    throw std::invalid_argument("--model must be mlp or conv, got '" + model_name + "'");
  }
  const bool mlp = model_name == "mlp";
  if (!root) std::fclose(stdout);  // one rank reports (stderr stays open for errors)
  examples::apply_threads(opts);

  const long steps = opts.steps ? opts.steps : (opts.quick ? (mlp ? 2000 : 60) : (mlp ? 50000 : 800));
  const long batch = opts.batch ? opts.batch : (mlp ? 60 : 64);
  auto found = examples::open_dataset(opts.data_dir);
  const data::Dataset train = data::load_mnist(found.dir, data::Split::Train);
  const data::Dataset test = data::load_mnist(found.dir, data::Split::Test);

  std::mt19937_64 rng(opts.seed);
  const dist::Communicator* sync = parsed.count("plain-bn") ? nullptr : &world;
  auto net = mlp ? distributed::bn_mlp(rng, sync) : distributed::bn_conv(rng, sync);
  dist::DataParallel ddp(*net, world,
                         dist::DataParallelOptions().bucket_bytes(
                             std::size_t(parsed["bucket-mb"].as<double>() * (1 << 20)) + 1));
  std::unique_ptr<optim::Optimizer> opt;
  if (mlp) opt = std::make_unique<optim::SGD>(net->parameters(), 0.01f);
  else opt = std::make_unique<optim::Adam>(net->parameters(), 0.002f, 0.9f, 0.999f, 1e-8f);

  std::printf("%d ranks, global batch %ld (%s batch norm), %ld steps, %zu gradient buckets\n",
              world.size(), batch, sync ? "synchronized" : "per-rank", steps, ddp.bucket_count());
  data::Batches batches(train, std::size_t(batch), opts.seed,
                        data::BatchOptions().endless(true).shard(std::size_t(world.rank()), std::size_t(world.size()))
                            .layout(mlp ? data::Layout::Flat : data::Layout::NHWC));
  examples::ProgressBar bar(model_name, steps);
  data::Batch b;
  for (long step = 0; step < steps && batches.next(b); ++step) {
    opt->zero_grad();
    Tensor logits = net->forward(b.images);
    // Each rank's share of the global loss; DataParallel averages the ranks' gradients.
    Tensor loss = mlp ? reduce_sum(softmax_cross_entropy_with_logits(b.labels, logits)) * double(world.size())
                      : reduce_mean(sigmoid_cross_entropy_with_logits(b.labels, logits));
    loss.backward();
    ddp.wait();
    opt->step();
    if (root) bar.update(step + 1);
  }
  if (root) bar.finish();

  // Every rank holds the same model: rank 0 scores it and saves it.
  net->eval();
  if (root) {
    NoGradGuard no_grad;
    double correct = 0;
    data::Batches chunks(test, 1000, 0, data::BatchOptions().shuffle(false).layout(
                                            mlp ? data::Layout::Flat : data::Layout::NHWC));
    for (auto& c : chunks) correct += examples::accuracy(net->forward(c.images), c.label_ids) * double(c.size());
    std::printf("test accuracy: %.4f\n", correct / double(test.size()));
    std::printf("time in wait() (reduction not hidden by backward): %.2f s\n", ddp.wait_seconds());
  }
  examples::ensure_dir(opts.out_dir);
  dist::save_on_rank0(world, *net, opts.out_dir + "/distributed_" + model_name + ".safetensors");
  return 0;
}
