// Step time of a W2b-shaped data-parallel step (Experiment 2's BN conv net, Adam, mean sigmoid
// cross-entropy, global batch 64 split over the ranks), synthetic data:
//   mpiexec -np 2 bench_distributed --threads 1      # 2 ranks x 1 thread
//   mpiexec -np 1 bench_distributed --threads 2      # 1 process x 2 threads
// Prints (rank 0) the median step time, the share of it spent in DataParallel::wait() (the
// gradient reduction backward did not hide) and in SyncBatchNorm's exchanges.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <random>
#include <vector>

#include <xgrad/dist/dist.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/threads.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "datasets.hpp"
#include "models.hpp"

using namespace xgrad;

int main(int argc, char** argv) {
  dist::Session session(argc, argv);
  const dist::Communicator& world = session.world();
  cxxopts::Options cli("bench_distributed", "W2b-shaped data-parallel step time");
  examples::add_common_options(cli);
  cli.add_options()("warmup", "untimed steps first", cxxopts::value<long>()->default_value("3"))(
      "plain-bn", "per-rank nn::BatchNorm (fused_batch_norm) instead of SyncBatchNorm")(
      "bucket-mb", "gradient bucket size in MiB", cxxopts::value<double>()->default_value("25"));
  const auto parsed = examples::parse_or_exit(cli, argc, argv);
  const examples::CommonOptions opts = examples::read_common_options(parsed);
  if (world.rank() != 0) std::fclose(stdout);
  examples::apply_threads(opts);
  const long steps = opts.steps ? opts.steps : 20, warmup = parsed["warmup"].as<long>();
  const std::size_t global = opts.batch ? std::size_t(opts.batch) : 64;
  const std::size_t ranks = std::size_t(world.size()), r = std::size_t(world.rank());
  const std::size_t local = global / ranks + (r < global % ranks ? 1 : 0);

  std::mt19937_64 rng(opts.seed);
  auto net = distributed::bn_conv(rng, parsed.count("plain-bn") ? nullptr : &world);
  dist::DataParallelOptions ddp_options;
  ddp_options.bucket_bytes = std::size_t(parsed["bucket-mb"].as<double>() * (1 << 20)) + 1;
  dist::DataParallel ddp(*net, world, ddp_options);
  std::size_t values = 0;
  for (const Tensor& p : net->parameters()) values += p.size();
  optim::Adam adam(net->parameters(), 0.002f, 0.9f, 0.999f, 1e-8f);
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  xt::xarray<float> xs = xt::xarray<float>::from_shape({local, std::size_t(28), std::size_t(28), std::size_t(1)});
  for (auto& v : xs) v = pixel(rng);
  xt::xarray<float> ys = xt::zeros<float>({local, std::size_t(10)});
  for (std::size_t i = 0; i < local; ++i) ys(i, i % 10) = 1.f;
  const Tensor x(xs), y(ys);

  std::vector<double> times, cpu;
  double wait_total = 0;
  for (long step = 0; step < warmup + steps; ++step) {
    world.barrier();  // every step starts together: the step time is the slowest rank's
    const double t0 = MPI_Wtime(), w0 = ddp.wait_seconds();
    const std::clock_t c0 = std::clock();
    adam.zero_grad();
    reduce_mean(sigmoid_cross_entropy_with_logits(y, net->forward(x))).backward();
    ddp.wait();
    adam.step();
    const std::clock_t c1 = std::clock();
    world.barrier();
    if (step >= warmup) {
      times.push_back(MPI_Wtime() - t0);
      cpu.push_back(double(c1 - c0) / CLOCKS_PER_SEC);
      wait_total += ddp.wait_seconds() - w0;
    }
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu.begin(), cpu.end());
  double sum = 0;
  for (double t : times) sum += t;
  std::printf("ranks %zu x threads %d, global batch %zu (%zu per rank), %zu buckets: "
              "median step %.1f ms (min %.1f), rank 0's CPU per step %.1f ms (median), "
              "wait() %.1f%% of step time; %zu gradient values (%.2f MB) all-reduced per step\n",
              ranks, num_threads(), global, local, ddp.bucket_count(), 1e3 * times[times.size() / 2],
              1e3 * times.front(), 1e3 * cpu[cpu.size() / 2], 100.0 * wait_total / sum, values,
              double(values) * 4e-6);
  return 0;
}
