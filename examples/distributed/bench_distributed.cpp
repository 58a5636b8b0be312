// Step time of a W2b-shaped training step (Experiment 2's BN conv net, Adam, mean sigmoid
// cross-entropy, global batch 64, synthetic data) in each way of using a machine's cores, all
// measured in one job so that they share the machine's conditions:
//   mpiexec -np 2 --bind-to none bench_distributed
// Every round runs one step of each configuration in turn:
//   1 process x 1 thread     rank 0 alone, the whole batch: nn::BatchNorm, no DataParallel
//   1 process x N threads    the same on N threads (N = ranks)
//   N ranks x 1 thread       DataParallel + SyncBatchNorm, each rank its slice of the batch
//   ... per-rank BN          DataParallel + nn::BatchNorm (each rank its slice's statistics)
// While rank 0 runs alone the other ranks sleep, not spin, so their cores are free. Because
// the configurations alternate step by step, a machine whose speed drifts (a shared VM) slows
// all of them alike and their ratios stay meaningful.
#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <xtensor/xview.hpp>

#include <xgrad/dist/dist.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/cpu.hpp>
#include <xgrad/runtime.hpp>
#include <xgrad/threads.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"
#include "models.hpp"

using namespace xgrad;

namespace {

// Seconds spent in MPI_Allgather (SyncBatchNorm's exchanges, waiting for the slower rank
// included), counted through MPI's profiling interface: this definition takes the place of
// the library's, and PMPI_Allgather is the real one.
double allgather_seconds = 0;

}  // namespace

extern "C" int MPI_Allgather(const void* send, int send_count, MPI_Datatype send_type, void* recv,
                             int recv_count, MPI_Datatype recv_type, MPI_Comm comm) {
  const double t0 = PMPI_Wtime();
  const int code = PMPI_Allgather(send, send_count, send_type, recv, recv_count, recv_type, comm);
  allgather_seconds += PMPI_Wtime() - t0;
  return code;
}

namespace {

struct Trainer {
  std::shared_ptr<nn::Sequential> net;
  std::unique_ptr<dist::DataParallel> ddp;  // null: a single process
  std::unique_ptr<optim::Adam> adam;
  Tensor x, y;

