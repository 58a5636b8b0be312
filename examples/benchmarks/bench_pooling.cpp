// Pooling alone: max_pool2d and avg_pool2d, forward and input gradient, on a few shapes of the
// comparison workloads (VGG's 2x2 poolings, a global average pool).
//
//   bench_pooling [--threads N] [--reps N] [--warmup N]
//
// Each step is a user's: y = pool(x) with x requiring its gradient, then y.backward(upstream)
// with a fixed upstream; the forward and the backward are timed apart, over --warmup untimed
// and --reps timed steps, and their medians reported. Prints one line per op and shape:
//   op batch h w c kernel stride padding forward_ms backward_ms total_ms
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include <xgrad/ops/pooling.hpp>
#include <xgrad/runtime.hpp>
#include <xgrad/threads.hpp>
#include <xgrad/xgrad.hpp>

#include "cli.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct PoolShape {
  std::size_t batch, h, w, c, kernel, stride;
  xgrad::Padding padding;
};

const std::vector<PoolShape> kShapes = {
    {128, 32, 32, 32, 2, 2, xgrad::Padding::Valid},  // VGG's first pooling
    {128, 16, 16, 64, 2, 2, xgrad::Padding::Valid},  // VGG's second
    {128, 8, 8, 64, 8, 8, xgrad::Padding::Valid},    // a global average pool
};

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

xt::xarray<float> random_array(const xgrad::Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  for (auto& v : a) v = dist(rng);
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("bench_pooling", "max_pool2d and avg_pool2d alone, forward and backward");
  options.add_options()
      ("threads", "xgrad threads", cxxopts::value<int>()->default_value("1"))
      ("reps", "timed steps", cxxopts::value<int>()->default_value("21"))
      ("warmup", "untimed steps first", cxxopts::value<int>()->default_value("3"))
      ("h,help", "show this help");
  const auto parsed = examples::parse_or_exit(options, argc, argv);
  const int threads = parsed["threads"].as<int>(), reps = parsed["reps"].as<int>(),
            warmup = parsed["warmup"].as<int>();
  if (threads < 1 || reps < 1 || warmup < 0) {
    std::fprintf(stderr, "bench_pooling: --threads and --reps must be >= 1, --warmup >= 0\n");
    return 2;
  }
  xgrad::set_num_threads(threads);
  xgrad::tune_allocator_for_training();
  std::printf("# xgrad pooling, %d thread(s), median ms of %d steps\n", threads, reps);
  std::printf("# %-3s %5s %3s %3s %3s %2s %2s %-5s %10s %11s %8s\n", "op", "batch", "h", "w", "c",
              "k", "s", "pad", "forward_ms", "backward_ms", "total_ms");
  std::mt19937 rng(1234);
  for (const auto& s : kShapes) {
    const xt::xarray<float> xv = random_array({s.batch, s.h, s.w, s.c}, rng);
    const std::array<std::size_t, 2> k{s.kernel, s.kernel}, st{s.stride, s.stride};
    for (const bool is_max : {true, false}) {
      auto pool = [&](const xgrad::Tensor& x) {
        return is_max ? xgrad::max_pool2d(x, k, st, s.padding) : xgrad::avg_pool2d(x, k, st, s.padding);
      };
      const xt::xarray<float> up = random_array(pool(xgrad::Tensor(xv)).shape(), rng);
      std::vector<double> fwd, bwd, total;
      for (int r = 0; r < warmup + reps; ++r) {
        xgrad::Tensor x(xv, true);
        const auto t0 = Clock::now();
        xgrad::Tensor y = pool(x);
        const double f = ms_since(t0);
        const auto t1 = Clock::now();
        y.backward(up);
        const double b = ms_since(t1);
        if (r < warmup) continue;
        fwd.push_back(f);
        bwd.push_back(b);
        total.push_back(f + b);
      }
      std::printf("  %-3s %5zu %3zu %3zu %3zu %2zu %2zu %-5s %10.3f %11.3f %8.3f\n",
                  is_max ? "max" : "avg", s.batch, s.h, s.w, s.c, s.kernel, s.stride,
                  s.padding == xgrad::Padding::Same ? "SAME" : "VALID", median(fwd), median(bwd),
                  median(total));
      std::fflush(stdout);
    }
  }
  return 0;
}
