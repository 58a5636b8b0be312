// How much of a per-batch transform data::Prefetcher hides behind the training step.
//
// Three ways to run the same training steps (the image-folder example's conv net on 32x32x3
// batches): "step only" (batches made beforehand: the step's own time), "inline" (each batch
// gathered and transformed on the training thread, then the step) and "prefetched" (the same
// work on the Prefetcher's thread). The transform is random crop + flip repeated enough
// times to cost about --transform-ms per batch (calibrated at start, serial). The modes take
// turns block by block; the medians over blocks give
//   hidden = (inline - prefetched) / (inline - step only).
// --co-run adds a fourth mode, "step only" while a thread of pure register arithmetic runs
// beside it: what any work on another CPU costs the step on this machine (on a VM whose
// CPUs share a physical core, a loader's work slows the step however well it is scheduled).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif

#include <cxxopts.hpp>
#include <xgrad/data/augment.hpp>
#include <xgrad/data/prefetcher.hpp>
#include <xgrad/xgrad.hpp>

#include "shapes_net.hpp"

using namespace xgrad;
using Clock = std::chrono::steady_clock;

namespace {

struct Work {
  std::size_t batch, passes;
  xt::xarray<float> pool;    // [N, 32, 32, 3] the examples batches are gathered from
  xt::xarray<float> onehot;  // [batch, 4]
  data::AugmentOptions aug = data::AugmentOptions().crop_padding(4).horizontal_flip(true).parallel(false);

  /// Batch `k`: gathered from the pool, then `passes` crop + flip passes.
  void make(xt::xarray<float>& out, std::uint64_t k) const {
    const std::size_t n = pool.shape(0), row = 32 * 32 * 3;
    out.resize({batch, 32, 32, 3});
    for (std::size_t i = 0; i < batch; ++i) {
      const std::size_t src = (k * 7919 + i * 104729) % n;
      std::copy_n(pool.data() + src * row, row, out.data() + i * row);
    }
    for (std::size_t p = 0; p < passes; ++p) data::random_crop_flip(out, aug, p, k);
  }
};

#ifdef __linux__
/// Pins the calling thread to `cpu`.
void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}
#endif

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/// A thread that spins on register arithmetic (no memory traffic) while switched on and
/// sleeps otherwise.
class Spinner {
public:
  Spinner() : thread_([this] { run(); }) {}
  ~Spinner() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    on_.store(false);
    cv_.notify_one();
    thread_.join();
  }
  void set(bool on) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      on_.store(on);
    }
    cv_.notify_one();
  }

private:
  void run() {
    std::uint64_t x = 1;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return on_.load() || quit_; });
        if (quit_) break;
      }
      while (on_.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 4096; ++i) {
          x = x * 6364136223846793005ULL + 1442695040888963407ULL;
          asm volatile("" : "+r"(x));
        }
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> on_{false};
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("bench_prefetch",
                           "Step time with a per-batch transform run inline or on a Prefetcher thread");
  options.add_options()("block", "steps timed together",
                        cxxopts::value<long>()->default_value("5"))(
      "blocks", "blocks per mode (the modes take turns)", cxxopts::value<long>()->default_value("40"))(
      "batch", "batch size", cxxopts::value<std::size_t>()->default_value("64"))(
      "transform-ms", "target cost of the per-batch transform",
      cxxopts::value<double>()->default_value("2"))(
      "threads", "xgrad threads for the training step", cxxopts::value<int>()->default_value("1"))(
      "capacity", "Prefetcher queue capacity", cxxopts::value<std::size_t>()->default_value("2"))(
      "pin", "pin the training thread to the first CPU it may use and the loader thread to the "
      "second: the loader has a core of its own, whatever else runs there (Linux)")(
      "sleep-step-ms", "instead of the conv net, a step that sleeps this long (no CPU: isolates "
      "the loader from the step's competition for cores)", cxxopts::value<double>()->default_value("0"))(
      "co-run", "also time the step while a thread of pure arithmetic runs beside it")(
      "h,help", "show this help");
  cxxopts::ParseResult parsed;
  try {
    parsed = options.parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_prefetch: %s\n", e.what());
    return 2;
  }
  if (parsed.count("help")) {
    std::printf("%s\n", options.help().c_str());
    return 0;
  }
  const long block = parsed["block"].as<long>(), blocks = parsed["blocks"].as<long>();
  set_num_threads(parsed["threads"].as<int>());

  Work work;
  work.batch = parsed["batch"].as<std::size_t>();
  work.passes = 1;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  work.pool = xt::xarray<float>::from_shape({1024, 32, 32, 3});
  for (auto& v : work.pool) v = unit(rng);
  work.onehot = xt::zeros<float>({work.batch, std::size_t(4)});
  for (std::size_t i = 0; i < work.batch; ++i) work.onehot(i, i % 4) = 1.0f;

  // Calibrate the passes so one batch's transform costs about --transform-ms.
  xt::xarray<float> x;
  auto transform_ms = [&] {
    std::vector<double> t;
    for (int i = 0; i < 30; ++i) {
      const auto t0 = Clock::now();
      work.make(x, std::uint64_t(i));
      t.push_back(ms_since(t0));
    }
    return median(t);
  };
  // The gather costs about as much as a pass, so the passes are fitted from two points (none
  // and ten) rather than from one pass's time, which would undershoot the target by the gather.
  work.passes = 0;
  const double gather_only = transform_ms();
  work.passes = 10;
  const double per_pass = std::max((transform_ms() - gather_only) / 10.0, 1e-4);
  work.passes = std::max<std::size_t>(
      1, std::size_t((parsed["transform-ms"].as<double>() - gather_only) / per_pass + 0.5));
  const double per_batch = transform_ms();

  examples::ShapesNet net(4, rng);
  optim::Adam adam(net.parameters(), 0.001f);
  const double sleep_ms = parsed["sleep-step-ms"].as<double>();
  auto step = [&](const xt::xarray<float>& images) {
    if (sleep_ms > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(sleep_ms));
      return;
    }
    adam.zero_grad();
    Tensor loss = reduce_mean(softmax_cross_entropy_with_logits(Tensor(work.onehot), net(Tensor(images))));
    loss.backward();
    adam.step();
  };
  std::vector<xt::xarray<float>> premade(4);
  for (std::size_t i = 0; i < premade.size(); ++i) work.make(premade[i], i);
  for (int i = 0; i < 3; ++i) step(premade[0]);  // warm-up

  // Blocks of --block steps, the three modes in rotating order, so that the machine's drift
  // and other processes' load fall on all three alike. The Prefetcher runs for the whole
  // benchmark (an endless producer): its blocks measure the steady state, where the next
  // batches are being prepared while the step runs; between its blocks it waits, queue full.
  // --pin: the two CPUs; the loader pins itself on its first batch.
  const bool pin = parsed.count("pin") > 0;
  std::vector<int> cpus;