  void step() {
    adam->zero_grad();
    reduce_mean(sigmoid_cross_entropy_with_logits(y, net->forward(x))).backward();
    if (ddp) ddp->wait();
    adam->step();
  }
};

// Examples [begin, begin + count) of the synthetic batch; sync_bn null: nn::BatchNorm.
Trainer make_trainer(std::uint64_t seed, const xt::xarray<float>& xs, const xt::xarray<float>& ys,
                     std::size_t begin, std::size_t count, const dist::Communicator* ddp_comm,
                     const dist::Communicator* sync_bn, std::size_t bucket_bytes) {
  std::mt19937_64 rng(seed);
  Trainer t;
  t.net = distributed::bn_conv(rng, sync_bn);
  if (ddp_comm) {
    t.ddp = std::make_unique<dist::DataParallel>(
        *t.net, *ddp_comm, dist::DataParallelOptions().bucket_bytes(bucket_bytes));
  }
  t.adam = std::make_unique<optim::Adam>(t.net->parameters(), 0.002f, 0.9f, 0.999f, 1e-8f);
  const auto rows = [&](const xt::xarray<float>& a) {
    return xt::xarray<float>(xt::view(a, xt::range(begin, begin + count)));
  };
  t.x = Tensor(rows(xs));
  t.y = Tensor(rows(ys));
  return t;
}

// A barrier that sleeps while it waits, leaving this core to a rank that works alone.
void sleeping_barrier(const dist::Communicator& comm) {
  MPI_Request request;
  dist::check(MPI_Ibarrier(comm.comm(), &request), "MPI_Ibarrier");
  for (int done = 0;;) {
    dist::check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

struct Configuration {
  Configuration(std::string name_, int workers_, int threads_, Trainer* trainer_)
      : name(std::move(name_)), workers(workers_), threads(threads_), trainer(trainer_) {}
  std::string name;
  int workers;       // processes x threads
  int threads;       // rank 0 alone on this many threads; 0: every rank, one thread each
  Trainer* trainer;  // rank 0's (alone) or this rank's
  std::vector<double> step, wait, gather;
};

// The CPUs this process may run on (mpiexec binds each rank to one core by default).
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  return sched_getaffinity(0, sizeof set, &set) == 0 ? std::max(1, CPU_COUNT(&set)) : 1;
}

// p = 0.5: the median (the upper middle value for an even count).
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::size_t(p * double(v.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  dist::Session session(argc, argv);
  const dist::Communicator& world = session.world();
  cxxopts::Options cli("bench_distributed", "W2b-shaped training step: 1 process, threads, ranks");
  cli.add_options()("steps", "timed rounds (one step of each configuration)",
                    cxxopts::value<long>()->default_value("60"))(
      "warmup", "untimed rounds first", cxxopts::value<long>()->default_value("3"))(
      "batch", "global batch", cxxopts::value<long>()->default_value("64"))(
      "seed", "initialization and data seed", cxxopts::value<std::uint64_t>()->default_value("1"))(
      "bucket-mb", "gradient bucket size in MiB", cxxopts::value<double>()->default_value("25"))(
      "h,help", "show this help");
  const auto parsed = examples::parse_or_exit(cli, argc, argv);
  const long rounds = parsed["steps"].as<long>(), warmup = parsed["warmup"].as<long>();
  const long batch = parsed["batch"].as<long>();
  const int ranks = world.size(), rank = world.rank();
  if (rounds < 1 || warmup < 0 || batch < ranks) {
    if (rank == 0) std::fprintf(stderr, "bench_distributed: need --steps >= 1, --warmup >= 0, --batch >= ranks\n");
    return 2;
  }
  tune_allocator_for_training();
  const std::uint64_t seed = parsed["seed"].as<std::uint64_t>();
  const std::size_t bucket_bytes = std::size_t(parsed["bucket-mb"].as<double>() * (1 << 20)) + 1;

  const std::size_t global = std::size_t(batch);
  std::mt19937_64 data_rng(seed + 1);
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  xt::xarray<float> xs = xt::xarray<float>::from_shape({global, std::size_t(28), std::size_t(28), std::size_t(1)});
  for (auto& v : xs) v = pixel(data_rng);
  xt::xarray<float> ys = xt::zeros<float>({global, std::size_t(10)});
  for (std::size_t i = 0; i < global; ++i) ys(i, i % 10) = 1.f;
  // This rank's slice, as data::BatchOptions().shard gives it.
  const std::size_t r = std::size_t(rank), n = std::size_t(ranks);
  const std::size_t local = global / n + (r < global % n ? 1 : 0);
  const std::size_t begin = r * (global / n) + std::min(r, global % n);

  Trainer alone, synced, per_rank;
  if (rank == 0) alone = make_trainer(seed, xs, ys, 0, global, nullptr, nullptr, bucket_bytes);
  std::vector<Configuration> configs;
  configs.emplace_back("1 process x 1 thread", 1, 1, &alone);
  // As many threads as there are ranks (a single rank: every CPU it may use).
  const int cpus = usable_cpus();
  const int wanted = ranks > 1 ? ranks : cpus;
  const int threads = std::min({wanted, cpus, max_num_threads()});
  if (threads > 1) {
    configs.emplace_back("1 process x " + std::to_string(threads) + " threads", threads, threads, &alone);
  }
  if (ranks > 1) {
    synced = make_trainer(seed, xs, ys, begin, local, &world, &world, bucket_bytes);
    per_rank = make_trainer(seed, xs, ys, begin, local, &world, nullptr, bucket_bytes);
    const std::string nr = std::to_string(ranks) + " ranks x 1 thread";
    configs.emplace_back(nr + ", SyncBatchNorm", ranks, 0, &synced);
    configs.emplace_back(nr + ", per-rank BN", ranks, 0, &per_rank);
  }

  for (long round = 0; round < warmup + rounds; ++round) {
    for (Configuration& c : configs) {
      double seconds = 0, waited = 0, gathered = 0;
      if (c.threads > 0) {  // rank 0 alone; the others sleep meanwhile
        sleeping_barrier(world);
        if (rank == 0) {
          set_num_threads(c.threads);
          const double t0 = MPI_Wtime();
          c.trainer->step();
          seconds = MPI_Wtime() - t0;
        }
        sleeping_barrier(world);
      } else {  // every rank: the step ends when the slowest rank's does
        set_num_threads(1);
        world.barrier();
        const double t0 = MPI_Wtime(), w0 = c.trainer->ddp->wait_seconds(), g0 = allgather_seconds;
        c.trainer->step();
        waited = c.trainer->ddp->wait_seconds() - w0;
        gathered = allgather_seconds - g0;
        world.barrier();
        seconds = MPI_Wtime() - t0;
      }
      if (round >= warmup) {
        c.step.push_back(seconds);
        c.wait.push_back(waited);
        c.gather.push_back(gathered);
      }
    }
  }

  if (rank == 0) {
    std::printf("W2b-shaped step, global batch %zu, %ld rounds after %ld warm-up, simd %s; "
                "rank 0's times (the data-parallel steps end with the slowest rank)\n",
                global, rounds, warmup, simd_isa());
    std::printf("%-36s %12s %16s %9s %11s %11s %14s\n", "configuration", "median step",
                "p10-p90", "speed-up", "efficiency", "in wait()", "in all-gather");
    const double base = percentile(configs.front().step, 0.5);
    for (const Configuration& c : configs) {
      const double m = percentile(c.step, 0.5);
      double total = 0, waited = 0, gathered = 0;
      for (std::size_t i = 0; i < c.step.size(); ++i) {
        total += c.step[i];
        waited += c.wait[i];
        gathered += c.gather[i];
      }
      char spread[32];
      std::snprintf(spread, sizeof spread, "%.1f-%.1f ms", 1e3 * percentile(c.step, 0.1),
                    1e3 * percentile(c.step, 0.9));
      std::printf("%-36s %9.1f ms %16s %8.2fx %11.2f %10.1f%% %13.1f%%\n", c.name.c_str(),
                  1e3 * m, spread, base / m, base / m / c.workers, 100 * waited / total,
                  100 * gathered / total);
    }
    if (threads < wanted) {
      std::printf("(1 process x %d threads skipped: this process may use %d CPU(s); "
                  "mpiexec binds ranks to cores unless given --bind-to none)\n",
                  wanted, cpus);
    }
    if (ranks == 1) std::printf("(run under mpiexec -np 2 for the data-parallel rows)\n");
    std::size_t values = 0;
    for (const Tensor& p : alone.net->parameters()) values += p.size();
    std::printf("%zu gradient values (%.2f MB) all-reduced per data-parallel step\n", values,
                double(values) * 4e-6);
  }
  return 0;
}