#ifdef __linux__
  if (pin) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    sched_getaffinity(0, sizeof allowed, &allowed);
    for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c) {
      if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
    }
    if (cpus.size() < 2) {
      std::fprintf(stderr, "bench_prefetch: --pin needs two CPUs, this process may use %zu\n", cpus.size());
      return 2;
    }
    pin_to(cpus[0]);
  }
#else
  if (pin) {
    std::fprintf(stderr, "bench_prefetch: --pin is implemented for Linux only\n");
    return 2;
  }
#endif
  std::uint64_t made = 0;
  data::Prefetcher<xt::xarray<float>> loader(
      [&](xt::xarray<float>& b) {
#ifdef __linux__
        if (pin && made == 0) pin_to(cpus[1]);
#endif
        work.make(b, made++);
        return true;
      },
      parsed["capacity"].as<std::size_t>());
  xt::xarray<float> y;
  for (int i = 0; i < 3; ++i) loader.next(y);  // warm-up
  const bool co_run = parsed.count("co-run") > 0;
  std::unique_ptr<Spinner> spinner;
  if (co_run) spinner = std::make_unique<Spinner>();
  const long modes = co_run ? 4 : 3;
  std::vector<double> only, inline_, prefetched, only_co_run;
  std::vector<double> waits;  // in next(), one per prefetched step
  std::uint64_t k = 0;
  for (long r = 0; r < blocks; ++r) {
    for (long m = 0; m < modes; ++m) {
      const long mode = (r + m) % modes;
      if (mode == 3) spinner->set(true);
      const auto t0 = Clock::now();
      for (long s = 0; s < block; ++s) {
        if (mode == 0 || mode == 3) {
          step(premade[std::size_t(s) % premade.size()]);
        } else if (mode == 1) {
          work.make(x, k++);
          step(x);
        } else {
          const auto w0 = Clock::now();
          loader.next(y);
          waits.push_back(ms_since(w0));
          step(y);
        }
      }
      const double per_step = ms_since(t0) / double(block);
      if (mode == 3) spinner->set(false);
      (mode == 0 ? only : mode == 1 ? inline_ : mode == 2 ? prefetched : only_co_run).push_back(per_step);
    }
  }
  const double t_only = median(only), t_inline = median(inline_), t_pre = median(prefetched);
  if (pin) std::printf("pinned: training thread on CPU %d, loader thread on CPU %d\n", cpus[0], cpus[1]);
  std::printf("batch %zu of 32x32x3, step threads %d, transform %.2f ms per batch (%zu crop+flip passes)\n",
              work.batch, num_threads(), per_batch, work.passes);
  std::printf("ms per step (median of %ld blocks of %ld steps): step only %.2f, inline %.2f, prefetched %.2f\n",
              blocks, block, t_only, t_inline, t_pre);
  std::sort(waits.begin(), waits.end());
  double waited = 0;
  for (double w : waits) waited += w;
  std::printf("prefetched steps waited for their batch %.3f ms on average (median %.3f, 99th "
              "percentile %.3f, longest %.3f)\n",
              waited / double(waits.size()), median(waits), waits[waits.size() * 99 / 100],
              waits.back());
  if (co_run) {
    const double t_co = median(only_co_run);
    std::printf("step only with a thread of pure arithmetic beside it: %.2f ms (%+.1f%% on step only)\n",
                t_co, 100.0 * (t_co / t_only - 1.0));
  }
  if (t_inline - t_only < 0.1 * per_batch) {
    // The blocks drifted by more than the transform costs: no fraction can be read.
    std::printf("hidden by prefetching: not measured (inline - step only = %.2f ms, under a tenth "
                "of the transform; the machine's drift hides it: more --blocks, or a quieter "
                "machine)\n", t_inline - t_only);
    return 0;
  }
  std::printf("hidden by prefetching: %.0f%% of the transform's cost (inline - step only = %.2f ms)\n",
              100.0 * (t_inline - t_pre) / (t_inline - t_only), t_inline - t_only);
  return 0;
}
